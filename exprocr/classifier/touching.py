"""Touching digits, composed from single ones: the model's reject class.

Squeezed into 20×20, two digits that touch look enough like one (a `14` like a `4`) that a
classifier trained only on single glyphs reads them as one with confidence, and the
segmenter then keeps them whole. Shown such groups as a class of their own, the model puts
its probability there instead, and the split of a touching group wins. The reader never
reports this class: it only takes probability away from the symbols.
"""

import cv2
import numpy as np

TOUCHING = "touching"  # class name of two or three digits written into each other


def _crop(ink: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(ink > 40)
    return ink[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]


def _join(left: np.ndarray, right: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`right` placed after `left`, moved in until their inks touch, then a little further."""
    height = max(left.shape[0], right.shape[0]) + 8
    drop_l, drop_r = (int(rng.integers(0, height - g.shape[0] + 1)) for g in (left, right))
    canvas_l = np.zeros((height, left.shape[1]), np.uint8)
    canvas_l[drop_l: drop_l + left.shape[0]] = left
    canvas_r = np.zeros((height, right.shape[1]), np.uint8)
    canvas_r[drop_r: drop_r + right.shape[0]] = right
    inked_l, inked_r = canvas_l > 40, canvas_r > 40
    rows = inked_l.any(axis=1) & inked_r.any(axis=1)
    if not rows.any():  # no row in common: only a deep overlap would join them
        return left
    right_edge = left.shape[1] - 1 - np.argmax(inked_l[rows, ::-1], axis=1)
    left_edge = np.argmax(inked_r[rows], axis=1)
    # Offset of right's column 0 at which the nearest inks meet, then pushed into each other.
    meet = int((right_edge - left_edge).max())
    overlap = int(rng.integers(0, max(1, int(0.2 * min(left.shape[1], right.shape[1]))) + 1))
    offset = max(0, meet - overlap)
    width = max(left.shape[1], offset + right.shape[1])
    out = np.zeros((height, width), np.uint8)
    out[:, : left.shape[1]] = canvas_l
    np.maximum(out[:, offset: offset + right.shape[1]], canvas_r, out=out[:, offset: offset + right.shape[1]])
    return _crop(out)


def touching_groups(digits: np.ndarray, count: int, seed: int) -> list[np.ndarray]:
    """`count` ink images (bright on dark) of two, sometimes three, touching digits drawn from
    `digits` (N, H, W), each scaled a little so neighbours differ in size as writing does."""
    rng = np.random.default_rng(seed)
    groups = []
    for _ in range(count):
        size = 3 if rng.random() < 0.15 else 2
        picked = [_crop(digits[i]) for i in rng.integers(0, len(digits), size)]
        group = picked[0]
        for glyph in picked[1:]:
            scale = rng.uniform(0.85, 1.15)
            h, w = glyph.shape
            resized = cv2.resize(glyph, (max(2, round(w * scale)), max(2, round(h * scale))),
                                 interpolation=cv2.INTER_LINEAR)
            group = _join(group, resized, rng)
        groups.append(group)
    return groups
