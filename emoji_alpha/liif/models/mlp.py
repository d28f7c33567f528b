"""The LIIF decoding MLP: Linear + ReLU layers, stored as ``layers.<i>`` like the checkpoint."""

from __future__ import annotations

import torch
import torch.nn as nn

from emoji_alpha.liif.models import register


@register("mlp")
class MLP(nn.Module):
    def __init__(self, in_dim: int, out_dim: int, hidden_list: list[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = in_dim
        for hidden in hidden_list:
            layers += [nn.Linear(width, hidden), nn.ReLU()]
            width = hidden
        layers.append(nn.Linear(width, out_dim))
        self.layers = nn.Sequential(*layers)

    @property
    def linears(self) -> list[nn.Linear]:
        return [m for m in self.layers if isinstance(m, nn.Linear)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)
