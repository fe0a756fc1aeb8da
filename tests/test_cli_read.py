"""`exprocr read` and the Python API end to end: samples, exit codes, JSON, overlays, human output."""

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from exprocr import Reader, read
from exprocr.output import csv_row, human, human_line, json_record
from exprocr.photo_eval import load_labels
from exprocr.results import GlyphResult, LineResult, ReadResult

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
LABELS = load_labels(SAMPLES / "labels.tsv")


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exprocr", *args], capture_output=True, text=True,
                          timeout=120, **kwargs)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


@pytest.mark.parametrize("name", sorted(LABELS))
def test_each_sample_reads_as_labelled(reader, name):
    result = reader.read(SAMPLES / name)
    assert " | ".join(line.ascii for line in result.lines) == LABELS[name]
    assert result.error is None and result.file == str(SAMPLES / name)


def test_read_prints_one_line_per_written_line_with_value_and_confidence():
    done = _cli("read", str(SAMPLES / "worksheet.jpg"))
    assert done.returncode == 0 and done.stderr == ""
    lines = [line for line in done.stdout.splitlines() if not line.startswith("    doubtful")]
    assert [line.split("   (")[0] for line in lines] == ["12+7×3 = 33", "3+4 = 8  ✗ (3+4 = 7)", "10÷4 = 5/2 = 2.5"]
    assert all(line.rstrip().endswith("%)") for line in lines)


def test_read_json_and_debug_overlay(tmp_path):
    done = _cli("read", "--json", "--debug", str(tmp_path / "o.png"), str(SAMPLES / "wrong-answer.jpg"))
    record = json.loads(done.stdout)
    line = record["lines"][0]
    assert record["error"] is None and line["verdict"] == "incorrect" and line["expected"] == "56"
    assert {"text", "ascii", "value", "decimal", "status", "confidence", "glyphs"} <= set(line)
    assert {"box", "label", "probability", "alternatives"} <= set(line["glyphs"][0])
    overlay = cv2.imread(str(tmp_path / "o.png"))
    assert overlay is not None and overlay.shape[:2] == (record["height"], record["width"])


def test_several_images_get_one_overlay_each(tmp_path):
    images = [str(SAMPLES / "decimal.jpg"), str(SAMPLES / "pencil.jpg")]
    done = _cli("read", "--debug", str(tmp_path / "overlay.png"), *images)
    assert done.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["overlay-1-decimal.png", "overlay-2-pencil.png"]
    assert f"{images[0]}:" in done.stdout and f"{images[1]}:" in done.stdout


def test_exit_codes_blank_and_unusable(tmp_path):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((300, 400, 3), 240, np.uint8))
    done = _cli("read", str(blank))
    assert done.returncode == 1 and "no handwriting" in done.stdout
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    done = _cli("read", str(broken), str(SAMPLES / "decimal.jpg"))
    assert done.returncode == 2 and "1.5+2.25" in done.stdout  # the good one is still read
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ") and "broken.jpg" in done.stderr
    done = _cli("read", str(tmp_path / "missing.jpg"))
    assert done.returncode == 2 and "no such file" in done.stderr and "Traceback" not in done.stderr


def test_bad_model_file_is_one_line(tmp_path):
    fake = tmp_path / "model.npz"
    fake.write_text("nope")
    done = _cli("read", "--model", str(fake), str(SAMPLES / "decimal.jpg"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "model" in done.stderr


def test_json_error_record_for_unusable_input(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    done = _cli("read", "--json", str(text))
    record = json.loads(done.stdout)
    assert done.returncode == 2 and record["lines"] == [] and "notes.png" in record["error"]


def test_undecodable_file_names_print_and_round_trip_in_json(tmp_path):
    odd = tmp_path / b"caf\xe9.jpg".decode("utf-8", "surrogateescape")
    odd.write_bytes((SAMPLES / "decimal.jpg").read_bytes())
    done = subprocess.run([sys.executable, "-m", "exprocr", "read", "--json", str(odd)], capture_output=True,
                          timeout=120)
    record = json.loads(done.stdout.decode("utf-8"))  # valid UTF-8 JSON
    assert done.returncode == 0 and record["file"] == str(odd)


def test_python_api_reads_arrays():
    image = cv2.imread(str(SAMPLES / "decimal.jpg"))
    result = read(image)
    assert result.lines[0].ascii == "1.5+2.25" and result.lines[0].value == "15/4" and result.file is None


def _line(**fields) -> LineResult:
    glyphs = [GlyphResult((0, 0, 9, 9), "1", 0.97), GlyphResult((10, 0, 9, 9), "7", 0.41, [("1", 0.38)], True),
              GlyphResult((20, 0, 9, 9), "+", 0.99), GlyphResult((30, 0, 9, 9), "2", 0.95)]
    return LineResult(**({"text": "17+2", "ascii": "17+2", "value": "19", "decimal": "19", "confidence": 0.81,
                          "glyphs": glyphs} | fields))


def test_human_line_marks_confidence_and_doubtful_glyphs():
    assert human_line(_line()) == "17+2 = 19   (81%)\n    doubtful: #2 '7' 41% (or '1' 38%)"
    wrong = _line(text="17+2=20", ascii="17+2=20", verdict="incorrect", expected="19", glyphs=[])
    assert human_line(wrong) == "17+2 = 20  ✗ (17+2 = 19)   (81%)"
    assert human(ReadResult(file="x.jpg")) == "no handwriting found"
    assert human(ReadResult(file="x.jpg", error="x.jpg: empty file")) == "error: x.jpg: empty file"


def test_machine_formats_keep_every_field_on_one_line():
    result = ReadResult(file="a\nb.jpg", lines=[_line(), _line(text="5", ascii="5", value="5", status="number")])
    record = json_record(result)
    assert "\n" not in record and json.loads(record)["lines"][1]["status"] == "number"
    row = csv_row(result)
    assert row["file"] == "a\\nb.jpg" and row["ascii"] == "17+2 | 5" and row["value"] == "19 | 5"
    assert all("\n" not in value for value in row.values())
