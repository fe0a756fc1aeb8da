"""Photo → page of lines of normalized glyphs: the segmentation stage, end to end.

binarize (light-independent) → remove rulings → components → drop clutter by the writing's
own pen width and contrast → lines → symbols → split touching glyphs → normalized glyphs.
"""

from collections.abc import Callable
from dataclasses import replace
from functools import cache

import cv2
import numpy as np

from exprocr.classifier.normalize import GLYPH_SIZE, normalize_glyph
from exprocr.segment.binarize import candidate_mask, ink_darkness
from exprocr.segment.colour import ruling_free_channel
from exprocr.segment.components import Component, Rect, find_components, pen_width, writing_contrast
from exprocr.segment.fractions import Fraction, Item, find_fractions
from exprocr.segment.lines import LineGroup, fit_band, group_lines, typical_height
from exprocr.segment.rules import find_rulings, remove_rulings
from exprocr.segment.split import Classify, split_columns
from exprocr.segment.symbols import (Symbol, attach_fragments, detached_dots, dots_apart, is_dot, is_solid_dot,
                                     merge_parts, stacked_bars)
from exprocr.segment.types import Box, Glyph, Line, Page

_MIN_CONTRAST = 0.45  # share of the writing's contrast a component needs (show-through is fainter)
_DOT_PEAK = 0.55  # share of the writing's contrast the core of a faint round dot needs
_OPENED_PEN = 0.6  # share of the pen an opening spans to take away lines finer than writing
_OPENED_MIN = 5  # pixels: a narrower opening cannot tell pen strokes from lines 1-3 px thick
_BROAD_SHARE = 0.9  # a sprawling mark with more of its ink broad than this is no line
_OFF_PAPER = 0.7  # a background darker than this share of the writing's paper ...
_FAR = 4.0  # ... this many x-heights away from the writing is no paper but a desk (not a shadow)
_PALE_LINE = 0.6  # a short line's ink paler than this share of the writing's: show-through
_FAINT = 0.2  # share of the writing's contrast a faint mark between glyphs needs
_HAIRLINE_CONTRAST = 0.6  # share of the writing's contrast a hairline needs (ruling pieces are fainter)
_STANDS_ALONE = 0.6  # classifier probability that keeps a small piece from joining a neighbour
_BOX_INK = 0.3  # share of a glyph's own darkness its reported box takes in (not the halo)
_STROKE_CORE = 0.3  # share of the writing's contrast a pixel needs to be ink, once that is known
_CORE = 0.5  # share of a symbol's own darkness its strokes' cores have
_CROSS_AGREEMENT = 0.4  # share of the edges' weight two perpendicular straight strokes align
_CROSS_PENS = 4  # pens across a cross needs for its strokes' direction to be measured
_DESK_OFFSET = 0.02  # how far beside a mark (share of the photo's side) the paper is sampled
_DESK_STEP = 0.6  # one side this much less bright than the other: paper meets a desk there
_WIDE = 0.95  # a symbol wider than this many x-heights may be touching glyphs
_NARROW_TOUCHING = 0.6  # ... and one this wide, if the classifier takes it for touching digits:
_TOUCHING = 0.2  # leaves less than this share of its probability to all symbols together
_UPRIGHT = 2.5  # a glyph this many times taller than wide is an upright stroke
_RULE_GAP = 0.6  # share of a stroke's height the gap between two pieces of one ruling stays under
_RULE_PIECES = 3  # lines an upright ruling's pieces must span to be taken for one


def _is_clutter(c: Component, width: float, contrast: float, shape: tuple[int, int],
                peak: Callable[[Component], float]) -> bool:
    """Specks, faint marks, rulings missed as such, page edges and large blobs; `peak` gives
    a component's darkest pixel."""
    if c.contrast < _MIN_CONTRAST * contrast:
        # Blur spreads a small dot over a halo paler than itself: a round mark finer than
        # the pen is judged by its core (a decimal point), anything else by its ink.
        if not (_round_mark(c, width) and c.area < width * width and peak(c) >= _DOT_PEAK * contrast):
            return True
    # A straight hairline much finer than the pen and fainter than the writing: a piece of a
    # ruling left where the page's edge or a bend kept it from being found as one.
    if _is_hairline(c, width) and c.contrast < _HAIRLINE_CONTRAST * contrast:
        return True
    return _misplaced(c, width, shape)


