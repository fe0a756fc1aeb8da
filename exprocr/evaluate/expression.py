"""Exact arithmetic on a written line: tokenize, parse, evaluate with Fractions, never `eval`.

The parser is shunting-yard with explicit stacks, so a line of 10,000 glyphs or 5,000 nested
parentheses costs time in proportion to its length and never a RecursionError. Every error
says what is wrong and at which character, as a result, not an exception.
"""

from dataclasses import dataclass
from fractions import Fraction

from exprocr.results import LineResult

TO_ASCII = str.maketrans({"×": "*", "·": "*", "x": "*", "X": "*", "÷": "/", ":": "/", "−": "-",
                          "[": "(", "]": ")", ",": "."})
TO_DISPLAY = str.maketrans({"*": "×", "x": "×", "X": "×", "·": "×"})
_OPERATORS = {"+": 1, "-": 1, "*": 2, "/": 2}
_MAX_DIGITS = 5000  # operands beyond this many digits are refused rather than multiplied


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


def to_ascii(text: str) -> str:
    """Canonical ASCII spelling: digits and `+ - * / = ( ) .`, spaces removed."""
    return "".join(text.translate(TO_ASCII).split())


def to_display(ascii_text: str) -> str:
    """Display spelling: `*` shown as `×`; `/` stays as written."""
    return ascii_text.translate(TO_DISPLAY)


def _tokenize(text: str, offset: int) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isdigit() or ch == ".":
            start = i
            while i < len(text) and (text[i].isdigit() or text[i] == "."):
                i += 1
            literal = text[start:i]
            if literal.count(".") > 1 or literal == ".":
                raise ExpressionError(f"malformed number {literal!r}", offset + start)
            if len(literal) > _MAX_DIGITS:
                raise ExpressionError("number too long", offset + start)
            value = Fraction(literal if not literal.endswith(".") else literal[:-1])
            tokens.append(_Token("number", literal, offset + start, value))
            continue
        if ch in "+-*/":
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
        values.append(left + right)
    elif operator.text == "-":
        values.append(left - right)
    elif operator.text == "*":
        values.append(left * right)
    else:
        if right == 0:
            raise ExpressionError("division by zero", operator.position, "math error")
        values.append(left / right)


def evaluate_ascii(text: str, offset: int = 0) -> Fraction:
    """Value of one side of a line, in canonical ASCII; raises ExpressionError."""
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
                raise ExpressionError(f"'{token.text}' where a number should be", token.position)
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
        raise ExpressionError(f"'{tokens[-1].text}' at the end needs a number after it",
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
    """(exact text, decimal text, decimal is exact): 5/2 → ('5/2', '2.5', True)."""
    if value.denominator == 1:
        return str(value.numerator), str(value.numerator), True
    exact = f"{value.numerator}/{value.denominator}"
    places = _terminating_places(value.denominator)
    if places is not None and places <= 12:
        return exact, _long_decimal(value, places), True
    return exact, _long_decimal(value, 4), False


def _long_decimal(value: Fraction, places: int) -> str:
    """Decimal text rounded half away from zero to `places`, exact for any size."""
    sign = "-" if value < 0 else ""
    scaled = abs(value) * 10 ** places
    units = int(scaled + Fraction(1, 2))
    whole, frac = divmod(units, 10 ** places)
    return f"{sign}{whole}.{frac:0{places}d}".rstrip("0").rstrip(".") if places else f"{sign}{whole}"


def evaluate_text(text: str) -> LineResult:
    """Evaluate a line in display or ASCII spelling: `lhs`, `lhs =` or `lhs = rhs`."""
    ascii_text = to_ascii(text)
    result = LineResult(text=to_display("".join(text.split())), ascii=ascii_text)
    try:
        sides = ascii_text.split("=")
        if len(sides) > 2:
            raise ExpressionError("more than one '='", ascii_text.index("=", len(sides[0]) + 1))
        value = evaluate_ascii(sides[0])
        result.value, result.decimal, _ = format_value(value)
        if len(sides) == 1:
            is_number = all(c.isdigit() or c == "." for c in ascii_text.lstrip("-"))
            result.status = "number" if is_number else "ok"
        elif sides[1] == "":
            result.status = "ok"
        else:
            written = evaluate_ascii(sides[1], len(sides[0]) + 1)
            result.expected = result.value
            result.verdict = "correct" if written == value else "incorrect"
            result.status = "ok"
    except ExpressionError as error:
        result.value = result.decimal = None
        result.status, result.message, result.position = error.status, error.message, error.position
    return result
