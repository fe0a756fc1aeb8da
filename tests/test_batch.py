"""`exprocr batch`: finding photos, the results file (lock, resume, torn lines), worker failures,
and SIGKILL at random moments followed by --resume."""

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from exprocr.batch import BatchError, ResultsFile, find_images, run_batch
from exprocr.errors import ImageLoadError, ModelFileError
from exprocr.results import LineResult, ReadResult

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "exprocr", *args], capture_output=True, text=True, timeout=180)


# --- finding photos -----------------------------------------------------------------------------

def test_find_images_survives_symlink_loops_and_odd_names(tmp_path):
    (tmp_path / "a b").mkdir()
    (tmp_path / "a b" / "x y.jpg").write_bytes(b"1")
    odd = tmp_path / "a b" / b"\xe9t\xe9.PNG".decode("utf-8", "surrogateescape")
    odd.write_bytes(b"2")
    (tmp_path / "a b" / "loop").symlink_to(tmp_path)
    (tmp_path / "self").symlink_to(tmp_path / "self")  # a link to itself
    (tmp_path / "folder.jpg").mkdir()  # a folder with a photo's name
    os.mkfifo(tmp_path / "pipe.png")  # reading it would block forever
    (tmp_path / "notes.txt").write_text("not a photo")
    images, problems = find_images(tmp_path, recursive=True)
    assert sorted(p.name for p in images) == sorted(["x y.jpg", odd.name])
    assert len(problems) == 1 and "self: cannot look at" in problems[0]  # reported, not fatal
    assert find_images(tmp_path, recursive=False) == ([], problems)


