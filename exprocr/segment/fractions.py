"""Stacked fractions: a bar with writing just above and just below reads as (above)/(below).

Bars are taken narrowest first, so a fraction nested in a numerator (`2 + 1/4` over a long
bar) is built before the fraction that contains it. A built fraction then stands in the
line like one tall symbol, centred on its bar.
"""

from dataclasses import dataclass

import numpy as np

from exprocr.segment.components import Component


class Group:
    """The bounding box of several ink items, for anything made of parts."""

    def members(self) -> list:
        raise NotImplementedError

    @property
    def x(self) -> int:
        return min(i.x for i in self.members())

    @property
    def y(self) -> int:
        return min(i.y for i in self.members())

    @property
    def x2(self) -> int:
        return max(i.x2 for i in self.members())

    @property
    def y2(self) -> int:
        return max(i.y2 for i in self.members())

    @property
    def w(self) -> int:
        return self.x2 - self.x

    @property
    def h(self) -> int:
        return self.y2 - self.y


@dataclass
class Fraction(Group):
    """A fraction bar with the items above and below it."""

    bar: Component
    above: list["Item"]
    below: list["Item"]

    def members(self) -> list["Item"]:
        return [self.bar, *self.above, *self.below]

    @property
    def cx(self) -> float:
        return self.bar.cx

    @property
    def cy(self) -> float:
        return self.bar.cy

    @property
    def area(self) -> int:
        return sum(i.area for i in self.members())


Item = Component | Fraction
_RUN_ON = 0.7  # text heights past a bar's end where its row's next glyph would stand


def _is_bar(c: Component, height: float) -> bool:
    return c.w >= 1.2 * height and c.w >= 4 * c.h


def _stacked(bar: Component, items: list[Item], height: float, side: str) -> list[Item]:
    """Items centred over the bar's span, within 1.2 text heights above (or below) it: writers
    leave room round a long bar, and a levelled photo's bar is thin (a tilted bar's box is
    tall, which narrowed the gap measured to its edge; at 0.8 text heights, real-dev's
    nested fraction fell apart once its photo was turned 8° and levelled)."""
    found = []
    for item in items:
        if item is bar or not (bar.x <= item.cx <= bar.x2):
            continue
        gap = bar.y - item.y2 if side == "above" else item.y - bar.y2
        if -0.25 * height <= gap <= 1.2 * height:
            found.append(item)
    return found


def _substantial(items: list[Item], height: float) -> bool:
    """Writing, not just the dots of an obelus: something at least half a glyph tall."""
    return any(i.h >= 0.5 * height for i in items)


def _taller_than_text(bar: Component, above: list[Item], below: list[Item], items: list[Item],
                      height: float) -> bool:
    """A fraction stands two rows tall beside its line; an obelus is one glyph high."""
    stack = [bar, *above, *below]
    stack_height = max(i.y2 for i in stack) - min(i.y for i in stack)
    beside = [i.h for i in items if isinstance(i, Component) and not (bar.x <= i.cx <= bar.x2)
              and i.y <= bar.cy <= i.y2 and all(i is not s for s in stack)]
    reference = float(np.median(beside)) if beside else height
    return stack_height >= 1.5 * reference


def _row(chosen: list[Item]) -> tuple[int, int]:
    """Top and bottom of the text row the chosen items stand in."""
    return min(i.y for i in chosen), max(i.y2 for i in chosen)


def _extend(bar: Component, chosen: list[Item], items: list[Item], side: str) -> list[Item]:
    """Add items of the same text row as `chosen` that are still over the bar's span."""
    top, bottom = _row(chosen)
    extra = [i for i in items if i is not bar and i not in chosen
             and bar.x - 0.1 * bar.w <= i.cx <= bar.x2 + 0.1 * bar.w and top <= i.cy <= bottom]
    return chosen + extra


def _row_runs_on(bar: Component, chosen: list[Item], items: list[Item], height: float) -> bool:
    """Writing in the row over (or under) the bar goes on just past its ends: that row is a
    line of its own, and the bar a long minus between lines, not a fraction bar."""
    top, bottom = _row(chosen)
    return any(i is not bar and i not in chosen and top <= i.cy <= bottom
               and 0 < max(bar.x - i.cx, i.cx - bar.x2) <= _RUN_ON * height for i in items)


def find_fractions(items: list[Item], height: float) -> list[Item]:
    """Replace each bar with writing stacked above and below by one Fraction item."""
    items = list(items)
    bars = sorted((c for c in items if isinstance(c, Component) and _is_bar(c, height)),
                  key=lambda c: c.w)
    for bar in bars:
        if bar not in items:
            continue
        above = _stacked(bar, items, height, "above")
        below = _stacked(bar, items, height, "below")
        if not _substantial(above, height) or not _substantial(below, height):
            continue  # nothing written over or under it, or only dots: a `÷`, not a fraction
        above = _extend(bar, above, items, "above")
        below = _extend(bar, below, items, "below")
        if any(i in below for i in above) or not _taller_than_text(bar, above, below, items, height):
            continue
        if _row_runs_on(bar, above, items, height) or _row_runs_on(bar, below, items, height):
            continue
        fraction = Fraction(bar, sorted(above, key=lambda i: i.x), sorted(below, key=lambda i: i.x))
        used = {id(i) for i in [bar, *above, *below]}
        items = [i for i in items if id(i) not in used] + [fraction]
    return items