def _round_mark(c: Component, width: float) -> bool:
    """A dot's shape: no longer than twice its breadth, and not a mere pixel or two."""
    return c.area >= max(4.0, 0.1 * width * width) and max(c.w, c.h) <= 2 * min(c.w, c.h)


def _misplaced(c: Component, width: float, shape: tuple[int, int]) -> bool:
    """Not writing, however dark: a speck, a line across the photo, a mark along its edge."""
    if c.area < 0.35 * width * width:
        # Smaller than a pen's touch: a speck, unless it is a round mark (a decimal point
        # made with a fine tip next to broad strokes).
        return not _round_mark(c, width)
    h, w = shape
    along_side = (c.x == 0 or c.x2 == w) and c.h >= 4 * c.w
    along_top = (c.y == 0 or c.y2 == h) and c.w >= 4 * c.h
    return _sprawls(c, shape) or along_side or along_top


def _sprawls(c: Component, shape: tuple[int, int]) -> bool:
    """Far larger than writing: a long line across the photo, or a box covering much of it."""
    h, w = shape
    line_like = max(c.w / w, c.h / h) >= 0.6 and c.area < 0.2 * c.w * c.h
    return line_like or c.w * c.h >= 0.25 * w * h


def _freed_from_lines(sprawling: list[Component], labels: np.ndarray, darkness: np.ndarray,
                      pen: float) -> list[Component]:
    """Writing that touches a long line the rulings' search missed (a grid line bent with
    the page, or broken where it is faint) would go with it. The line is thinner than the
    pen: an opening as broad as most of a pen takes it away, and what survives is given back
    with its own edges, as new components painted into `labels`. A component that is mostly
    broad (a desk, a dark blob) is left whole."""
    size = int(round(_OPENED_PEN * pen)) | 1
    if size < _OPENED_MIN:
        return []  # a pen a few pixels wide is no broader than a photo's grid lines
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    freed: list[Component] = []
    first = int(labels.max()) if sprawling else 0
    for c in sprawling:
        region = labels[c.y:c.y2, c.x:c.x2]
        own = (region == c.index).astype(np.uint8)
        broad = cv2.morphologyEx(own, cv2.MORPH_OPEN, disk)
        if broad.sum() > _BROAD_SHARE * c.area:
            continue
        pieces_labels, pieces = find_components(own & cv2.dilate(broad, disk), darkness[c.y:c.y2, c.x:c.x2])
        for p in pieces:
            region[pieces_labels == p.index] = first + p.index
            freed.append(replace(p, index=first + p.index, x=c.x + p.x, y=c.y + p.y))
        first += len(pieces)
    return freed


def _is_hairline(c: Component, width: float) -> bool:
    """A straight line much finer than the pen, one or two pixels across."""
    thin = min(c.w, c.h)
    return thin <= max(2.0, 0.5 * width) and max(c.w, c.h) >= 3 * thin and c.area <= 2 * max(c.w, c.h)


def _faint_between(loose: list[Component], loose_labels: np.ndarray, labels: np.ndarray,
                   kept: list[Component], pen: float, contrast: float, text_height: float,
                   shape: tuple[int, int]) -> list[Component]:
    """Glyph-sized marks too faint to pass alone, written between two glyphs of a line: a
    thin minus or a light stroke blurs paler than the writing around it. Between glyphs and
    in their band, where neither specks (too small) nor show-through (elsewhere) lie.
    They are painted into `labels` with new indices."""
    glyphs = [c for c in kept if c.h >= 0.5 * text_height]
    kept_indices = [c.index for c in kept]
    index = int(labels.max())
    found: list[Component] = []
    for f in loose:
        if (f.contrast >= _MIN_CONTRAST * contrast or f.contrast < _FAINT * contrast
                or max(f.w, f.h) < 0.35 * text_height or f.h > 1.5 * text_height
                or _is_hairline(f, pen) or _misplaced(f, pen, shape)):
            continue
        pixels = loose_labels[f.y:f.y2, f.x:f.x2] == f.index
        if np.isin(labels[f.y:f.y2, f.x:f.x2][pixels], kept_indices).any():
            continue  # part of a glyph already kept
        reach = 1.5 * text_height
        beside = [g for g in glyphs if g.y - 0.25 * text_height <= f.cy <= g.y2 + 0.25 * text_height]
        if any(min(f.x2, g.x2) - max(f.x, g.x) > 0.25 * f.w for g in beside):
            continue  # a paler piece of a glyph, not a mark of its own
        left = any(0 <= f.x - g.x2 <= reach for g in beside)
        right = any(0 <= g.x - f.x2 <= reach for g in beside)
        if left and right:
            index += 1
            labels[f.y:f.y2, f.x:f.x2][pixels] = index
            found.append(replace(f, index=index))
    return found


