"""Tiny deterministic drawings of written lines for segmenter tests (no data files needed).

Symbols are drawn stroke by stroke with OpenCV, each in its own box, so a test knows
exactly how many glyphs and lines a correct segmenter must find.
"""

import cv2
import numpy as np

_SIZE = 60  # glyph box height in pixels
_STROKES = {
    # polylines in a unit box (x right, y down)
    "1": [[(0.5, 0.05), (0.5, 0.95)]],
    "2": [[(0.15, 0.25), (0.4, 0.05), (0.75, 0.1), (0.8, 0.35), (0.15, 0.95), (0.85, 0.95)]],
    "3": [[(0.15, 0.1), (0.8, 0.1), (0.45, 0.45), (0.85, 0.7), (0.5, 0.95), (0.15, 0.85)]],
    "4": [[(0.6, 0.05), (0.1, 0.65), (0.9, 0.65)], [(0.65, 0.35), (0.65, 0.95)]],
    "7": [[(0.1, 0.08), (0.9, 0.08), (0.4, 0.95)]],
    "5": [[(0.3, 0.12), (0.2, 0.5), (0.7, 0.5), (0.85, 0.75), (0.5, 0.95), (0.15, 0.85)],
          [(0.36, 0.06), (0.9, 0.06)]],  # the flag is a separate stroke, lifted off
    "0": [[(0.5, 0.05), (0.85, 0.3), (0.85, 0.7), (0.5, 0.95), (0.15, 0.7), (0.15, 0.3), (0.5, 0.05)]],
    "+": [[(0.15, 0.5), (0.85, 0.5)], [(0.5, 0.2), (0.5, 0.8)]],
    "-": [[(0.15, 0.5), (0.85, 0.5)]],
    "=": [[(0.15, 0.38), (0.85, 0.38)], [(0.15, 0.62), (0.85, 0.62)]],
    "×": [[(0.1, 0.28), (0.9, 0.75)], [(0.9, 0.28), (0.1, 0.75)]],  # strokes at right angles
    "*": [[(0.5, 0.25), (0.5, 0.75)], [(0.22, 0.36), (0.78, 0.64)], [(0.78, 0.36), (0.22, 0.64)]],
}
_DOTS = {"÷": [(0.5, 0.25), (0.5, 0.75)], ".": [(0.5, 0.92)]}


def draw_symbol(canvas: np.ndarray, symbol: str, x: int, y: int, colour, width: int) -> None:
    size = _SIZE
    for stroke in _STROKES.get(symbol, []):
        points = np.array([(x + px * size * 0.6, y + py * size) for px, py in stroke], np.int32)
        cv2.polylines(canvas, [points], False, colour, width, cv2.LINE_AA)
    if symbol == "÷":
        cv2.line(canvas, (x + 5, y + size // 2), (x + int(size * 0.55), y + size // 2), colour, width,
                 cv2.LINE_AA)
    for px, py in _DOTS.get(symbol, []):
        cv2.circle(canvas, (int(x + px * size * 0.6), int(y + py * size)), width + 1, colour, -1,
                   cv2.LINE_AA)


def draw_lines(lines: list[str], *, paper=(245, 245, 240), ink=(30, 30, 30), width: int = 4,
               ruled: bool = False, squared: bool = False, shadow: bool = False, gap: int = 18,
               size: tuple[int, int] = (900, 600)) -> np.ndarray:
    """A BGR photo of the given lines of symbols, top to bottom; `~` makes two glyphs touch."""
    w, h = size
    canvas = np.full((h, w, 3), paper, np.uint8)
    if ruled or squared:
        for y in range(40, h, 45):
            cv2.line(canvas, (0, y), (w, y), (200, 170, 140), 2)
    if squared:  # a darker grid, crossing the glyphs
        for y in range(20, h, 37):
            cv2.line(canvas, (0, y), (w, y), (150, 150, 150), 2)
        for x in range(25, w, 37):
            cv2.line(canvas, (x, 0), (x, h), (150, 150, 150), 2)
    for row, text in enumerate(lines):
        x, y = 40, 60 + row * 150
        for symbol in text:
            if symbol == "~":  # the next glyph touches this one
                x -= gap + 8
                continue
            if symbol == ".":
                x -= gap // 2
            draw_symbol(canvas, symbol, x, y, ink, width)
            x += int(_SIZE * 0.6) + (4 if symbol == "." else gap)
    if shadow:
        ramp = np.linspace(0.4, 1.0, w, dtype=np.float32)[None, :, None]
        canvas = (canvas.astype(np.float32) * ramp).astype(np.uint8)
    return canvas


def rotate_bound(photo: np.ndarray, degrees: float) -> np.ndarray:
    """The photo turned `degrees` counter-clockwise about its centre, paper filling the corners."""
    h, w = photo.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(photo, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
