"""Ruled and squared paper lines and page edges: found, removed, and the strokes they cut mended.

A ruling is long and straight: it crosses a good part of the page, possibly a few degrees
off level. Straight segments are found with a probabilistic Hough transform on a reduced
mask, so skew does not matter. Rulings come in families; a lone line must be very long to
count, so a fraction bar or a long stroke in a tight crop is never taken for paper.
"""

import cv2
import numpy as np

from exprocr.segment.components import label_components

_WORK_SIDE = 800  # long side of the reduced mask the lines are searched in
_MIN_SPAN = 0.55  # rulings (three or more) span at least this fraction of the image side
_LONE_SPAN = 0.7  # fewer lines must span this much to count as rulings or page edges
_MAX_TILT = 10.0  # degrees from level (or plumb)
_EDGE_STEP = 0.75  # a page edge has paper on one side and this much less light on the other
_DARKER = 1.6  # ink this many times darker than a ruling is writing on it, not the ruling
_BARE = 0.3  # the share of a ruling's length that is surely bare of writing
_REMNANT = 1.25  # a mark in a ruling's band no darker than this is a piece of that ruling

_FRAME_MARGIN = 0.02  # lines this near the frame (share of the long side) run along its edge

_SNAP = 0.01  # how far across a found line (share of the image's side) its ink is looked for
_SNAP_POINTS = 12  # bare points along a line (of 64) needed to move it
_SNAP_SPACING = 0.25  # a guessed member of a family is looked for this share of its spacing around

_MIN_SPACING = 0.01  # rulings closer than this share of the image's side are no family
_COVER_REACH = 0.002  # how near a guessed ruling (share of the side) its ink must be ...
_COVERED = 0.5  # ... along this share of its length, or, next to a ruling,
_DASHED = 0.25  # this share (a faint one is thresholded into dashes)

Line = tuple[tuple[int, int], tuple[int, int]]  # a ruling, end to end across the image


def _is_level(x1: float, y1: float, x2: float, y2: float) -> bool:
    """Nearer level than plumb."""
    return abs(x2 - x1) >= abs(y2 - y1)