def _writing_measures(components: list[Component], w: int, h: int) -> tuple[float, float]:
    """Pen width and contrast of the writing, measured away from the frame's edge, where
    desk, page edges and shadows' borders would pass for very broad, faint strokes."""
    inner = [c for c in components if c.x > 0 and c.y > 0 and c.x2 < w and c.y2 < h] or components
    pen = pen_width(inner)
    return pen, writing_contrast(inner, pen)


def _writing_height(components: list[Component], pen: float) -> float:
    """Typical height of the full-size glyphs. Marks a few pens tall (dots, a grid's
    crossings, specks) can outnumber the glyphs and must not set it, or a `1` looks like
    a fold far taller than the writing."""
    return typical_height([c for c in components if c.h >= 3 * pen] or components)


def _page_edge_like(c: Component, text_height: float, width: int) -> bool:
    """A thin upright mark far taller than the writing, or, on the frame's left or right
    border, an upright strip twice its height: no glyph is cut off by the frame that tall."""
    on_side = c.x == 0 or c.x2 == width
    return ((c.h > 3.5 * text_height and c.w < 0.25 * c.h)
            or (on_side and c.h > 2 * text_height and c.w < 0.5 * c.h))


def _beside_a_desk(c: Component, paper: np.ndarray) -> bool:
    """A thin straight mark with paper on one side and something much darker (a desk) on
    the other, a little way off across its length: a piece of the page's edge the rulings'
    search left. Of real-dev's glyphs the darker side is still 0.77 as bright as the other,
    an edge's piece 0.4. A shadow's edge can be as dark, so a broader mark beside one is
    writing in the shade. A page's edge is straight and the mark lies along it, so the step
    runs the mark's whole length, on one side; a shadow's border that merely passes near a
    minus crosses it somewhere."""
    if max(c.w, c.h) < 3 * min(c.w, c.h):
        return False
    h, w = paper.shape
    off = int(_DESK_OFFSET * max(h, w))
    if c.h >= c.w:
        rows = slice(c.y, c.y2)
        a, b = paper[rows, max(0, c.x - off)], paper[rows, min(w - 1, c.x2 + off)]
    else:
        cols = slice(c.x, c.x2)
        a, b = paper[max(0, c.y - off), cols], paper[min(h - 1, c.y2 + off), cols]
    return bool(np.all(a < _DESK_STEP * b) or np.all(b < _DESK_STEP * a))


def _slant(mask: np.ndarray) -> float:
    """Tilt of the ink's principal axis from vertical, degrees, positive leaning right."""
    m = cv2.moments(mask.astype(np.uint8), binaryImage=True)
    if m["m00"] == 0:
        return 0.0
    mu20, mu02, mu11 = m["mu20"], m["mu02"], m["mu11"]
    angle = 0.5 * np.degrees(np.arctan2(2 * mu11, mu20 - mu02))  # from the x axis, y pointing down
    # An axis at -60° (y down) climbs to the right: a `/` leaning right by 30°.
    return float(angle + 90.0) if angle < 0 else float(angle - 90.0)


def _cross_tilt(image: np.ndarray, slope: float) -> float | None:
    """How far a cross's two strokes turn from the line's own axes, 0–45°: a `+` lies along
    and across its line (~0°), a `×` diagonal to it (~45°). Measured from the line, not the
    frame, so a turned photo turns the reference with the writing. The edges' orientations
    are averaged at four times their angle, where two perpendicular strokes agree; None when
    they do not agree (curves, a star, a digit). Measured on the normalized glyph, whose
    smooth edges keep their direction; a binary mask's staircase turns diagonals square."""
    gx, gy = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3)
    weight = gx * gx + gy * gy
    total = float(weight.sum())
    if total == 0:
        return None
    turned = np.arctan2(gy, gx) * 4
    c, s = float((weight * np.cos(turned)).sum()), float((weight * np.sin(turned)).sum())
    if np.hypot(c, s) < _CROSS_AGREEMENT * total:
        return None
    tilt = np.degrees(np.arctan2(s, c)) / 4 - np.degrees(np.arctan(slope))
    return float(abs((tilt + 45) % 90 - 45))


