"""Per-glyph class probabilities → the most probable reading that is a valid expression.

A beam-limited Viterbi search over a small grammar automaton (number, operator, parenthesis
depth, one `=`): each glyph takes one of its top classes, or is dropped as noise at a high
cost, and geometry adds soft evidence where the classifier cannot see it (a normalized glyph
has lost its size and position). Fixes like `-` → `=` or `1` → `/` happen only when the
grammar or geometry needs them: with geometry unknown, a reading whose per-glyph winners
already form a valid expression as people write it (`--`, a trailing `.`, a number with a
leading zero like `09` and an operand of more than four digits before its point are not) is
returned unchanged.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from exprocr.evaluate.expression import evaluate_text
from exprocr.results import GlyphResult, LineResult

_CATEGORY = {**{d: "digit" for d in "0123456789"}, ".": "dot", "+": "op", "×": "op", "*": "op",
             "x": "op", "÷": "op", "/": "op", "-": "minus", "(": "open", "[": "open", ")": "close",
             "]": "close", "=": "eq"}
_DISPLAY = {"*": "×", "x": "×", "[": "(", "]": ")"}
_FLOOR = 1e-4
_DROP_SYMBOL = math.log(0.002)  # dropping a classified glyph: only when nothing else parses
_DROP_DOT = math.log(0.15)  # a dot that fits no role is often a speck
_BAR_MINUS = 0.8  # how sure a one-pen flat bar mid-line is a minus, whatever the classifier saw
_LEADING_ZERO_COST = -2.0  # log-evidence against a digit written after a number's first `0`
_LONG_OPERAND = 4  # digits before the point that an operand (left of any `=`) seldom exceeds;
_LONG_OPERAND_COST = -1.0  # the log-evidence against each of the next two: a longer number (an
_LONG_OPERAND_CHARGED = 2  # account, a phone number) pays no more, so it is never cut up to save
_BEAM = 48
_LOW_CONFIDENCE = 0.6
_ALTERNATIVES = 3
_GEOMETRY = ("rel_height", "rel_width", "rel_y", "aspect", "slant", "cross_tilt", "pen_heights")


@dataclass
class GlyphInput:
    """One glyph as the decoder sees it: top classes and optional geometry."""

    top: list[tuple[str, float]]
    box: tuple[int, int, int, int] | None = None
    kind: str = "symbol"  # "dot": a small round mark, '.' or '×' by position
    rel_height: float | None = None  # glyph height / line x-height
    rel_width: float | None = None
    rel_y: float | None = None  # vertical centre in the digit band: 0 top, 1 bottom
    aspect: float | None = None  # ink width / height
    slant: float | None = None  # degrees from vertical, positive leaning right
    cross_tilt: float | None = None  # a cross's strokes from the line's axes: `+` ~0°, `×` ~45°
    parts: int | None = None  # connected ink components: `=` has two, `÷` three
    pen_heights: float | None = None  # ink height in pen widths: `-` is about one
    dots: int | None = None  # small parts wholly above or below the main stroke (an obelus's)
    bars: int | None = None  # flat parts stacked one above another (an `=`'s two)


Option = tuple[str, float, float]  # display label, classifier probability, log score
Pick = tuple[str, float] | None  # the label taken and its probability, or None: dropped

# A state: (last category, parenthesis depth, '=' seen, current number has a '.')
State = tuple[str, int, bool, bool]
_START: State = ("start", 0, False, False)
_OPERAND_EXPECTED = ("start", "op", "eq", "open", "neg")


def _step(state: State, category: str) -> State | None:
    """The automaton: the state after a token of `category`, or None if not allowed."""
    last, depth, seen_eq, has_dot = state
    operand_expected = last in _OPERAND_EXPECTED
    if operand_expected:
        if category == "digit":
            return ("digit", depth, seen_eq, False)
        if category == "dot":
            return ("dot", depth, seen_eq, True)
        if category == "open":
            return ("open", depth + 1, seen_eq, False)
        if category == "minus" and last != "neg":
            return ("neg", depth, seen_eq, False)
        return None
    if last == "dot":
        return ("digit", depth, seen_eq, True) if category == "digit" else None
    if last == "digit":
        if category == "digit":
            return ("digit", depth, seen_eq, has_dot)
        if category == "dot" and not has_dot:
            return ("dot", depth, seen_eq, True)
    if last in ("digit", "close"):
        if category in ("op", "minus"):
            return ("op", depth, seen_eq, False)
        if category == "close" and depth > 0:
            return ("close", depth - 1, seen_eq, False)
        if category == "eq" and not seen_eq and depth == 0:
            return ("eq", 0, True, False)
        if category == "open":  # 2(3+4): implicit multiplication
            return ("open", depth + 1, seen_eq, False)
    return None


def _accepting(state: State) -> bool:
    last, depth, seen_eq, _ = state
    return (last in ("digit", "close") and depth == 0) or (last == "eq" and seen_eq)


def _ramp(value: float, start: float, width: float) -> float:
    """0 at `start`, rising linearly to 1 at `start + width`, flat beyond."""
    return min(1.0, max(0.0, (value - start) / width))


def _geometry_prior(label: str, glyph: GlyphInput) -> float:
    """Soft log-evidence from size, shape, slant and position that a 32×32 glyph has lost."""
    prior = 0.0
    height, aspect, rel_y, slant = glyph.rel_height, glyph.aspect, glyph.rel_y, glyph.slant
    category = _CATEGORY.get(label)
    if height is not None:
        if label == "-" and height > 0.45:
            prior -= 3.0 * min(1.0, (height - 0.45) / 0.3)
        if category == "digit" and height < 0.4:
            prior -= 3.0 * min(1.0, (0.4 - height) / 0.2)
            # A mark a fifth of the digits' height or less is a speck, not a digit: dropping
            # it (log 0.002) must cost less than any digit reading of it.
            prior -= 5.0 * _ramp(0.2 - height, 0.0, 0.1)
    if height is not None and label in ("(", ")"):
        # A parenthesis encloses what it holds: written taller than the digits (on photosynth's
        # photos 95% are 1.05 digits or more); a stroke no taller than a digit is a `1`.
        prior -= 3.0 * _ramp(1.05 - height, 0.0, 0.05)
    if aspect is not None and label == "-" and aspect < 1.5:
        prior -= 2.0 * min(1.0, (1.5 - aspect) / 0.8)
    if rel_y is not None and label in ("-", "=", "+", "×", "÷") and not 0.2 <= rel_y <= 0.85:
        # An operator sits mid-line; a stroke high above or low below it is a flag or a fragment.
        prior -= 8.0 if not 0.1 <= rel_y <= 0.95 else 3.0
    if glyph.parts is not None and glyph.parts >= 3 and label == "+":
        # A plus is two strokes: crossing (one piece) or, lifted, two; three is an obelus.
        prior -= 2.0
    if glyph.dots and label in ("÷", "+"):
        # A dot clear of the bar, above or below it: a `+` lifted between strokes has none.
        prior += 1.5 if label == "÷" else -1.5
    if glyph.bars is not None and glyph.bars >= 2:
        # Two flat strokes, one above the other, are an `=`, however thick a pen fused its look.
        prior += 1.5 if label == "=" else -3.0 if category == "digit" else 0.0
    if glyph.parts == 1 and label == "=":
        # One unbroken stroke is rarely two bars, unless blur fused them: then it is thicker.
        pens = glyph.pen_heights
        prior -= 8.0 if pens is not None and pens < 1.4 else 2.0 if pens is not None and pens < 2.0 else 0.5
    if glyph.cross_tilt is not None and label in ("+", "×"):
        # Of real-dev's crosses (as is and turned +4°/−6°), every `+` lies within 15.3° of its
        # line's axes and 95% of the `×` beyond 29° (the lowest, a small `×` with an upright
        # arm, at 6°).
        tilt = glyph.cross_tilt
        prior -= 3.0 * (_ramp(18.0 - tilt, 0.0, 8.0) if label == "×" else _ramp(tilt - 27.0, 0.0, 8.0))
    if slant is not None:  # a `/` leans ~35° (middle half 29–40°), a `1` ~5° (−5–20°)
        if label == "/":
            prior += 0.7 if slant > 25 else -1.5 if slant < 15 else 0.0
        if label == "1":
            prior -= 2.0 if slant > 28 else 0.7 if slant > 22 else 0.0
        if height is not None and label in ("/", "1"):
            # A slash reaches above and below the digits, print and handwriting alike; a `1`
            # written that tall stands upright (of real-dev's 121 1s, none was both taller
            # than 1.1 digits and leaning past 15°).
            tall_leaning = _ramp(height, 1.05, 0.15) * _ramp(slant, 10.0, 10.0)
            prior += 2.5 * tall_leaning if label == "/" else -1.0 * tall_leaning
    return prior


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _dot_options(glyph: GlyphInput) -> list[Option]:
    """A small round mark: a decimal point near the baseline, a product dot mid-line."""
    rel_y = 0.9 if glyph.rel_y is None else glyph.rel_y
    low = _sigmoid((rel_y - 0.68) * 14)
    options = [(".", low), ("×", (1.0 - low) * (1.0 if 0.25 <= rel_y <= 0.75 else 0.1))]
    return [(label, p, math.log(max(p, _FLOOR))) for label, p in options]


def _is_bar(glyph: GlyphInput) -> bool:
    """One flat stroke, one pen tall, mid-line: a minus whatever the classifier thinks."""
    return (glyph.parts == 1 and glyph.pen_heights is not None and glyph.pen_heights < 1.8
            and glyph.aspect is not None and glyph.aspect >= 1.5
            and glyph.rel_y is not None and 0.25 <= glyph.rel_y <= 0.8)


def _options(glyph: GlyphInput) -> list[Option]:
    """Every label a glyph may take; labels outside the grammar are ignored."""
    if glyph.kind == "dot":
        return _dot_options(glyph)
    top = list(glyph.top)
    if _is_bar(glyph) and all(label != "-" or p < 0.5 for label, p in top):
        top = [(label, p) for label, p in top if label != "-"] + [("-", _BAR_MINUS)]
    options = []
    for label, probability in top:
        if label in _CATEGORY:
            score = math.log(max(probability, _FLOOR)) + _geometry_prior(label, glyph)
            options.append((_DISPLAY.get(label, label), probability, score))
    return options


def _probability(value: object) -> float:
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return min(1.0, max(0.0, p)) if math.isfinite(p) else 0.0


def _measure(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _clean(glyph: GlyphInput) -> GlyphInput:
    """Probabilities clipped to [0, 1], non-finite geometry treated as unknown."""
    top = [(str(label), _probability(p)) for label, p in glyph.top]
    geometry = {name: _measure(getattr(glyph, name)) for name in _GEOMETRY}
    return replace(glyph, top=top, **geometry)


def _viterbi(glyphs: list[GlyphInput], options: list[list[Option]]) -> list[Pick] | None:
    """Best valid labelling, or None when no state the beam kept accepts. Each state also
    knows whether the number being read is so far a lone `0`, and how many digits it has
    before its point."""
    Key = tuple[State, bool, int]
    beams: dict[Key, tuple[float, tuple | None]] = {(_START, False, 0): (0.0, None)}
    for glyph, choices in zip(glyphs, options):
        drop = _DROP_DOT if glyph.kind == "dot" else _DROP_SYMBOL
        following: dict[Key, tuple[float, tuple | None]] = {}
        for (state, lone_zero, digits), (score, path) in beams.items():
            candidates = [((state, lone_zero, digits), score + drop, (None, path))]
            for label, probability, option_score in choices:
                nxt = _step(state, _CATEGORY[label])
                if nxt is None:
                    continue
                last, _, seen_eq, after_point = nxt
                # Nobody writes `09` or `007`: a digit after a number's lone `0` costs.
                cost = _LEADING_ZERO_COST if lone_zero and last == "digit" else 0.0
                opens_with_zero = label == "0" and state[0] in _OPERAND_EXPECTED
                # `6/1823` read `611823`: an operand of five or six digits costs.
                whole_digits = (min(digits + 1, _LONG_OPERAND + _LONG_OPERAND_CHARGED)
                                if last == "digit" and not after_point else 0)
                if whole_digits > max(digits, _LONG_OPERAND) and not seen_eq:
                    cost += _LONG_OPERAND_COST
                candidates.append(((nxt, opens_with_zero, whole_digits), score + option_score + cost,
                                   ((label, probability), path)))
            for nxt, total, new_path in candidates:
                if nxt not in following or total > following[nxt][0]:
                    following[nxt] = (total, new_path)
        beams = dict(sorted(following.items(), key=lambda kv: -kv[1][0])[:_BEAM])
    finals = [(score, path) for (state, *_), (score, path) in beams.items() if _accepting(state)]
    if not finals:
        return None
    _, path = max(finals, key=lambda f: f[0])
    chosen: list[Pick] = []
    while path is not None:  # the path is a linked list (pick, previous), newest first
        chosen.append(path[0])
        path = path[1]
    return chosen[::-1]


def _argmax(options: list[list[Option]]) -> list[Pick]:
    """Each glyph's best label on its own, grammar ignored."""
    return [(best[0], best[1]) if (best := max(choices, key=lambda o: o[2], default=None)) else None
            for choices in options]


