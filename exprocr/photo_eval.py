"""How well photos were read against their labels: line-exact, photo-exact, CER, value accuracy.

Labels are a TSV `file<TAB>expression` in canonical ASCII, several written lines joined by
` | `. Lines are compared in reading order; a missing or extra line counts as wrong.
"""

from dataclasses import dataclass, field
from pathlib import Path

from exprocr.errors import DataError
from exprocr.evaluate.expression import evaluate_text
from exprocr.results import ReadResult


def load_labels(path: str | Path) -> dict[str, str]:
    """file name → expected expression; a header line `file<TAB>expression` is skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read labels ({exc.strerror or exc})") from None
    labels = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, tab, expression = line.partition("\t")
        if not tab:
            raise DataError(f"{path}:{number}: expected 'file<TAB>expression'")
        if number == 1 and name.strip().lower() == "file":
            continue
        labels[name.strip()] = expression.strip()
    return labels


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
    """One photo's reading next to its label."""

    file: str
    expected: list[str]
    read: list[str]
    error: str | None = None

    @property
    def exact(self) -> bool:
        return self.error is None and self.read == self.expected


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


def _value(text: str) -> str | None:
    return evaluate_text(text).value


def score_photos(results: dict[str, ReadResult], labels: dict[str, str]) -> PhotoScore:
    """Compare readings with labels, photo by photo, line by line, in label order."""
    score = PhotoScore()
    exact_lines = exact_values = errors = length = 0
    for name, label in labels.items():
        expected = [part.strip() for part in label.split("|")]
        result = results.get(name)
        read = [line.ascii for line in result.lines] if result and result.error is None else []
        error = result.error if result else "not read"
        row = PhotoRow(name, expected, read, error)
        score.rows.append(row)
        for k, want in enumerate(expected):
            got = read[k] if k < len(read) else ""
            exact_lines += got == want
            exact_values += got != "" and _value(got) is not None and _value(got) == _value(want)
            errors += edit_distance(got, want)
            length += len(want)
        errors += sum(len(extra) for extra in read[len(expected):])
    score.n = len(labels)
    score.lines = sum(len(r.expected) for r in score.rows)
    if score.n:
        score.line_exact = exact_lines / score.lines
        score.photo_exact = sum(r.exact for r in score.rows) / score.n
        score.value_accuracy = exact_values / score.lines
        score.cer = errors / max(1, length)
    return score
