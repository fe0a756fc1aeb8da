"""The product end to end: `exprocr read` on the samples, exit codes, JSON, errors without tracebacks."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from exprocr import Reader, read
from exprocr.photo_eval import load_labels

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
LABELS = load_labels(SAMPLES / "labels.tsv")


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exprocr.cli", *args], capture_output=True, text=True,
                          timeout=300, **kwargs)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


@pytest.mark.parametrize("name", sorted(LABELS))
def test_each_sample_reads_as_labelled(reader, name):
    result = reader.read(SAMPLES / name)
    assert " | ".join(line.ascii for line in result.lines) == LABELS[name]


def test_read_prints_values_and_json(tmp_path):
    done = _cli("read", str(SAMPLES / "blue-ink.jpg"))
    assert done.returncode == 0 and done.stdout.startswith("23×4+17 = 109")
    done = _cli("read", "--json", "--debug", str(tmp_path / "o.png"), str(SAMPLES / "wrong-answer.jpg"))
    record = json.loads(done.stdout)
    assert record["lines"][0]["verdict"] == "incorrect" and record["lines"][0]["expected"] == "56"
    assert cv2.imread(str(tmp_path / "o.png")) is not None


def test_exit_codes_blank_and_unusable(tmp_path):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((300, 400, 3), 240, np.uint8))
    done = _cli("read", str(blank))
    assert done.returncode == 1 and "no handwriting" in done.stdout
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    done = _cli("read", str(broken))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "broken.jpg" in done.stderr


def test_bad_model_file_is_one_line(tmp_path):
    fake = tmp_path / "model.npz"
    fake.write_text("nope")
    done = _cli("read", "--model", str(fake), str(SAMPLES / "decimal.jpg"))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "model" in done.stderr


def test_python_api_reads_arrays():
    image = cv2.imread(str(SAMPLES / "decimal.jpg"))
    result = read(image)
    assert result.lines[0].ascii == "1.5+2.25" and result.lines[0].value == "15/4"


def test_evaluate_photos_json():
    done = _cli("evaluate", "photos", str(SAMPLES), "--labels", str(SAMPLES / "labels.tsv"), "--json")
    figures = json.loads(done.stdout)
    assert {"line_exact", "photo_exact", "cer", "n"} <= set(figures) and figures["n"] == len(LABELS)


def _batch_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in put"
    folder.mkdir()
    for name in ("decimal.jpg", "blue-ink.jpg"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    (folder / "corrupt.jpg").write_bytes((SAMPLES / "decimal.jpg").read_bytes()[:300])
    (folder / "empty.png").write_bytes(b"")
    (folder / "notes.png").write_text("not an image at all")
    cv2.imwrite(str(folder / "blank.png"), np.full((200, 300, 3), 235, np.uint8))
    return folder


def test_batch_records_every_file_once(tmp_path):
    folder = _batch_folder(tmp_path)
    out = tmp_path / "results.jsonl"
    done = _cli("batch", str(folder), "--out", str(out), "--workers", "2")
    assert done.returncode == 0, done.stderr
    records = {Path(r["file"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == {"decimal.jpg", "blue-ink.jpg", "corrupt.jpg", "empty.png", "notes.png", "blank.png"}
    assert records["decimal.jpg"]["lines"][0]["ascii"] == "1.5+2.25"
    assert all(records[n]["error"] for n in ("corrupt.jpg", "empty.png", "notes.png"))
    assert records["blank.png"]["error"] is None and records["blank.png"]["lines"] == []


def test_batch_resume_after_an_interrupted_run_writes_each_file_once(tmp_path):
    folder = _batch_folder(tmp_path)
    out = tmp_path / "results.csv"
    _cli("batch", str(folder), "--out", str(out))
    rows = out.read_text().splitlines()
    out.write_text("\n".join(rows[:3]) + "\n" + rows[3][: len(rows[3]) // 2])  # killed mid-write
    done = _cli("batch", str(folder), "--out", str(out), "--resume")
    assert done.returncode == 0, done.stderr
    with open(out) as handle:
        files = [row["file"] for row in csv.DictReader(handle)]
    assert sorted(files) == sorted(set(files)) and len(files) == 6


def test_a_second_batch_on_the_same_output_is_refused(tmp_path):
    from exprocr.batch import BatchError, ResultsFile

    out = tmp_path / "r.jsonl"
    first = ResultsFile(out, resume=False)
    with pytest.raises(BatchError, match="another batch"):
        ResultsFile(out, resume=True)
    first.close()


def test_find_images_survives_symlink_loops_and_odd_names(tmp_path):
    from exprocr.batch import find_images

    (tmp_path / "a b").mkdir()
    (tmp_path / "a b" / "x y.jpg").write_bytes((SAMPLES / "decimal.jpg").read_bytes())
    odd = tmp_path / "a b" / b"\xe9t\xe9.png".decode("utf-8", "surrogateescape")
    odd.write_bytes((SAMPLES / "decimal.jpg").read_bytes())
    (tmp_path / "a b" / "loop").symlink_to(tmp_path)
    (tmp_path / "notes.txt").write_text("not a photo")
    images, problems = find_images(tmp_path, recursive=True)
    assert sorted(p.name for p in images) == sorted(["x y.jpg", odd.name]) and problems == []
