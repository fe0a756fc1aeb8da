"""Exact arithmetic on a written line: tokenize, parse, evaluate with Fractions, never `eval`.

The parser is shunting-yard with explicit stacks, so a line of 10,000 glyphs or 5,000 nested
parentheses costs time in proportion to its length and never a RecursionError. Numbers and
results are capped in size so one line cannot cost minutes of big-integer work (and stays
under Python's 4,300-digit limit on int ↔ str). Every error says what is wrong and at which
character of the ASCII spelling, as a result, not an exception.
"""

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from exprocr.results import LineResult

# One character in, one character out: display and ASCII spellings keep the same positions.
_ASCII_OF = str.maketrans({"×": "*", "·": "*", "⋅": "*", "∗": "*", "x": "*", "X": "*", "÷": "/",
                           ":": "/", "∕": "/", "−": "-", "–": "-", "[": "(", "]": ")", ",": "."})
_DISPLAY_OF = str.maketrans({"*": "×", "·": "×", "⋅": "×", "∗": "×", "x": "×", "X": "×", ":": "÷",
                             "∕": "/", "−": "-", "–": "-", "[": "(", "]": ")"})
_OPERATORS = {"+": 1, "-": 1, "*": 2, "/": 2}
MAX_DIGITS = 4000  # longest number written or computed; Python refuses int↔str beyond 4,300
_MAX_BITS = math.ceil(MAX_DIGITS * math.log2(10))
_EXACT_PLACES = 12  # a terminating decimal up to this many places is shown exactly
_APPROX_DIGITS = 4  # otherwise this many decimals (significant ones when below 1)
_SCIENTIFIC_BELOW = 30  # values with more leading zeros than this are shown as 1.234e-31
_NUMBER = re.compile(r"-?([0-9]+\.?[0-9]*|\.[0-9]+)")
_DIGIT_RUN = re.compile(r"[0-9.]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class ExpressionError(Exception):
    """What is wrong with a line, and where (0-based index into the ASCII text)."""

    def __init__(self, message: str, position: int, status: str = "does not parse") -> None:
        super().__init__(message)
        self.message, self.position, self.status = message, position, status


@dataclass
class _Token:
    kind: str  # "number", "op", "neg", "(", ")"
    text: str
    position: int
    value: Fraction | None = None


def _spelled(text: str, table: dict[int, str]) -> str:
    """Whitespace removed, symbols respelled one for one, Arabic-Indic or full-width digits as
    ASCII ('²' is not a decimal digit and stays, to be reported)."""
    return _NON_ASCII.sub(_ascii_digit, "".join(text.split()).translate(table))


def _ascii_digit(match: re.Match) -> str:
    return str(int(match.group())) if match.group().isdecimal() else match.group()


def to_ascii(text: str) -> str:
    """Canonical ASCII spelling: digits and `+ - * / = ( ) .`, whitespace removed."""
    return _spelled(text, _ASCII_OF)


def to_display(text: str) -> str:
    """Display spelling: `*` shown as `×`, `/` and `÷` as written, whitespace removed."""
    return _spelled(text, _DISPLAY_OF)


def _shown(ascii_text: str) -> str:
    return ascii_text.replace("*", "×")


def _tokenize(text: str, offset: int) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        run = _DIGIT_RUN.match(text, i)
        if run:
            start, i = i, run.end()
            literal = run.group()
            if literal.count(".") > 1 or literal == ".":
                raise ExpressionError(f"malformed number {literal!r}", offset + start)
            if len(literal) > MAX_DIGITS:
                raise ExpressionError(f"number longer than {MAX_DIGITS} digits", offset + start)
            tokens.append(_Token("number", literal, offset + start, Fraction(literal.rstrip("."))))
            continue
        if ch in _OPERATORS:
            unary = ch == "-" and (not tokens or tokens[-1].kind in ("op", "neg", "("))
            tokens.append(_Token("neg" if unary else "op", ch, offset + i))
        elif ch == "(":
            if tokens and tokens[-1].kind in ("number", ")"):  # 2(3+4): implicit multiplication
                tokens.append(_Token("op", "*", offset + i))
            tokens.append(_Token("(", ch, offset + i))
        elif ch == ")":
            tokens.append(_Token(")", ch, offset + i))
        else:
            raise ExpressionError(f"unexpected character {ch!r}", offset + i)
        i += 1
    return tokens


def _apply(operator: _Token, values: list[Fraction]) -> None:
    if operator.kind == "neg":
        values.append(-values.pop())
        return
    right, left = values.pop(), values.pop()
    if operator.text == "+":
        result = left + right
    elif operator.text == "-":
        result = left - right
    elif operator.text == "*":
        result = left * right
    elif right == 0:
        raise ExpressionError("division by zero", operator.position, "math error")
    else:
        result = left / right
    if max(result.numerator.bit_length(), result.denominator.bit_length()) > _MAX_BITS:
        raise ExpressionError(f"result longer than {MAX_DIGITS} digits", operator.position,
                              "math error")
    values.append(result)


def evaluate_ascii(text: str, offset: int = 0) -> Fraction:
    """Value of one side of a line in canonical ASCII; raises ExpressionError.

    `offset` is added to every reported position (the right side starts after the '=').
    """
    tokens = _tokenize(text, offset)
    if not tokens:
        raise ExpressionError("nothing to evaluate", offset)
    values: list[Fraction] = []
    operators: list[_Token] = []
    expect_operand = True
    for token in tokens:
        if expect_operand:
            if token.kind == "number":
                values.append(token.value)  # type: ignore[arg-type]
                expect_operand = False
            elif token.kind in ("neg", "("):
                operators.append(token)
            else:
                raise ExpressionError(f"'{_shown(token.text)}' where a number should be", token.position)
        elif token.kind == "op":
            precedence = _OPERATORS[token.text]
            while operators and operators[-1].kind != "(" and (
                    operators[-1].kind == "neg" or _OPERATORS[operators[-1].text] >= precedence):
                _apply(operators.pop(), values)
            operators.append(token)
            expect_operand = True
        elif token.kind == ")":
            while operators and operators[-1].kind != "(":
                _apply(operators.pop(), values)
            if not operators:
                raise ExpressionError("')' without a matching '('", token.position)
            operators.pop()
        else:
            raise ExpressionError(f"'{token.text}' where an operator should be", token.position)
    if expect_operand:
        raise ExpressionError(f"'{_shown(tokens[-1].text)}' at the end needs a number after it",
                              tokens[-1].position)
    while operators:
        operator = operators.pop()
        if operator.kind == "(":
            raise ExpressionError("'(' is never closed", operator.position)
        _apply(operator, values)
    return values[0]


def _terminating_places(denominator: int) -> int | None:
    """Decimal places of p/denominator when it terminates, else None."""
    counts = []
    for prime in (2, 5):
        count = 0
        while denominator % prime == 0:
            denominator //= prime
            count += 1
        counts.append(count)
    return max(counts) if denominator == 1 else None


def format_value(value: Fraction) -> tuple[str, str, bool]:
    """(exact text, decimal text, decimal is exact): 5/2 → ('5/2', '2.5', True).

    A repeating or long decimal is rounded to 4 decimals, or 4 significant digits below 1
    (1/30000 → 0.00003333), and written as 3.333e-31 when it is smaller still.
    """
    if value.denominator == 1:
        return str(value.numerator), str(value.numerator), True
    exact = f"{value.numerator}/{value.denominator}"
    places = _terminating_places(value.denominator)
    if places is not None and places <= _EXACT_PLACES:
        return exact, _rounded(value, places), True
    zeros = _leading_zeros(abs(value))
    if zeros > _SCIENTIFIC_BELOW:
        return exact, _scientific(value), False
    return exact, _rounded(value, zeros + _APPROX_DIGITS), False


def _leading_zeros(magnitude: Fraction) -> int:
    """Zeros between the decimal point and the first significant digit (0 for values ≥ 0.1)."""
    zeros = 0
    while magnitude * 10 ** (zeros + 1) < 1 and zeros <= _SCIENTIFIC_BELOW:
        zeros += 1
    return zeros


def _rounded(value: Fraction, places: int) -> str:
    """Decimal text rounded half away from zero to `places`, trailing zeros dropped."""
    sign = "-" if value < 0 else ""
    units = int(abs(value) * 10 ** places + Fraction(1, 2))
    whole, fraction = divmod(units, 10 ** places)
    if places == 0 or fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:0{places}d}".rstrip("0")


