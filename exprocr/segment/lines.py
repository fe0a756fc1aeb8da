"""Group ink components into written lines, top to bottom, tolerating a few degrees of skew.

Full-size components (digits, most operators) chain into a line when they overlap vertically
and stand close enough horizontally; small marks (minus, dots, `=` bars) then join the line
whose band they sit in. A line is thus defined by its glyphs, not by a global projection,
which keeps slightly skewed or wavy lines whole.
"""

from dataclasses import dataclass

import numpy as np

from exprocr.segment.fractions import Fraction, Item


@dataclass
class LineGroup:
    """Components of one line, and the fitted band of its full-size glyphs."""

    members: list[Item]
    x_height: float
    slope: float  # band centre rises by slope px per px to the right
    intercept: float  # band centre at x = 0

    def centre_at(self, x: float) -> float:
        return self.intercept + self.slope * x


def typical_height(components: list[Item]) -> float:
    """Height of the page's full-size glyphs: upper median of component heights."""
    heights = np.array([c.h for c in components], dtype=np.float64)
    if len(heights) == 0:
        return 0.0
    return float(np.percentile(heights, 70))


def _vertical_overlap(a: Item, b: Item) -> float:
    return (min(a.y2, b.y2) - max(a.y, b.y)) / max(1, min(a.h, b.h))


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _linked(a: Item, b: Item, height: float) -> bool:
    """Two full-size glyphs overlap vertically; a small mark sits inside a full-size one's band."""
    a_major, b_major = a.h >= 0.45 * height, b.h >= 0.45 * height
    if a_major and b_major:
        return _vertical_overlap(a, b) >= 0.35
    if a_major != b_major:
        major, minor = (a, b) if a_major else (b, a)
        return major.y <= minor.cy <= major.y2
    return False


def _chain(components: list[Item], height: float) -> list[list[Item]]:
    """Union neighbours that are linked and horizontally near; groups in no order."""
    order = sorted(range(len(components)), key=lambda i: components[i].x)
    parent = list(range(len(components)))
    for pos, i in enumerate(order):
        a = components[i]
        for j in order[pos + 1:]:
            b = components[j]
            if b.x - a.x2 > 2.5 * max(height, a.h, b.h):
                break
            if _linked(a, b, height):
                parent[_find(parent, i)] = _find(parent, j)
    groups: dict[int, list[Item]] = {}
    for i in range(len(components)):
        groups.setdefault(_find(parent, i), []).append(components[i])
    return list(groups.values())


def fit_band(members: list[Item]) -> tuple[float, float, float]:
    """x-height and the band's centre line (slope, intercept) from the line's tall glyphs.

    Stacked fractions are two rows tall, so they count only in a line of nothing else.
    """
    plain = [c for c in members if not isinstance(c, Fraction)]
    if not plain:
        return _fraction_band(members)
    members = plain
    # The tall glyphs set the band; a reference from the upper quartile, not the maximum,
    # so one stray tall mark cannot make every digit look small.
    reference = float(np.percentile([c.h for c in members], 75))
    tall = [c for c in members if 0.55 * reference <= c.h <= 1.8 * reference] or members
    x_height = float(np.median([c.h for c in tall]))
    xs = np.array([c.cx for c in tall])
    ys = np.array([c.cy for c in tall])
    if len(tall) >= 3 and np.ptp(xs) > 2 * x_height:
        slope, intercept = np.polyfit(xs, ys, 1)
        slope = float(np.clip(slope, -0.2, 0.2))  # skew up to ~11°, no more
        intercept = float(np.median(ys - slope * xs))
    else:
        slope, intercept = 0.0, float(np.median(ys))
    return x_height, slope, intercept


def _fraction_band(fractions: list[Item]) -> tuple[float, float, float]:
    """Band of a line holding only fractions: centred on the bars, text-high."""
    x_height = float(np.median([fit_band(f.above + f.below)[0] for f in fractions]))
    return x_height, 0.0, float(np.median([f.cy for f in fractions]))


def _extent(line: LineGroup) -> tuple[float, float]:
    return min(m.x for m in line.members), max(m.x2 for m in line.members)


