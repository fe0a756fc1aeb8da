"""Which stage lost a wrongly read line: segmentation, classification or decoding.

Without glyph boxes in the labels, the stage is told from counts and labels: a line with the
wrong number of glyphs was cut wrongly; one cut right whose classifier's first choices spell
something else was misclassified; one whose first choices were right but whose decoded text
is not was spoiled by the decoder.
"""

from collections import Counter
from dataclasses import dataclass, field

from exprocr.results import LineResult, ReadResult

_TO_ASCII = str.maketrans({"×": "*", "÷": "/", "·": "*"})


@dataclass
class Attribution:
    """Counts of wrong lines per stage and cause, and the classifier's confusion pairs."""

    stages: Counter = field(default_factory=Counter)
    causes: Counter = field(default_factory=Counter)
    confusions: Counter = field(default_factory=Counter)  # (true, read) → count


def _ascii(label: str) -> str:
    return label.translate(_TO_ASCII)


def _argmax(line: LineResult) -> str:
    """The classifier's first choice for every glyph, before the decoder had its say."""
    text = []
    for glyph in line.glyphs:
        options = [(glyph.label, glyph.probability), *glyph.alternatives]
        text.append(_ascii(max(options, key=lambda o: o[1])[0]))
    return "".join(text)


def attribute(result: ReadResult, expected_lines: list[str], into: Attribution) -> list[str]:
    """Add this photo's wrong lines to `into`; return a cause for each wrong line."""
    causes = []
    if len(result.lines) != len(expected_lines):
        cause = "segmentation: line grouping ({} lines, expected {})".format(
            len(result.lines), len(expected_lines))
        into.stages["segmentation"] += len(expected_lines)
        into.causes["segmentation: line grouping"] += len(expected_lines)
        return [cause] * len(expected_lines)
    for line, expected in zip(result.lines, expected_lines):
        if line.ascii == expected:
            continue
        glyphs = len(line.glyphs)
        if glyphs != len(expected):
            kind = "missed or merged glyph" if glyphs < len(expected) else "split or spurious glyph"
            stage, cause = "segmentation", f"segmentation: {kind}"
        elif _argmax(line) != expected:
            stage, cause = "classification", "classification: wrong label"
            for true, read in zip(expected, _argmax(line)):
                if true != read:
                    into.confusions[(true, read)] += 1
        else:
            stage, cause = "decoding", "decoding: changed a right reading"
        into.stages[stage] += 1
        into.causes[cause] += 1
        causes.append(cause)
    return causes
