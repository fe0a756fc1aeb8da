"""LeNet-5 in torch, for training only (reading uses the NumPy forward pass of its weights).

LeCun et al. 1998 on a 1×32×32 input: C1 6@28×28, S2, C3 16@10×10, S4, C5 120, F6 84, output,
with ReLU and max-pooling as modern re-implementations use. Batch-norm after the two
convolutions speeds training up; it is folded into the convolution weights on export, so
the shipped model is plain LeNet-5.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class LeNet5(nn.Module):
    def __init__(self, n_classes: int, mean: float, std: float) -> None:
        super().__init__()
        self.mean, self.std = mean, std
        self.c1 = nn.Conv2d(1, 6, 5)
        self.bn1 = nn.BatchNorm2d(6)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.bn3 = nn.BatchNorm2d(16)
        self.c5 = nn.Linear(400, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, n_classes)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = (x - self.mean) / self.std
        x = F.max_pool2d(F.relu(self.bn1(self.c1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn3(self.c3(x))), 2)
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.c5(x)))
        x = F.relu(self.f6(x))
        return self.out(x)

    def export(self) -> dict[str, np.ndarray]:
        """Weights for the model file, batch-norm folded into C1 and C3."""
        def fold(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> tuple[np.ndarray, np.ndarray]:
            factor = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            weight = conv.weight * factor[:, None, None, None]
            bias = (conv.bias - bn.running_mean) * factor + bn.bias
            return weight.detach().numpy(), bias.detach().numpy()
        c1w, c1b = fold(self.c1, self.bn1)
        c3w, c3b = fold(self.c3, self.bn3)
        weights = {"c1.weight": c1w, "c1.bias": c1b, "c3.weight": c3w, "c3.bias": c3b}
        for name in ("c5", "f6", "out"):
            layer = getattr(self, name)
            weights[f"{name}.weight"] = layer.weight.detach().numpy()
            weights[f"{name}.bias"] = layer.bias.detach().numpy()
        return {k: np.ascontiguousarray(v, np.float32) for k, v in weights.items()}

    def load_exported(self, weights: dict[str, np.ndarray]) -> None:
        """Start from a model file's weights (fine-tuning): batch-norm starts as identity."""
        with torch.no_grad():
            for name in ("c1", "c3", "c5", "f6", "out"):
                getattr(self, name).weight.copy_(torch.from_numpy(weights[f"{name}.weight"]))
                getattr(self, name).bias.copy_(torch.from_numpy(weights[f"{name}.bias"]))
            for bn in (self.bn1, self.bn3):
                bn.reset_parameters()
                bn.reset_running_stats()
                bn.running_var.fill_(1.0 - bn.eps)