def _glyph(mask: np.ndarray, core: np.ndarray, box: tuple[int, int, int, int], line: LineGroup,
           scale: float, kind: str, parts: int = 1, pen: float = 1.0, dots: int = 0, bars: int = 0,
           image: np.ndarray | None = None) -> Glyph:
    """A glyph and its measures, from its mask and its `_core_ink`; `image`, the mask already
    normalized, if it was."""
    x, y, w, h = box
    xh = line.x_height
    top = line.centre_at(x + w / 2) - xh / 2
    image = normalize_glyph(mask.astype(np.uint8) * 255) if image is None else image
    small = min(h, w) < _CROSS_PENS * pen  # too few pens across for strokes to have a direction
    return Glyph(
        box=_original(_inked_box(core, box), scale),
        image=image,
        kind=kind,
        core_image=normalize_glyph((core > _CORE).astype(np.uint8) * 255) if kind == "symbol" else None,
        rel_height=h / xh,
        rel_width=w / xh,
        rel_y=(y + h / 2 - top) / xh,
        aspect=w / max(1, h),
        slant=_slant(mask),
        cross_tilt=None if small else _cross_tilt(image, line.slope),
        parts=parts,
        pen_heights=h / max(pen, 1e-6),
        dots=dots,
        bars=bars,
    )


