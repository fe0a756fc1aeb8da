"""Connected ink components with the measurements the segmenter decides by.

Clutter is judged relative to the writing itself: the page's pen width, the contrast of
its ink, and the size of its glyphs. Nothing here is in absolute pixels, so the same rules
hold for a tight 80-pixel scan and for small writing in a 12 MP photo.
"""

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Rect:
    """A box of ink in pixels."""

    x: int
    y: int
    w: int
    h: int

    @property
    def x2(self) -> int:
        return self.x + self.w

    @property
    def y2(self) -> int:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(kw_only=True)
class Component(Rect):
    """One connected blob of ink."""

    index: int  # label in the label image
    area: int
    contrast: float  # darkness-weighted mean darkness: thin anti-aliased strokes keep their core
    width: float  # pen width, 2·area/perimeter


@dataclass
class Labelled:
    """A 0/1 mask's 8-connected components: the label image, each label's box and area
    (`cv2.CC_STAT_*` columns; row 0, the background, left zero), and the inked pixels
    (flat indices) with their labels."""

    count: int
    labels: np.ndarray
    stats: np.ndarray
    inked: np.ndarray
    owners: np.ndarray


def label_components(mask: np.ndarray) -> Labelled:
    """`cv2.connectedComponentsWithStats`, three times faster on a page-sized mask: OpenCV
    labels in well under a millisecond but takes several more for the statistics, which
    the inked pixels, grouped by label in reading order, give at once."""
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    inked = np.flatnonzero(mask.view(bool))  # on uint8, numpy's nonzero is ten times slower
    owners = labels.ravel()[inked]
    order = np.argsort(owners, kind="stable")  # stable: each label's pixels stay row by row
    grouped = owners[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    ends = np.r_[starts[1:], len(grouped)] - 1
    ys, xs = np.divmod(inked[order], mask.shape[1])
    stats = np.zeros((count, 5), np.int64)
    if len(inked):
        present = grouped[starts]
        left = np.minimum.reduceat(xs, starts)
        stats[present, cv2.CC_STAT_LEFT] = left
        stats[present, cv2.CC_STAT_WIDTH] = np.maximum.reduceat(xs, starts) - left + 1
        stats[present, cv2.CC_STAT_TOP] = ys[starts]
        stats[present, cv2.CC_STAT_HEIGHT] = ys[ends] - ys[starts] + 1
        stats[present, cv2.CC_STAT_AREA] = ends - starts + 1
    return Labelled(count, labels, stats, inked, owners)


def find_components(mask: np.ndarray, darkness: np.ndarray) -> tuple[np.ndarray, list[Component]]:
    """Label 8-connected components and measure area, contrast and pen width of each."""
    labelled = label_components(mask)
    count, labels, stats, inked = labelled.count, labelled.labels, labelled.stats, labelled.inked
    ink_labels, ink_darkness = labelled.owners, darkness.ravel()[inked]
    sums = np.bincount(ink_labels, weights=ink_darkness, minlength=count)
    squares = np.bincount(ink_labels, weights=ink_darkness * ink_darkness, minlength=count)
    eroded = cv2.erode(mask, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    edge = np.flatnonzero(mask > eroded)
    boundary = np.bincount(labels.ravel()[edge], minlength=count)
    components = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        components.append(Component(
            index=i, x=x, y=y, w=w, h=h, area=area,
            contrast=float(squares[i] / max(sums[i], 1e-9)),
            width=2.0 * area / max(float(boundary[i]), 1.0),
        ))
    return labels, components


def pen_width(components: list[Component]) -> float:
    """The page's typical pen width: area-weighted median over sizeable components."""
    sizeable = [c for c in components if c.area >= 12]
    if not sizeable:
        return 2.0
    widths = np.array([c.width for c in sizeable])
    weights = np.array([c.area for c in sizeable], dtype=np.float64)
    order = np.argsort(widths)
    cumulative = np.cumsum(weights[order])
    return float(widths[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def writing_contrast(components: list[Component], width: float) -> float:
    """Contrast of the writing: upper median of stroke-like components, each weighing by
    its ink (area × contrast²), so that large faint grids and show-through do not set it."""
    strokes = [c for c in components if c.area >= 4 * width * width]
    if not strokes:
        return max((c.contrast for c in components), default=0.0)
    contrasts = np.array([c.contrast for c in strokes])
    weights = np.array([c.area for c in strokes], dtype=np.float64) * contrasts ** 2
    order = np.argsort(contrasts)
    cumulative = np.cumsum(weights[order])
    return float(contrasts[order][np.searchsorted(cumulative, cumulative[-1] * 0.6)])
