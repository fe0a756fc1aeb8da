"""Real photos: the reader on a labelled folder (real-dev by default), every failure attributed
to a stage, an overlay of every failed photo, and other readers side by side when installed.

    python -m bench.real [--photos DIR] [--labels TSV] [--overlays DIR]

RapidOCR: `pip install 'exprocr[bench]'`; Tesseract: `apt-get install tesseract-ocr`.
"""

import argparse
import statistics
import time
from pathlib import Path

from bench.attribution import Attribution, attribute
from bench.competitors import available, timed
from bench.report import write_report
from exprocr.errors import ExprocrError
from exprocr.evaluate.expression import evaluate_text
from exprocr.photo_eval import load_labels, score_photos
from exprocr.reader import Reader
from exprocr.results import ReadResult

REAL_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-dev"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=Path, default=REAL_DEV)
    parser.add_argument("--labels", type=Path, default=None)
    parser.add_argument("--overlays", type=Path, default=Path("bench/reports/real-failures"))
    parser.add_argument("--no-competitors", action="store_true")
    args = parser.parse_args()
    if not args.photos.is_dir():
        raise SystemExit(f"{args.photos}: no such folder (real-dev is developer-only data beside the repo)")
    labels = load_labels(args.labels or args.photos / "labels.tsv")
    reader = Reader()
    args.overlays.mkdir(parents=True, exist_ok=True)
    for stale in args.overlays.glob("*.png"):  # the folder shows this run's failures, no earlier one's
        stale.unlink()
    ours, seconds, attribution, causes = {}, [], Attribution(), {}
    for name, label in labels.items():
        start = time.perf_counter()
        try:
            ours[name] = reader.read(args.photos / name)
        except ExprocrError as error:
            ours[name] = ReadResult(file=name, error=str(error))
        seconds.append(time.perf_counter() - start)
        expected = [part.strip() for part in label.split("|")]
        if [line.ascii for line in ours[name].lines] != expected:
            causes[name] = attribute(ours[name], expected, attribution)
            reader.read(args.photos / name, debug=args.overlays / f"{Path(name).stem}.png")
    score = score_photos(ours, labels)
    figures = {"photos": score.n, "lines": score.lines, "exprocr line-exact": score.line_exact,
               "exprocr photo-exact": score.photo_exact, "exprocr CER": score.cer,
               "exprocr value accuracy": score.value_accuracy,
               "exprocr median s/photo": round(statistics.median(seconds), 3)}
    if not args.no_competitors:
        for competitor, read in available().items():
            theirs, spent = {}, []
            for name in labels:
                text, t = timed(read, args.photos / name)
                spent.append(t)
                theirs[name] = ReadResult(file=name, lines=[evaluate_text(p) for p in text.split(" | ") if p])
            other = score_photos(theirs, labels)
            figures |= {f"{competitor} line-exact": other.line_exact, f"{competitor} CER": other.cer,
                        f"{competitor} value accuracy": other.value_accuracy,
                        f"{competitor} median s/photo": round(statistics.median(spent), 3)}
    stages = "\n".join(f"| {stage} | {count} |" for stage, count in attribution.stages.most_common())
    detail = "\n".join(f"| {cause} | {count} |" for cause, count in attribution.causes.most_common())
    confusions = ", ".join(f"{t}→{r} ×{n}" for (t, r), n in attribution.confusions.most_common())
    rows = "\n".join(f"| {r.file} | {' | '.join(r.expected)} | {' | '.join(r.read) or r.error} | "
                     f"{'; '.join(causes.get(r.file, []))} |" for r in score.rows if not r.exact)
    table = (f"## Wrong lines by stage\n\n| stage | lines |\n|---|---|\n{stages}\n\n"
             f"| cause | lines |\n|---|---|\n{detail}\n\nClassifier confusions (true→read): {confusions or 'none'}\n\n"
             f"## Every wrong photo (overlays in {args.overlays})\n\n| file | truth | read | cause |\n|---|---|---|---|\n{rows}")
    write_report("real", f"Real photos: {args.photos.name}", figures, table)


if __name__ == "__main__":
    main()
