"""Photo scoring: labels files, the four figures computed by hand, and `exprocr evaluate photos`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from exprocr.errors import DataError
from exprocr.evaluate.expression import evaluate_text
from exprocr.photo_eval import edit_distance, load_labels, score_photos
from exprocr.results import ReadResult

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_labels_header_bom_comments_and_canonical_spelling(tmp_path):
    path = tmp_path / "labels.tsv"
    path.write_text("\ufefffile\texpression\n# a comment\n\na.jpg\t12 + 7×3 =\nb.jpg\t3+4=8 | 10÷4=\nblank.jpg\t\n",
                    encoding="utf-8")
    assert load_labels(path) == {"a.jpg": "12+7*3=", "b.jpg": "3+4=8 | 10/4=", "blank.jpg": ""}


@pytest.mark.parametrize("content, message", [
    ("a.jpg 12+3\n", "expected 'file<TAB>expression'"),
    ("a.jpg\t1\na.jpg\t2\n", "labelled twice"),
])
def test_malformed_labels_are_a_clear_error(tmp_path, content, message):
    path = tmp_path / "labels.tsv"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        load_labels(path)
    with pytest.raises(DataError, match="cannot read"):
        load_labels(tmp_path / "missing.tsv")


def _read(*lines: str) -> ReadResult:
    return ReadResult(file="x", lines=[evaluate_text(line) for line in lines])


def test_figures_by_hand():
    labels = {"a": "12+7*3=", "b": "3+4=8 | 10/4=", "c": "45-18", "d": "9", "blank": ""}
    results = {
        "a": _read("12+7*3="),  # exact
        "b": _read("3+4=8"),  # second line missing
        "c": _read("45-19", "7"),  # one wrong digit and an extra line
        "d": ReadResult(file="d", error="d: empty file"),
        "blank": _read(),  # a blank photo read as blank is exact
    }
    score = score_photos(results, labels)
    assert (score.n, score.lines) == (5, 5)
    assert score.photo_exact == pytest.approx(2 / 5)
    assert score.line_exact == pytest.approx(2 / 5)  # a's line and b's first line
    assert score.value_accuracy == pytest.approx(2 / 5)  # 45-19 is worth 26, not 27
    characters = len("12+7*3=") + len("3+4=8") + len("10/4=") + len("45-18") + len("9")
    assert score.cer == pytest.approx((0 + 5 + 1 + 1 + 1) / characters)
    rows = {row.file: row for row in score.rows}
    assert rows["c"].edits == 2 and rows["d"].error == "d: empty file" and rows["blank"].exact


def test_value_accuracy_counts_a_different_spelling_of_the_same_value():
    score = score_photos({"a": _read("6/4")}, {"a": "3/2"})
    assert score.line_exact == 0 and score.value_accuracy == 1


def test_a_photo_never_read_counts_wrong():
    score = score_photos({}, {"a": "1+1"})
    assert score.photo_exact == 0 and score.cer == 1 and score.rows[0].error == "not read"


def test_edit_distance():
    assert [edit_distance(a, b) for a, b in [("", ""), ("abc", ""), ("kitten", "sitting"), ("12+3", "12+3")]] == \
        [0, 3, 3, 0]


def test_evaluate_photos_on_the_samples(tmp_path):
    command = [sys.executable, "-m", "exprocr", "evaluate", "photos", str(SAMPLES), "--labels",
               str(SAMPLES / "labels.tsv")]
    done = subprocess.run(command + ["--json"], capture_output=True, text=True, timeout=120)
    figures = json.loads(done.stdout)
    assert {"line_exact", "photo_exact", "cer", "value_accuracy", "n", "rows"} <= set(figures)
    assert figures["n"] == len(load_labels(SAMPLES / "labels.tsv")) == len(figures["rows"])
    assert figures["photo_exact"] == 1.0 and all(row["exact"] for row in figures["rows"])
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert "line-exact 1.000" in done.stdout and done.returncode == 0


def test_evaluate_photos_reports_unreadable_and_wrong_photos(tmp_path):
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "decimal.jpg").write_bytes((SAMPLES / "decimal.jpg").read_bytes())
    (tmp_path / "labels.tsv").write_text("broken.jpg\t1+1\ndecimal.jpg\t1.5+2.5\nmissing.jpg\t2\n")
    done = subprocess.run([sys.executable, "-m", "exprocr", "evaluate", "photos", str(tmp_path), "--labels",
                           str(tmp_path / "labels.tsv"), "--json", "--debug-dir", str(tmp_path / "wrong")],
                          capture_output=True, text=True, timeout=120)
    figures = json.loads(done.stdout)
    rows = {row["file"]: row for row in figures["rows"]}
    assert figures["photo_exact"] == 0 and rows["decimal.jpg"]["read"] == ["1.5+2.25"]
    assert "broken.jpg" in rows["broken.jpg"]["error"] and "no such file" in rows["missing.jpg"]["error"]
    assert [p.name for p in (tmp_path / "wrong").iterdir()] == ["decimal.png"]


def test_value_accuracy_leaves_out_labels_without_a_value():
    score = score_photos({"a": _read("7/0"), "b": _read("1+1")}, {"a": "7/0", "b": "1+2"})
    assert score.line_exact == 0.5 and score.value_accuracy == 0  # only 1+2 has a value, misread
