"""Errors exprocr raises on purpose: each carries a one-line message fit for a user."""


class ExprocrError(Exception):
    """Base of every error exprocr reports to a user as one line."""


class ImageLoadError(ExprocrError):
    """The file is missing, empty, not an image, corrupt, or over the size limits."""


class ModelFileError(ExprocrError):
    """A model file is missing, truncated, foreign, tampered with, or of an unknown version."""


class DataError(ExprocrError):
    """Training or evaluation data is missing, corrupt or malformed."""
