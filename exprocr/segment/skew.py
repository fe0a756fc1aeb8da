"""Writing photographed a few degrees off level: its angle found, the photo levelled, and
boxes found in the levelled photo mapped back.

A phone held a little crooked turns every glyph with the lines: a `+` starts to look like a
`×`, a `1` like a `/`, and a line rising 10° falls apart into pieces. The angle is the one
at which the ink, projected across it, piles up into the sharpest rows (the classic
projection-profile search), found on a small copy of the photo.
"""

import cv2
import numpy as np

from exprocr.segment.binarize import candidate_mask, ink_darkness

_SIDE = 400  # long side of the copy the angle is searched on
_LARGEST = 25.0  # degrees either way searched: a phone held 13° off a line already sloping 4° is 17° off
_STEP = 0.5
_LEAST = 5.0  # writing less off level than this is read as it is: the segmenter follows it
_ALWAYS = 8.0  # writing this far off level is always read levelled
_CORNER_BLUR = 0.05  # share of the levelled photo's side the corners' fill is blurred over
_SURE = 1.15  # the best angle's rows must be this much sharper than level ones


def writing_angle(bgr: np.ndarray) -> float:
    """Angle of the writing's lines in degrees, image coordinates (y down): negative when
    they rise to the right; 0 when there is too little ink to tell or level is as good."""
    h, w = bgr.shape[:2]
    factor = min(1.0, _SIDE / max(h, w))
    small = cv2.resize(bgr, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA)
    mask, _ = candidate_mask(ink_darkness(small))
    ys, xs = np.nonzero(mask)
    if len(xs) < 50:
        return 0.0
    angles = np.arange(-_LARGEST, _LARGEST + _STEP / 2, _STEP)
    sharpness = []
    for slope in np.tan(np.radians(angles)):
        rows = np.round(ys - xs * slope).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        sharpness.append(float(np.dot(counts, counts)))
    best = int(np.argmax(sharpness))
    level = sharpness[int(np.argmin(np.abs(angles)))]
    return float(angles[best]) if sharpness[best] >= _SURE * level else 0.0


def needs_levelling(angle: float) -> bool:
    """Whether writing at `angle` is far enough off level for a levelled reading to help."""
    return abs(angle) >= _LEAST


def must_level(angle: float) -> bool:
    """Whether writing at `angle` is too far off level to be read as it is, however sure
    the reading: the classifier tells `+` from `×` and `1` from `/` by their strokes'
    angle, and learnt them turned no further than a few degrees. Not at the end of the
    search, where the sharpest rows may lie beyond it (a page's edges, not its writing)."""
    return _ALWAYS <= abs(angle) < _LARGEST


def levelling(size: tuple[int, int], angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The 2×3 matrix that turns a (width, height) photo so writing at `angle` lies level,
    and the size of the canvas grown to keep every corner."""
    w, h = size
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    width, height = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    matrix[0, 2] += width / 2 - w / 2
    matrix[1, 2] += height / 2 - h / 2
    return matrix, (width, height)


def level(bgr: np.ndarray, angle: float) -> np.ndarray:
    """The photo levelled on its grown canvas. The corners are filled with the edge pixels
    carried out, so a desk along the frame stays along it, but blurred broadly: carried out
    sharp, a dark mark the frame cuts through (a pen, a page's corner) is drawn out into a
    streak that reads as a stroke."""
    matrix, size = levelling((bgr.shape[1], bgr.shape[0]), angle)
    carried = cv2.warpAffine(bgr, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpAffine(np.full(bgr.shape[:2], 255, np.uint8), matrix, size, flags=cv2.INTER_NEAREST)
    reach = max(3, int(_CORNER_BLUR * max(size)))
    return cv2.copyTo(carried, inside, cv2.blur(carried, (reach, reach)))  # the photo itself kept sharp


def unlevel_box(box: tuple[int, int, int, int], back: np.ndarray) -> tuple[int, int, int, int]:
    """A box found in the levelled photo, as the box around it in the photo before; `back`
    is the inverse of the levelling matrix, in the boxes' own pixels."""
    x, y, w, h = box
    corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], np.float64)
    mapped = corners @ back.T
    left, top = np.floor(mapped.min(axis=0)).astype(int)
    right, bottom = np.ceil(mapped.max(axis=0)).astype(int)
    return int(left), int(top), int(right - left), int(bottom - top)
