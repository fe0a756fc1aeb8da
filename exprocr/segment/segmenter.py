"""Photo → page of lines of normalized glyphs: the segmentation stage, end to end.

binarize (light-independent) → remove rulings → components → drop clutter by the writing's
own pen width and contrast → lines → symbols → split touching glyphs → normalized glyphs.
"""

import cv2
import numpy as np

from exprocr.classifier.normalize import normalize_glyph
from exprocr.segment.binarize import candidate_mask, ink_darkness
from exprocr.segment.components import Component, find_components, pen_width, writing_contrast
from exprocr.segment.lines import LineGroup, group_lines
from exprocr.segment.rules import remove_rulings
from exprocr.segment.split import Classify, split_columns
from exprocr.segment.symbols import Symbol, attach_fragments, is_dot, merge_parts
from exprocr.segment.types import Glyph, Line, Page

_MIN_CONTRAST = 0.45  # share of the writing's contrast a component needs (show-through is fainter)
_WIDE = 1.25  # a symbol wider than this many x-heights may be touching glyphs


def _is_clutter(c: Component, width: float, contrast: float, shape: tuple[int, int]) -> bool:
    """Specks, faint marks, rulings missed as such, page edges and large blobs."""
    h, w = shape
    if c.contrast < _MIN_CONTRAST * contrast or c.area < 0.6 * width * width:
        return True
    line_like = max(c.w / w, c.h / h) >= 0.45 and c.area < 0.2 * c.w * c.h
    huge = c.w * c.h >= 0.25 * w * h
    along_side = (c.x == 0 or c.x2 == w) and c.h >= 4 * c.w
    along_top = (c.y == 0 or c.y2 == h) and c.w >= 4 * c.h
    return line_like or huge or along_side or along_top


def _slant(mask: np.ndarray) -> float:
    """Tilt of the ink's principal axis from vertical, degrees, positive leaning right."""
    m = cv2.moments(mask.astype(np.uint8), binaryImage=True)
    if m["m00"] == 0:
        return 0.0
    mu20, mu02, mu11 = m["mu20"], m["mu02"], m["mu11"]
    angle = 0.5 * np.degrees(np.arctan2(2 * mu11, mu20 - mu02))  # from x axis, y down
    return float(90.0 - angle) if angle > 0 else float(-90.0 - angle)


def _glyph(mask: np.ndarray, box: tuple[int, int, int, int], line: LineGroup,
           scale: float, kind: str) -> Glyph:
    x, y, w, h = box
    xh = line.x_height
    top = line.centre_at(x + w / 2) - xh / 2
    original = tuple(int(round(v / scale)) for v in box)
    return Glyph(
        box=original,  # type: ignore[arg-type]
        image=normalize_glyph(mask.astype(np.uint8) * 255),
        kind=kind,
        rel_height=h / xh,
        rel_width=w / xh,
        rel_y=(y + h / 2 - top) / xh,
        aspect=w / max(1, h),
        slant=_slant(mask),
    )


def _symbol_glyphs(symbol: Symbol, labels: np.ndarray, line: LineGroup, scale: float,
                   classify: Classify | None) -> list[Glyph]:
    """One glyph per symbol, or several when a wide symbol splits into touching glyphs."""
    x, y, x2, y2 = symbol.x, symbol.y, symbol.x2, symbol.y2
    mask = np.isin(labels[y:y2, x:x2], [p.index for p in symbol.parts])
    if is_dot(symbol, line.x_height):
        return [_glyph(mask, (x, y, x2 - x, y2 - y), line, scale, "dot")]
    pieces = [(0, x2 - x)]
    if symbol.w > _WIDE * line.x_height and symbol.h >= 0.65 * line.x_height:
        pieces = split_columns(mask, line.x_height, classify)
    glyphs = []
    for a, b in pieces:
        part = mask[:, a:b]
        rows = np.flatnonzero(part.any(axis=1))
        if len(rows) == 0:
            continue
        part = part[rows[0]: rows[-1] + 1]
        glyphs.append(_glyph(part, (x + a, y + rows[0], b - a, len(part)), line, scale, "symbol"))
    return glyphs


def segment(bgr: np.ndarray, *, classify: Classify | None = None, scale: float = 1.0,
            original_size: tuple[int, int] | None = None) -> Page:
    """Segment a BGR (or grey) photo at processing size; boxes come back in original pixels.

    `scale` is processing size / original size; `classify` scores split candidates.
    """
    h, w = bgr.shape[:2]
    width, height = original_size or (int(round(w / scale)), int(round(h / scale)))
    ink = ink_darkness(bgr)
    mask, _ = candidate_mask(ink)
    mask = remove_rulings(mask)
    labels, components = find_components(mask, ink.darkness)
    pen = pen_width(components)
    contrast = writing_contrast(components, pen)
    kept = [c for c in components if not _is_clutter(c, pen, contrast, (h, w))]
    lines = []
    for group in group_lines(kept):
        glyphs = []
        symbols = merge_parts(group.members, group.x_height)
        for symbol in attach_fragments(symbols, labels, group.x_height, pen):
            glyphs.extend(_symbol_glyphs(symbol, labels, group, scale, classify))
        if not any(g.kind == "symbol" for g in glyphs):
            continue
        xs = [g.box[0] for g in glyphs] + [g.box[0] + g.box[2] for g in glyphs]
        ys = [g.box[1] for g in glyphs] + [g.box[1] + g.box[3] for g in glyphs]
        box = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        lines.append(Line(glyphs=glyphs, box=box, x_height=group.x_height / scale))
    return Page(lines=lines, width=width, height=height, scale=scale, inverted=ink.inverted)
