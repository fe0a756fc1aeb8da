"""Hostile files: a fuzz corpus made here (bench.robustness builds it) through the loader, `read`
and `batch`; random mutations of valid files through the loader. Nothing may raise anything but
ImageLoadError, print a traceback or decoder chatter, or hang."""

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.robustness import hostile_files, write_corpus
from exprocr.errors import ImageLoadError
from exprocr.segment.load import load_image


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    return write_corpus(tmp_path_factory.mktemp("hostile"))


def _check_loaded_or_refused(source, name: str) -> str:
    try:
        loaded = load_image(source)
    except ImageLoadError as error:
        assert "\n" not in str(error) and name in str(error)
        return "refused"
    assert loaded.bgr.dtype == np.uint8 and loaded.bgr.ndim == 3 and loaded.bgr.shape[2] == 3
    assert loaded.bgr.flags["C_CONTIGUOUS"] and loaded.bgr.shape[0] * loaded.bgr.shape[1] <= 4_000_000
    return "loaded"


def test_the_loader_refuses_or_loads_every_hostile_file(corpus):
    outcomes = {path.name: _check_loaded_or_refused(path, path.name) for path in corpus}
    assert len(corpus) >= 80
    refused = {name for name, outcome in outcomes.items() if outcome == "refused"}
    assert {"zero.jpg", "text.png", "doc.jpg", "bigtiff.tiff", "one-pixel.png", "strip-1x100000.png",
            "pipe.png", "endless.jpg", "folder.jpg"} <= refused
    assert {name for name in outcomes if name.startswith("bomb.")} <= refused
    assert {"deep.png", "deep.tiff", "broken-exif.jpg", "exif-bad-offset.jpg"} <= set(outcomes) - refused


def test_read_gives_one_json_record_per_file_and_nothing_on_stderr(corpus):
    done = subprocess.run([sys.executable, "-m", "exprocr", "read", "--json", *map(str, corpus)],
                          capture_output=True, text=True, timeout=300)
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["file"] for r in records] == [str(p) for p in corpus]
    assert done.returncode == 2 and done.stderr == ""  # no traceback, no libpng/libjpeg/libtiff chatter
    assert all(r["error"] is None or (Path(r["file"]).name in r["error"] and r["lines"] == []) for r in records)


def test_read_reports_each_unusable_file_in_exactly_one_line(corpus):
    unusable = [p for p in corpus if p.name.startswith(("bomb", "truncated-10.", "zero", "text", "doc"))]
    done = subprocess.run([sys.executable, "-m", "exprocr", "read", *map(str, unusable)],
                          capture_output=True, text=True, timeout=120)
    lines = done.stderr.splitlines()
    assert done.returncode == 2 and done.stdout == "" and len(lines) == len(unusable)
    assert all(line.startswith("error: ") and path.name in line for line, path in zip(lines, unusable))


def test_batch_writes_one_record_per_regular_file(corpus, tmp_path):
    folder = corpus[0].parent
    out = tmp_path / "corpus.jsonl"
    done = subprocess.run([sys.executable, "-m", "exprocr", "batch", str(folder), "--out", str(out),
                           "--workers", "2", "--timeout", "60"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    files = [json.loads(line)["file"] for line in out.read_text().splitlines()]
    regular = [str(p) for p in corpus if p.is_file() and not p.is_symlink()]
    assert sorted(files) == sorted(regular)  # the FIFO, /dev/zero link and folder are not photos


_VALID = {ext: cv2.imencode(ext, cv2.resize(cv2.imread(str(Path(__file__).resolve().parents[1] / "samples"
                                                               / "decimal.jpg")), (64, 48)))[1].tobytes()
          for ext in (".png", ".jpg", ".webp", ".tiff", ".bmp", ".gif")}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ext=st.sampled_from(sorted(_VALID)), data=st.data())
def test_mutated_valid_files_are_loaded_or_refused(ext, data):
    original = _VALID[ext]
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(mutated) - 1))
        action = data.draw(st.sampled_from(["flip", "byte", "cut", "insert"]))
        if action == "flip":
            mutated[at] ^= 1 << data.draw(st.integers(0, 7))
        elif action == "byte":
            mutated[at] = data.draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80]))
        elif action == "cut":
            del mutated[at:]
            if not mutated:
                break
        else:
            mutated[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    _check_loaded_or_refused(bytes(mutated), "bytes")


@pytest.mark.parametrize("array", [
    np.zeros((0, 10, 3), np.uint8), np.zeros((2, 2, 2, 2), np.uint8), np.zeros((1, 50), np.uint8),
    np.full((20, 20), np.nan, np.float32), np.full((20, 20, 5), 7, np.int32), np.ones((20, 20), bool),
])
def test_odd_arrays_are_loaded_or_refused(array):
    _check_loaded_or_refused(array, "array")


def test_every_corpus_file_name_is_unique_and_deterministic():
    first, second = hostile_files(), hostile_files()
    assert first == second and len(first) >= 80
