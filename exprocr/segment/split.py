"""Split a symbol too wide for one glyph (touching digits) where the classifier agrees.

Candidate cuts are columns where the ink is thin (projection minima). Every way of cutting
the symbol into glyph-sized pieces is scored by the classifier's confidence in each piece,
passed in as a callback so this module does not depend on the classifier. Glyphs that touch
are digits (operators stand apart, save a minus written against a digit), so pieces are
scored by the classes the caller names as `joinable`; the whole symbol by any class.
"""

from collections.abc import Callable

import numpy as np

from exprocr.classifier.normalize import normalize_glyph
from exprocr.segment.symbols import MINUS_BAND

Classify = Callable[[np.ndarray], np.ndarray]  # (N, 32, 32) glyphs → (N, C) probabilities

_CUT_PENALTY = 0.35  # log-probability a cut must earn, so a confident whole is not split
_WIDEST_DIGIT = 1.1  # x-heights; a piece wider than this pays a quadratic width penalty
_WIDEST_SYMBOL = 1.7  # the same for a whole symbol (`+`, `×`, `=` may be wide)
_WIDEST_WHOLE_DIGIT = 1.35  # and for a whole the classifier reads as a digit
_WIDTH_WEIGHT = 4.0
_OPERATOR_PIECE = 0.5  # weight of an operator's probability as a piece of a touching group
_MAX_CUTS = 10
_TALLEST_BAR = 0.5  # x-heights; a minus, however slanted or thick, is flatter


def candidate_cuts(mask: np.ndarray, x_height: float) -> list[int]:
    """Columns of thin ink, at least a narrow glyph's width from either end."""
    profile = mask.sum(axis=0).astype(np.float64)
    smooth = np.convolve(profile, np.ones(3) / 3, mode="same")
    width = mask.shape[1]
    margin = max(2, int(0.2 * x_height))
    cuts = [c for c in range(margin, width - margin)
            if smooth[c] <= smooth[max(0, c - 2): c + 3].min() + 1e-9]
    cuts.sort(key=lambda c: smooth[c])
    picked: list[int] = []
    for c in cuts:
        if all(abs(c - p) > 0.15 * x_height for p in picked):
            picked.append(c)
        if len(picked) == _MAX_CUTS:
            break
    return sorted(picked)


def _ink_rows(mask: np.ndarray, start: int, stop: int) -> tuple[int, int] | None:
    """First and last inked row of a column range, or None when it holds no ink."""
    rows = np.flatnonzero(mask[:, start:stop].any(axis=1))
    return (int(rows[0]), int(rows[-1])) if len(rows) else None


def _ink_height(mask: np.ndarray, start: int, stop: int) -> int:
    rows = _ink_rows(mask, start, stop)
    return rows[1] - rows[0] + 1 if rows else 0


def _piece(mask: np.ndarray, start: int, stop: int) -> np.ndarray:
    return mask[:, start:stop].astype(np.uint8) * 255


def _width_penalty(width: float, x_height: float, widest: float) -> float:
    return _WIDTH_WEIGHT * max(0.0, width / x_height - widest) ** 2


def _run(columns: np.ndarray) -> int:
    """How many columns, from the first on, are inked."""
    gaps = np.flatnonzero(~columns)
    return int(gaps[0]) if len(gaps) else len(columns)


def _minus_meeting(mask: np.ndarray, a: int, b: int) -> bool:
    """A flat bar at mid-height whose ink meets its neighbours' only across their outline:
    a minus written against a digit. A digit's own stroke drawn long (a `4`'s or a `+`'s bar
    running past the upright) runs on, level, into the rest of it."""
    rows = _ink_rows(mask, a, b)
    if rows is None:
        return False
    top, bottom = rows
    thickness = bottom - top + 1
    low, high = MINUS_BAND
    if not low * mask.shape[0] <= (top + bottom) / 2 <= high * mask.shape[0]:
        return False
    # Ink level with the bar, give or take its thickness: a line written 10° off level
    # tilts a digit's long bar out of the bar's own rows within a few pens.
    level = mask[max(0, top - thickness): bottom + 1 + thickness].any(axis=0)
    runs = ([_run(level[:a][::-1])] if a > 0 else []) + ([_run(level[b:])] if b < mask.shape[1] else [])
    return max(runs, default=0) <= 2.5 * thickness


def _others(classes: int, joinable: np.ndarray | None) -> np.ndarray:
    """The classes a piece of a touching group is not (operators); none when `joinable` is unset."""
    return np.setdiff1d(np.arange(classes), joinable) if joinable is not None else np.zeros(0, np.int64)


