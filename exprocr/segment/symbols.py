"""Components of one line → symbols: the parts of one symbol merged, small marks told apart.

Parts of one symbol stand above one another (`=` bars, `÷` bar and dots, a `5` whose flag
was lifted, a `+` drawn in two strokes); neighbouring digits stand side by side. So parts
merge when one lies mostly within the other's horizontal span, and two full-size glyphs
merge only when one is almost wholly inside the other's span.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

from exprocr.segment.fractions import Fraction, Group, Item

# Where a minus's centre sits on the glyph beside it, as shares of that glyph's height from
# its top: level with its middle, not at its top (a `5`'s flag) or its foot (a `2`'s tail).
MINUS_BAND = (0.3, 0.75)
_FLAG_GAP = 0.3  # x-heights a lifted flag may start right of its glyph
_BLOB = 0.5  # x-heights a solid dot may measure
_ROUND = (0.75, 1.33)  # its width over its height
_SOLID = 0.9  # share of its convex hull its ink fills, less this many pixels over its breadth:
_STAIRS = 0.5  # the pixels of a small disc's staircase edge leave some of its hull bare


class Boxed(Protocol):
    """Anything with a box: a component, a symbol, a core of ink."""

    x: int
    y: int
    w: int
    h: int

    @property
    def x2(self) -> int: ...

    @property
    def y2(self) -> int: ...


@dataclass
class Symbol(Group):
    """Components that together form one written symbol."""

    parts: list[Item] = field(default_factory=list)

    @property
    def fraction(self) -> Fraction | None:
        """The stacked fraction this symbol is, if it is one."""
        return self.parts[0] if isinstance(self.parts[0], Fraction) else None

    def members(self) -> list[Item]:
        return self.parts


def _overlap_share(a: Symbol, b: Symbol) -> float:
    """Horizontal overlap as a share of the narrower symbol's width."""
    overlap = min(a.x2, b.x2) - max(a.x, b.x)
    return overlap / max(1, min(a.w, b.w))


def _belong_together(a: Symbol, b: Symbol, x_height: float) -> bool:
    if a.fraction or b.fraction:
        return False
    share = _overlap_share(a, b)
    both_full_size = min(a.h, b.h) >= 0.6 * x_height
    if both_full_size:
        return share >= 0.8
    dot, glyph = (a, b) if a.h <= b.h else (b, a)
    if is_dot(dot, x_height) and glyph.h >= 0.6 * x_height:
        # A decimal point sits at the baseline, often under a digit's edge: it stays apart.
        # A dot centred under its symbol (an obelus's) or higher up (a speck) belongs to it.
        low = (dot.y + dot.y2) / 2 >= glyph.y + 0.8 * glyph.h
        off_centre = abs((dot.x + dot.x2) / 2 - (glyph.x + glyph.x2) / 2) > 0.35 * glyph.w
        return share >= 0.5 and not (low and off_centre)
    return share >= 0.5


def merge_parts(members: list[Item], x_height: float) -> list[Symbol]:
    """Merge components of a line into symbols, left to right."""
    symbols = [Symbol([c]) for c in sorted(members, key=lambda c: c.x)]
    merged = True
    while merged:
        merged = False
        for i in range(len(symbols)):
            for j in range(i + 1, len(symbols)):
                if symbols[j].x > symbols[i].x2:
                    break
                if _belong_together(symbols[i], symbols[j], x_height):
                    symbols[i] = Symbol(symbols[i].parts + symbols[j].parts)
                    del symbols[j]
                    merged = True
                    break
            if merged:
                break
    return sorted(symbols, key=lambda s: (s.x + s.x2) / 2)


def _ink_distance(a: Symbol, b: Symbol, labels: np.ndarray) -> float:
    """Smallest distance in pixels between the ink of two symbols."""
    x, y = min(a.x, b.x), min(a.y, b.y)
    window = labels[y:max(a.y2, b.y2), x:max(a.x2, b.x2)]
    mask_a = np.isin(window, [p.index for p in a.parts])
    mask_b = np.isin(window, [p.index for p in b.parts])
    distance = cv2.distanceTransform((~mask_a).astype(np.uint8), cv2.DIST_L2, 3)
    return float(distance[mask_b].min()) if mask_b.any() else float("inf")


def _is_fragment(symbol: Symbol, x_height: float, pen_width: float) -> bool:
    """A piece of stroke smaller than any symbol written on purpose, and not a dot: a short
    piece, or one single pen-stroke thick (`=`, `÷`, `+` are taller than one stroke)."""
    if symbol.fraction or is_dot(symbol, x_height) or symbol.h >= 0.5 * x_height:
        return False
    return symbol.w < 0.3 * x_height or (symbol.w < 0.8 * x_height and symbol.h <= 2.2 * pen_width)


def _minus_beside(bar: Symbol, glyph: Symbol) -> bool:
    """A bar wholly beside a glyph, level with its middle: a minus, not a lifted flag or arm
    (those overlap their glyph's span or sit at its top)."""
    beside = bar.x >= glyph.x2 - 0.1 * bar.w or bar.x2 <= glyph.x + 0.1 * bar.w
    middle, (low, high) = (bar.y + bar.y2) / 2, MINUS_BAND
    return beside and glyph.y + low * glyph.h <= middle <= glyph.y + high * glyph.h


