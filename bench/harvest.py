"""Glyphs as the reader cuts them from synthetic photos, labelled from the photos' truth.

MNIST and drawn operators are clean; a glyph cut from a photo is not: blur's halo, JPEG's
blocks, a pencil stroke broken where it ran faint, a grid line's remnant. This makes a glyph
set in that serving distribution, for `exprocr train --extra`. Each true glyph the reader
found (its box at IoU ≥ 0.5, on a page read upright and unlevelled) gives two samples, the
two views the reader classifies: its outline and its stroke cores, already normalized. A
mark the reader took for a glyph where nothing was written (a grid's remnant, a speck, the
page's edge) is labelled with the model's reject class: a model that learnt only true glyphs
from such photos reads their debris as digits, and is sure of it.

Nothing any figure measures is used: the photos are bench.photosynth's, but from MNIST *train*
digits (the 55,000 the recipe trains on, not its 5,000 held out), from bhmsds-dev's
trained-on 80% (never its held-out 20%), at seeds far from every benchmark's and tuning set's.

    python -m bench.harvest --n 1500 --seed 1000 --out harvest.npz
"""

import argparse
from multiprocessing import Pool

import numpy as np

from bench import photosynth
from bench.segment import iou
from exprocr.classifier import mnist
from exprocr.classifier.dataset import _held_out
from exprocr.classifier.glyphsets import load_glyph_set
from exprocr.classifier.touching import TOUCHING
from exprocr.reader import Reader
from exprocr.segment.load import load_image

_MATCH = 0.5  # IoU at which a found glyph is the true one


def _training_digits() -> tuple[np.ndarray, np.ndarray]:
    """MNIST train less the 5,000 the recipe holds out (the same split as `dataset.build`)."""
    images, labels = mnist.load("train")
    trained = np.random.default_rng(0).permutation(len(images))[5000:]
    return images[trained], labels[trained]


def _training_operators(classes: tuple[str, ...]) -> dict[str, np.ndarray]:
    """bhmsds-dev's operators outside the held-out 20% (the split `dataset.build` makes)."""
    if not photosynth.BHMSDS.is_file():
        return {}
    glyphs = load_glyph_set(photosynth.BHMSDS, classes)
    held = _held_out(len(glyphs.labels))
    operators = {}
    for symbol in photosynth._BHMSDS_OPERATORS.values():
        chosen = [image for image, label, out in zip(glyphs.images, glyphs.labels, held)
                  if classes[label] == symbol and not out]
        operators[symbol] = np.array(chosen)
    return operators


def _harvest(task: tuple[int, int, int, str | None]) -> tuple[list[np.ndarray], list[str]]:
    """The samples of `count` photos made from `seed`, starting at photo `start`, read with
    `model` (the shipped one if None)."""
    seed, start, count, model = task
    reader = Reader(model)
    rejects = TOUCHING in reader.classifier.classes
    digits = _training_digits()
    operators = _training_operators(reader.classifier.symbols)
    photosynth._digits = lambda: digits
    photosynth._bhmsds_operators = lambda: operators
    images, labels = [], []
    for i in range(start, start + count):
        photo = photosynth.synthesize_photo(np.random.default_rng([seed, i]))
        page, _ = reader.read_image(load_image(photo.image))
        if page.rotation or page.skew:
            continue
        found = [g for line in page.lines for g in line.glyphs if g.kind == "symbol"]
        truths = [g for line in photo.lines for g in line.glyphs]
        for glyph in found:
            best = max(truths, key=lambda t: iou(glyph.box, t.box))
            if iou(glyph.box, best.box) >= _MATCH and best.label in reader.classifier.symbols:
                label = best.label
            elif rejects and not any(iou(glyph.box, t.box) > 0 for t in truths):
                label = TOUCHING  # no symbol at all: a grid's remnant, a speck, a desk's edge
            else:
                continue
            for view in (glyph.image, glyph.core_image):
                images.append(np.round(view * 255).astype(np.uint8))
                labels.append(label)
    return images, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1500, help="photos to make and read")
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="harvest.npz")
    parser.add_argument("--model", default=None, help="model the photos are read with (default: the shipped one)")
    args = parser.parse_args()
    chunk = -(-args.n // (4 * args.workers))
    tasks = [(args.seed, start, min(chunk, args.n - start), args.model) for start in range(0, args.n, chunk)]
    images: list[np.ndarray] = []
    labels: list[str] = []
    with Pool(args.workers) as pool:
        for done, (some, named) in enumerate(pool.imap(_harvest, tasks), 1):
            images += some
            labels += named
            print(f"{done}/{len(tasks)} parts, {len(labels)} samples", flush=True)
    np.savez_compressed(args.out, images=np.array(images), labels=np.array(labels))
    counts = {label: labels.count(label) for label in sorted(set(labels))}
    print(f"{args.out}: {len(labels)} samples from {args.n} photos; {counts}")


if __name__ == "__main__":
    main()
