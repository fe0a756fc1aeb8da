"""End-to-end benchmark: exact-line accuracy on synthetic photos, cold start, batch throughput,
and Tesseract on the same photos when it is installed.

    python -m bench.e2e [--n 300] [--seed 7]

Tesseract: `apt-get install tesseract-ocr` (the benchmark installs nothing and skips the
column when it is absent).
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.competitors import tesseract, timed
from bench.report import write_report
from bench.synthset import synthetic_set
from exprocr.photo_eval import load_labels, score_photos
from exprocr.reader import Reader
from exprocr.results import ReadResult

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "blue-ink.jpg"


def cold_read_seconds(repeats: int = 5) -> float:
    """Median wall time of a fresh `exprocr read` process on a bundled sample."""
    command = [shutil.which("exprocr") or sys.executable, *([] if shutil.which("exprocr") else ["-m", "exprocr"]),
               "read", str(SAMPLE)]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def batch_rate(folder: Path, workers: int) -> float:
    """Photos per second of `exprocr batch --workers N` over the folder (a fresh output)."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "exprocr", "batch", str(folder), "--out", f"{tmp}/r.jsonl",
                        "--workers", str(workers)], capture_output=True, check=True)
        elapsed = time.perf_counter() - start
        return sum(1 for _ in open(f"{tmp}/r.jsonl")) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tesseract-n", type=int, default=100,
                        help="photos Tesseract reads (it takes seconds per photo); both columns use them")
    args = parser.parse_args()
    folder, _ = synthetic_set(args.seed, args.n)
    labels = load_labels(folder / "labels.tsv")
    reader = Reader()
    ours, seconds = {}, []
    for name in labels:
        start = time.perf_counter()
        ours[name] = reader.read(folder / name)
        seconds.append(time.perf_counter() - start)
    score = score_photos(ours, labels)
    figures = {
        "photos": score.n, "lines": score.lines,
        "exprocr line-exact": score.line_exact, "exprocr photo-exact": score.photo_exact,
        "exprocr CER": score.cer, "exprocr value accuracy": score.value_accuracy,
        "exprocr median s/photo (warm)": round(statistics.median(seconds), 3),
    }
    reader_tesseract = tesseract()
    if reader_tesseract:
        subset = dict(list(labels.items())[: args.tesseract_n])
        mine = score_photos({k: ours[k] for k in subset}, subset)
        figures[f"exprocr line-exact on Tesseract's {len(subset)}"] = mine.line_exact
        theirs, their_seconds = {}, []
        for name in subset:
            text, spent = timed(reader_tesseract, folder / name)
            their_seconds.append(spent)
            from exprocr.evaluate.expression import evaluate_text

            theirs[name] = ReadResult(file=name, lines=[evaluate_text(t) for t in text.split(" | ") if t])
        tess = score_photos(theirs, subset)
        figures |= {"Tesseract line-exact": tess.line_exact, "Tesseract CER": tess.cer,
                    "Tesseract median s/photo": round(statistics.median(their_seconds), 3)}
    else:
        figures["Tesseract"] = "not installed (apt-get install tesseract-ocr)"
    figures["cold `exprocr read` sample (s, median of 5)"] = round(cold_read_seconds(), 3)
    subset = Path(tempfile.mkdtemp())
    for name in list(labels)[:60]:
        (subset / name).symlink_to(folder / name)
    figures["batch photos/s, 1 worker (60 photos)"] = round(batch_rate(subset, 1), 2)
    figures["batch photos/s, 2 workers (60 photos)"] = round(batch_rate(subset, 2), 2)
    figures["targets"] = "line-exact ≥ 0.97; cold read ≤ 0.5 s"
    wrong = [f"| {r.file} | {' | '.join(r.expected)} | {' | '.join(r.read) or r.error} |"
             for r in score.rows if not r.exact][:40]
    table = "Wrong readings (first 40):\n\n| file | truth | read |\n|---|---|---|\n" + "\n".join(wrong)
    write_report("e2e", f"End to end on {score.n} synthetic photos (seed {args.seed})", figures, table)
    print(json.dumps({k: v for k, v in figures.items() if isinstance(v, float)}))


if __name__ == "__main__":
    main()
