"""LIIF: Local Implicit Image Function (Chen, Liu & Wang, CVPR 2021).

An encoder turns the low-resolution image into a feature map z (h x w x C). The colour at a
continuous coordinate x in [-1, 1]^2 is decoded by an MLP from

    [ unfold3x3(z)[nearest(x + shift)],  (x - v) * (h, w),  cell * (h, w) ]

where v is the centre of the chosen feature cell (relative coordinate, scaled to feature
pixels) and cell is the output pixel size (2/H, 2/W). With the local ensemble, the four
feature cells around x (shifts of +-1/h, +-1/w) each predict a colour, weighted by the area
of the rectangle between x and the *diagonally opposite* cell centre.

:meth:`LIIF.query_reference` is the straightforward algorithm as the paper defines it; the
fast engine in :mod:`emoji_alpha.liif.engine` computes the same numbers far more cheaply.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from emoji_alpha.liif import models
from emoji_alpha.liif.models import register

#: Shift that keeps nearest-neighbour lookups off exact ties, as in the official code.
EPS_SHIFT = 1e-6


def pixel_centres(n: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Coordinates of the centres of ``n`` pixels spanning [-1, 1]: -1 + (2i + 1) / n."""
    radius = 1.0 / n
    return -1.0 + radius + (2.0 * radius) * torch.arange(n, device=device, dtype=torch.float32)


def neighbour_cells(coord: torch.Tensor, n: int, shift: float, eps: float = EPS_SHIFT) -> tuple[torch.Tensor, torch.Tensor]:
    """Index of the feature cell hit by ``coord + shift`` (nearest, clamped inside [-1, 1]) and
    that cell's centre coordinate, along one axis with ``n`` feature cells."""
    shifted = (coord + (shift + eps)).clamp_(-1 + 1e-6, 1 - 1e-6)
    index = torch.round(((shifted + 1) * n - 1) / 2).long().clamp_(0, n - 1)
    centre = -1.0 + 1.0 / n + (2.0 / n) * index.to(torch.float32)
    return index, centre


@register("liif")
class LIIF(nn.Module):
    def __init__(self, encoder_spec: dict[str, Any], imnet_spec: dict[str, Any] | None = None,
                 local_ensemble: bool = True, feat_unfold: bool = True, cell_decode: bool = True) -> None:
        super().__init__()
        if imnet_spec is None:
            raise ValueError("LIIF without an MLP decoder is not supported")
        self.local_ensemble = local_ensemble
        self.feat_unfold = feat_unfold
        self.cell_decode = cell_decode
        self.encoder = models.make(encoder_spec)
        feat_dim = self.encoder.out_dim * (9 if feat_unfold else 1)
        self.feat_dim = feat_dim
        imnet_in = feat_dim + 2 + (2 if cell_decode else 0)
        self.imnet = models.make(imnet_spec, args={"in_dim": imnet_in})

    @property
    def offsets(self) -> list[tuple[int, int]]:
        """(dy, dx) of the local-ensemble neighbours, in the official order."""
        return [(-1, -1), (-1, 1), (1, -1), (1, 1)] if self.local_ensemble else [(0, 0)]

    def encode(self, image: torch.Tensor) -> torch.Tensor:
        """Feature map of a normalised image batch (B x 3 x h x w, values (x - 0.5) / 0.5)."""
        return self.encoder(image)

    def query_reference(self, feat: torch.Tensor, coord: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
        """Decode colours at ``coord`` (B x Q x 2, (y, x) in [-1, 1]) with cell sizes ``cell``
        (B x Q x 2): the straightforward algorithm, whole feature map unfolded.

        Returns B x Q x 3 in the network's output range (colour = out * 0.5 + 0.5)."""
        batch, channels, h, w = feat.shape
        if self.feat_unfold:
            feat = F.unfold(feat, 3, padding=1).view(batch, channels * 9, h, w)
        flat = feat.flatten(2).transpose(1, 2)  # B x (h*w) x C'
        preds, areas = [], []
        eps = EPS_SHIFT if self.local_ensemble else 0.0
        for dy, dx in self.offsets:
            iy, cy = neighbour_cells(coord[..., 0], h, dy / h, eps)
            ix, cx = neighbour_cells(coord[..., 1], w, dx / w, eps)
            q_feat = torch.gather(flat, 1, (iy * w + ix).unsqueeze(-1).expand(-1, -1, flat.shape[-1]))
            rel = torch.stack([(coord[..., 0] - cy) * h, (coord[..., 1] - cx) * w], dim=-1)
            parts = [q_feat, rel]
            if self.cell_decode:
                parts.append(cell * torch.tensor([h, w], dtype=cell.dtype, device=cell.device))
            preds.append(self.imnet(torch.cat(parts, dim=-1)))
            areas.append((rel[..., 0] * rel[..., 1]).abs() + 1e-9)
        total = torch.stack(areas).sum(0)
        if self.local_ensemble:
            areas = areas[::-1]  # each prediction is weighted by its diagonally opposite area
        return sum(pred * (area / total).unsqueeze(-1) for pred, area in zip(preds, areas))
