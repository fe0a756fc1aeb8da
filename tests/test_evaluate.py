"""Exact evaluation: property tests against Fraction trees, errors with positions, formatting."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exprocr.evaluate.expression import evaluate_text
from exprocr.evaluate.format import format_line


def _trees():
    leaves = st.integers(0, 10**6).map(lambda n: (str(n), Fraction(n)))

    def combine(children):
        def build(pair, op):
            (ta, va), (tb, vb) = pair
            if op == "/" and vb == 0:
                return (f"({ta})+({tb})", va + vb)
            value = {"+": va + vb, "-": va - vb, "*": va * vb, "/": va / vb if vb else None}[op]
            return (f"({ta}){op}({tb})", value)
        return st.builds(build, st.tuples(children, children), st.sampled_from("+-*/"))
    return st.recursive(leaves, combine, max_leaves=12)


@given(_trees())
@settings(max_examples=300, deadline=None)
def test_random_trees_evaluate_to_their_fraction_value(tree):
    text, value = tree
    result = evaluate_text(text)
    assert result.status in ("ok", "number")
    assert Fraction(result.value) == value


@given(st.text(alphabet="0123456789+-*/=().x÷× ", max_size=40))
@settings(max_examples=500, deadline=None)
def test_random_garbage_never_raises(text):
    result = evaluate_text(text)
    assert result.status in ("ok", "number", "does not parse", "math error")


@pytest.mark.parametrize("text, value, decimal", [
    ("12+7×3", "33", "33"), ("10÷4", "5/2", "2.5"), ("1÷3", "1/3", "0.3333"),
    ("2(3+4)", "14", "14"), ("-(2+3)*-4", "20", "20"), ("1.5+2.25", "15/4", "3.75"),
    ("2·3", "6", "6"), ("7/8", "7/8", "0.875"),
])
def test_values(text, value, decimal):
    result = evaluate_text(text)
    assert (result.value, result.decimal) == (value, decimal)


@pytest.mark.parametrize("text, status, position", [
    ("7÷0", "math error", 1), ("(1+2", "does not parse", 0), ("1+", "does not parse", 1),
    ("1+2)", "does not parse", 3), ("1=2=3", "does not parse", 3), ("×5", "does not parse", 0),
])
def test_errors_say_what_and_where(text, status, position):
    result = evaluate_text(text)
    assert (result.status, result.position) == (status, position)
    assert result.message


def test_verdicts_and_bare_numbers():
    assert evaluate_text("3+4=7").verdict == "correct"
    wrong = evaluate_text("3+4=8")
    assert (wrong.verdict, wrong.expected) == ("incorrect", "7")
    assert evaluate_text("12+1=").value == "13"
    assert evaluate_text("42").status == "number"


@pytest.mark.parametrize("text, shown", [
    ("12+7×3", "12+7×3 = 33"), ("10÷4", "10÷4 = 5/2 = 2.5"), ("1÷3", "1÷3 = 1/3 ≈ 0.3333"),
    ("3+4=8", "3+4 = 8  ✗ (3+4 = 7)"), ("3+4=7", "3+4 = 7  ✓"), ("42", "42"),
])
def test_human_format(text, shown):
    assert format_line(evaluate_text(text)) == shown


def test_pathological_input_is_fast_and_clean():
    deep = "(" * 5000 + "1" + ")" * 5000
    assert evaluate_text(deep).value == "1"
    long = "+".join(["9" * 1000] * 200)
    assert len(evaluate_text(long).value) > 1000
    assert evaluate_text("(" * 20000).status == "does not parse"
    assert evaluate_text("9" * 6000).status == "does not parse"
