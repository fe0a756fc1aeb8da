"""Hostile input and crash safety: tracebacks, hangs, bomb memory, and SIGKILL mid-batch.

    python -m bench.robustness [--kills 20] [--photos 200]

1. A corpus of hostile files made here (truncated and bit-flipped JPEG/PNG/WebP/TIFF/BMP/GIF,
   zero bytes, text, HTML and PDF with image names, 1×1 and 1×100000 images, 16-bit,
   palette, CMYK, float, broken EXIF, decompression bombs in every format, a FIFO and
   /dev/zero with photo names): `exprocr read` on each must exit 0, 1 or 2 within the time
   limit with no traceback, and an unusable file must give exactly one line on stderr;
   `exprocr batch` over the corpus must write one record per file.
2. Peak memory of `exprocr read` on each decompression bomb, next to a normal photo.
3. A batch of small photos killed with SIGKILL at a random moment, then run with
   `--resume`, many times over: the output must hold every photo exactly once, with no
   torn line.
"""

import argparse
import io
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from bench.report import write_report
from exprocr.segment.load import declared_size

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "decimal.jpg"
BOMB_SIDE = 50000


def _encoded(image: np.ndarray, ext: str, params: list[int] | None = None) -> bytes:
    return cv2.imencode(ext, image, params or [])[1].tobytes()


