"""Extra labelled glyph sets: an `.npz` (images, labels) or a folder of class sub-folders.

Labels may be class names or aliases (`plus`, `x`, `div` …); classes the model does not have
are skipped and counted. Ink polarity is detected per set: whatever the border colour is,
that is paper.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from exprocr.classifier.classes import canonical_label
from exprocr.errors import DataError

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}


@dataclass
class GlyphSet:
    """Images as ink-bright uint8 arrays, their class indices, and what was skipped."""

    images: list[np.ndarray]
    labels: np.ndarray
    skipped: Counter = field(default_factory=Counter)
    ids: np.ndarray | None = None


def _ink_bright(images: list[np.ndarray]) -> list[np.ndarray]:
    """Invert the set if its borders are bright (dark ink on paper)."""
    borders = [np.concatenate([im[0], im[-1], im[:, 0], im[:, -1]]).mean() for im in images[:500]]
    return [255 - im for im in images] if borders and np.median(borders) > 127 else images


def load_glyph_set(path: str | Path, classes: tuple[str, ...]) -> GlyphSet:
    """Read a glyph set, keep what maps to `classes`, count the rest by label."""
    path = Path(path)
    raw_images: list[np.ndarray] = []
    raw_labels: list[str] = []
    ids = None
    if path.is_file() and path.suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as data:
                raw_images = list(data["images"])
                raw_labels = [str(label) for label in data["labels"]]
                ids = data["ids"] if "ids" in data.files else None
        except (KeyError, ValueError, OSError) as exc:
            raise DataError(f"{path}: not a glyph set (.npz with 'images' and 'labels'): {exc}") from None
    elif path.is_dir():
        for folder in sorted(p for p in path.iterdir() if p.is_dir()):
            for file in sorted(folder.iterdir()):
                if file.suffix.lower() in _IMAGE_SUFFIXES:
                    image = cv2.imdecode(np.fromfile(file, np.uint8), cv2.IMREAD_GRAYSCALE)
                    if image is not None:
                        raw_images.append(image)
                        raw_labels.append(folder.name)
    else:
        raise DataError(f"{path}: no such glyph set (an .npz file or a folder of class folders)")
    if len(raw_images) != len(raw_labels) or not raw_images:
        raise DataError(f"{path}: no labelled glyphs found")
    keep, labels, skipped = [], [], Counter()
    for i, label in enumerate(raw_labels):
        name = canonical_label(label, classes)
        if name is None:
            skipped[label] += 1
        else:
            keep.append(i)
            labels.append(classes.index(name))
    images = _ink_bright([np.asarray(raw_images[i], np.uint8) for i in keep])
    return GlyphSet(images, np.array(labels, np.int64), skipped,
                    None if ids is None else np.asarray(ids)[keep])
