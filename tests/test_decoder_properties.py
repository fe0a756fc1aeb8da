"""Decoder properties: a valid reading whose every glyph wins is returned as is; any glyph list,
however broken, gives a consistent result and never an exception."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from exprocr.evaluate.decoder import GlyphInput, decode_line
from exprocr.evaluate.expression import evaluate_text, to_ascii

CLASSES = list("0123456789") + ["+", "-", "×", "÷", "/", "=", "(", ")"]


def _numbers():
    digits = st.text("0123456789", min_size=1, max_size=4)
    written = digits.filter(lambda d: len(d) == 1 or d[0] != "0")  # nobody writes `09`
    return st.tuples(written, st.none() | digits).map(lambda p: p[0] + ("." + p[1] if p[1] else ""))


def _combine(children):
    def binary(a, op, b):
        return f"{a}{op}{b}"

    def implicit(a, b):  # a number or group before '(' multiplies
        return f"{a}({b})" if a[-1].isdigit() or a[-1] == ")" else f"({a})({b})"

    return (st.builds(binary, children, st.sampled_from("+-×÷/"), children)
            | children.map(lambda a: f"({a})")
            | children.filter(lambda a: not a.startswith("-")).map(lambda a: f"-{a}")
            | st.builds(implicit, children, children))


SIDES = st.recursive(_numbers(), _combine, max_leaves=8).filter(lambda t: "--" not in t)
LINES = st.tuples(SIDES, st.sampled_from(["", "=", "=rhs"]), SIDES).map(
    lambda p: p[0] + {"": "", "=": "=", "=rhs": "=" + p[2]}[p[1]])


@st.composite
def _glyphs_for(draw, text):
    """Glyphs whose winning class is the written one, with weaker rivals; dots sometimes as dots."""
    glyphs = []
    for ch in text:
        if ch == "." and draw(st.booleans()):
            glyphs.append(GlyphInput(top=[], kind="dot", rel_y=draw(st.none() | st.floats(0.85, 1.1))))
            continue
        p = draw(st.floats(0.3, 1.0))
        rivals = draw(st.lists(st.sampled_from([c for c in CLASSES if c != ch]), max_size=3, unique=True))
        shares = [p * draw(st.floats(0.0, 0.98)) for _ in rivals]
        scale = min(1.0, (1 - p) / sum(shares)) if sum(shares) > 0 else 1.0
        glyphs.append(GlyphInput(top=[(ch, p)] + [(r, s * scale) for r, s in zip(rivals, shares)]))
    return glyphs


@given(st.data(), LINES)
@settings(max_examples=150, deadline=None)
def test_a_valid_reading_of_winners_is_returned_unchanged(data, text):
    glyphs = data.draw(_glyphs_for(text))
    line = decode_line(glyphs)
    expected = evaluate_text(text)
    assert line.ascii == to_ascii(text)
    assert (line.status, line.value, line.verdict) == (expected.status, expected.value, expected.verdict)
    assert [g.label for g in line.glyphs] == list(line.text)


_ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)
_LABELS = st.sampled_from(CLASSES + ["*", "x", ".", "[", "]", "?", "", "plus"])
_GLYPHS = st.builds(
    GlyphInput,
    top=st.lists(st.tuples(_LABELS, _ANY_FLOAT | st.floats(0, 1)), max_size=4),
    kind=st.sampled_from(["symbol", "dot"]),
    rel_height=st.none() | _ANY_FLOAT, rel_y=st.none() | _ANY_FLOAT | st.floats(-1, 2),
    aspect=st.none() | _ANY_FLOAT, slant=st.none() | _ANY_FLOAT | st.floats(-60, 60),
    parts=st.none() | st.integers(0, 4), pen_heights=st.none() | _ANY_FLOAT,
)


@given(st.lists(_GLYPHS, max_size=25))
@settings(max_examples=200, deadline=None)
def test_any_glyphs_give_a_consistent_result(glyphs):
    line = decode_line(glyphs)
    assert line.status in ("ok", "number", "does not parse", "math error")
    assert 0.0 <= line.confidence <= 1.0 and not math.isnan(line.confidence)
    assert [g.label for g in line.glyphs] == list(line.text)
    assert line.ascii == to_ascii(line.text)
    assert all(0.0 <= g.probability <= 1.0 for g in line.glyphs)
    if line.status != "does not parse":
        again = evaluate_text(line.text)
        assert (again.status, again.value, again.verdict) == (line.status, line.value, line.verdict)
