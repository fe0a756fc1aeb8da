"""Classifier benchmark: the shipped model on MNIST test, held-out bhmsds and synthetic operators,
NumPy forward speed, and (with --retrain) the time of a full retrain of the shipped recipe.

    python -m bench.classifier [--retrain]
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import write_report
from exprocr.classifier import mnist
from exprocr.classifier.dataset import _held_out, _normalized, synthetic_operators
from exprocr.classifier.evaluate import score_glyphs
from exprocr.classifier.glyphsets import load_glyph_set
from exprocr.classifier.inference import GlyphClassifier
from exprocr.classifier.touching import TOUCHING, touching_groups

BHMSDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "bhmsds-dev.npz"


def _speed(classifier: GlyphClassifier, batch: int) -> float:
    images = np.random.default_rng(0).random((batch, 32, 32)).astype(np.float32)
    classifier.predict_proba(images)
    times = []
    for _ in range(200 if batch == 1 else 50):
        start = time.perf_counter()
        classifier.predict_proba(images)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--retrain", action="store_true", help="also time a full retrain of the recipe")
    args = parser.parse_args()
    classifier = GlyphClassifier.load()
    figures = {}
    classes = classifier.classes
    images, labels = mnist.load("test")
    index = np.array([classes.index(str(label)) for label in labels])
    normalized = _normalized(images)
    score = score_glyphs(classifier, normalized, index)
    probabilities = classifier.predict_proba(normalized)
    digits = [classes.index(str(d)) for d in range(10)]
    figures[f"MNIST test accuracy, all {len(classes)} classes (10,000)"] = score.accuracy
    figures["MNIST test accuracy, digits only (argmax over 0-9)"] = float(
        (probabilities[:, digits].argmax(1) == labels).mean())
    if TOUCHING in classes:
        touching = classes.index(TOUCHING)
        groups = _normalized(touching_groups(images, 2000, seed=30_000_000))
        figures["MNIST test digits taken for touching digits"] = float((probabilities.argmax(1) == touching).mean())
        figures["touching groups of MNIST test digits recognised (2,000)"] = float(
            (classifier.predict_proba(groups).argmax(1) == touching).mean())
    if BHMSDS.is_file():
        glyphs = load_glyph_set(BHMSDS, classes)
        held = _held_out(len(glyphs.labels))
        bh = score_glyphs(classifier, _normalized([glyphs.images[i] for i in np.flatnonzero(held)]), glyphs.labels[held])
        figures[f"bhmsds-dev held-out accuracy ({bh.n})"] = bh.accuracy
        for name in ("+", "-", "/", "×"):
            figures[f"  bhmsds held-out '{name}'"] = bh.per_class.get(name, float("nan"))
    else:
        figures["bhmsds-dev"] = "absent (developer-only data)"
    synthetic = synthetic_operators(classes, 500, seed=20_000_000)
    figures["held-out synthetic operators (4,000)"] = score_glyphs(classifier, synthetic.images, synthetic.labels).accuracy
    figures["NumPy forward, 1 glyph (µs)"] = round(1e6 * _speed(classifier, 1), 1)
    figures["NumPy forward, 16 glyphs (ms)"] = round(1e3 * _speed(classifier, 16), 3)
    training = classifier.model.meta.get("training", {})
    figures["shipped model: training seconds (from its card)"] = training.get("seconds")
    figures["shipped model: training images/s"] = training.get("images_per_second")
    if args.retrain:
        from typer.testing import CliRunner

        from exprocr.cli import app

        with tempfile.TemporaryDirectory() as tmp:
            extra = ["--extra", str(BHMSDS)] if BHMSDS.is_file() else []
            start = time.perf_counter()
            CliRunner().invoke(app, ["train", "--out", f"{tmp}/m.npz", *extra], catch_exceptions=False)
            figures["full retrain of the recipe (s, incl. data)"] = round(time.perf_counter() - start, 1)
    figures["targets"] = "MNIST ≥ 0.995; bhmsds held-out ≥ 0.99; synthetic ≥ 0.995; retrain ≤ 300 s"
    write_report("classifier", "Classifier (shipped model)", figures)


if __name__ == "__main__":
    main()
