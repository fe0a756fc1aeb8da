"""A synthetic photo set on disk, made once per (seed, n, generator code) and reused by the
benchmarks: change the generator and the set is made anew, never silently stale."""

import hashlib
import inspect
import json
import os
from pathlib import Path

from bench import photosynth
from exprocr.classifier import synth


def synthetic_set(seed: int, n: int) -> tuple[Path, list[dict]]:
    """Folder of photos with labels.tsv and truth.jsonl; the truth records, in order."""
    root = Path(os.environ.get("EXPROCR_CACHE", Path.home() / ".cache" / "exprocr")) / "bench"
    code = hashlib.sha256((inspect.getsource(photosynth) + inspect.getsource(synth)).encode()).hexdigest()[:8]
    folder = root / f"synth-{seed}-{n}-{code}"
    if not (folder / "truth.jsonl").is_file() or sum(1 for _ in open(folder / "truth.jsonl")) != n:
        photosynth.write_dataset(folder, n, seed)
    return folder, [json.loads(line) for line in open(folder / "truth.jsonl")]