def _join_reach(piece: Symbol, neighbour: Symbol, x_height: float, pen_width: float) -> float:
    """How near a fragment's ink must come to a neighbour's to be part of it: a short piece
    may stand a little off, a bar as long as a minus must all but touch, and a bar beside a
    glyph at mid-height, which is how a minus looks, must meet its ink."""
    if piece.w < 0.3 * x_height:
        return max(2.0, 1.5 * pen_width, min(3.0 * pen_width, 0.15 * x_height))
    return max(2.0, (0.3 if _minus_beside(piece, neighbour) else 0.6) * pen_width)


def _lifted_flag(piece: Symbol, glyph: Symbol, x_height: float) -> bool:
    """A short bar off the top right of a full-size glyph, as a `5`'s flag written in a
    second stroke that fell short of the stem: level with the glyph's top (a minus is level
    with its middle), starting over its right part or a little past it."""
    if piece.fraction or glyph.fraction or glyph.h < 0.6 * x_height:
        return False
    short = piece.h < 0.5 * x_height and piece.h <= piece.w < 0.9 * x_height
    top = piece.y + piece.h / 2 <= glyph.y + MINUS_BAND[0] * glyph.h and piece.y2 <= glyph.y + 0.5 * glyph.h
    starts_near = glyph.x + 0.3 * glyph.w <= piece.x <= glyph.x2 + _FLAG_GAP * x_height
    return short and top and starts_near


def attach_fragments(symbols: list[Symbol], labels: np.ndarray, x_height: float,
                     pen_width: float, stands_alone=lambda symbol: False,
                     reads_as_digit=lambda symbol: False) -> list[Symbol]:
    """Join pen-lift fragments to the neighbour whose ink they nearly touch.

    `stands_alone(symbol)` may veto a join: a small `=` written close to a digit looks like
    a fragment by size alone, and the classifier knows better. A bar lifted off a glyph's
    top right may stand further off, if the two together read as a digit
    (`reads_as_digit(merged)`).
    """
    symbols = list(symbols)
    i = 0
    while i < len(symbols):
        piece = symbols[i]
        if i > 0 and _lifted_flag(piece, symbols[i - 1], x_height) and not stands_alone(piece) \
                and reads_as_digit(flagged := Symbol(symbols[i - 1].parts + piece.parts)):
            symbols[i - 1] = flagged
            del symbols[i]
            continue
        if not _is_fragment(piece, x_height, pen_width) or stands_alone(piece):
            i += 1
            continue
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(symbols) and not symbols[j].fraction]
        near = [(d, j) for j in neighbours if (d := _ink_distance(piece, symbols[j], labels))
                <= _join_reach(piece, symbols[j], x_height, pen_width)]
        if not near:
            i += 1
            continue
        _, j = min(near)
        symbols[j] = Symbol(symbols[j].parts + piece.parts)
        del symbols[i]
        i = max(0, i - 1)
    return symbols


def is_dot(symbol: Symbol, x_height: float) -> bool:
    """A small roundish mark: a decimal point or a multiplication dot, not a stroke."""
    small = symbol.h <= 0.3 * x_height and symbol.w <= 0.35 * x_height
    roundish = 0.5 <= symbol.w / max(1, symbol.h) <= 1.6
    return small and roundish


def is_solid_dot(symbol: Symbol, mask: np.ndarray, x_height: float) -> bool:
    """A dot pressed hard or made with a broad pen: larger than `is_dot` allows, up to half an
    x-height, but one round blob filling its own outline (a small `0`, `+` or `×`, however
    bold, has a hole or arms between which its hull is bare). `mask` is its ink in its box."""
    if (len(symbol.parts) != 1 or symbol.fraction or max(symbol.w, symbol.h) > _BLOB * x_height
            or not _ROUND[0] <= symbol.w / max(1, symbol.h) <= _ROUND[1]):
        return False
    ink = mask.astype(np.uint8)
    hull = np.zeros_like(ink)
    cv2.fillConvexPoly(hull, cv2.convexHull(cv2.findNonZero(ink)), 1)
    return np.count_nonzero(ink) >= (_SOLID - _STAIRS / min(symbol.w, symbol.h)) * np.count_nonzero(hull)


def detached_dots(symbol: Symbol) -> int:
    """Small parts standing wholly above or below the symbol's widest part, within its span:
    an obelus's dots, even when blur fused one of them to the bar. A `+` lifted between its
    strokes has none: its upright stroke crosses the bar."""
    return 0 if symbol.fraction else dots_apart(symbol.parts)


def dots_apart(parts: Sequence[Boxed], round_only: bool = False) -> int:
    """Small parts (round ones only, if asked) wholly above or below the widest part and
    within its span: see `detached_dots`."""
    if len(parts) < 2:
        return 0
    main = max(parts, key=lambda p: p.w)
    return sum(1 for p in parts
               if p is not main and max(p.w, p.h) <= 0.5 * main.w
               and (not round_only or max(p.w, p.h) <= 2 * min(p.w, p.h))
               and main.x <= (p.x + p.x2) / 2 <= main.x2
               and (p.y >= main.y2 or p.y2 <= main.y))


def stacked_bars(symbol: Symbol) -> int:
    """Parts that are all flat strokes standing one above another, over a shared span: an
    `=`'s two bars. A lifted `+`'s upright is no flat stroke; an obelus's dots are round."""
    parts = symbol.parts
    if len(parts) < 2 or symbol.fraction or any(p.w < 1.8 * p.h for p in parts):
        return 0
    ordered = sorted(parts, key=lambda p: p.y)
    for upper, lower in zip(ordered, ordered[1:]):
        overlap = min(upper.x2, lower.x2) - max(upper.x, lower.x)
        if upper.y2 > lower.y or overlap < 0.5 * min(upper.w, lower.w):
            return 0
    return len(parts)
