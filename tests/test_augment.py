"""Augmentation keeps what defines a class: glyphs told apart by slant are tilted little."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from exprocr.classifier.augment import augment  # noqa: E402


def _tilt_degrees(image: np.ndarray) -> float:
    """Principal-axis angle of the ink from vertical."""
    ys, xs = np.nonzero(image > 0.3)
    xs, ys = xs - xs.mean(), ys - ys.mean()
    return abs(0.5 * np.degrees(np.arctan2(2 * (xs * ys).mean(), (ys ** 2).mean() - (xs ** 2).mean())))


def test_slant_defined_glyphs_keep_their_slant():
    bars = torch.zeros(400, 1, 32, 32)
    bars[:, :, 6:26, 15:17] = 1.0  # an upright stroke: a `1`
    marked = torch.arange(400) < 200
    out = augment(bars, torch.Generator().manual_seed(0), marked).numpy()[:, 0]
    tilts = np.array([_tilt_degrees(image) for image in out])
    assert np.percentile(tilts[:200], 90) < 0.5 * np.percentile(tilts[200:], 90)


def test_augment_keeps_shape_and_range():
    x = torch.rand(16, 1, 32, 32)
    out = augment(x.clone(), torch.Generator().manual_seed(1))
    assert out.shape == x.shape and float(out.min()) >= 0.0 and float(out.max()) <= 1.0
