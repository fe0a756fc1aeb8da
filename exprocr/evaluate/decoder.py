"""Per-glyph class probabilities → the most probable reading that is a valid expression.

A Viterbi search over a small grammar automaton (number, operator, parenthesis depth, one
`=`): each glyph takes one of its top classes, or is dropped as noise at a high cost, and
geometry adds soft evidence where the classifier cannot see it (a normalized glyph has lost
its size and position). Fixes like `-` → `=` or `1` → `/` happen only when the grammar
needs them; a valid confident reading stays as it is.
"""

import math
from dataclasses import dataclass

from exprocr.evaluate.expression import evaluate_text, to_ascii
from exprocr.results import GlyphResult, LineResult

_CATEGORY = {**{d: "digit" for d in "0123456789"}, ".": "dot", "+": "op", "×": "op", "*": "op",
             "x": "op", "÷": "op", "/": "op", "-": "minus", "(": "open", "[": "open", ")": "close",
             "]": "close", "=": "eq"}
_DISPLAY = {"*": "×", "x": "×", "[": "(", "]": ")"}
_FLOOR = 1e-4
_DROP_SYMBOL = math.log(0.002)  # dropping a classified glyph: only when nothing else parses
_DROP_DOT = math.log(0.15)  # a dot that fits no role is often a speck
_MAX_DEPTH = 64
_BEAM = 48
_LOW_CONFIDENCE = 0.6


@dataclass
class GlyphInput:
    """One glyph as the decoder sees it: top classes and optional geometry."""

    top: list[tuple[str, float]]
    box: tuple[int, int, int, int] | None = None
    kind: str = "symbol"  # "dot": a small round mark, '.' or '×' by position
    rel_height: float | None = None
    rel_width: float | None = None
    rel_y: float | None = None
    aspect: float | None = None
    slant: float | None = None
    parts: int | None = None  # connected ink components: `=` has two, `÷` three
    pen_heights: float | None = None  # ink height in pen widths: `-` is about one


# A state: (last category, parenthesis depth, '=' seen, current number has a '.')
State = tuple[str, int, bool, bool]
_START: State = ("start", 0, False, False)


def _step(state: State, category: str) -> State | None:
    """The automaton: the state after a token of `category`, or None if not allowed."""
    last, depth, seen_eq, has_dot = state
    operand_expected = last in ("start", "op", "eq", "open", "neg")
    if operand_expected:
        if category == "digit":
            return ("digit", depth, seen_eq, False)
        if category == "dot":
            return ("dot", depth, seen_eq, True)
        if category == "open" and depth < _MAX_DEPTH:
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
        if category == "open" and depth < _MAX_DEPTH:  # 2(3+4): implicit multiplication
            return ("open", depth + 1, seen_eq, False)
    return None


def _accepting(state: State) -> bool:
    last, depth, seen_eq, _ = state
    return (last in ("digit", "close") and depth == 0) or (last == "eq" and seen_eq)


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
    if aspect is not None and label == "-" and aspect < 1.5:
        prior -= 2.0 * min(1.0, (1.5 - aspect) / 0.8)
    if rel_y is not None and label in ("-", "=", "+", "×", "÷") and not 0.2 <= rel_y <= 0.85:
        # An operator sits mid-line; a stroke high above or low below it is a flag or a fragment.
        prior -= 8.0 if not 0.1 <= rel_y <= 0.95 else 3.0
    if glyph.parts == 1 and label == "÷":
        prior -= 3.0  # an obelus's dots stand apart from its bar
    if glyph.parts == 1 and label == "=":
        # One unbroken stroke is rarely two bars, unless blur fused them: then it is thicker.
        pens = glyph.pen_heights
        prior -= 8.0 if pens is not None and pens < 1.6 else 2.0 if pens is not None and pens < 2.0 else 0.5
    if slant is not None:  # a `/` leans ~35° (middle half 29–40°), a `1` ~5° (−5–20°)
        if label == "/":
            prior += 0.7 if slant > 25 else -1.5 if slant < 15 else 0.0
        if label == "1":
            prior -= 2.0 if slant > 28 else 0.7 if slant > 22 else 0.0
    return prior


def _dot_options(glyph: GlyphInput) -> list[tuple[str, float, float]]:
    """(label, probability, score) for a small round mark: a decimal point low, a product dot mid-line."""
    rel_y = 0.9 if glyph.rel_y is None else glyph.rel_y
    low = 1.0 / (1.0 + math.exp(-(rel_y - 0.68) * 14))  # near the baseline → decimal point
    options = [(".", low), ("×", (1.0 - low) * (1.0 if 0.25 <= rel_y <= 0.75 else 0.1))]
    return [(label, p, math.log(max(p, _FLOOR))) for label, p in options]


