"""EDSR-baseline encoder (Lim et al. 2017) as LIIF uses it: no upsampling tail, 64 features."""

from __future__ import annotations

import torch
import torch.nn as nn

from emoji_alpha.liif.models import register


def _conv3x3(in_channels: int, out_channels: int) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, 3, padding=1)


class ResBlock(nn.Module):
    """conv-ReLU-conv with an identity shortcut; ``body.0`` / ``body.2`` match the checkpoint."""

    def __init__(self, n_feats: int, res_scale: float = 1.0) -> None:
        super().__init__()
        self.body = nn.Sequential(_conv3x3(n_feats, n_feats), nn.ReLU(inplace=True), _conv3x3(n_feats, n_feats))
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x) * self.res_scale


class EDSR(nn.Module):
    """Feature encoder: head conv, ``n_resblocks`` residual blocks, a body conv, global skip.

    ``sub_mean`` / ``add_mean`` exist only because official checkpoints store them; LIIF's
    encoder never applies them (its input is normalised as (x - 0.5) / 0.5 instead).
    """

    def __init__(self, n_resblocks: int = 16, n_feats: int = 64, res_scale: float = 1.0, n_colors: int = 3) -> None:
        super().__init__()
        self.sub_mean = nn.Conv2d(3, 3, 1)
        self.add_mean = nn.Conv2d(3, 3, 1)
        self.head = nn.Sequential(_conv3x3(n_colors, n_feats))
        self.body = nn.Sequential(*[ResBlock(n_feats, res_scale) for _ in range(n_resblocks)], _conv3x3(n_feats, n_feats))
        self.out_dim = n_feats
        self.in_channels = n_colors  # 3, or 4 for premultiplied RGBA (emoji-rgba)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.head(x)
        return x + self.body(x)


@register("edsr-baseline")
def make_edsr_baseline(
    n_resblocks: int = 16, n_feats: int = 64, res_scale: float = 1.0, scale: int = 2,
    no_upsampling: bool = True, rgb_range: float = 1.0, n_colors: int = 3,
) -> EDSR:
    """``scale`` and ``rgb_range`` are accepted for spec compatibility; only the
    no-upsampling encoder that LIIF uses is built."""
    if not no_upsampling:
        raise ValueError("only the LIIF encoder form of EDSR (no_upsampling=True) is supported")
    return EDSR(n_resblocks=n_resblocks, n_feats=n_feats, res_scale=res_scale, n_colors=n_colors)


@register("edsr")
def make_edsr(n_resblocks: int = 32, n_feats: int = 256, res_scale: float = 0.1, scale: int = 2,
              no_upsampling: bool = True, rgb_range: float = 1.0, n_colors: int = 3) -> EDSR:
    """Full-size EDSR encoder (32 blocks, 256 features, residual scaling 0.1)."""
    return make_edsr_baseline(n_resblocks, n_feats, res_scale, scale, no_upsampling, rgb_range, n_colors)
