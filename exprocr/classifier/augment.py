"""Batched augmentation on tensors: what a glyph cut from a phone photo may look like.

All on (B, 1, 32, 32) tensors at once, no per-image loops: affine (rotation, shear, aspect,
shift), elastic wobble, pen thickness (dilate/erode), blur, and a sliver of a neighbouring
glyph at the frame's edge, as a segmenter's cut leaves it. Glyphs whose class is told
apart by the angle of their strokes (`/` from `1`, `×` from `+`) are turned and sheared
only a little: tilted as much as others, a slash becomes a one and a cross a plus.
"""

import math

import torch
from torch.nn import functional as F


def _uniform(n: int, low: float, high: float, generator: torch.Generator) -> torch.Tensor:
    return low + (high - low) * torch.rand(n, generator=generator)


SLANT_DEFINED = ("/", "1", "+", "×")  # classes told apart by the angle of their strokes
_SLANT_KEPT = 0.3  # share of the usual rotation and shear for glyphs defined by their slant


def augment(x: torch.Tensor, generator: torch.Generator, slant_defined: torch.Tensor | None = None) -> torch.Tensor:
    """A randomly distorted copy of a batch of normalized glyphs in [0, 1]; `slant_defined`
    marks the glyphs whose slant must survive."""
    n = len(x)
    tilt = torch.ones(n) if slant_defined is None else torch.where(slant_defined, _SLANT_KEPT, 1.0)
    angle = _uniform(n, -math.radians(10), math.radians(10), generator) * tilt
    shear = _uniform(n, -0.2, 0.2, generator) * tilt
    sx, sy = _uniform(n, 0.85, 1.12, generator), _uniform(n, 0.85, 1.12, generator)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = torch.cos(angle) / sx
    theta[:, 0, 1] = -torch.sin(angle) / sx + shear
    theta[:, 1, 0] = torch.sin(angle) / sy
    theta[:, 1, 1] = torch.cos(angle) / sy
    theta[:, :, 2] = _uniform(2 * n, -0.12, 0.12, generator).view(n, 2)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    wobble = torch.randn(n, 2, 4, 4, generator=generator) * 0.045
    wobble = wobble * (torch.rand(n, 1, 1, 1, generator=generator) < 0.6)
    grid = grid + F.interpolate(wobble, size=x.shape[-2:], mode="bilinear", align_corners=False).permute(0, 2, 3, 1)
    x = F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")

    pick = torch.rand(n, generator=generator)
    thick, thin = pick < 0.2, pick > 0.88
    x[thick] = F.max_pool2d(x[thick], 3, 1, 1)
    x[thin] = ((x[thin] - 0.3) * 1.6).clamp(0.0, 1.0)  # a finer pen: anti-aliased edges shaved
    blur = torch.rand(n, generator=generator) < 0.1
    kernel = torch.tensor([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]).view(1, 1, 3, 3) / 16
    x[blur] = F.conv2d(x[blur], kernel, padding=1)

    edged = torch.rand(n, generator=generator) < 0.08
    neighbours = x[torch.randint(0, n, (int(edged.sum()),), generator=generator)]
    if torch.rand(1, generator=generator).item() < 0.5:  # right edge of the glyph to the left
        x[edged, :, :, 0:4] = torch.maximum(x[edged, :, :, 0:4], neighbours[..., 24:28])
    else:  # left edge of the glyph to the right
        x[edged, :, :, 28:32] = torch.maximum(x[edged, :, :, 28:32], neighbours[..., 4:8])
    return x.clamp_(0.0, 1.0)
