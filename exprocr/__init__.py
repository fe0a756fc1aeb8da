"""exprocr: read photographs of handwritten numbers and arithmetic, and evaluate them exactly.

    from exprocr import read, Reader
    result = read("photo.jpg")          # ReadResult: lines → glyphs
    reader = Reader()                   # keeps the model loaded for many photos
"""

__version__ = "0.1.0"

__all__ = ["read", "Reader", "__version__"]


def __getattr__(name: str):
    """Import the reading pipeline on first use, so `import exprocr` stays instant."""
    if name in ("read", "Reader"):
        from exprocr import reader

        return getattr(reader, name)
    raise AttributeError(f"module 'exprocr' has no attribute {name!r}")
