"""Other readers a user could pick instead, run on the same photos when they are installed.

Nothing is installed here: RapidOCR comes with `pip install 'exprocr[bench]'`, Tesseract with
`apt-get install tesseract-ocr`. What is absent is skipped and said so.
"""

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

_ALPHABET = {"×": "*", "x": "*", "X": "*", "÷": "/", ":": "/", "—": "-", "–": "-", "_": "-",
             "o": "0", "O": "0", "l": "1", "I": "1", "|": "1"}
_KEEP = set("0123456789+-*/=().")


def to_ascii(text: str) -> str:
    """Map another reader's characters to our canonical alphabet; drop everything else."""
    return "".join(c for c in (_ALPHABET.get(ch, ch) for ch in text) if c in _KEEP)


def tesseract() -> Callable[[Path], str] | None:
    """Tesseract 5 in single-block mode with a digit and operator whitelist, if installed."""
    if shutil.which("tesseract") is None:
        return None

    def read(path: Path) -> str:
        done = subprocess.run(
            ["tesseract", str(path), "-", "--psm", "6", "-c",
             "tessedit_char_whitelist=0123456789+-*/=()x"],
            capture_output=True, text=True, timeout=60)
        lines = [to_ascii(line) for line in done.stdout.splitlines()]
        return " | ".join(line for line in lines if line)
    return read


def rapidocr() -> Callable[[Path], str] | None:
    """RapidOCR (PP-OCR models shipped in its wheel), if installed."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    engine = RapidOCR()

    def read(path: Path) -> str:
        found, _ = engine(str(path))
        boxes = sorted(found or [], key=lambda r: (min(p[1] for p in r[0]), min(p[0] for p in r[0])))
        lines = [to_ascii(r[1]) for r in boxes]
        return " | ".join(line for line in lines if line)
    return read


def available() -> dict[str, Callable[[Path], str]]:
    """The competitors present on this machine, by name."""
    found = {"RapidOCR": rapidocr(), "Tesseract": tesseract()}
    return {name: reader for name, reader in found.items() if reader is not None}


def timed(reader: Callable[[Path], str], path: Path) -> tuple[str, float]:
    """A reader's text for one photo and the seconds it took; a failure reads as nothing."""
    start = time.perf_counter()
    try:
        text = reader(path)
    except Exception:  # noqa: BLE001 - a competitor's crash scores as an empty reading
        text = ""
    return text, time.perf_counter() - start
