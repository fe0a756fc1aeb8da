"""Segmenter benchmark: glyph recall/precision, line grouping and speed on synthetic photos.

    python -m bench.segment [--n 300] [--seed 7]

A true glyph is found when one predicted box overlaps it with IoU ≥ 0.5; a predicted box is
right when it overlaps a true glyph so. A photo's lines are grouped right when it has as
many lines as the truth and every true glyph found lies in the line of its own.

Scored twice: the segmenter's one pass over the photo as it is (every mark it hands on,
junk lines included), and the glyphs `exprocr read` reports, after the reader has chosen
among its passes (levelled, enlarged, turned) and dropped the lines that are no writing.
"""

import argparse
import statistics
import time

import cv2
import numpy as np

from bench.report import write_report
from bench.synthset import synthetic_set
from exprocr.reader import Reader
from exprocr.segment.load import load_image


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    return inter / max(1, aw * ah + bw * bh - inter)


def _timing(reader: Reader, image: np.ndarray, size: tuple[int, int], repeats: int = 7) -> float:
    """Median seconds to load (downscale) and segment a photo resized to `size`."""
    photo = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        loaded = load_image(photo)
        reader.segment(loaded.bgr, loaded.scale)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


Boxes = list[list[tuple[int, int, int, int]]]  # boxes line by line


def _score(predicted: Boxes, truth: dict) -> tuple[int, int, int, int, bool]:
    """(true glyphs found, true glyphs, predicted boxes right, predicted boxes, lines grouped right)."""
    boxes = [(i, box) for i, line in enumerate(predicted) for box in line]
    true = [(k, g["box"]) for k, line in enumerate(truth["lines"]) for g in line["glyphs"]]
    found, matched_line = 0, {}
    for k, box in true:
        best = max(boxes, key=lambda b: iou(b[1], box), default=None)
        if best is not None and iou(best[1], box) >= 0.5:
            found += 1
            matched_line.setdefault(k, set()).add(best[0])
    right = sum(1 for _, box in boxes if any(iou(box, t) >= 0.5 for _, t in true))
    grouped = len(predicted) == len(truth["lines"]) and all(
        len(v) == 1 for v in matched_line.values()) and len({min(v) for v in matched_line.values()}) == len(matched_line)
    return found, len(true), right, len(boxes), grouped


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder, truths = synthetic_set(args.seed, args.n)
    reader = Reader()
    segmented, read = np.zeros(5), np.zeros(5)
    for truth in truths:
        loaded = load_image(folder / truth["file"])
        page = reader.segment(loaded.bgr, loaded.scale)
        segmented += _score([[g.box for g in line.glyphs if g.kind in ("symbol", "dot")] for line in page.lines], truth)
        _, result = reader.read_image(loaded)
        read += _score([[g.box for g in line.glyphs] for line in result.lines], truth)
    sample = cv2.imread(str(folder / truths[0]["file"]))
    figures = {"photos": len(truths), "true glyphs": int(segmented[1])}
    for name, (found, total, right, predicted, grouped) in (("segmenter, one pass", segmented), ("as read", read)):
        figures[f"{name}: glyph recall (IoU≥0.5)"] = found / total
        figures[f"{name}: glyph precision (IoU≥0.5)"] = right / max(1, predicted)
        figures[f"{name}: line grouping correct (photos)"] = grouped / len(truths)
    figures.update({
        "median load+segment 1600×1200 (ms)": round(1000 * _timing(reader, sample, (1600, 1200)), 1),
        "median load+segment 12 MP 4000×3000 (ms)": round(1000 * _timing(reader, sample, (4000, 3000)), 1),
        "targets": "recall, precision ≥ 0.995; grouping ≥ 0.99; ≤ 50 ms and ≤ 200 ms",
    })
    write_report("segment", f"Segmenter on {len(truths)} synthetic photos (seed {args.seed})", figures)


if __name__ == "__main__":
    main()
