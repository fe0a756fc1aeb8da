"""A synthetic photo set on disk, made once per (seed, n) and reused by the benchmarks."""

import json
import os
from pathlib import Path

from bench.photosynth import write_dataset


def synthetic_set(seed: int, n: int) -> tuple[Path, list[dict]]:
    """Folder of photos with labels.tsv and truth.jsonl; the truth records, in order."""
    root = Path(os.environ.get("EXPROCR_CACHE", Path.home() / ".cache" / "exprocr")) / "bench"
    folder = root / f"synth-{seed}-{n}"
    if not (folder / "truth.jsonl").is_file() or sum(1 for _ in open(folder / "truth.jsonl")) != n:
        write_dataset(folder, n, seed)
    return folder, [json.loads(line) for line in open(folder / "truth.jsonl")]