def _patched_tiff(data: bytes, width: int, height: int) -> bytes:
    """A TIFF whose first IFD claims width×height (the strips stay as small as they were)."""
    patched = bytearray(data)
    order = "<" if data[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", data[4:8])[0]
    count = struct.unpack(order + "H", data[offset:offset + 2])[0]
    for k in range(count):
        at = offset + 2 + 12 * k
        tag, kind = struct.unpack(order + "HH", data[at:at + 4])
        if tag in (256, 257):
            value = width if tag == 256 else height
            patched[at + 8:at + (10 if kind == 3 else 12)] = struct.pack(order + ("H" if kind == 3 else "I"), value)
    return bytes(patched)


def bombs() -> dict[str, bytes]:
    """Tiny files whose headers claim enormous images, one per format."""
    tiny = np.zeros((16, 16, 3), np.uint8)
    side = BOMB_SIDE.to_bytes
    png = bytearray(_encoded(tiny, ".png"))
    png[16:24] = side(4, "big") * 2
    jpeg = bytearray(_encoded(tiny, ".jpg"))
    sof = next(i for i in range(2, len(jpeg) - 1) if jpeg[i] == 0xFF and jpeg[i + 1] in (0xC0, 0xC2))
    jpeg[sof + 5:sof + 9] = side(2, "big") * 2
    bmp = bytearray(_encoded(tiny, ".bmp"))
    bmp[18:26] = side(4, "little") * 2
    webp = bytearray(_encoded(tiny, ".webp", [cv2.IMWRITE_WEBP_QUALITY, 101]))  # lossless: VP8L
    webp[21:25] = (int.from_bytes(webp[21:25], "little") | 0x3FFF | 0x3FFF << 14).to_bytes(4, "little")
    gif = bytearray(b"GIF89a" + side(2, "little") * 2 + b"\x00\x00\x00"  # screen, no colour table
                    + b"\x2c\x00\x00\x00\x00" + side(2, "little") * 2 + b"\x00"  # one frame as big
                    + b"\x02\x02\x44\x01\x00\x3b")
    return {"bomb.png": bytes(png), "bomb.jpg": bytes(jpeg), "bomb.bmp": bytes(bmp), "bomb.webp": bytes(webp),
            "bomb.gif": bytes(gif), "bomb.tiff": _patched_tiff(_encoded(tiny, ".tiff"), BOMB_SIDE, BOMB_SIDE)}


def _pillow_files(photo: np.ndarray) -> dict[str, bytes]:
    """Modes only Pillow writes easily (palette, CMYK, float); skipped without Pillow."""
    try:
        from PIL import Image
    except ImportError:
        return {}
    rgb = Image.fromarray(photo[:, :, ::-1].copy())
    files = {}
    for name, image, fmt, options in [
        ("palette.png", rgb.convert("P"), "PNG", {}), ("palette-alpha.png", rgb.convert("P"), "PNG", {"transparency": 0}),
        ("cmyk.jpg", rgb.convert("CMYK"), "JPEG", {}), ("cmyk.tiff", rgb.convert("CMYK"), "TIFF", {}),
        ("float.tiff", rgb.convert("F"), "TIFF", {}), ("grey-alpha.png", rgb.convert("LA"), "PNG", {}),
        ("one-bit.png", rgb.convert("1", dither=Image.Dither.NONE), "PNG", {}), ("animated.gif", rgb.convert("P"), "GIF", {}),
    ]:
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        files[name] = buffer.getvalue()
    exif = rgb.getexif()
    exif[0x0112] = 9  # no such orientation
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", exif=exif)
    files["orientation-9.jpg"] = buffer.getvalue()
    return files


def hostile_files(seed: int = 0) -> dict[str, bytes]:
    """name → bytes of every hostile file (deterministic for a seed)."""
    rng = random.Random(seed)
    photo = cv2.imread(str(SAMPLE))
    encoded = {ext: _encoded(photo, ext) for ext in (".jpg", ".png", ".webp", ".tiff", ".bmp", ".gif")}
    files: dict[str, bytes] = {
        "zero.jpg": b"", "text.png": b"just some text\n" * 20, "page.webp": b"<!doctype html><p>hi</p>",
        "doc.jpg": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "script.tiff": b"#!/bin/sh\nrm -rf /\n",
        "bigtiff.tiff": b"II+\x00\x08\x00\x00\x00" + bytes(32), "riff-only.webp": b"RIFF\x04\x00\x00\x00WEBP",
        "png-signature-only.png": b"\x89PNG\r\n\x1a\n", "jpeg-soi-only.jpg": b"\xff\xd8\xff",
    }
    for ext, data in encoded.items():
        for cut in (10, 100, len(data) // 2, len(data) - 5):
            files[f"truncated-{cut}{ext}"] = data[:cut]
        for k in range(4):
            flipped = bytearray(data)
            for _ in range(20):
                flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
            files[f"flipped-{k}{ext}"] = bytes(flipped)
    files["one-pixel.png"] = _encoded(np.zeros((1, 1, 3), np.uint8), ".png")
    files["strip-1x100000.png"] = _encoded(np.full((1, 100000), 255, np.uint8), ".png")
    files["strip-100000x1.png"] = _encoded(np.full((100000, 1), 255, np.uint8), ".png")
    files["strip-2x30000.png"] = _encoded(np.full((2, 30000), 255, np.uint8), ".png")
    grey16 = (cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257)
    files["deep.png"] = _encoded(grey16, ".png")
    files["deep.tiff"] = _encoded(grey16, ".tiff")
    files["noise16.png"] = _encoded((np.random.default_rng(seed).random((300, 400)) * 65535).astype(np.uint16), ".png")
    exif = bytearray(encoded[".jpg"])
    exif[2:4] = b"\xff\xe1"  # the JFIF header relabelled as an EXIF segment: garbage EXIF
    files["broken-exif.jpg"] = bytes(exif)
    at = encoded[".jpg"].index(b"\xff\xdb")  # an EXIF segment whose IFD points far past the end
    files["exif-bad-offset.jpg"] = (encoded[".jpg"][:at] + b"\xff\xe1\x00\x14Exif\x00\x00II*\x00\xff\xff\xff\x7f"
                                    + bytes(4) + encoded[".jpg"][at:])
    files |= _pillow_files(photo)
    files |= bombs()
    return files


def write_corpus(folder: Path) -> list[Path]:
    """Write the hostile files, plus a FIFO, /dev/zero and a folder under photo names."""
    for name, data in hostile_files().items():
        (folder / name).write_bytes(data)
    os.mkfifo(folder / "pipe.png")
    (folder / "endless.jpg").symlink_to("/dev/zero")
    (folder / "folder.jpg").mkdir()
    return sorted(folder.iterdir())


def read_each(paths: list[Path], timeout: float) -> dict:
    """`exprocr read` on every file in its own process."""
    tracebacks = hangs = unusable = one_line = 0
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
        if done.returncode == 2:
            unusable += 1
            one_line += done.stderr.count("\n") == 1 and path.name in done.stderr
    return {"hostile files tried": len(paths), "tracebacks": tracebacks, "hangs": hangs,
            "exit codes (0 read, 1 blank, 2 unusable)": json.dumps(dict(sorted(codes.items()))),
            "unusable files reported in exactly one stderr line": f"{one_line}/{unusable}"}


def batch_over(folder: Path, out: Path, timeout: float) -> dict:
    """`exprocr batch` over the corpus: one record per regular file, no traceback."""
    done = subprocess.run([sys.executable, "-m", "exprocr", "batch", str(folder), "--out", str(out),
                           "--workers", "2", "--timeout", "30"], capture_output=True, text=True, timeout=timeout)
    records = [json.loads(line)["file"] for line in out.read_text().splitlines()]
    regular = [p for p in folder.iterdir() if p.is_file()]
    return {"batch over the corpus: exit code": done.returncode,
            "batch records / regular files": f"{len(records)}/{len(regular)}",
            "batch records each exactly once": len(set(records)) == len(records) == len(regular),
            "batch tracebacks": int("Traceback" in done.stderr)}


def peak_memory_mb(path: Path) -> float:
    """Peak resident memory of a whole `exprocr read` process on one file."""
    code = ("import resource, subprocess, sys; "  # a small parent, so the child's peak is its own
            f"subprocess.run([sys.executable, '-m', 'exprocr', 'read', {str(path)!r}], capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout) / 1024


def _records(out: Path) -> tuple[list[str], bool]:
    """Files in a JSONL results file, and whether its last line is torn."""
    data = out.read_bytes() if out.exists() else b""
    torn = bool(data) and not data.endswith(b"\n")
    lines = data.decode("utf-8").splitlines()
    return [json.loads(line)["file"] for line in (lines[:-1] if torn else lines)], torn


def kill_and_resume(photos: int, kills: int, workers: int = 2) -> dict:
    """Kill a batch with SIGKILL at a random moment, resume it; repeat on a fresh output."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        small = cv2.resize(cv2.imread(str(SAMPLE)), None, fx=0.5, fy=0.5)
        for i in range(photos):
            cv2.imwrite(str(folder / f"p{i:04d}.jpg"), small)
        expected = sorted(str(p) for p in folder.iterdir())
        out = Path(tmp) / "results.jsonl"
        command = [sys.executable, "-m", "exprocr", "batch", str(folder), "--out", str(out),
                   "--workers", str(workers)]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        full_run = time.perf_counter() - start
        rng = random.Random(1)
        exact, at_kill, torn_lines = 0, [], 0
        for _ in range(kills):
            out.unlink()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
            time.sleep(rng.uniform(0.1, 1.0) * full_run)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            written, torn = _records(out)
            at_kill.append(len(written))
            torn_lines += torn
            subprocess.run(command + ["--resume"], capture_output=True, check=True)
            files, torn = _records(out)
            exact += sorted(files) == expected and not torn
        return {"photos per batch": photos, "uninterrupted batch (s)": round(full_run, 2),
                "SIGKILL + resume cycles": kills,
                "records already written at each kill": " ".join(map(str, at_kill)),
                "kills that left a torn last line": torn_lines,
                "cycles ending with every photo exactly once": exact}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        paths = write_corpus(folder)
        figures = read_each(paths, args.timeout)
        figures |= batch_over(folder, Path(tmp) / "corpus.jsonl", args.timeout * 4)
        figures["peak memory of `exprocr read` on a normal photo (MB)"] = round(peak_memory_mb(SAMPLE), 1)
        for name, data in bombs().items():
            width, height = declared_size(data)
            figures[f"peak memory of `exprocr read` on {name}, {width}×{height} declared (MB)"] = round(
                peak_memory_mb(folder / name), 1)
    figures |= kill_and_resume(args.photos, args.kills)
    write_report("robustness", "Hostile files and crash safety", figures)


if __name__ == "__main__":
    main()
