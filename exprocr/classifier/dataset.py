"""The training and validation glyphs of a recipe, all through `normalize_glyph`.

Normalizing 100k glyphs takes a while, so results are cached on disk keyed by the input
bytes and the normalization code itself: change either and the cache is rebuilt.
"""

import hashlib
import inspect
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from exprocr.classifier import mnist, normalize
from exprocr.classifier.glyphsets import load_glyph_set
from exprocr.classifier.normalize import normalize_batch
from exprocr.classifier.synth import OPERATORS, render_operator
from exprocr.classifier.touching import TOUCHING, touching_groups

_SYNTH_VALIDATION_SEED = 10_000_000  # held-out synthetic glyphs come from another seed range


@dataclass
class Split:
    images: np.ndarray  # (N, 32, 32) float32 in [0, 1]
    labels: np.ndarray  # (N,) int64 class indices


@dataclass
class TrainingData:
    train: Split
    validation: dict[str, Split]
    sources: list[str] = field(default_factory=list)


def _normalized(images: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """normalize_batch with an on-disk cache keyed by the images and the normalization code.

    Stored in 8 bits, and returned in 8 bits whether it was just made or read back, so a
    training run or a benchmark gives the same figures on a cold cache as on a warm one."""
    digest = hashlib.sha256(inspect.getsource(normalize).encode())
    for image in images:
        digest.update(np.ascontiguousarray(image).tobytes())
        digest.update(str(image.shape).encode())
    path = mnist.cache_dir().parent / "normalized" / f"{digest.hexdigest()[:32]}.npy"
    if path.is_file():
        stored = np.load(path)
    else:
        stored = np.round(normalize_batch(list(images)) * 255).astype(np.uint8)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, stored)
    return stored.astype(np.float32) / 255.0


def _held_out(n: int, seed: int = 0) -> np.ndarray:
    """A fixed 20% of indices, independent of the training seed, for validation."""
    return np.random.default_rng(seed).random(n) < 0.2


def synthetic_operators(classes: tuple[str, ...], per_class: int, seed: int) -> Split:
    """Rendered operators of every operator class the model has."""
    images, labels = [], []
    for k, symbol in enumerate(s for s in OPERATORS if s in classes):
        rng = np.random.default_rng(seed + 7919 * k)
        images.extend(render_operator(symbol, rng) for _ in range(per_class))
        labels.extend([classes.index(symbol)] * per_class)
    return Split(_normalized(images), np.array(labels, np.int64))


def build(classes: tuple[str, ...], *, mnist_dir: str | Path | None, extras: list[str | Path],
          synthetic_per_class: int, seed: int, log=print) -> TrainingData:
    """MNIST train (5k held out), extra sets (20% held out), synthetic operators (+ a held-out set)."""
    images, labels = mnist.load("train", mnist_dir)
    keep = [i for i, label in enumerate(labels) if str(label) in classes]
    x = _normalized(images[keep])
    y = np.array([classes.index(str(labels[i])) for i in keep], np.int64)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    validation = {"mnist": Split(x[order[:5000]], y[order[:5000]])}
    parts = [Split(x[order[5000:]], y[order[5000:]])]
    sources = [f"MNIST train ({len(x) - 5000} glyphs; 5000 held out)"]
    if TOUCHING in classes and synthetic_per_class:
        raw = images[keep]

        def touching(index: np.ndarray, count: int, group_seed: int) -> Split:
            """Groups composed from one split's digits, so held-out digits stay held out."""
            groups = _normalized(touching_groups(raw[index], count, group_seed))
            return Split(groups, np.full(count, classes.index(TOUCHING), np.int64))
        parts.append(touching(order[5000:], synthetic_per_class, seed))
        validation["touching"] = touching(order[:5000], max(200, synthetic_per_class // 10),
                                          _SYNTH_VALIDATION_SEED)
        sources.append(f"touching digits composed from MNIST train ({synthetic_per_class})")
    for extra in extras:
        glyphs = load_glyph_set(extra, classes)
        held = _held_out(len(glyphs.labels))
        normalized = _normalized(glyphs.images)
        parts.append(Split(normalized[~held], glyphs.labels[~held]))
        name = Path(extra).stem
        validation[name] = Split(normalized[held], glyphs.labels[held])
        skipped = ", ".join(f"{k}: {v}" for k, v in sorted(glyphs.skipped.items())) or "none"
        sources.append(f"{name} ({int((~held).sum())} glyphs; {int(held.sum())} held out; skipped {skipped})")
        log(f"{extra}: {len(glyphs.labels)} glyphs, skipped classes: {skipped}")
    if synthetic_per_class:
        parts.append(synthetic_operators(classes, synthetic_per_class, seed))
        validation["synthetic"] = synthetic_operators(classes, max(200, synthetic_per_class // 10),
                                                      _SYNTH_VALIDATION_SEED)
        sources.append(f"synthetic operators ({synthetic_per_class} per class)")
    train = Split(np.concatenate([p.images for p in parts]), np.concatenate([p.labels for p in parts]))
    return TrainingData(train, validation, sources)
