"""Fast exact LIIF inference.

The decoding MLP's first layer acts on ``[unfold3x3(z)(q), rel_coord, rel_cell]``. Split its
weight W1 = [W_feat | W_coord | W_cell] and the feature part is a 3x3 convolution of the
feature map (64 -> 256 channels), computed once per *input* pixel instead of once per query
and neighbour:

    h1(q, v) = relu( conv3x3(z; W_feat)[v] + b1 + W_cell . cell*(h, w) + W_coord . rel(q, v) )

For a regular output grid the cell term is the same for every query, so it is folded into
the per-pixel table too. Each query then costs a row gather, a rank-2 update and the three
remaining 256x256 layers, about 0.79 M multiply-adds instead of 1.38 M, with no unfolded
feature map in memory. Queries run in chunks (bounded memory), the K images of a background
stack share coordinates and neighbour weights, and all four neighbours of all K images go
through one GEMM per layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from emoji_alpha.liif.models.liif import EPS_SHIFT, LIIF, neighbour_cells, pixel_centres

#: Default number of output pixels decoded per chunk and image (bounded memory).
DEFAULT_CHUNK = 16384


@dataclass
class PreparedFeatures:
    """Per-input-pixel first-layer activations (before ReLU) of a batch of B images."""

    table: torch.Tensor  # (B * h * w) x D
    batch: int
    in_size: tuple[int, int]
    out_size: tuple[int, int]


class LiifEngine:
    """Exact, chunked LIIF decoding for a loaded :class:`LIIF` model (eval mode, no grad)."""

    def __init__(self, model: LIIF) -> None:
        self.model = model.eval()
        linears = model.imnet.linears
        first = linears[0]
        feat_dim = model.feat_dim
        self.feat_weight = first.weight[:, :feat_dim]
        self.coord_weight_t = first.weight[:, feat_dim:feat_dim + 2].t().contiguous()
        self.cell_weight = first.weight[:, feat_dim + 2:] if model.cell_decode else None
        self.first_bias = first.bias
        self.hidden_layers = [(lin.weight.t().contiguous(), lin.bias) for lin in linears[1:]]
        channels = model.encoder.out_dim
        if model.feat_unfold:
            # unfold orders channels as c * 9 + (ky * 3 + kx): exactly a conv weight's layout.
            self.conv_weight = self.feat_weight.reshape(-1, channels, 3, 3).contiguous()
        else:
            self.conv_weight = self.feat_weight.reshape(-1, channels, 1, 1).contiguous()

    @property
    def device(self) -> torch.device:
        return self.first_bias.device

    @torch.inference_mode()
    def prepare(self, images: torch.Tensor, out_size: tuple[int, int]) -> PreparedFeatures:
        """Encode B x 3 x h x w images (colour in [0, 1]) for decoding at ``out_size``."""
        batch, _, h, w = images.shape
        feat = self.model.encode((images - 0.5) / 0.5)
        pad = 1 if self.model.feat_unfold else 0
        bias = self.first_bias
        if self.cell_weight is not None:
            # cell = (2/H, 2/W) scaled to feature pixels: constant over a regular output grid
            cell = torch.tensor([2.0 / out_size[0] * h, 2.0 / out_size[1] * w], device=bias.device, dtype=bias.dtype)
            bias = bias + self.cell_weight @ cell
        table = F.conv2d(feat, self.conv_weight, bias, padding=pad)
        table = table.permute(0, 2, 3, 1).reshape(batch * h * w, -1).contiguous()
        return PreparedFeatures(table, batch, (h, w), tuple(out_size))

    @torch.inference_mode()
    def query(self, prepared: PreparedFeatures, pixels: torch.Tensor | None = None,
              chunk_size: int = DEFAULT_CHUNK, progress: Callable[[int], None] | None = None) -> torch.Tensor:
        """Colours (B x N x 3, in [0, 1]) at output pixels ``pixels`` (flat indices into the
        H x W output grid; all pixels when None). ``progress(n)`` is called after each chunk
        with the number of pixels just decoded."""
        out_h, out_w = prepared.out_size
        device = self.device
        if pixels is None:
            pixels = torch.arange(out_h * out_w, device=device)
        pixels = pixels.to(device)
        result = torch.empty(prepared.batch, pixels.numel(), 3, device=device, dtype=prepared.table.dtype)
        centres_y = pixel_centres(out_h, device)
        centres_x = pixel_centres(out_w, device)
        step = max(1, chunk_size)
        for start in range(0, pixels.numel(), step):
            block = pixels[start:start + step]
            result[:, start:start + block.numel()] = self._decode(
                prepared, centres_y[block // out_w], centres_x[block % out_w])
            if progress is not None:
                progress(block.numel())
        return result

    def _decode(self, prepared: PreparedFeatures, coord_y: torch.Tensor, coord_x: torch.Tensor) -> torch.Tensor:
        h, w = prepared.in_size
        model = self.model
        eps = EPS_SHIFT if model.local_ensemble else 0.0
        indices, rels, areas = [], [], []
        for dy, dx in model.offsets:
            iy, cy = neighbour_cells(coord_y, h, dy / h, eps)
            ix, cx = neighbour_cells(coord_x, w, dx / w, eps)
            rel = torch.stack([(coord_y - cy) * h, (coord_x - cx) * w], dim=-1)
            indices.append(iy * w + ix)
            rels.append(rel)
            areas.append((rel[:, 0] * rel[:, 1]).abs() + 1e-9)
        n_neigh, n = len(indices), coord_y.numel()
        index = torch.cat(indices)  # (n_neigh * n)
        rel = torch.cat(rels)  # (n_neigh * n) x 2
        batch_offsets = torch.arange(prepared.batch, device=index.device) * (h * w)
        rows = (batch_offsets[:, None] + index[None, :]).reshape(-1)
        hidden = prepared.table.index_select(0, rows).view(prepared.batch, n_neigh * n, -1)
        hidden.add_(rel @ self.coord_weight_t).clamp_(min=0)
        hidden = hidden.view(prepared.batch * n_neigh * n, -1)
        for layer, (weight_t, bias) in enumerate(self.hidden_layers):
            hidden = torch.addmm(bias, hidden, weight_t)
            if layer < len(self.hidden_layers) - 1:
                hidden.clamp_(min=0)
        preds = hidden.view(prepared.batch, n_neigh, n, -1)
        total = torch.stack(areas).sum(0)
        if model.local_ensemble:
            areas = areas[::-1]  # weight by the diagonally opposite neighbour's area
        weights = torch.stack(areas) / total  # n_neigh x n
        out = (preds * weights[None, :, :, None]).sum(1)
        return (out * 0.5 + 0.5).clamp_(0.0, 1.0)


@torch.inference_mode()
def reference_enlarge(model: LIIF, images: torch.Tensor, out_size: tuple[int, int],
                      chunk_size: int = 30000) -> torch.Tensor:
    """The straightforward official algorithm (whole unfolded feature map per chunk of
    queries): B x 3 x h x w in [0, 1] -> B x H x W x 3. Used for parity tests and benchmarks."""
    out_h, out_w = out_size
    batch = images.shape[0]
    feat = model.encode((images - 0.5) / 0.5)
    device = feat.device
    coord = torch.stack(torch.meshgrid(pixel_centres(out_h, device), pixel_centres(out_w, device), indexing="ij"), -1)
    coord = coord.view(1, -1, 2).expand(batch, -1, -1)
    cell = torch.tensor([2.0 / out_h, 2.0 / out_w], device=device).expand_as(coord)
    preds = [model.query_reference(feat, coord[:, s:s + chunk_size], cell[:, s:s + chunk_size])
             for s in range(0, coord.shape[1], chunk_size)]
    return (torch.cat(preds, 1) * 0.5 + 0.5).clamp(0, 1).view(batch, out_h, out_w, 3)
