"""The model file: LeNet-5 weights and their metadata in one `.npz`, loaded without pickle.

A model file is data only. Anything that is not exactly what this version writes (missing
or extra arrays, wrong shapes, non-finite weights, unknown format or version) is refused
with a one-line ModelFileError, so a truncated download or a foreign file never half-works.
"""

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exprocr.errors import ModelFileError

FORMAT = "exprocr-lenet5"
VERSION = 1
SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "models" / "lenet5.npz"


def weight_shapes(n_classes: int) -> dict[str, tuple[int, ...]]:
    """LeNet-5 (LeCun et al. 1998) on a 1×32×32 input: C1 6@28², S2, C3 16@10², S4, C5, F6, out."""
    return {
        "c1.weight": (6, 1, 5, 5), "c1.bias": (6,),
        "c3.weight": (16, 6, 5, 5), "c3.bias": (16,),
        "c5.weight": (120, 400), "c5.bias": (120,),
        "f6.weight": (84, 120), "f6.bias": (84,),
        "out.weight": (n_classes, 84), "out.bias": (n_classes,),
    }


@dataclass
class ModelFile:
    """Weights by name (float32) and the metadata that travels with them."""

    weights: dict[str, np.ndarray]
    meta: dict[str, Any]

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.meta["classes"])

    @property
    def mean(self) -> float:
        return float(self.meta["input"]["mean"])

    @property
    def std(self) -> float:
        return float(self.meta["input"]["std"])


def save_model(path: str | Path, weights: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Write weights and metadata; the metadata must name the classes and input normalization."""
    meta = {**meta, "format": FORMAT, "version": VERSION}
    model = ModelFile({k: np.asarray(v, np.float32) for k, v in weights.items()}, meta)
    _check(model, str(path))
    arrays = {name: model.weights[name] for name in weight_shapes(len(model.classes))}
    with open(path, "wb") as handle:
        np.savez_compressed(handle, meta=np.array(json.dumps(meta, ensure_ascii=False)), **arrays)


def load_model(path: str | Path | None = None) -> ModelFile:
    """Read and validate a model file (None: the shipped model)."""
    path = Path(path) if path is not None else SHIPPED_MODEL
    name = str(path)
    if not path.is_file():
        raise ModelFileError(f"{name}: no such model file")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(f"{name}: not a readable exprocr model file ({exc})") from None
    if "meta" not in arrays:
        raise ModelFileError(f"{name}: not an exprocr model file (no metadata)")
    try:
        meta = json.loads(str(arrays.pop("meta")))
    except json.JSONDecodeError:
        raise ModelFileError(f"{name}: model metadata is not valid JSON") from None
    model = ModelFile({k: v.astype(np.float32) for k, v in arrays.items()}, meta)
    _check(model, name)
    return model


def _check(model: ModelFile, name: str) -> None:
    meta = model.meta
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{name}: not an exprocr model file (format {meta.get('format')!r})")
    if meta.get("version") != VERSION:
        raise ModelFileError(f"{name}: model file version {meta.get('version')!r} is not supported "
                             f"(this exprocr reads version {VERSION})")
    classes = meta.get("classes")
    if not isinstance(classes, list) or len(classes) < 2 or len(set(classes)) != len(classes):
        raise ModelFileError(f"{name}: model metadata has no valid class list")
    normalization = meta.get("input", {})
    if not all(isinstance(normalization.get(k), (int, float)) for k in ("mean", "std")) \
            or not normalization["std"] > 0:
        raise ModelFileError(f"{name}: model metadata has no valid input normalization")
    expected = weight_shapes(len(classes))
    if set(model.weights) != set(expected):
        missing = sorted(set(expected) - set(model.weights))
        extra = sorted(set(model.weights) - set(expected))
        raise ModelFileError(f"{name}: weights do not match LeNet-5 (missing {missing}, extra {extra})")
    for key, shape in expected.items():
        array = model.weights[key]
        if array.shape != shape:
            raise ModelFileError(f"{name}: weight {key} has shape {array.shape}, expected {shape}")
        if not np.isfinite(array).all():
            raise ModelFileError(f"{name}: weight {key} holds NaN or infinite values")
