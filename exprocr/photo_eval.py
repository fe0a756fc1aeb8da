"""How well photos were read against their labels: line-exact, photo-exact, CER, value accuracy.

Labels are a TSV `file<TAB>expression` in canonical ASCII, several written lines joined by
` | ` (an empty expression: a photo with no writing). Lines are compared in reading order;
a missing or extra line counts as wrong. Shared by `exprocr evaluate photos` and the
benchmarks, so every figure in the project is computed one way.
"""

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from exprocr.errors import DataError
from exprocr.evaluate.expression import evaluate_text, to_ascii
from exprocr.results import ReadResult


def load_labels(path: str | Path) -> dict[str, str]:
    """file name → expected lines joined by ` | `, each in canonical ASCII.

    A header line `file<TAB>expression`, blank lines and `#` comments are skipped; a file
    labelled twice is an error (which label would be right?).
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read labels ({getattr(exc, 'strerror', None) or exc})") from None
    labels: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, tab, expression = line.partition("\t")
        name = name.strip()
        if not tab or not name:
            raise DataError(f"{path}:{number}: expected 'file<TAB>expression'")
        if not labels and name.lower() == "file":  # the header
            continue
        if name in labels:
            raise DataError(f"{path}:{number}: {name} is labelled twice")
        labels[name] = " | ".join(_expected_lines(expression))
    return labels


def _expected_lines(label: str) -> list[str]:
    return [to_ascii(part) for part in label.split("|")] if label.strip() else []


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, O(len(a)·len(b)) time and O(len(b)) memory."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass
class PhotoRow:
    """One photo's reading next to its label, with its own counts."""

    file: str
    expected: list[str]
    read: list[str]
    error: str | None = None
    lines_exact: int = 0  # expected lines read exactly, at their place
    valued: int = 0  # expected lines that have a value (`7/0` has none)
    values_right: int = 0  # of those, lines whose read value equals the label's value
    edits: int = 0  # character edits from the reading to the label (extra lines included)

    @property
    def exact(self) -> bool:
        return self.error is None and self.read == self.expected

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"exact": self.exact}


@dataclass
class PhotoScore:
    """The figures over a labelled folder, and the rows they came from."""

    n: int = 0
    lines: int = 0
    line_exact: float = 0.0
    photo_exact: float = 0.0
    cer: float = 0.0
    value_accuracy: float = 0.0
    rows: list[PhotoRow] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        return {"n": self.n, "lines": self.lines, "line_exact": self.line_exact,
                "photo_exact": self.photo_exact, "cer": self.cer,
                "value_accuracy": self.value_accuracy}


def _value(ascii_text: str) -> str | None:
    return evaluate_text(ascii_text).value if ascii_text else None


def score_row(name: str, label: str, result: ReadResult | None) -> PhotoRow:
    """One photo: its reading (none or an error: nothing read) against its label."""
    expected = _expected_lines(label)
    read = [line.ascii for line in result.lines] if result is not None and result.error is None else []
    row = PhotoRow(name, expected, read, result.error if result is not None else "not read")
    for k, want in enumerate(expected):
        got = read[k] if k < len(read) else ""
        row.lines_exact += got == want
        value, wanted = _value(got), _value(want)
        row.valued += wanted is not None
        row.values_right += wanted is not None and value == wanted
        row.edits += edit_distance(got, want)
    row.edits += sum(len(extra) for extra in read[len(expected):])
    return row


def score_photos(results: dict[str, ReadResult], labels: dict[str, str]) -> PhotoScore:
    """Compare readings with labels, photo by photo, line by line, in label order.

    line_exact is over expected lines, value_accuracy over expected lines that have a value
    (a label like `7/0` has none), photo_exact over photos, and cer is all character edits
    over all expected characters.
    """
    rows = [score_row(name, label, results.get(name)) for name, label in labels.items()]
    lines = sum(len(row.expected) for row in rows)
    characters = sum(len(line) for row in rows for line in row.expected)
    score = PhotoScore(n=len(rows), lines=lines, rows=rows)
    if rows:
        score.photo_exact = sum(row.exact for row in rows) / len(rows)
    if lines:
        score.line_exact = sum(row.lines_exact for row in rows) / lines
        score.value_accuracy = sum(row.values_right for row in rows) / max(1, sum(row.valued for row in rows))
    score.cer = sum(row.edits for row in rows) / max(1, characters)
    return score