def _continues(left: LineGroup, left_end: float, right: LineGroup, right_start: float, height: float) -> bool:
    """`right` (starting at `right_start`) carries on `left`'s line (ending at `left_end`): it
    starts after it, near enough to have chained, and their bands agree. On a skewed line a
    neighbour can sit too high to overlap the last glyph (a minus before a rising `4`),
    though the line runs on."""
    if right_start < left_end - 0.2 * height or right_start - left_end > 2.5 * height:
        return False
    if max(left.x_height, right.x_height) > 1.6 * min(left.x_height, right.x_height):
        return False
    # Bands meet where the gap is, or (a short piece's band is a poor fit) the longer
    # piece's band, carried on, runs through the shorter one. Another line is a line apart.
    long, short = (left, right) if len(left.members) >= len(right.members) else (right, left)
    x = float(np.mean([m.cx for m in short.members]))
    middle = (left_end + right_start) / 2
    offset = min(abs(left.centre_at(middle) - right.centre_at(middle)),
                 abs(long.centre_at(x) - short.centre_at(x)))
    return offset <= 0.4 * max(left.x_height, right.x_height)


def _join_collinear(lines: list[LineGroup], height: float) -> list[LineGroup]:
    """Pieces of one skewed line, chained apart, joined again (left to right). Extents are
    measured once per piece: a page of specks makes hundreds of one-mark lines."""
    pieces = sorted(((line, *_extent(line)) for line in lines), key=lambda piece: piece[1])
    joined: list[LineGroup] = []
    ends = np.empty(len(pieces))  # ends[k]: where joined[k] ends
    for line, start, end in pieces:
        gaps = start - ends[:len(joined)]  # _continues' first test, for all pieces at once
        near = np.flatnonzero((gaps >= -0.2 * height - 1e-6) & (gaps <= 2.5 * height + 1e-6))
        target = next((k for k in near if _continues(joined[k], ends[k], line, start, height)), None)
        if target is None:
            ends[len(joined)] = end
            joined.append(line)
        else:
            members = joined[target].members + line.members
            joined[target] = LineGroup(members, *fit_band(members))
            ends[target] = max(ends[target], end)
    return joined


def _place_minors(lines: list[LineGroup], minors: list[Item]) -> None:
    """Each small mark joins the line whose band it sits in most centrally, within reach of
    its ends. Vectorized over lines, extents kept up to date as marks join: a noisy photo has
    thousands of specks and hundreds of one-glyph lines."""
    if not lines:
        return
    slopes = np.array([line.slope for line in lines])
    intercepts = np.array([line.intercept for line in lines])
    x_heights = np.array([line.x_height for line in lines])
    lefts = np.array([min(m.x for m in line.members) for line in lines], dtype=np.float64)
    rights = np.array([max(m.x2 for m in line.members) for line in lines], dtype=np.float64)
    reach = 1.5 * x_heights
    for c in minors:
        offsets = np.abs(c.cy - (intercepts + slopes * c.cx)) / x_heights
        offsets[(offsets > 0.9) | (c.x2 < lefts - reach) | (c.x > rights + reach)] = np.inf
        best = int(np.argmin(offsets))
        if np.isfinite(offsets[best]):
            lines[best].members.append(c)
            lefts[best], rights[best] = min(lefts[best], c.x), max(rights[best], c.x2)


def group_lines(components: list[Item]) -> list[LineGroup]:
    """Lines top to bottom; every component is placed in a line or left out as stray."""
    if not components:
        return []
    height = typical_height(components)
    lines, minors = [], []
    for members in _chain(components, height):
        if any(c.h >= 0.45 * height for c in members):
            lines.append(LineGroup(members, *fit_band(members)))
        else:
            minors.extend(members)
    lines = _join_collinear(lines, height)
    _place_minors(lines, minors)
    for line in lines:
        line.members.sort(key=lambda c: c.x)
    return _reading_order(lines)


def _reading_order(lines: list[LineGroup]) -> list[LineGroup]:
    """Top to bottom; lines side by side (a worksheet's columns: their bands are level, or
    they would have been one line) left to right, as a page is read, whatever pixel
    separates their centres. Each line's members are in order already, leftmost first."""
    centres = [line.centre_at(np.mean([c.cx for c in line.members])) for line in lines]
    order = sorted(range(len(lines)), key=lambda i: centres[i])
    rows: list[list[int]] = []
    for i in order:
        if rows and centres[i] - centres[rows[-1][0]] < 0.5 * lines[rows[-1][0]].x_height:
            rows[-1].append(i)
        else:
            rows.append([i])
    return [lines[i] for row in rows for i in sorted(row, key=lambda k: lines[k].members[0].x)]
