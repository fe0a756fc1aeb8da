"""Hostile input and crash safety: tracebacks, hangs, bomb memory, and SIGKILL mid-batch.

    python -m bench.robustness [--kills 20] [--photos 200]

1. A corpus of hostile files made here (truncated and bit-flipped JPEG/PNG/WebP/TIFF,
   zero bytes, text and PDF with image names, 1×1 and 1×100000 images, 16-bit, palette,
   CMYK-like, broken EXIF, a decompression bomb): `exprocr read` on each must exit 0, 1 or
   2 with no traceback, within the time limit.
2. Peak memory of reading the bomb (ru_maxrss of the child process).
3. A batch of small photos killed with SIGKILL at random moments, each time followed by
   `--resume`: the output must end with every photo exactly once and no torn line.
"""

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from bench.report import write_report

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "decimal.jpg"


def hostile_corpus(folder: Path) -> list[Path]:
    """Write the hostile files; return their paths."""
    rng = random.Random(0)
    photo = cv2.imread(str(SAMPLE))
    encoded = {ext: cv2.imencode(ext, photo)[1].tobytes() for ext in (".jpg", ".png", ".webp", ".tiff")}
    files: dict[str, bytes] = {"zero.jpg": b"", "text.png": b"just some text\n" * 20,
                               "doc.jpg": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"}
    for ext, data in encoded.items():
        for cut in (10, 100, len(data) // 2, len(data) - 5):
            files[f"truncated-{cut}{ext}"] = data[:cut]
        for k in range(6):
            flipped = bytearray(data)
            for _ in range(20):
                flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
            files[f"flipped-{k}{ext}"] = bytes(flipped)
    files["one-pixel.png"] = cv2.imencode(".png", np.zeros((1, 1, 3), np.uint8))[1].tobytes()
    files["strip.png"] = cv2.imencode(".png", np.full((1, 100000), 255, np.uint8))[1].tobytes()
    files["deep.png"] = cv2.imencode(".png", (np.random.default_rng(0).random((300, 400)) * 65535).astype(np.uint16))[1].tobytes()
    bomb = bytearray(cv2.imencode(".png", np.zeros((8, 8), np.uint8))[1].tobytes())
    bomb[16:24] = (50000).to_bytes(4, "big") * 2
    files["bomb.png"] = bytes(bomb)
    exif = bytearray(encoded[".jpg"])
    exif[2:4] = b"\xff\xe1"  # an APP1 (EXIF) marker over the JFIF header: garbage EXIF
    files["broken-exif.jpg"] = bytes(exif)
    try:
        from PIL import Image

        Image.fromarray(photo[:, :, ::-1]).convert("P").save(folder / "palette.png")
        Image.fromarray(photo[:, :, ::-1]).convert("CMYK").save(folder / "cmyk.jpg")
    except ImportError:
        pass
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return sorted(folder.iterdir())


def read_each(paths: list[Path], timeout: float) -> dict:
    tracebacks = hangs = 0
    codes: dict[int, int] = {}
    for path in paths:
        try:
            done = subprocess.run([sys.executable, "-m", "exprocr", "read", str(path)],
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            hangs += 1
            continue
        tracebacks += "Traceback" in done.stderr
        codes[done.returncode] = codes.get(done.returncode, 0) + 1
    return {"hostile files tried": len(paths), "tracebacks": tracebacks, "hangs": hangs,
            "exit codes": json.dumps(codes)}


def bomb_memory_mb(bomb: Path) -> float:
    code = ("import resource, subprocess, sys; "
            f"subprocess.run([sys.executable, '-m', 'exprocr', 'read', {str(bomb)!r}], capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout) / 1024


def kill_and_resume(photos: int, kills: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        small = cv2.resize(cv2.imread(str(SAMPLE)), None, fx=0.5, fy=0.5)
        for i in range(photos):
            cv2.imwrite(str(folder / f"p{i:04d}.jpg"), small)
        out = Path(tmp) / "results.jsonl"
        rng = random.Random(1)
        ok_runs = 0
        command = [sys.executable, "-m", "exprocr", "batch", str(folder), "--out", str(out), "--workers", "2"]
        for k in range(kills):
            process = subprocess.Popen(command + (["--resume"] if k else []), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(rng.uniform(1.0, 4.0))
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            subprocess.run(command + ["--resume"], capture_output=True, check=True)
            lines = out.read_text().splitlines()
            files = [json.loads(line)["file"] for line in lines]
            ok_runs += len(files) == photos and len(set(files)) == photos
            out.unlink()
        return {"SIGKILL + resume cycles": kills, "cycles ending with every photo exactly once": ok_runs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = hostile_corpus(Path(tmp))
        figures = read_each(paths, args.timeout)
        figures["peak memory reading the 50000×50000 bomb (MB, whole process)"] = round(
            bomb_memory_mb(Path(tmp) / "bomb.png"), 1)
    figures |= kill_and_resume(args.photos, args.kills)
    write_report("robustness", "Hostile files and crash safety", figures)


if __name__ == "__main__":
    main()
