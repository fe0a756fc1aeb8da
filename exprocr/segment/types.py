"""What the segmenter hands on: page → lines → glyphs, plain data with geometry kept."""

from dataclasses import dataclass

import numpy as np

Box = tuple[int, int, int, int]  # x, y, width, height in original-image pixels


@dataclass
class Glyph:
    """One symbol cut from the photo.

    `kind` is "symbol" for a glyph the classifier reads, or "dot" for a small round mark
    kept by geometry alone (a decimal point or a multiplication dot): the classifier has no
    class for it, its meaning comes from where it sits.
    """

    box: Box
    image: np.ndarray  # 32×32 float32 from normalize_glyph
    kind: str = "symbol"
    # The same glyph normalized from its stroke cores (its ink at half its own darkness): a
    # second view the reader averages the classifier over, as blur, JPEG or a faint pen
    # swell or break a stroke's loose outline differently from its core.
    core_image: np.ndarray | None = None
    rel_height: float = 1.0  # glyph height / line's x-height (median digit height)
    rel_width: float = 1.0  # glyph width / line's x-height
    rel_y: float = 0.5  # vertical centre in the line band: 0 top, 1 bottom of digit band
    aspect: float = 1.0  # width / height of the ink
    slant: float = 0.0  # ink's principal-axis tilt from vertical in degrees, positive leaning right
    cross_tilt: float | None = None  # a cross's strokes from the line's axes, 0–45°: `+` ~0, `×` ~45
    parts: int = 1  # ink components (`=` two, `÷` three); for a flat glyph, its stacked bars
    pen_heights: float = 1.0  # ink height in pen widths: a `-` is one stroke tall, `=` two or more
    dots: int = 0  # small parts wholly above or below the main stroke, as an obelus's
    bars: int = 0  # flat parts stacked one above another, as an `=`'s two


@dataclass
class Line:
    """Glyphs of one written line, left to right."""

    glyphs: list[Glyph]
    box: Box
    x_height: float  # median height of the line's full-size glyphs, original pixels
    ink: float = 1.0  # median darkness of its glyphs' darkest ink, as a share of the paper's


@dataclass
class Page:
    """A segmented photo: its lines top to bottom, and how it was read."""

    lines: list[Line]
    width: int  # original image size, after EXIF orientation
    height: int
    scale: float = 1.0  # processing size / original size
    rotation: int = 0  # degrees clockwise the photo was turned before reading
    skew: float = 0.0  # degrees the turned photo was then levelled by (its writing's angle)
    inverted: bool = False  # light ink on a dark board
