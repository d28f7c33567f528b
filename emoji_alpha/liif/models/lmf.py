"""A latent-modulated local implicit function: LIIF's decoder split into a large per-*input*-pixel
network and a tiny per-*output*-pixel one (after LMF, He et al., CVPR 2024; our own design).

LIIF decodes every output pixel q from each of its four neighbour cells v with a 256-wide MLP
(~0.79 M multiply-adds per pixel in the exact engine). Here the expensive part depends only on
the cell v and the output pixel size, so it runs once per input pixel:

    m(v) = latent( unfold3x3(z)[v], cell * (h, w) )          (a 3x3 conv and 1x1 convs)
         = (A_v, B_v, c_v, d_v, e_v)     A, B, c, d in R^m, e in R^out

and the render function of the relative coordinate r = (q - v) * (h, w) is tiny and modulated
by m(v) (per-cell first layer, per-cell shift of the hidden layer, per-cell colour offset):

    g1 = relu( A_v * r_y + B_v * r_x + c_v )           (m oriented ramps: edges through the cell)
    g2 = relu( R g1 + d_v )                            (R shared, m x m)
    f_v(r) = O g2 + o + e_v                            (O shared, out x m)

The local ensemble is LIIF's (area weights of the diagonally opposite neighbour), and since O
is shared it mixes g2 before the output layer: colour(q) = O (sum_k w_k g2_k) + o +
sum_k w_k e_k. With m = 16 that is about 1.5 k multiply-adds per output pixel.

The encoder is the official EDSR-baseline one (``encoder.*`` names as in the checkpoint),
used frozen; the range convention is LIIF's (inputs and outputs in [-1, 1]).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from emoji_alpha.liif import models
from emoji_alpha.liif.models import register
from emoji_alpha.liif.models.liif import EPS_SHIFT, neighbour_cells

#: Local-ensemble neighbours (dy, dx), in LIIF's order.
OFFSETS = [(-1, -1), (-1, 1), (1, -1), (1, 1)]


class LatentNet(nn.Module):
    """Per input cell: 3x3 conv over the features (LIIF's unfold) plus the cell size, then
    1x1 convs, to the render modulations."""

    def __init__(self, in_dim: int, width: int, depth: int, out_dim: int) -> None:
        super().__init__()
        self.first = nn.Conv2d(in_dim, width, 3, padding=1)
        self.cell = nn.Linear(2, width, bias=False)
        self.hidden = nn.ModuleList(nn.Conv2d(width, width, 1) for _ in range(depth - 1))
        self.head = nn.Conv2d(width, out_dim, 1)

    def forward(self, feat: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
        """B x C x h x w features and B x 2 cell sizes in feature pixels -> B x out x h x w."""
        x = F.relu(self.first(feat) + self.cell(cell)[:, :, None, None])
        for layer in self.hidden:
            x = F.relu(layer(x))
        return self.head(x)


class RenderNet(nn.Module):
    """The shared part of the per-pixel render function (R, O, o of the module docstring)."""

    def __init__(self, width: int, out_dim: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(width, width, bias=False)
        self.out = nn.Linear(width, out_dim)


@register("lmf")
class LatentModulatedLIIF(nn.Module):
    def __init__(self, encoder_spec: dict[str, Any], latent_width: int = 256, latent_depth: int = 2,
                 render_width: int = 16, out_dim: int = 3) -> None:
        super().__init__()
        self.encoder = models.make(encoder_spec)
        self.render_width = render_width
        self.out_dim = out_dim
        self.latent = LatentNet(self.encoder.out_dim, latent_width, latent_depth, self.latent_dim)
        self.render = RenderNet(render_width, out_dim)

    @property
    def latent_dim(self) -> int:
        """Modulations per cell: A, B, c, d (render_width each) and e (out_dim)."""
        return 4 * self.render_width + self.out_dim

    offsets = OFFSETS

    def encode(self, image: torch.Tensor) -> torch.Tensor:
        """Feature map of a normalised image batch (B x 3 x h x w, values (x - 0.5) / 0.5)."""
        return self.encoder(image)

    def modulations(self, feat: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
        """Per-cell modulations (B x latent_dim x h x w) for output pixels of size ``cell``
        (B x 2, in [-1, 1] units: 2/H, 2/W)."""
        h, w = feat.shape[-2:]
        return self.latent(feat, cell * torch.tensor([h, w], dtype=cell.dtype, device=cell.device))

    def render_mixed(self, mods: torch.Tensor, rel: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Ensemble-mixed colours from the neighbours' modulations ``mods`` (K x N x latent_dim),
        relative coordinates ``rel`` (K x N x 2) and weights ``weights`` (K x N): N x out."""
        m = self.render_width
        a, b, c, d, e = mods.split([m, m, m, m, self.out_dim], dim=-1)
        g1 = F.relu(c + a * rel[..., :1] + b * rel[..., 1:])
        g2 = F.relu(g1 @ self.render.hidden.weight.t() + d)
        mixed = (g2 * weights[..., None]).sum(0)
        return self.render.out(mixed) + (e * weights[..., None]).sum(0)

    def query_reference(self, feat: torch.Tensor, coord: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
        """Decode colours at ``coord`` (B x Q x 2, (y, x) in [-1, 1]) for cells ``cell`` (B x 2
        or B x Q x 2, one size per image): B x Q x out, in the network's range. The training
        path; :class:`emoji_alpha.liif.lmf_engine.LmfEngine` computes the same on a grid."""
        batch, _, h, w = feat.shape
        cell = cell[:, 0] if cell.dim() == 3 else cell
        mods = self.modulations(feat, cell).flatten(2).transpose(1, 2)  # B x (h*w) x L
        outs = []
        for i in range(batch):
            gathered, rels, areas = [], [], []
            for dy, dx in self.offsets:
                iy, cy = neighbour_cells(coord[i, :, 0], h, dy / h, EPS_SHIFT)
                ix, cx = neighbour_cells(coord[i, :, 1], w, dx / w, EPS_SHIFT)
                gathered.append(mods[i, iy * w + ix])
                rel = torch.stack([(coord[i, :, 0] - cy) * h, (coord[i, :, 1] - cx) * w], dim=-1)
                rels.append(rel)
                areas.append((rel[:, 0] * rel[:, 1]).abs() + 1e-9)
            areas_t = torch.stack(areas)
            weights = areas_t.flip(0) / areas_t.sum(0)  # diagonally opposite areas
            outs.append(self.render_mixed(torch.stack(gathered), torch.stack(rels), weights))
        return torch.stack(outs)
