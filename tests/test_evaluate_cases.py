"""Evaluator cases: spellings, size limits, how values are written, and the human line."""

import time

import pytest

from exprocr.evaluate.expression import MAX_DIGITS, evaluate_text
from exprocr.evaluate.format import format_line


@pytest.mark.parametrize("written, display, ascii_text", [
    ("12×3÷4", "12×3÷4", "12*3/4"), ("12*3/4", "12×3/4", "12*3/4"), ("2·3", "2×3", "2*3"),
    ("−3 + 4", "-3+4", "-3+4"), ("[1+2]x3", "(1+2)×3", "(1+2)*3"), ("١٢+٣", "12+3", "12+3"),
    ("８÷２", "8÷2", "8/2"),
])
def test_spellings(written, display, ascii_text):
    result = evaluate_text(written)
    assert (result.text, result.ascii) == (display, ascii_text)
    assert result.status in ("ok", "number")


@pytest.mark.parametrize("text, status", [
    ("-5", "number"), ("3.25", "number"), (".5", "number"), ("--5", "ok"), ("(5)", "ok"), ("5=", "ok"),
])
def test_a_bare_number_is_told_from_an_expression(text, status):
    assert evaluate_text(text).status == status


@pytest.mark.parametrize("text, message, position", [
    ("3²", "unexpected character '²'", 1), ("3=1+", "'+' at the end needs a number after it", 3),
    ("1.2.3", "malformed number '1.2.3'", 0), ("2×(×3)", "'×' where a number should be", 3),
    ("(1)2", "'2' where an operator should be", 3), ("5=2÷(1-1)", "division by zero", 3),
])
def test_errors_name_the_problem_and_its_character(text, message, position):
    result = evaluate_text(text)
    assert (result.message, result.position) == (message, position)
    assert result.value is None and result.verdict is None


@pytest.mark.parametrize("text, value, decimal", [
    ("1÷8", "1/8", "0.125"), ("-2÷3", "-2/3", "-0.6667"), ("1÷30000", "1/30000", "0.00003333"),
    ("1÷8192", "1/8192", "0.0001221"),  # terminates after 13 places: rounded, not exact
    ("100000÷3", "100000/3", "33333.3333"), ("0.1+0.2", "3/10", "0.3"),
    ("1÷(3×" + "1" + "0" * 40 + ")", "1/3" + "0" * 40, "3.333e-41"),
])
def test_values_are_exact_and_decimals_readable(text, value, decimal):
    result = evaluate_text(text)
    assert (result.value, result.decimal) == (value, decimal)


@pytest.mark.parametrize("text, shown", [
    ("7÷0", "7÷0  (division by zero at 1)"), ("12+1=", "12+1 = 13"),
    ("1.5+2.25", "1.5+2.25 = 15/4 = 3.75"), ("2-5", "2-5 = -3"), ("-7", "-7"),
    ("1÷3=0.33", "1÷3 = 0.33  ✗ (1÷3 = 1/3 ≈ 0.3333)"), ("1+", "1+  ('+' at the end needs a number after it at 1)"),
])
def test_human_lines(text, shown):
    assert format_line(evaluate_text(text)) == shown


def test_numbers_and_results_beyond_the_size_limit_are_refused_not_crashed():
    fits = evaluate_text("9" * MAX_DIGITS + "+1")
    assert fits.status == "ok" and fits.value == "1" + "0" * MAX_DIGITS
    too_long = evaluate_text("9" * (MAX_DIGITS + 1))
    assert (too_long.status, too_long.position) == ("does not parse", 0)
    huge = "9" * 1000
    too_large = evaluate_text("×".join([huge] * 6))
    assert too_large.status == "math error" and too_large.message.startswith("result longer than")
    assert too_large.ascii[too_large.position] == "*"


def test_ten_thousand_tokens_of_big_numbers_stay_fast():
    line = "+".join(["9" * 1000] * 5000) + "÷" + "7" * 1000
    start = time.perf_counter()
    result = evaluate_text(line)
    assert time.perf_counter() - start < 5.0
    assert result.status == "ok"
