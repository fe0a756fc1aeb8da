"""The one result tree every caller and exporter walks: file → lines → glyphs."""

from dataclasses import asdict, dataclass, field
from typing import Any

Box = tuple[int, int, int, int]  # x, y, width, height in original-image pixels


@dataclass
class GlyphResult:
    """One read symbol with its box, winning label and probability, and runner-up labels."""

    box: Box
    label: str
    probability: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    low_confidence: bool = False


@dataclass
class LineResult:
    """One written line: what it says, what it is worth, and how sure we are.

    status: "ok" (evaluated or checked), "number" (a bare number), "does not parse",
    "math error" (e.g. division by zero). `message` and `position` (0-based character index
    in `ascii`) say what is wrong when status is not ok.
    verdict: None, "correct" or "incorrect" for a written `lhs = rhs`; `expected` is then the
    correct value of lhs.
    """

    text: str
    ascii: str
    value: str | None = None
    decimal: str | None = None
    verdict: str | None = None
    expected: str | None = None
    status: str = "ok"
    message: str | None = None
    position: int | None = None
    confidence: float = 0.0
    glyphs: list[GlyphResult] = field(default_factory=list)
    box: Box | None = None


@dataclass
class ReadResult:
    """Everything read from one image (or why it could not be read)."""

    file: str | None
    error: str | None = None
    lines: list[LineResult] = field(default_factory=list)
    width: int = 0
    height: int = 0
    rotation: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (tuples become lists)."""
        return asdict(self)
