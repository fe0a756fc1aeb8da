"""The one glyph normalization shared by training and reading.

Every glyph the model ever sees, from MNIST, a synthetic operator, an extra glyph set or a
photo, passes through `normalize_glyph`, so training and serving cannot drift apart.
It is MNIST's own recipe (fit the ink into 20×20 keeping the aspect ratio, centre by centre
of mass in 28×28) plus a stroke-width normalization, so a thin pencil line from a 12 MP photo
and a marker stroke from a tight crop arrive at the model with the same pen width.
"""

import cv2
import numpy as np

GLYPH_SIZE = 32
_FRAME = 28
_BOX = 20
_WORK = 80  # side of the working resolution for stroke-width normalization (4 × _BOX)
STROKE_WIDTH = 9.0  # target pen width at the working resolution (MNIST median, ~2.2 px in 20 px)
_STROKE_RANGE = (0.7, 1.45)  # widths within this factor of the target are left alone


def stroke_width(mask: np.ndarray) -> float:
    """Mean pen width of a binary glyph: 2·area / perimeter (exact for long thin strokes)."""
    area = float(np.count_nonzero(mask))
    if area == 0:
        return 0.0
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * area / max(perimeter, 1.0)


def _fit(image: np.ndarray, side: int) -> np.ndarray:
    """Scale so the longer side is `side`, keeping the aspect ratio (shorter side ≥ 1)."""
    h, w = image.shape
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(image, size, interpolation=interpolation)


def _set_stroke_width(mask: np.ndarray) -> np.ndarray:
    """Dilate or erode a binary glyph at working resolution towards STROKE_WIDTH."""
    width = stroke_width(mask)
    low, high = (f * STROKE_WIDTH for f in _STROKE_RANGE)
    if low <= width <= high or width == 0:
        return mask
    delta = STROKE_WIDTH - width
    radius = int(round(abs(delta) / 2))
    if radius == 0:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    if delta > 0:
        return cv2.dilate(mask, kernel)
    thinned = cv2.erode(mask, kernel)
    # Never erode a glyph away: keep the original when thinning would lose most of it.
    return thinned if np.count_nonzero(thinned) > 0.25 * np.count_nonzero(mask) else mask


def normalize_glyph(ink: np.ndarray) -> np.ndarray:
    """Turn any ink image (ink bright on dark, any size and dtype) into the model's 32×32 input.

    Returns float32 in [0, 1], ink high. An image without ink gives all zeros.
    """
    image = np.asarray(ink, dtype=np.float32)
    if image.ndim != 2:
        raise ValueError(f"a glyph must be a 2-D array, got shape {image.shape}")
    peak = float(image.max()) if image.size else 0.0
    out = np.zeros((GLYPH_SIZE, GLYPH_SIZE), np.float32)
    if peak <= 0:
        return out
    image = image / peak
    x, y, w, h = cv2.boundingRect((image > 0.1).astype(np.uint8))  # the ink's box, fast
    if w == 0:
        return out
    image = image[y: y + h, x: x + w]

    mask = (_fit(image, _WORK) > 0.5).astype(np.uint8)
    if not mask.any():
        return out
    mask = _set_stroke_width(mask)
    x, y, w, h = cv2.boundingRect(mask)
    mask = mask[y: y + h, x: x + w].astype(np.float32)
    glyph = np.clip(_fit(mask, _BOX), 0.0, 1.0)

    h, w = glyph.shape
    total = float(glyph.sum())
    cy = float(np.arange(h) @ glyph.sum(axis=1, dtype=np.float64) / total) if total else h / 2
    cx = float(np.arange(w) @ glyph.sum(axis=0, dtype=np.float64) / total) if total else w / 2
    margin = (GLYPH_SIZE - _FRAME) // 2
    top = min(max(round(_FRAME / 2 - cy), 0), _FRAME - h) + margin  # plain ints: np.clip costs µs
    left = min(max(round(_FRAME / 2 - cx), 0), _FRAME - w) + margin
    out[top: top + h, left: left + w] = glyph
    return out


def normalize_batch(images: np.ndarray) -> np.ndarray:
    """`normalize_glyph` over a stack of images: (N, H, W) → (N, 32, 32) float32."""
    return np.stack([normalize_glyph(im) for im in images]) if len(images) else np.zeros(
        (0, GLYPH_SIZE, GLYPH_SIZE), np.float32)
