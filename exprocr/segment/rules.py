"""Ruled and squared paper lines and page edges: found, removed, and the strokes they cut mended.

A ruling is long and straight: it crosses a good part of the page, possibly a few degrees
off level. Straight segments are found with a probabilistic Hough transform on a reduced
mask, so skew does not matter. Rulings come in families; a lone line must be very long to
count, so a fraction bar or a long stroke in a tight crop is never taken for paper.
"""

import cv2
import numpy as np

_WORK_SIDE = 1000  # long side of the reduced mask the lines are searched in
_MIN_SPAN = 0.4  # rulings (three or more) span at least this fraction of the image side
_LONE_SPAN = 0.7  # fewer lines must span this much to count as rulings or page edges
_MAX_TILT = 10.0  # degrees from level (or plumb)


def _segments(mask: np.ndarray) -> tuple[list[np.ndarray], float]:
    """Near-horizontal and near-vertical long segments, in full-resolution coordinates."""
    h, w = mask.shape
    factor = min(1.0, _WORK_SIDE / max(h, w))
    small = cv2.resize(mask, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA)
    small = (small > 0).astype(np.uint8)
    side = min(small.shape)
    found = cv2.HoughLinesP(small, 1, np.pi / 360, threshold=max(20, int(0.25 * side)),
                            minLineLength=int(_MIN_SPAN * side), maxLineGap=max(3, int(0.02 * side)))
    if found is None:
        return [], factor
    keep = []
    for x1, y1, x2, y2 in found.reshape(-1, 4):
        angle = abs(np.degrees(np.arctan2(y2 - y1, x2 - x1))) % 180
        level, plumb = min(angle, 180 - angle) <= _MAX_TILT, abs(angle - 90) <= _MAX_TILT
        if level or plumb:
            keep.append(np.array([x1, y1, x2, y2], float) / factor)
    return keep, factor


def _is_paper(segments: list[np.ndarray], shape: tuple[int, int]) -> list[np.ndarray]:
    """The segments that are rulings: one of a family of three or more, or very long."""
    h, w = shape
    horizontal = [s for s in segments if abs(s[2] - s[0]) >= abs(s[3] - s[1])]
    vertical = [s for s in segments if abs(s[2] - s[0]) < abs(s[3] - s[1])]
    rulings = []
    for family, side, axis in ((horizontal, w, 0), (vertical, h, 1)):
        spans = [abs(s[2 + axis] - s[axis]) for s in family]
        offsets = {int((s[1 - axis] + s[3 - axis]) / 2 // max(4, 0.01 * side)) for s in family}
        many = len(offsets) >= 3
        rulings += [s for s, span in zip(family, spans) if many or span >= _LONE_SPAN * side]
    return rulings


def remove_rulings(mask: np.ndarray) -> np.ndarray:
    """The mask without rulings; glyph strokes crossing a removed line are bridged again."""
    segments, _ = _segments(mask)
    rulings = _is_paper(segments, mask.shape)
    if not rulings:
        return mask
    h, w = mask.shape
    thickness = max(3, int(round(0.004 * max(h, w))))
    lines = np.zeros_like(mask)
    for x1, y1, x2, y2 in rulings:
        cv2.line(lines, (int(x1), int(y1)), (int(x2), int(y2)), 1, thickness)
    lines &= mask
    cleaned = mask & (1 - lines)
    gap = 2 * thickness + 3
    bridged = cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE, np.ones((gap, 1), np.uint8))
    bridged |= cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE, np.ones((1, gap), np.uint8))
    return cleaned | (bridged & lines)