def _glyph_result(glyph: GlyphInput, choices: list[Option], label: str, probability: float) -> GlyphResult:
    alternatives: dict[str, float] = {}
    for other, p, _ in sorted(choices, key=lambda o: -o[1]):
        if other != label and other not in alternatives and len(alternatives) < _ALTERNATIVES:
            alternatives[other] = p
    return GlyphResult(box=glyph.box or (0, 0, 0, 0), label=label, probability=probability,
                       alternatives=list(alternatives.items()),
                       low_confidence=probability < _LOW_CONFIDENCE)


def _confidence(glyphs: list[GlyphInput], picks: list[Pick]) -> float:
    """Geometric mean, over classified glyphs, of the chosen label's probability.

    A dropped glyph counts with the chance that it was not what the classifier said, so a
    reading that had to discard ink is never reported as sure. Dots carry no classifier
    probability and do not count.
    """
    factors = []
    for glyph, pick in zip(glyphs, picks):
        if glyph.kind == "dot" or not glyph.top:
            continue
        factors.append(pick[1] if pick is not None else 1.0 - max(p for _, p in glyph.top))
    if not factors:
        return 0.0
    return math.exp(sum(math.log(max(p, _FLOOR)) for p in factors) / len(factors))


def decode_line(glyphs: Sequence[GlyphInput]) -> LineResult:
    """The most probable valid reading of one line, evaluated; argmax with the reason if none.

    Never raises for any glyph list: bad probabilities and geometry are cleaned first.
    """
    cleaned = [_clean(glyph) for glyph in glyphs]
    options = [_options(glyph) for glyph in cleaned]
    picks = _viterbi(cleaned, options)
    valid = picks is not None
    if picks is None:
        picks = _argmax(options)
    text = "".join(pick[0] for pick in picks if pick is not None)
    result = evaluate_text(text)
    if not valid and result.status != "does not parse":
        result = replace(result, status="does not parse", message="no reading is a valid expression",
                         position=None, value=None, decimal=None, verdict=None, expected=None)
    result.glyphs = [_glyph_result(glyph, choices, *pick)
                     for glyph, choices, pick in zip(cleaned, options, picks) if pick is not None]
    result.confidence = _confidence(cleaned, picks)
    return result
