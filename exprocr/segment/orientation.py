"""Quarter turns of a photo, and boxes mapped back from a turned photo to the original."""

import cv2
import numpy as np

ROTATIONS = (0, 90, 180, 270)  # degrees clockwise; upright first
_CODES = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    """The image turned clockwise by a multiple of 90 degrees."""
    return image if degrees % 360 == 0 else cv2.rotate(image, _CODES[degrees % 360])


def unrotate_box(box: tuple[int, int, int, int], degrees: int,
                 original_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Map (x, y, w, h) found in the photo turned by `degrees` back to the original photo."""
    x, y, w, h = box
    width, height = original_size  # of the original, unturned photo
    degrees %= 360
    if degrees == 90:  # turned clockwise: original (u, v) went to (height - 1 - v, u)
        return y, height - x - w, h, w
    if degrees == 180:
        return width - x - w, height - y - h, w, h
    if degrees == 270:  # original (u, v) went to (v, width - 1 - u)
        return width - y - h, x, h, w
    return box
