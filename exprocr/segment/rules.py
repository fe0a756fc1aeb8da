"""Ruled and squared paper lines and page edges: found, removed, and the strokes they cut mended.

A ruling is long: it crosses a good part of the page. A minus sign or a fraction bar is
short by comparison, so length relative to the image is what tells them apart.
"""

import cv2
import numpy as np

_MIN_SPAN = 0.4  # rulings (three or more) span at least this fraction of the image side
_LONE_SPAN = 0.7  # fewer lines must span this much to count as rulings or page edges


def _long_runs(mask: np.ndarray, horizontal: bool) -> np.ndarray:
    """Pixels of thin straight structures spanning ≥ _MIN_SPAN of the image along one axis."""
    h, w = mask.shape
    side = w if horizontal else h
    length = max(25, side // 10)
    tolerance = (1, 3) if horizontal else (3, 1)  # (w, h) of the skew-tolerant dilation
    kernel = (length, 1) if horizontal else (1, length)
    loose = cv2.dilate(mask, np.ones(tolerance[::-1], np.uint8))
    runs = cv2.morphologyEx(loose, cv2.MORPH_OPEN, np.ones(kernel[::-1], np.uint8)) & mask
    if not runs.any():
        return runs
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    extent = stats[:, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT]
    keep = np.zeros(count, np.uint8)
    keep[1:] = extent[1:] >= _MIN_SPAN * side
    if keep.sum() < 3:  # a fraction bar or a long stroke in a tight crop is not paper
        keep[1:] &= extent[1:] >= _LONE_SPAN * side
    return keep[labels]


def _thickness(runs: np.ndarray, horizontal: bool) -> float:
    """Mean thickness of the rulings found: their area over their length."""
    length = np.count_nonzero(runs.any(axis=0 if horizontal else 1))
    return np.count_nonzero(runs) / max(1, length)


def remove_rulings(mask: np.ndarray) -> np.ndarray:
    """The mask without rulings; glyph strokes crossing a removed line are bridged again."""
    horizontal = _long_runs(mask, True)
    vertical = _long_runs(mask, False)
    if not horizontal.any() and not vertical.any():
        return mask
    cleaned = mask & ~(horizontal | vertical)
    thickest = max(_thickness(horizontal, True), _thickness(vertical, False))
    gap = int(round(1.5 * thickest)) + 3
    bridged = cleaned.copy()
    if horizontal.any():
        bridged |= cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE, np.ones((gap, 1), np.uint8)) & horizontal
    if vertical.any():
        bridged |= cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE, np.ones((1, gap), np.uint8)) & vertical
    return bridged