def _whole_score(whole: np.ndarray, width: int, height: int, x_height: float,
                 joinable: np.ndarray | None, bars: np.ndarray | None) -> float:
    """The symbol left whole: read as a digit it may be as wide as a wide digit, as an
    operator wider. Whether it is one symbol is the question, not which: a cross the
    classifier cannot decide between `+` and `×` is still one operator, not two digits.
    Squeezed into 20×20, a minus run into a digit's flag looks a minus; but a one-stroke
    bar (`bars`) is not half an x-height tall."""
    if bars is not None and len(bars) and height > _TALLEST_BAR * x_height:
        whole = whole.copy()
        whole[bars] = 0.0
    widest = _WIDEST_WHOLE_DIGIT if joinable is not None and whole.argmax() in joinable else _WIDEST_SYMBOL
    single = max(float(whole.max()), float(whole[_others(len(whole), joinable)].sum()))
    return float(np.log(max(single, 1e-6))) - _width_penalty(width, x_height, widest)


def split_columns(mask: np.ndarray, x_height: float, classify: Classify | None,
                  joinable: np.ndarray | None = None, image: np.ndarray | None = None,
                  bars: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Column ranges of the pieces: [(0, width)] when the symbol is best left whole.

    `joinable` holds the class indices a piece of a touching group may take (the digits),
    `bars` those of one flat stroke (the minus); `image` is the whole symbol normalized,
    if the caller has it already.
    """
    width = mask.shape[1]
    cuts = candidate_cuts(mask, x_height)
    if not cuts:
        return [(0, width)]
    points = [0] + cuts + [width]
    low, high = 0.2 * x_height, 1.35 * x_height
    segments = [(a, b) for i, a in enumerate(points) for b in points[i + 1:]
                if (low <= b - a <= high) or (a == 0 and b == width)]
    if classify is None:
        pieces = round(width / (0.75 * x_height))
        if pieces < 2:
            return [(0, width)]
        chosen = sorted(sorted(cuts, key=lambda c: mask[:, c].sum())[: pieces - 1])
        bounds = [0] + chosen + [width]
        return list(zip(bounds[:-1], bounds[1:]))
    if joinable is None:
        tall = minus = np.zeros(len(segments), bool)
    else:
        # A digit is full height: a low piece (the tail of a `2`) cannot be one.
        tall = np.array([_ink_height(mask, a, b) >= 0.5 * x_height for a, b in segments])
        # A minus written against a digit is no clutter: it is as welcome as a digit.
        minus = np.array([not is_tall and _minus_meeting(mask, a, b)
                          for (a, b), is_tall in zip(segments, tall)])
    # Two pieces or more score at most two cut penalties below nothing (a piece's
    # log-probability and width penalty are never positive), unless a minus's cut pays
    # none: a whole that scores above that is kept without classifying any piece.
    whole = classify((normalize_glyph(_piece(mask, 0, width)) if image is None else image)[None])[0]
    score = {(0, width): _whole_score(whole, width, mask.shape[0], x_height, joinable, bars)}
    if not minus.any() and score[(0, width)] > -_CUT_PENALTY:
        return [(0, width)]
    pieces = [segment != (0, width) for segment in segments]
    segments, tall, minus = [s for s, piece in zip(segments, pieces) if piece], tall[pieces], minus[pieces]
    if not segments:
        return [(0, width)]
    probabilities = classify(np.stack([normalize_glyph(_piece(mask, a, b)) for a, b in segments]))
    if joinable is None:
        as_digit, as_operator = probabilities.max(axis=1), np.zeros(len(segments))
    else:  # other operators touch a digit through clutter or a tight hand: allowed, at a price
        others = _others(probabilities.shape[1], joinable)
        as_operator = np.where(minus, 1.0, _OPERATOR_PIECE) * probabilities[:, others].max(axis=1, initial=0.0)
        as_digit = probabilities[:, joinable].max(axis=1) * tall
    # The classifier is sure of almost anything squeezed into 20×20; a glyph's width is not:
    # a piece read as a digit may be as wide as a digit, one read as an operator as wide as
    # an operator (a `×` beside the digit it touches). A minus's cut is its own evidence:
    # it pays no cut penalty.
    score.update({(a, b): max(np.log(max(digit, 1e-6)) - _width_penalty(b - a, x_height, _WIDEST_DIGIT),
                              np.log(max(operator, 1e-6)) - _width_penalty(b - a, x_height, _WIDEST_SYMBOL))
                  + _CUT_PENALTY * is_minus
                  for (a, b), digit, operator, is_minus in zip(segments, as_digit, as_operator, minus)})
    best: dict[int, tuple[float, list[tuple[int, int]]]] = {0: (0.0, [])}
    for b in points[1:]:
        options = [(best[a][0] + score[(a, b)] - _CUT_PENALTY, best[a][1] + [(a, b)])
                   for a in points if a < b and a in best and (a, b) in score]
        if options:
            best[b] = max(options, key=lambda o: o[0])
    if width not in best:
        return [(0, width)]
    return best[width][1]