def _scientific(value: Fraction) -> str:
    """`3.333e-31`: four significant digits and a power of ten, computed exactly."""
    magnitude = abs(value)
    exponent = len(str(magnitude.numerator)) - len(str(magnitude.denominator))
    if magnitude < Fraction(10) ** exponent:
        exponent -= 1
    mantissa = _rounded(magnitude / Fraction(10) ** exponent, _APPROX_DIGITS - 1)
    if mantissa == "10":  # 9.9996e-40 rounds up to the next power
        mantissa, exponent = "1", exponent + 1
    return f"{'-' if value < 0 else ''}{mantissa}e{exponent}"


def evaluate_text(text: str) -> LineResult:
    """Evaluate a line in display or ASCII spelling: `lhs`, `lhs =` or `lhs = rhs`.

    Never raises for any string: what is wrong comes back as status, message and position.
    """
    ascii_text = to_ascii(text)
    result = LineResult(text=to_display(text), ascii=ascii_text)
    try:
        sides = ascii_text.split("=")
        if len(sides) > 2:
            raise ExpressionError("more than one '='", len(sides[0]) + 1 + len(sides[1]))
        value = evaluate_ascii(sides[0])
        result.value, result.decimal, _ = format_value(value)
        if len(sides) == 1:
            result.status = "number" if _NUMBER.fullmatch(ascii_text) else "ok"
        elif sides[1]:
            written = evaluate_ascii(sides[1], len(sides[0]) + 1)
            result.expected = result.value
            result.verdict = "correct" if written == value else "incorrect"
    except ExpressionError as error:
        result.value = result.decimal = result.expected = result.verdict = None
        result.status, result.message, result.position = error.status, error.message, error.position
    return result