def _is_bar(glyph: GlyphInput) -> bool:
    """One flat stroke, one pen tall, mid-line: a minus whatever the classifier thinks."""
    return (glyph.parts == 1 and glyph.pen_heights is not None and glyph.pen_heights < 1.8
            and glyph.aspect is not None and glyph.aspect >= 1.8
            and glyph.rel_y is not None and 0.25 <= glyph.rel_y <= 0.8)


def _options(glyph: GlyphInput) -> list[tuple[str, float, float]]:
    """Every label a glyph may take: (label, classifier probability, score)."""
    if glyph.kind == "dot":
        return _dot_options(glyph)
    top = list(glyph.top)
    if _is_bar(glyph) and all(label != "-" or p < 0.5 for label, p in top):
        top = [(label, p) for label, p in top if label != "-"] + [("-", 0.5)]
    options = []
    for label, probability in top:
        if label in _CATEGORY:
            score = math.log(max(probability, _FLOOR)) + _geometry_prior(label, glyph)
            options.append((_DISPLAY.get(label, label), probability, score))
    return options


def _viterbi(glyphs: list[GlyphInput]) -> list[tuple[str, float] | None] | None:
    """Best valid labelling (None for a dropped glyph), or None when nothing valid is reachable."""
    beams: dict[State, tuple[float, tuple | None]] = {_START: (0.0, None)}
    for glyph in glyphs:
        options = _options(glyph)
        drop = _DROP_DOT if glyph.kind == "dot" else _DROP_SYMBOL
        following: dict[State, tuple[float, tuple | None]] = {}
        for state, (score, path) in beams.items():
            candidates = [(state, score + drop, (None, path))]
            for label, probability, option_score in options:
                nxt = _step(state, _CATEGORY[label])
                if nxt is not None:
                    candidates.append((nxt, score + option_score, ((label, probability), path)))
            for nxt, total, new_path in candidates:
                if nxt not in following or total > following[nxt][0]:
                    following[nxt] = (total, new_path)
        beams = dict(sorted(following.items(), key=lambda kv: -kv[1][0])[:_BEAM])
    finals = [(score, path) for state, (score, path) in beams.items() if _accepting(state)]
    if not finals:
        return None
    _, path = max(finals, key=lambda f: f[0])
    chosen: list[tuple[str, float] | None] = []
    while path is not None:
        chosen.append(path[0])
        path = path[1]
    return chosen[::-1]


def _argmax(glyphs: list[GlyphInput]) -> list[tuple[str, float] | None]:
    picks: list[tuple[str, float] | None] = []
    for glyph in glyphs:
        options = _options(glyph)
        best = max(options, key=lambda o: o[2]) if options else None
        picks.append((best[0], best[1]) if best else None)
    return picks


def _glyph_result(glyph: GlyphInput, label: str, probability: float) -> GlyphResult:
    alternatives = [(_DISPLAY.get(l, l), p) for l, p in glyph.top if _DISPLAY.get(l, l) != label][:3]
    return GlyphResult(box=glyph.box or (0, 0, 0, 0), label=label, probability=float(probability),
                       alternatives=alternatives, low_confidence=probability < _LOW_CONFIDENCE)


def decode_line(glyphs: list[GlyphInput]) -> LineResult:
    """The most probable valid reading of one line, evaluated; argmax with the reason if none."""
    picks = _viterbi(glyphs)
    valid = picks is not None
    if picks is None:
        picks = _argmax(glyphs)
    kept = [(glyph, pick) for glyph, pick in zip(glyphs, picks) if pick is not None]
    text = "".join(label for _, (label, _) in kept)
    result = evaluate_text(text)
    if not valid and result.status in ("ok", "number"):
        result.status, result.message = "does not parse", "no valid reading"
    result.text = text
    result.ascii = to_ascii(text)
    result.glyphs = [_glyph_result(glyph, label, p) for glyph, (label, p) in kept]
    probabilities = [p for glyph, (_, p) in kept if glyph.kind != "dot" and glyph.top != []]
    result.confidence = (math.exp(sum(math.log(max(p, _FLOOR)) for p in probabilities)
                         / len(probabilities)) if probabilities else 0.0)
    return result
