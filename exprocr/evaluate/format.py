"""A line result as a person reads it: `12+7×3 = 33`, `3+4 = 8  ✗ (3+4 = 7)`."""

from fractions import Fraction

from exprocr.results import LineResult


def _value_text(line: LineResult) -> str:
    """`33`, `5/2 = 2.5` or `1/3 ≈ 0.3333`."""
    if line.value is None:
        return ""
    if "/" not in line.value:
        return line.value
    exact = line.decimal is not None and Fraction(line.decimal) == Fraction(line.value)
    return f"{line.value} {'=' if exact else '≈'} {line.decimal}"


def format_line(line: LineResult) -> str:
    """One line of human output for one written line."""
    if line.status not in ("ok", "number"):
        where = f" at {line.position}" if line.position is not None else ""
        return f"{line.text}  ({line.message or line.status}{where})"
    if line.status == "number":
        return line.text
    if line.verdict is not None:
        lhs, _, rhs = line.text.partition("=")
        if line.verdict == "correct":
            return f"{lhs} = {rhs}  ✓"
        return f"{lhs} = {rhs}  ✗ ({lhs} = {_value_text(line)})"
    lhs = line.text.rstrip("=")
    return f"{lhs} = {_value_text(line)}"