def _inked_box(core: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The box a glyph is reported in: its ink at `_BOX_INK` of its own darkness (`core`,
    from `_core_ink`). The loose mask takes in blur's halo, a pixel or more all round, which
    on a decimal point or a minus is as large as the mark itself."""
    x, y, w, h = cv2.boundingRect((core > _BOX_INK).astype(np.uint8))
    return (box[0] + x, box[1] + y, w, h) if w and h else box


def _bars(darkness: np.ndarray) -> int:
    """Horizontal bars stacked in a flat glyph, from its row profile: `-` has one, `=` two,
    even when blur has fused the two in the binary mask."""
    profile = darkness.mean(axis=1)
    if len(profile) < 3 or profile.max() <= 0:
        return 1
    peaks = [i for i in range(len(profile))
             if profile[i] >= 0.5 * profile.max()
             and profile[i] >= profile[max(0, i - 1)] and profile[i] >= profile[min(len(profile) - 1, i + 1)]]
    bars = 1
    for a, b in zip(peaks, peaks[1:]):
        if b - a > 1 and profile[a:b + 1].min() < 0.75 * min(profile[a], profile[b]):
            bars += 1
    return bars


def _core_ink(darkness: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A symbol's ink as a share of its own darkness (1 at its 98th percentile): at half of
    it lie the cores of its strokes, as the eye sees them."""
    inked = darkness[mask > 0]
    if inked.size == 0:
        return np.zeros(mask.shape, np.float32)
    # np.percentile(inked, 98), from a partition: several times faster on a glyph's pixels
    rank = 0.98 * (inked.size - 1)
    low = int(rank)
    high = min(low + 1, inked.size - 1)
    part = np.partition(inked, [low, high])
    top = float(part[low] + (rank - low) * (part[high] - part[low]))
    return np.clip(darkness * (mask > 0) / max(top, 1e-6), 0.0, 1.0)


def _cores(core: np.ndarray, pen: float) -> list[Rect]:
    """Parts of a symbol as the eye sees them: its ink at half its own darkness. Blur's
    halo can bridge an obelus's dots or an `=`'s bars in the loose mask; the cores stay apart.
    A part is at least a third of a pen's touch: grainy ink in dim light leaves crumbs of
    core along one stroke. `core` is the symbol's `_core_ink`."""
    cores = (core > _CORE).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(cores, connectivity=8)
    return [Rect(*(int(v) for v in row[:4])) for row in stats[1:]
            if row[cv2.CC_STAT_AREA] >= max(2.0, pen * pen / 3)]


def _original(box: tuple[int, int, int, int], scale: float) -> tuple[int, int, int, int]:
    x, y, w, h = (int(round(v / scale)) for v in box)
    return x, y, w, h


def _structure(kind: str, box: tuple[int, int, int, int], scale: float) -> Glyph:
    """A token the layout implies rather than ink: a fraction's bar or its grouping."""
    return Glyph(box=_original(box, scale), image=np.zeros((GLYPH_SIZE, GLYPH_SIZE), np.float32),
                 kind=kind)


class _PageGlyphs:
    """Turns the symbols of a line (fractions included) into glyphs, with what they need."""

    def __init__(self, labels: np.ndarray, darkness: np.ndarray, scale: float, pen: float,
                 classify: Classify | None, joinable: np.ndarray | None, standalone: np.ndarray | None,
                 bars: np.ndarray | None):
        self.labels, self.darkness, self.scale, self.pen = labels, darkness, scale, pen
        self.classify, self.joinable, self.standalone, self.bars = classify, joinable, standalone, bars

    def _likeliest(self, symbol: Symbol, classes: np.ndarray | None) -> float:
        """The classifier's highest probability for the symbol among `classes` (0 without one)."""
        if self.classify is None or classes is None or not len(classes):
            return 0.0
        return float(self.classify(self.image(symbol)[None])[0][classes].max())

    def stands_alone(self, symbol: Symbol) -> bool:
        """The classifier is sure this small piece is a symbol of its own (`=`, `÷`, `+`, `×`)."""
        return self._likeliest(symbol, self.standalone) >= _STANDS_ALONE

    def reads_as_digit(self, symbol: Symbol) -> bool:
        """The classifier takes the symbol for a digit, more likely than not."""
        return self._likeliest(symbol, self.joinable) >= 0.5

    def mask(self, symbol: Symbol) -> np.ndarray:
        """The symbol's own ink in its box: a neighbour's stroke reaching in is not its."""
        region = self.labels[symbol.y:symbol.y2, symbol.x:symbol.x2]
        if len(symbol.parts) == 1:  # most symbols: a comparison is several times cheaper than isin
            return region == symbol.parts[0].index
        return np.isin(region, [p.index for p in symbol.parts])

    def image(self, symbol: Symbol) -> np.ndarray:
        """The whole symbol as the classifier sees it."""
        return normalize_glyph(self.mask(symbol).astype(np.uint8) * 255)

    def _seen_apart(self, image: np.ndarray | None, mask: np.ndarray, core: np.ndarray) -> np.ndarray | None:
        """The image of a symbol whose cores show a dot the loose mask fused: the cores',
        when the classifier takes the fused look for an operator (a digit's faint turn is
        left alone: it would break up)."""
        if self.classify is None or self.standalone is None or not len(self.standalone):
            return image
        fused = normalize_glyph(mask.astype(np.uint8) * 255) if image is None else image
        if int(np.argmax(self.classify(fused[None])[0])) not in self.standalone:
            return fused
        return normalize_glyph(core)

    def touching(self, symbols: list[Symbol], line: LineGroup) -> tuple[list[bool], dict[int, np.ndarray]]:
        """Which of a line's digit-sized symbols the classifier takes for no symbol at all
        (its reject class: digits written into each other; two that overlap are no wider
        than one), and the images it normalized to ask, by position, for the glyphs to reuse.
        Symbols wide enough to be tried apart anyway are not asked."""
        xh = line.x_height
        asked = [i for i, s in enumerate(symbols) if not s.fraction and s.h >= 0.65 * xh
                 and _NARROW_TOUCHING * xh < s.w <= _WIDE * xh]
        flags = [False] * len(symbols)
        if self.classify is None or not asked:
            return flags, {}
        images = {i: self.image(symbols[i]) for i in asked}
        for i, probabilities in zip(asked, self.classify(np.stack(list(images.values())))):
            flags[i] = float(probabilities.sum()) < _TOUCHING
        return flags, images

    def row(self, items: list[Item], line: LineGroup) -> list[Glyph]:
        glyphs = []
        symbols = attach_fragments(merge_parts(items, line.x_height), self.labels,
                                   line.x_height, self.pen, self.stands_alone, self.reads_as_digit)
        flags, images = self.touching(symbols, line)
        for k, (symbol, touching) in enumerate(zip(symbols, flags)):
            if symbol.fraction:
                glyphs.extend(self.fraction(symbol.fraction))
            else:
                glyphs.extend(self.symbol(symbol, line, touching, images.get(k)))
        return glyphs

    def fraction(self, fraction: Fraction) -> list[Glyph]:
        """(above) / (below): the reader drops the parentheses around a lone number."""
        parts = []
        for items in (fraction.above, fraction.below):
            row = LineGroup(items, *fit_band(items))
            box = (min(i.x for i in items), min(i.y for i in items),
                   max(i.x2 for i in items) - min(i.x for i in items),
                   max(i.y2 for i in items) - min(i.y for i in items))
            parts.append([_structure("open", box, self.scale), *self.row(items, row),
                          _structure("close", box, self.scale)])
        bar = fraction.bar
        return [*parts[0], _structure("over", (bar.x, bar.y, bar.w, bar.h), self.scale), *parts[1]]

    def symbol(self, symbol: Symbol, line: LineGroup, touching: bool,
               image: np.ndarray | None = None) -> list[Glyph]:
        """One glyph per symbol, or several when a wide symbol (or one the classifier takes
        for `touching` digits) splits into touching glyphs; `image` is the whole symbol
        normalized, if that was done already."""
        x, y, x2, y2 = symbol.x, symbol.y, symbol.x2, symbol.y2
        mask = self.mask(symbol)
        if is_dot(symbol, line.x_height) or is_solid_dot(symbol, mask, line.x_height):
            return [_glyph(mask, _core_ink(self.darkness[y:y2, x:x2], mask), (x, y, x2 - x, y2 - y),
                           line, self.scale, "dot", pen=self.pen)]
        pieces = [(0, x2 - x)]
        if touching or (symbol.w > _WIDE * line.x_height and symbol.h >= 0.65 * line.x_height):
            if image is None and self.classify is not None:  # asked whole, and kept whole most often
                image = normalize_glyph(mask.astype(np.uint8) * 255)
            pieces = split_columns(mask, line.x_height, self.classify, self.joinable, image, self.bars)
        glyphs = []
        for a, b in pieces:
            part = mask[:, a:b]
            rows = np.flatnonzero(part.any(axis=1))
            if len(rows) == 0:
                continue
            part = part[rows[0]: rows[-1] + 1]
            ink = self.darkness[y + rows[0]: y + rows[-1] + 1, x + a: x + b]
            core = _core_ink(ink, part)
            parts, dots, bars = 1, 0, 0
            if len(pieces) == 1:
                cores = _cores(core, self.pen)
                dots, bars = detached_dots(symbol), stacked_bars(symbol)
                if dots_apart(cores, round_only=True) > dots:
                    # Blur's halo bridged a dot to its bar in the loose mask (an obelus
                    # looks a `+` there); the cores show the dot to the classifier. Not
                    # counted as the decoder's evidence: a `+` crossing blurred or blocked
                    # by JPEG can leave a round stub of core.
                    image = self._seen_apart(image, part, core)
                parts = max(len(symbol.parts), len(cores), 1)
                if parts == 1 and symbol.w >= 1.5 * symbol.h:
                    parts = _bars(ink)
            glyphs.append(_glyph(part, core, (x + a, y + rows[0], b - a, len(part)), line, self.scale,
                                 "symbol", parts, self.pen, dots, bars,
                                 image if len(pieces) == 1 else None))
        return glyphs


def segment(bgr: np.ndarray, *, classify: Classify | None = None,
            joinable: np.ndarray | None = None, standalone: np.ndarray | None = None,
            bars: np.ndarray | None = None, scale: float = 1.0, original_size: tuple[int, int] | None = None) -> Page:
    """Segment a BGR (or grey) photo at processing size; boxes come back in original pixels.

    `scale` is processing size / original size; `classify` scores split candidates,
    `joinable` names the classes (indices) that touching glyphs may be (the digits), and
    `standalone` those a small piece may be on its own (`=`, `÷`, `+`, `×`) and `bars`
    those that are one flat stroke (`-`).
    """
    h, w = bgr.shape[:2]
    width, height = original_size or (int(round(w / scale)), int(round(h / scale)))
    ink = ink_darkness(bgr)
    mask, threshold = candidate_mask(ink)
    # Rulings are searched in the loose mask, where faint ones are still whole.
    rulings = find_rulings(mask, ink.paper)
    channel = None if ink.inverted else ruling_free_channel(bgr, mask, ink.darkness, rulings)
    if channel is not None:  # ruled in a colour one channel hardly sees: read in that one
        ink = ink_darkness(bgr, channel, ink.not_paper)
        mask, threshold = candidate_mask(ink)
        rulings = find_rulings(mask, ink.paper)
    mask = remove_rulings(mask, ink.darkness, rulings)
    labels, components = find_components(mask, ink.darkness)
    loose_labels, loose = labels, components
    pen, contrast = _writing_measures(components, w, h)
    if _STROKE_CORE * contrast > threshold:
        # Faint rulings, grids and show-through touch the writing in the loose mask and
        # would join its components; the writing's own contrast says where the strokes'
        # cores are, and the loose mask gives back their soft edges next to them.
        core = (ink.darkness > _STROKE_CORE * contrast).astype(np.uint8)
        reach = 2 * max(1, int(round(pen / 2))) + 1
        mask &= cv2.dilate(core, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
        labels, components = find_components(mask, ink.darkness)
        pen, contrast = _writing_measures(components, w, h)

    def peak(c: Component) -> float:
        return float(ink.darkness[c.y:c.y2, c.x:c.x2][labels[c.y:c.y2, c.x:c.x2] == c.index].max())

    def mark(c: Component) -> bool:
        return not _is_clutter(c, pen, contrast, (h, w), peak)

    def freed(sprawling: list[Component]) -> list[Component]:
        return [c for c in _freed_from_lines(sprawling, labels, ink.darkness, pen) if mark(c)]

    kept = [c for c in components if mark(c)]
    kept += freed([c for c in components if _sprawls(c, (h, w))])
    if kept:  # an upright mark far taller than the writing is a page edge, a fold or a shadow's
        # (or a grid line the rulings' search missed, with writing on it); one beside a desk
        # is what is left of a page's edge
        inside = [c for c in kept if 0 < c.x and c.x2 < w] or kept  # the writing, not the frame's marks
        text_height = _writing_height(inside, pen)

        def written(c: Component) -> bool:
            return not _page_edge_like(c, text_height, w) and not _beside_a_desk(c, ink.paper)
        edge_like = [_page_edge_like(c, text_height, w) for c in kept]
        tall = [c for c, edge in zip(kept, edge_like) if edge]
        kept = [c for c, edge in zip(kept, edge_like) if not edge and not _beside_a_desk(c, ink.paper)]
        kept += [c for c in freed(tall) if written(c)]
        kept += _faint_between(loose, loose_labels, labels, kept, pen, contrast, text_height, (h, w))
    items = find_fractions(kept, _writing_height(kept, pen)) if kept else []
    def inside(box: Box) -> tuple[slice, slice]:
        x, y, bw, bh = (int(round(v * scale)) for v in box)
        return slice(y, y + max(1, bh)), slice(x, x + max(1, bw))

    def paper_at(box: Box) -> float:  # smooth: every 4th pixel will do
        rows, cols = inside(box)
        return float(np.median(ink.paper[rows, cols][::4, ::4]))

    @cache  # asked of every glyph for its line's ink, and again of written lines' by the debris test
    def ink_at(box: Box) -> float:
        return float(np.percentile(ink.darkness[inside(box)], 95))

    builder = _PageGlyphs(labels, ink.darkness, scale, pen, classify, joinable, standalone, bars)
    lines = []
    for group in group_lines(items):
        glyphs = builder.row(group.members, group)
        if not any(g.kind == "symbol" for g in glyphs):
            continue
        darkest = float(np.median([ink_at(g.box) for g in glyphs if g.kind == "symbol"]))
        lines.append(Line(glyphs=glyphs, box=_line_box(glyphs), x_height=group.x_height / scale, ink=darkest))
    return Page(lines=_without_debris(_without_broken_rules(lines), width, height, paper_at, ink_at),
                width=width, height=height, scale=scale, inverted=ink.inverted)


def _upright_stroke(glyph: Glyph) -> bool:
    return glyph.kind == "symbol" and glyph.box[3] >= _UPRIGHT * glyph.box[2]


def _end_to_end(a: Glyph, b: Glyph) -> bool:
    """Two upright strokes in one column, one ending a little above where the other starts."""
    (ax, ay, aw, ah), (bx, by, bw, bh) = a.box, b.box
    gap = max(by - (ay + ah), ay - (by + bh))
    return abs((ax + aw / 2) - (bx + bw / 2)) <= max(3.0, max(aw, bw)) and 0 <= gap <= _RULE_GAP * max(ah, bh)


def _straight(strokes: list[Glyph]) -> bool:
    """Their centres lie on one straight line, as a ruling's pieces do and a hand's `1`s don't."""
    ys = np.array([g.box[1] + g.box[3] / 2 for g in strokes])
    xs = np.array([g.box[0] + g.box[2] / 2 for g in strokes])
    slope, offset = np.polyfit(ys, xs, 1)
    width = float(np.median([g.box[2] for g in strokes]))
    return float(np.abs(xs - (slope * ys + offset)).max()) <= max(1.5, 0.3 * width)


def _line_box(glyphs: list[Glyph]) -> Box:
    xs = [g.box[0] for g in glyphs] + [g.box[0] + g.box[2] for g in glyphs]
    ys = [g.box[1] for g in glyphs] + [g.box[1] + g.box[3] for g in glyphs]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _without_broken_rules(lines: list[Line]) -> list[Line]:
    """Take out pieces of an upright ruling the rulings' search missed (faint, or darkened by a
    shadow), cut up where others cross it: upright strokes standing end to end on one straight
    line across three lines or more. A hand's `1`s written one under another are neither so
    close nor so straight; a line left with no symbol is dropped."""
    strokes = [(k, g) for k, line in enumerate(lines) for g in line.glyphs if _upright_stroke(g)]
    if len(strokes) < _RULE_PIECES:
        return lines
    root = list(range(len(strokes)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i
    for i in range(len(strokes)):
        for j in range(i + 1, len(strokes)):
            if strokes[i][0] != strokes[j][0] and _end_to_end(strokes[i][1], strokes[j][1]):
                root[find(i)] = find(j)
    columns: dict[int, list[int]] = {}
    for i in range(len(strokes)):
        columns.setdefault(find(i), []).append(i)
    ruled = set()
    for column in columns.values():
        pieces = [strokes[i][1] for i in column]
        if len({strokes[i][0] for i in column}) >= _RULE_PIECES and _straight(pieces):
            ruled.update(id(g) for g in pieces)
    if not ruled:
        return lines
    kept = []
    for line in lines:
        glyphs = [g for g in line.glyphs if id(g) not in ruled]
        if len(glyphs) == len(line.glyphs):
            kept.append(line)
        elif any(g.kind == "symbol" for g in glyphs):
            kept.append(replace(line, glyphs=glyphs, box=_line_box(glyphs)))
    return kept


def _without_debris(lines: list[Line], width: int, height: int, paper_at: Callable[[Box], float],
                    ink_at: Callable[[Box], float]) -> list[Line]:
    """Drop short lines (one or two marks) that are not writing, when the photo has other
    writing: lines made only of marks on the frame's border (page corners, desk edges), of
    thin marks along it (a grid line at the photo's edge, broken up), of specks far
    smaller than the writing (a desk's grain), of marks far from the writing on a background
    far darker than its paper (a desk, a book's cover around the page; a shadow on the page
    near the writing is as dark), or of ink far paler than the writing's (show-through from
    the back of the sheet). `paper_at` gives a box's background brightness, `ink_at` the
    darkness of its darkest ink. Nobody writes a number into the frame's edge, at 0.4 of the
    size of the rest, beside the page or on its back."""
    short = [line for line in lines if len(line.glyphs) <= 2]
    if not short:
        return lines
    margin = 0.02 * max(width, height)

    def on_border(box: Box) -> bool:
        x, y, w, h = box
        if x <= 1 or y <= 1 or x + w >= width - 1 or y + h >= height - 1:
            return True
        beside = (x + w <= margin or x >= width - margin) and h >= 3 * w
        above = (y + h <= margin or y >= height - margin) and w >= 3 * h
        return beside or above
    written = [line for line in lines if len(line.glyphs) >= 3]
    height_of_writing = float(np.median([line.x_height for line in written])) if written else 0.0
    speck = 0.4 * height_of_writing
    paper = float(np.median([paper_at(line.box) for line in written])) if written else 0.0
    ink = float(np.median([ink_at(g.box) for line in written for g in line.glyphs])) if written else 0.0

    def far(box: Box) -> bool:
        x, y, w, h = box
        gaps = [max(line.box[0] - (x + w), x - (line.box[0] + line.box[2]),
                    line.box[1] - (y + h), y - (line.box[1] + line.box[3])) for line in written]
        return min(gaps, default=0) > _FAR * height_of_writing

    def stray(box: Box) -> bool:  # the cheap tests first: the photo is sampled only if need be
        return (on_border(box) or max(box[2], box[3]) < speck or ink_at(box) < _PALE_LINE * ink
                or (far(box) and paper_at(box) < _OFF_PAPER * paper))
    debris = [line for line in short if all(stray(g.box) for g in line.glyphs)]
    return [line for line in lines if line not in debris] if len(debris) < len(lines) else lines
