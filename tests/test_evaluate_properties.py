"""Property tests: printed expression trees evaluate to their Fraction value, with precedence,
unary minus, decimals, implicit multiplication and every spelling; nothing raises."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from exprocr.evaluate.expression import evaluate_text, to_ascii, to_display

# A tree is (text, value, precedence); value None when a division by zero happens anywhere.
ATOM = 3
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_SPELLINGS = {"+": ["+"], "-": ["-", "−"], "*": ["*", "×", "·", "x"], "/": ["/", "÷", ":"]}


def _grouped(tree, needs_group):
    text, value, _ = tree
    return (f"({text})", value, ATOM) if needs_group else tree


def _leaves():
    integers = st.integers(0, 10**6).map(lambda n: (str(n), Fraction(n), ATOM))
    decimals = st.tuples(st.integers(0, 999), st.integers(0, 999)).map(
        lambda p: (f"{p[0]}.{p[1]:03d}", Fraction(f"{p[0]}.{p[1]:03d}"), ATOM))
    return integers | decimals


def _combine(children):
    def binary(left, right, op, spelling_index):
        p = _PRECEDENCE[op]
        left = _grouped(left, left[2] < p)
        right = _grouped(right, right[2] < p or (right[2] == p and op in "-/"))
        values = (left[1], right[1])
        if None in values or (op == "/" and values[1] == 0):
            value = None
        else:
            value = {"+": values[0] + values[1], "-": values[0] - values[1],
                     "*": values[0] * values[1], "/": values[0] / values[1] if values[1] else None}[op]
        spelling = _SPELLINGS[op][spelling_index % len(_SPELLINGS[op])]
        return (f"{left[0]}{spelling}{right[0]}", value, p)

    def negated(child):
        text, value, _ = _grouped(child, child[2] < ATOM or child[0].startswith("-"))
        return (f"-{text}", None if value is None else -value, ATOM)

    def implicit(left, right):  # 2(3+4): a number or a group, then a group
        left = _grouped(left, left[2] < ATOM)
        value = None if None in (left[1], right[1]) else left[1] * right[1]
        return (f"{left[0]}({right[0]})", value, 2)

    return (st.builds(binary, children, children, st.sampled_from("+-*/"), st.integers(0, 3))
            | st.builds(negated, children)
            | st.builds(implicit, children, children))


TREES = st.recursive(_leaves(), _combine, max_leaves=10)


@given(TREES, st.booleans())
@settings(max_examples=400, deadline=None)
def test_printed_trees_evaluate_to_their_value(tree, spaced):
    text, value, _ = tree
    written = " ".join(text) if spaced else text
    result = evaluate_text(written)
    assert result.ascii == to_ascii(text)
    if value is None:
        assert result.status == "math error" and result.message == "division by zero"
        assert result.ascii[result.position] == "/"
        return
    assert result.status in ("ok", "number"), result.message
    assert Fraction(result.value) == value
    decimal = Fraction(result.decimal)
    assert decimal == value or abs(decimal - value) <= abs(value) / 1000


@given(TREES)
@settings(max_examples=150, deadline=None)
def test_equations_are_checked_against_the_left_side(tree):
    text, value, _ = tree
    if value is None:
        return
    right = evaluate_text(f"{text}={value.numerator}/{value.denominator}")
    wrong = evaluate_text(f"{text}={value.numerator + 1}/{value.denominator}")
    assert (right.verdict, wrong.verdict) == ("correct", "incorrect")
    assert right.expected == wrong.expected == right.value


@given(st.text(max_size=60) | st.text(alphabet="0123456789+-*/=().x÷×·:,− \n", max_size=60))
@settings(max_examples=600, deadline=None)
def test_any_string_gives_a_result_and_a_position_inside_it(text):
    result = evaluate_text(text)
    assert result.status in ("ok", "number", "does not parse", "math error")
    assert len(result.text) == len(result.ascii) == len(to_display(text))
    if result.status in ("ok", "number"):
        assert result.value is not None and result.message is None
    else:
        assert result.value is None and result.message
        assert 0 <= result.position <= len(result.ascii)
