"""LeNet-5 forward pass in NumPy: the same weights as training, without torch.

Reading a photo imports only NumPy, so `exprocr read` starts fast and a read-only install
stays small. Convolutions are im2col with channel-first columns and one matrix product;
max-pooling takes the maximum of four strided slices.
"""

from pathlib import Path

import numpy as np

from exprocr.classifier.model_file import ModelFile, load_model
from exprocr.classifier.touching import TOUCHING


def _conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Valid 2-D convolution (cross-correlation, as torch): (N,C,H,W) → (N,O,H-k+1,W-k+1)."""
    n, c, h, w = x.shape
    out, _, k, _ = weight.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))  # N,C,H',W',k,k
    hh, ww = h - k + 1, w - k + 1
    columns = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * hh * ww, c * k * k)
    result = columns @ weight.reshape(out, c * k * k).T + bias
    return result.reshape(n, hh, ww, out).transpose(0, 3, 1, 2)


def _pool(x: np.ndarray) -> np.ndarray:
    """2×2 max-pooling with stride 2."""
    return np.maximum(np.maximum(x[:, :, 0::2, 0::2], x[:, :, 1::2, 0::2]),
                      np.maximum(x[:, :, 0::2, 1::2], x[:, :, 1::2, 1::2]))


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0, out=x)


class GlyphClassifier:
    """Class probabilities for normalized 32×32 glyphs, from a model file."""

    def __init__(self, model: ModelFile) -> None:
        self.model = model
        self.classes = model.classes
        self._w = model.weights
        # What a glyph may be read as: every class but the reject class of touching digits.
        self._symbols = np.array([i for i, name in enumerate(self.classes) if name != TOUCHING])
        self.symbols = tuple(self.classes[i] for i in self._symbols)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "GlyphClassifier":
        """Load a model file (None: the shipped model); refuses bad files with ModelFileError."""
        return cls(load_model(path))

    def logits(self, images: np.ndarray) -> np.ndarray:
        """Raw scores (N, classes) for glyphs (N, 32, 32) in [0, 1] from normalize_glyph."""
        w = self._w
        x = ((np.asarray(images, np.float32) - self.model.mean) / self.model.std)[:, None]
        x = _pool(_relu(_conv(x, w["c1.weight"], w["c1.bias"])))
        x = _pool(_relu(_conv(x, w["c3.weight"], w["c3.bias"])))
        x = x.reshape(len(x), -1)
        x = _relu(x @ w["c5.weight"].T + w["c5.bias"])
        x = _relu(x @ w["f6.weight"].T + w["f6.bias"])
        return x @ w["out.weight"].T + w["out.bias"]

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Softmax probabilities (N, classes)."""
        if len(images) == 0:
            return np.zeros((0, len(self.classes)), np.float32)
        z = self.logits(images)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def symbol_proba(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (N, symbols) of the readable symbols only: a glyph that looks like
        touching digits keeps little probability for any one symbol."""
        return self.predict_proba(images)[:, self._symbols]