def _segments(mask: np.ndarray) -> list[np.ndarray]:
    """Near-horizontal and near-vertical long segments, in full-resolution coordinates."""
    h, w = mask.shape
    factor = min(1.0, _WORK_SIDE / max(h, w))
    # Averaged from 0/255, not 0/1: a hairline's share of a reduced pixel must not round to 0.
    small = cv2.resize(mask * np.uint8(255), (max(1, int(w * factor)), max(1, int(h * factor))),
                       interpolation=cv2.INTER_AREA)
    # Thickened, so that a thin line a fraction of a degree off the angle grid still
    # gathers its votes in one (rho, theta) cell.
    small = cv2.dilate((small > 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    side = min(small.shape)
    found = cv2.HoughLinesP(small, 1, np.pi / 360, threshold=max(20, int(0.25 * side)),
                            minLineLength=int(_MIN_SPAN * side), maxLineGap=max(3, int(0.02 * side)))
    if found is None:
        return []
    keep = []
    for x1, y1, x2, y2 in found.reshape(-1, 4):
        angle = abs(np.degrees(np.arctan2(y2 - y1, x2 - x1))) % 180
        level, plumb = min(angle, 180 - angle) <= _MAX_TILT, abs(angle - 90) <= _MAX_TILT
        if level or plumb:
            keep.append(np.array([x1, y1, x2, y2], float) / factor)
    return keep


def _is_page_edge(segment: np.ndarray, paper: np.ndarray) -> bool:
    """A line with paper on one side and something much darker (a desk) on the other."""
    x1, y1, x2, y2 = segment
    h, w = paper.shape
    length = max(1.0, float(np.hypot(x2 - x1, y2 - y1)))
    normal = np.array([-(y2 - y1), x2 - x1]) / length
    offset = 0.02 * max(h, w)
    t = np.linspace(0.1, 0.9, 32)
    xs, ys = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
    sides = []
    for sign in (-1, 1):
        cols = np.clip(np.round(xs + sign * offset * normal[0]).astype(int), 0, w - 1)
        rows = np.clip(np.round(ys + sign * offset * normal[1]).astype(int), 0, h - 1)
        sides.append(float(np.median(paper[rows, cols])))
    return min(sides) < _EDGE_STEP * max(sides)


def _is_paper(segments: list[np.ndarray], shape: tuple[int, int], paper: np.ndarray | None) -> list[np.ndarray]:
    """The segments that are rulings: one of a family of three or more, very long, or a
    page's edge."""
    h, w = shape
    horizontal = [s for s in segments if _is_level(*s)]
    vertical = [s for s in segments if not _is_level(*s)]
    rulings = []
    for family, side, axis in ((horizontal, w, 0), (vertical, h, 1)):
        spans = [abs(s[2 + axis] - s[axis]) for s in family]
        long = [s for s, span in zip(family, spans) if span >= _MIN_SPAN * side]
        many = len({int((s[1 - axis] + s[3 - axis]) / 2 // max(4, 0.01 * side)) for s in long}) >= 3
        rulings += [s for s, span in zip(family, spans) if span >= _LONE_SPAN * side
                    or (span >= _MIN_SPAN * side and (many or (paper is not None and _is_page_edge(s, paper))))]
    return rulings


def _across(segment: np.ndarray, shape: tuple[int, int]) -> Line:
    """The segment's line drawn across the whole image: a ruling does not stop where the
    Hough transform lost it (perspective keeps it straight)."""
    h, w = shape
    x1, y1, x2, y2 = segment
    if _is_level(*segment):
        slope = (y2 - y1) / (x2 - x1)
        return (0, int(round(y1 - slope * x1))), (w - 1, int(round(y1 + slope * (w - 1 - x1))))
    slope = (x2 - x1) / (y2 - y1)
    return (int(round(x1 - slope * y1)), 0), (int(round(x1 + slope * (h - 1 - y1))), h - 1)


def _across_line(line: Line, count: int, reach: int, level: bool, shape: tuple[int, int]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pixels across a line, `reach` either side, at `count` points along it: the points'
    positions t in [0, 1], the offsets, and (count × offsets) rows and columns clipped to
    the image, with which of them lay inside it."""
    (x1, y1), (x2, y2) = line
    h, w = shape
    t = np.linspace(0.0, 1.0, count)
    xs, ys = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
    offsets = np.arange(-reach, reach + 1)
    if level:
        rows, cols = np.round(ys[:, None] + offsets[None]), np.repeat(np.round(xs)[:, None], len(offsets), 1)
    else:
        rows, cols = np.repeat(np.round(ys)[:, None], len(offsets), 1), np.round(xs[:, None] + offsets[None])
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    return (t, offsets, np.clip(rows, 0, h - 1).astype(int), np.clip(cols, 0, w - 1).astype(int), inside)


def _fitted_line(t: np.ndarray, values: np.ndarray) -> tuple[float, float]:
    """Least-squares slope and intercept of `values` over `t` (np.polyfit's, 10× cheaper)."""
    t_mean, v_mean = float(t.mean()), float(values.mean())
    spread = float(((t - t_mean) ** 2).sum())
    slope = float(((t - t_mean) * (values - v_mean)).sum()) / spread if spread > 0 else 0.0
    return slope, v_mean - slope * t_mean


def _snapped(line: Line, mask: np.ndarray, within: float | None = None) -> Line:
    """The line moved and turned onto the ink it stands for. The Hough transform ran on a
    reduced mask in coarse angle steps, so its line can lie a few pixels off the real one
    (0.005 of the image's side), enough to leave the ruling beside the band that erases it.
    Where the line is bare (a thin run of ink across it, no writing), its ink's centre is
    taken; a straight line is fitted to those centres, stragglers dropped."""
    (x1, y1), (x2, y2) = line
    reach = max(4, int(round(_SNAP * max(mask.shape))))
    if within is not None:
        reach = max(2, min(reach, int(within)))
    level = _is_level(x1, y1, x2, y2)
    t, offsets, rows, cols, inside = _across_line(line, 64, reach, level, mask.shape)
    inked = mask[rows, cols].astype(bool) & inside
    runs = inked.sum(axis=1)
    bare = (runs >= 1) & (runs <= reach // 2 + 1)
    at, centres = t[bare], (inked * offsets[None]).sum(axis=1)[bare] / np.maximum(runs[bare], 1)
    for fit in range(3):  # fitted three times, stragglers dropped between the fits
        if len(at) < _SNAP_POINTS:
            return line
        slope, start = _fitted_line(at, centres)
        if fit < 2:
            off = np.abs(centres - (slope * at + start))
            near = off <= max(1.5, 2.0 * float(np.median(off)))
            at, centres = at[near], centres[near]
    shift0, shift1 = int(round(start)), int(round(start + slope))
    if level:
        return (x1, y1 + shift0), (x2, y2 + shift1)
    return (x1 + shift0, y1), (x2 + shift1, y2)


def find_rulings(mask: np.ndarray, paper: np.ndarray | None = None) -> list[Line]:
    """Rulings and page edges of a (loose) ink mask, each as a line across the image;
    `paper` (the background's brightness) tells a page's edge from a long stroke."""
    segments = _segments(mask)
    h, w = mask.shape
    margin = _FRAME_MARGIN * max(h, w)

    def along_frame(line: Line) -> bool:
        (x1, y1), (x2, y2) = line
        return (max(x1, x2) < margin or min(x1, x2) > w - margin
                or max(y1, y2) < margin or min(y1, y2) > h - margin)
    # The Hough transform finds a ruling several times over (most lines of a page 2–3
    # times), and snapped onto its ink each is the same line: it is measured and erased once.
    lines = list(dict.fromkeys(_snapped(_across(s, mask.shape), mask)
                               for s in _is_paper(segments, mask.shape, paper)))
    lines += _completed(lines, mask)
    # Lines along the frame's own edge (a page's or a desk's, mostly) are left to the clutter
    # rules, but a grid runs on to the frame: its last line, a spacing beyond the others, is
    # a ruling however near the frame, and writing crossing it would go with it as clutter.
    inner = [line for line in lines if not along_frame(line)]
    near = [line for line in lines if along_frame(line)]
    if not near:
        return inner
    families = {level: _family(inner, level, mask.shape) for level in (True, False)}
    return inner + [line for line in near if _next_in_family(line, families)]


def _coverage(line: Line, mask: np.ndarray) -> float:
    """Share of the points along a line that have ink on it, give or take a few pixels."""
    (x1, y1), (x2, y2) = line
    reach = max(2, int(round(_COVER_REACH * max(mask.shape))))
    _, _, rows, cols, inside = _across_line(line, 128, reach, _is_level(x1, y1, x2, y2), mask.shape)
    points = inside.all(axis=1)
    if not points.any():
        return 0.0
    return float(mask[rows, cols].astype(bool)[points].any(axis=1).mean())


def _family_spacing(gaps: np.ndarray) -> float | None:
    """The spacing of evenly spaced rulings from the gaps between those found, or None when
    the lines are no such family. It is the commonest gap (the larger on a tie), refined as
    the median of the gaps like it; the rest must be whole multiples of it (lines the search
    lost), but for a few: a page's edge or a margin line beside the grid makes a gap of its own."""
    def like(unit: float) -> np.ndarray:
        return np.abs(gaps / unit - 1.0) <= 0.2
    unit = max(gaps, key=lambda g: (int(like(g).sum()), g))
    spacing = float(np.median(gaps[like(unit)]))
    if like(unit).sum() < 2 or np.mean([_whole_steps(gap, spacing) for gap in gaps]) < 0.7:
        return None
    return spacing


def _whole_steps(gap: float, spacing: float) -> bool:
    multiple = gap / spacing
    return multiple >= 0.8 and abs(multiple - round(multiple)) <= 0.2


def _on_lattice(points: np.ndarray, spacing: float) -> np.ndarray:
    """A family's lines (rows of `points`, their two ends) less those off its lattice: from
    two lines one spacing apart, outwards, each line kept lies whole spacings from the last
    one kept (perspective drifts the spacing slowly); a margin line or a page's edge a part
    of a spacing beside the grid does not."""
    middles = points.sum(axis=1) / 2
    gaps = np.diff(middles)
    anchor = int(np.argmin(np.abs(gaps / spacing - 1.0)))
    kept, last = {anchor, anchor + 1}, anchor + 1
    for i in range(anchor + 2, len(points)):
        if _whole_steps(middles[i] - middles[last], spacing):
            kept.add(i)
            last = i
    last = anchor
    for i in range(anchor - 1, -1, -1):
        if _whole_steps(middles[last] - middles[i], spacing):
            kept.add(i)
            last = i
    return points[sorted(kept)]


def _family(lines: list[Line], level: bool, shape: tuple[int, int]) -> tuple[np.ndarray, float] | None:
    """The level (or upright) lines as a family of evenly spaced rulings: each line's two
    ends across the image, (y at the left, y at the right) or (x at the top, x at the
    bottom), those on the family's lattice, and its spacing; None when they are no family."""
    h, w = shape
    ends = sorted({(a[1], b[1]) if level else (a[0], b[0])
                   for a, b in lines if _is_level(*a, *b) == level}, key=sum)
    apart = _MIN_SPACING * min(h, w)
    distinct: list[tuple[int, int]] = []
    for end in ends:  # the Hough transform finds a thick line more than once
        if not distinct or sum(end) - sum(distinct[-1]) > 2 * apart:
            distinct.append(end)
    if len(distinct) < 3:
        return None
    points = np.array(distinct, float)
    spacing = _family_spacing(np.diff(points.sum(axis=1) / 2))
    return None if spacing is None else (_on_lattice(points, spacing), spacing)


def _next_in_family(line: Line, families: dict[bool, tuple[np.ndarray, float] | None]) -> bool:
    """`line` lies one spacing beyond the nearest line of the family of its orientation
    (`families`: `_family` of the level and of the upright lines)."""
    level = _is_level(*line[0], *line[1])
    family = families[level]
    if family is None:
        return False
    points, spacing = family
    (x1, y1), (x2, y2) = line
    middle = (y1 + y2) / 2 if level else (x1 + x2) / 2
    nearest = float(np.abs(points.sum(axis=1) / 2 - middle).min())
    return abs(nearest / spacing - 1.0) <= 0.2


def _completed(lines: list[Line], mask: np.ndarray) -> list[Line]:
    """The members of a family of evenly spaced rulings that the Hough transform lost
    (faint, broken, or written over): a gap of k spacings holds k − 1 of them, and the
    family may go on past its outermost lines. A guess is moved onto the ink within a quarter
    spacing of it (perspective bends the lattice) and counts where ink runs along half of it,
    or, beside a ruling, a quarter: a faint ruling is thresholded into dashes."""
    h, w = mask.shape
    added: list[Line] = []
    for level in (True, False):
        family = _family(lines, level, mask.shape)
        if family is None:
            continue
        points, spacing = family
        gaps = np.diff(points.sum(axis=1) / 2)

        def line_at(end: np.ndarray) -> Line:
            a, b = (int(round(v)) for v in end)
            return ((0, a), (w - 1, b)) if level else ((a, 0), (b, h - 1))

        def guess(end: np.ndarray) -> tuple[Line, float]:  # the line there, and its ink's share
            line = _snapped(line_at(end), mask, _SNAP_SPACING * spacing)
            return line, _coverage(line, mask)

        found = []
        for p, q, gap in zip(points[:-1], points[1:], gaps):
            k = int(round(gap / spacing))
            if k >= 2 and abs(gap / k - spacing) <= 0.25 * spacing:
                guesses = [guess(p + (q - p) * j / k) for j in range(1, k)]
                found += [line for (line, _), ruled in zip(guesses, _ruled([s for _, s in guesses])) if ruled]
        limit = h if level else w
        for start, neighbour in ((points[0], points[1]), (points[-1], points[-2])):
            # Outwards, one spacing at a time (perspective widens or narrows it), until two
            # guesses in a row find no ruling: the page ends, or the grid does.
            step = (start - neighbour) / max(1, round(abs(float(np.mean(start - neighbour))) / spacing))
            end, misses, beside = start + step, 0, True
            while 0 <= float(np.mean(end)) < limit and misses < 2:
                line, share = guess(end)
                beside = _is_ruling(share, beside)
                if beside:
                    found.append(line)
                misses = 0 if beside else misses + 1
                end = end + step
        added += found
    return added


def _ruled(shares: list[float]) -> list[bool]:
    """Which guesses across a gap in a family (in order, by the share of their length inked)
    are rulings: those inked along most of their length, and those dashed next to a ruling,
    one after another from the found lines at either end of the gap. A line through a row
    of writing can be as dashed, but not next to a ruling all the way from one."""
    ruled = [_is_ruling(share, beside=False) for share in shares]
    for order in (range(len(shares)), range(len(shares) - 1, -1, -1)):
        beside = True
        for j in order:
            ruled[j] = ruled[j] or _is_ruling(shares[j], beside)
            beside = ruled[j]
    return ruled


def _is_ruling(share: float, beside: bool) -> bool:
    """A guessed line with ink along this share of it is a ruling: inked along most of its
    length, or, `beside` a ruling, dashed."""
    return share >= _COVERED or (beside and share >= _DASHED)


def _measure(mask: np.ndarray, darkness: np.ndarray, line: Line, across: int, reach: int) -> tuple[int, float]:
    """The ruling's own thickness (run of ink across it, where it is inked) and darkness."""
    _, _, rows, cols, _ = _across_line(line, 256, reach, across == 0, mask.shape)
    inked = mask[rows, cols].astype(bool)
    runs = inked.sum(axis=1)
    if not inked.any():
        return 1, 1.0
    # Each point along the line counts once, and at each the line's core (its darkest pixel
    # across: anti-aliasing pales its sides). Writing on the line makes it look thicker and
    # darker where it runs, over up to most of its length: the bare stretches tell.
    values = np.where(inked, darkness[rows, cols], 0.0)[runs > 0]
    bare = _BARE * 100
    return int(np.percentile(runs[runs > 0], bare)), float(np.percentile(values.max(axis=1), bare))


def _box(lines: list[Line], margin: int, shape: tuple[int, int]) -> tuple[slice, slice]:
    """Rows and columns of the image within `margin` of the lines' ends (lines are straight,
    so this holds them whole)."""
    xs = [x for line in lines for x, _ in line]
    ys = [y for line in lines for _, y in line]
    h, w = shape
    return (slice(max(0, min(ys) - margin), min(h, max(ys) + margin + 1)),
            slice(max(0, min(xs) - margin), min(w, max(xs) + margin + 1)))


def _erase_family(mask: np.ndarray, darkness: np.ndarray, lines: list[Line], band: int, across: int,
                  near: np.ndarray) -> tuple[np.ndarray, int]:
    """Erase one family of rulings (axis `across`: 0 for level lines, 1 for upright ones),
    and draw a wide band around each into `near`, valued by the ruling's darkness.

    Along a line, a pixel is ruling when the ink through it, across the line, is no
    thicker than that line itself and no much darker; a stroke crossing, touching or
    written along the line is thicker or darker there and is kept whole. Lines of one
    thickness are erased together. Returns the mask and the family's typical thickness.
    """
    groups: dict[int, list[tuple[Line, float]]] = {}
    for line in lines:
        thickness, level = _measure(mask, darkness, line, across, 3 * band)
        # Thicknesses rounded up onto a coarse scale: one opening per group costs time.
        thickness = next((t for t in (2, 4, 7, 11) if thickness <= t), thickness)
        groups.setdefault(thickness, []).append((line, level))
    erased = mask.copy()
    for thickness, group in groups.items():
        width = max(band, thickness + 4)
        run = thickness + 3
        # Worked inside the box the group's bands cover, widened by the opening's reach so
        # that the opening there is the whole mask's: a few lines need not cost a page.
        rows, cols = _box([line for line, _ in group], width + run, mask.shape)
        drawn = np.zeros((rows.stop - rows.start, cols.stop - cols.start), np.uint8)
        for (start, end), level in group:
            cv2.line(drawn, (start[0] - cols.start, start[1] - rows.start),
                     (end[0] - cols.start, end[1] - rows.start), 1, width)
            cv2.line(near, start, end, level, 2 * width)
        inside = mask[rows, cols]
        stroke = cv2.morphologyEx(inside, cv2.MORPH_OPEN, np.ones((run, 1) if across == 0 else (1, run), np.uint8))
        faint = darkness[rows, cols] <= _DARKER * max(level for _, level in group)
        erased[rows, cols] &= 1 - (drawn & inside & (1 - stroke) & faint.astype(np.uint8))
    return erased, int(np.median([t for t, group in groups.items() for _ in group]))


def _without_remnants(mask: np.ndarray, darkness: np.ndarray, near: list[np.ndarray], crossing: int,
                      thickness: int) -> np.ndarray:
    """Drop what is left of a ruling where it strayed from its straight line: marks lying
    wholly in its band, no darker than it, and nowhere much broader than the rulings are
    thick (`thickness`, typically). Where two rulings cross their inks stack, so a mark no
    bigger than a crossing may be as dark as both together. On a dense grid the bands cover
    most of the page, and a glyph written as faintly as the grid lies in them too: its
    broader pen, where it is not drawn out like a line, tells it from a remnant."""
    found = label_components(mask)
    count, labels, stats, inked, owners = found.count, found.labels, found.stats, found.inked, found.owners
    levels = [n.ravel()[inked] for n in near]  # at the inked pixels only: the rest is paper
    single = np.maximum.reduce(levels)
    stacked = 1.0 - np.prod([1.0 - level for level in levels], axis=0)
    inside = np.bincount(owners, weights=(single > 0).astype(np.float64), minlength=count)
    dark = np.bincount(owners, weights=darkness.ravel()[inked], minlength=count)
    area = np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    ruling = np.bincount(owners, weights=single, minlength=count)
    at_crossing = area <= crossing
    ruling[at_crossing] = np.bincount(owners, weights=stacked, minlength=count)[at_crossing]
    # A hairline ruling is shared by two pixel rows over most of its length, which is how it
    # measured; where it falls on one row, that row takes all its ink, twice as dark.
    thin = np.minimum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    long = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    ruling[(thin <= 2) & (long >= 3 * thin)] *= 2
    drop = (inside >= 0.9 * area) & (dark <= _REMNANT * ruling)
    # A dot on a ruling, its core much darker than the rulings stacked there ever are, is
    # written: a remnant's darkest pixel is where the rulings cross, as dark as both.
    # (ufunc.at is slow: only the pixels of marks about to go are looked at.)
    about = np.flatnonzero(drop[owners])
    peak, highest = np.zeros(count), np.zeros(count)
    np.maximum.at(peak, owners[about], darkness.ravel()[inked[about]])
    np.maximum.at(highest, owners[about], stacked[about])
    drop &= peak <= _DARKER * highest
    drop[0] = False
    drop &= ~_broad(labels, stats, drop & (long < 8 * thin), thickness)
    kept = mask.copy()
    kept.ravel()[inked[drop[owners]]] = 0  # through the inked pixels: a few % of the page
    return kept


def _broad(labels: np.ndarray, stats: np.ndarray, candidates: np.ndarray, thickness: int) -> np.ndarray:
    """Which candidate components hold a disk as broad as twice the rulings' thickness.
    Each is eroded within its own box (padded by the disk's radius), not the whole mask:
    the same answer, as a surviving pixel's disk is all its own ink, at a fraction of the cost."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * thickness + 1,) * 2)
    height, width = labels.shape
    broad = np.zeros(len(stats), bool)
    for i in np.flatnonzero(candidates):
        x, y, w, h = stats[i, :4]
        if min(w, h) <= thickness:  # too thin for the disk even against the frame's edge
            continue
        y0, y1 = max(0, y - thickness), min(height, y + h + thickness)
        x0, x1 = max(0, x - thickness), min(width, x + w + thickness)
        broad[i] = cv2.erode((labels[y0:y1, x0:x1] == i).astype(np.uint8), kernel).any()
    return broad


def remove_rulings(mask: np.ndarray, darkness: np.ndarray, rulings: list[Line]) -> np.ndarray:
    """The mask without rulings, glyph strokes that cross or touch them kept whole.

    Level lines go first; where an upright line crossed one, its ink is then only as
    thick as the ruling and goes with the upright family.
    """
    if not rulings:
        return mask
    h, w = mask.shape
    band = max(3, int(round(0.004 * max(h, w))))
    level = [r for r in rulings if _is_level(*r[0], *r[1])]
    upright = [r for r in rulings if not _is_level(*r[0], *r[1])]
    near, thickness = [], 1
    for family, across in ((level, 0), (upright, 1)):
        if family:
            near.append(np.zeros(mask.shape, np.float32))
            mask, typical = _erase_family(mask, darkness, family, band, across, near[-1])
            thickness = max(thickness, typical)
    return _without_remnants(mask, darkness, near, crossing=(2 * band) ** 2, thickness=thickness)
