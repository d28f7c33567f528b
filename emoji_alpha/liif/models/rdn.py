"""RDN encoder (Zhang et al. 2018, residual dense network) as LIIF uses it: no upsampling."""

from __future__ import annotations

import torch
import torch.nn as nn

from emoji_alpha.liif.models import register

#: RDN configurations: (number of dense blocks D, convs per block C, growth rate G).
RDN_CONFIGS = {"A": (20, 6, 32), "B": (16, 8, 64)}


class DenseConv(nn.Module):
    """One densely connected layer: its output is concatenated to its input."""

    def __init__(self, in_channels: int, growth: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(in_channels, growth, kernel_size, padding=kernel_size // 2), nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat((x, self.conv(x)), 1)


class ResidualDenseBlock(nn.Module):
    """C dense layers, then local feature fusion (1x1 conv, ``LFF``) and a local residual."""

    def __init__(self, channels: int, growth: int, n_layers: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.convs = nn.Sequential(*[DenseConv(channels + i * growth, growth, kernel_size) for i in range(n_layers)])
        self.LFF = nn.Conv2d(channels + n_layers * growth, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.LFF(self.convs(x))


class RDN(nn.Module):
    """Shallow features (``SFENet1``, ``SFENet2``), D dense blocks, global fusion (``GFF``)."""

    def __init__(self, G0: int = 64, kernel_size: int = 3, config: str = "B", n_colors: int = 3) -> None:
        super().__init__()
        n_blocks, n_layers, growth = RDN_CONFIGS[config]
        pad = kernel_size // 2
        self.SFENet1 = nn.Conv2d(n_colors, G0, kernel_size, padding=pad)
        self.in_channels = n_colors
        self.SFENet2 = nn.Conv2d(G0, G0, kernel_size, padding=pad)
        self.RDBs = nn.ModuleList([ResidualDenseBlock(G0, growth, n_layers, kernel_size) for _ in range(n_blocks)])
        self.GFF = nn.Sequential(nn.Conv2d(n_blocks * G0, G0, 1), nn.Conv2d(G0, G0, kernel_size, padding=pad))
        self.out_dim = G0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shallow = self.SFENet1(x)
        x = self.SFENet2(shallow)
        block_outputs = []
        for block in self.RDBs:
            x = block(x)
            block_outputs.append(x)
        return self.GFF(torch.cat(block_outputs, 1)) + shallow


@register("rdn")
def make_rdn(G0: int = 64, RDNkSize: int = 3, RDNconfig: str = "B", scale: int = 2,
             no_upsampling: bool = True, n_colors: int = 3) -> RDN:
    """Spec names follow the official LIIF config files (``G0``, ``RDNkSize``, ``RDNconfig``)."""
    if not no_upsampling:
        raise ValueError("only the LIIF encoder form of RDN (no_upsampling=True) is supported")
    return RDN(G0=G0, kernel_size=RDNkSize, config=RDNconfig, n_colors=n_colors)