def test_unreadable_subfolder_is_reported_and_skipped(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.jpg").write_bytes(b"1")
    (tmp_path / "b.jpg").write_bytes(b"2")
    real_scandir = os.scandir

    def scandir(path):  # tests run as root, where chmod 000 does not lock anything
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    images, problems = find_images(tmp_path, recursive=True)
    assert [p.name for p in images] == ["b.jpg"] and len(problems) == 1 and "locked" in problems[0]
    with pytest.raises(BatchError, match="cannot list"):
        find_images(tmp_path / "locked", recursive=False)


# --- the results file ---------------------------------------------------------------------------

def _result(name: str, text: str = "1+2") -> ReadResult:
    return ReadResult(file=name, lines=[LineResult(text=text, ascii=text, value="3", confidence=0.9)])


def test_a_second_batch_on_the_same_output_is_refused_until_the_first_ends(tmp_path):
    out = tmp_path / "r.jsonl"
    first = ResultsFile(out)
    with pytest.raises(BatchError, match="another batch"):
        ResultsFile(out, resume=True)
    first.write(_result("a.jpg"))
    done = _cli("batch", str(SAMPLES), "--out", str(out), "--resume")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "another batch" in done.stderr
    first.close()
    assert ResultsFile(out, resume=True).done == {os.path.abspath("a.jpg")}


def test_existing_results_are_never_silently_replaced(tmp_path):
    out = tmp_path / "r.csv"
    results = ResultsFile(out)
    results.write(_result("a.jpg"))
    results.close()
    with pytest.raises(BatchError, match="--resume"):
        ResultsFile(out)
    ResultsFile(out, overwrite=True).close()
    assert out.read_text().splitlines() == ["file,error,text,ascii,value,verdict,status,confidence"]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_resume_cuts_a_torn_last_line_and_knows_odd_names(tmp_path, suffix):
    out = tmp_path / f"r{suffix}"
    names = ["plain.jpg", b"caf\xe9.jpg".decode("utf-8", "surrogateescape"), "new\nline.jpg", "sp ace.jpg"]
    results = ResultsFile(out)
    for name in names:
        results.write(_result(name))
    results.close()
    whole = out.read_bytes()
    out.write_bytes(whole + whole.splitlines(keepends=True)[-1][:25])  # killed in the middle of a record
    resumed = ResultsFile(out, resume=True)
    assert all(resumed.already_done(name) for name in names) and not resumed.already_done("other.jpg")
    resumed.write(_result("other.jpg"))
    resumed.close()
    assert out.read_bytes() == whole + out.read_bytes()[len(whole):] and out.read_bytes().endswith(b"\n")
    if suffix == ".csv":
        with open(out, encoding="utf-8", errors="surrogateescape", newline="") as handle:
            assert len(list(csv.DictReader(handle))) == 5
    else:
        assert [json.loads(line)["file"] for line in out.read_text().splitlines()] == names + ["other.jpg"]


# --- workers ------------------------------------------------------------------------------------

class ScriptedReader:
    """Does what each file says: `ok TEXT`, `bad`, `boom`, `hang` or `die`."""

    def read(self, path: str, **options) -> ReadResult:
        word, _, text = Path(path).read_text().partition(" ")
        if word == "bad":
            raise ImageLoadError(f"{path}: not a readable image")
        if word == "boom":
            raise ZeroDivisionError("division by zero")
        if word == "hang":
            time.sleep(600)
        if word == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        return _result(path, text)


def scripted_reader() -> ScriptedReader:
    return ScriptedReader()


def broken_model() -> ScriptedReader:
    raise ModelFileError("model.npz: truncated model file")


def dead_on_arrival() -> ScriptedReader:
    os.kill(os.getpid(), signal.SIGKILL)


class ThreadCounter:
    """Reads as its text how many threads OpenCV was given in this worker."""

    def read(self, path: str, **options) -> ReadResult:
        import cv2
        return _result(path, str(cv2.getNumThreads()))


def thread_counter() -> ThreadCounter:
    return ThreadCounter()


def _scripts(folder: Path, scripts: dict[str, str]) -> list[str]:
    for name, script in scripts.items():
        (folder / name).write_text(script)
    return [str(folder / name) for name in scripts]


def test_each_file_gets_exactly_one_record_whatever_its_worker_does(tmp_path):
    paths = _scripts(tmp_path, {"1.png": "ok 1+1", "2.png": "bad", "3.png": "boom", "4.png": "hang",
                                "5.png": "die", "6.png": "ok 2*3", "7.png": "ok 7"})
    start = time.monotonic()
    records = {Path(r.file).name: r for r in run_batch(paths, scripted_reader, workers=2, timeout=3)}
    assert time.monotonic() - start < 30
    assert sorted(records) == sorted(Path(p).name for p in paths)
    assert [records[n].lines[0].ascii for n in ("1.png", "6.png", "7.png")] == ["1+1", "2*3", "7"]
    assert "not a readable image" in records["2.png"].error
    assert "internal error: ZeroDivisionError" in records["3.png"].error
    assert "3 s time limit" in records["4.png"].error
    assert "stopped unexpectedly" in records["5.png"].error


def test_a_reader_that_cannot_load_fails_each_file_not_the_batch(tmp_path):
    paths = _scripts(tmp_path, {"1.png": "ok 1", "2.png": "ok 2"})
    records = list(run_batch(paths, broken_model, workers=1))
    assert len(records) == 2 and all("truncated model file" in r.error for r in records)


def test_workers_that_cannot_start_stop_the_batch_with_a_clear_error(tmp_path):
    paths = _scripts(tmp_path, {"1.png": "ok 1"})
    with pytest.raises(BatchError, match="cannot start"):
        list(run_batch(paths, dead_on_arrival))


def test_several_workers_compute_on_one_thread_each_and_leave_the_environment_as_it_was(tmp_path):
    # Several workers are the parallelism: thread pools in each would spin against each other.
    paths = _scripts(tmp_path, {"1.png": "", "2.png": ""})
    before = dict(os.environ)
    assert {r.lines[0].ascii for r in run_batch(paths, thread_counter, workers=2)} == {"1"}
    assert dict(os.environ) == before


# --- the command, with the real reader ------------------------------------------------------------

def _batch_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in put"
    folder.mkdir()
    for name in ("decimal.jpg", "blue-ink.jpg"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    (folder / "corrupt.jpg").write_bytes((SAMPLES / "decimal.jpg").read_bytes()[:300])
    (folder / "empty.png").write_bytes(b"")
    (folder / "notes.png").write_text("not an image at all")
    (folder / "phone.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))
    cv2.imwrite(str(folder / "blank.png"), np.full((200, 300, 3), 235, np.uint8))
    return folder


def test_batch_records_every_file_once_and_leaves_inputs_alone(tmp_path):
    folder = _batch_folder(tmp_path)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    out = tmp_path / "results.jsonl"
    done = _cli("batch", str(folder), "--out", str(out), "--workers", "2")
    assert done.returncode == 0, done.stderr
    records = {Path(r["file"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == set(before) and len(out.read_text().splitlines()) == len(before)
    assert records["decimal.jpg"]["lines"][0]["ascii"] == "1.5+2.25"
    assert all(records[n]["error"] for n in ("corrupt.jpg", "empty.png", "notes.png"))
    assert "JPEG" in records["phone.HEIC"]["error"]  # listed, and told why it is not read
    assert records["blank.png"]["error"] is None and records["blank.png"]["lines"] == []
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before
    counts = [[cell.strip() for cell in line.split("│")[1:5]] for line in done.stdout.splitlines() if "│" in line]
    assert counts == [["7", "2", "1", "4"]], done.stdout  # files, read, empty, failed


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
    assert sorted(files) == sorted(set(files)) and len(files) == 7


def test_sigkill_at_random_moments_then_resume_gives_every_record_once(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    small = cv2.resize(cv2.imread(str(SAMPLES / "decimal.jpg")), None, fx=0.5, fy=0.5)
    for i in range(40):
        cv2.imwrite(str(folder / f"p{i:03d}.jpg"), small)
    out = tmp_path / "results.jsonl"
    command = [sys.executable, "-m", "exprocr", "batch", str(folder), "--out", str(out), "--workers", "2"]
    rng = random.Random(3)
    for kill in range(3):
        process = subprocess.Popen(command + ["--resume"] * (kill > 0), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.8, 2.5))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    done = subprocess.run(command + ["--resume"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    files = [json.loads(line)["file"] for line in out.read_text().splitlines()]
    assert sorted(files) == sorted(str(p) for p in folder.iterdir())
