"""Chunked inference for the fast decoder (:mod:`emoji_alpha.liif.models.lmf`).

Encoding runs the encoder and the latent net once per input pixel: the embedding table holds
each cell's modulations (A, B, c, d, e), one row per input pixel. A query then gathers its
four neighbours' rows and evaluates the tiny render function

    g1 = relu(c + A r_y + B r_x),   g2 = relu(R g1 + d),   colour = O (sum_k w_k g2_k) + o + sum_k w_k e_k

with the output grid's neighbour cells and relative coordinates computed per output row and
per output column (separable on a regular grid), as the exact LIIF engine does. The result
is what :meth:`LatentModulatedLIIF.query_reference` gives at the pixel centres (tested).
"""

from __future__ import annotations

import copy
from typing import Callable

import torch
import torch.nn.functional as F

from emoji_alpha.liif import memory
from emoji_alpha.liif.engine import DEFAULT_CHUNK, OutputGrid, PreparedFeatures, exact_float32, grid_axis, output_pixels
from emoji_alpha.liif.models.liif import EPS_SHIFT
from emoji_alpha.liif.models.lmf import LatentModulatedLIIF


class LmfEngine:
    """Encode once, decode any pixels of a regular output grid, for a loaded fast decoder."""

    def __init__(self, model: LatentModulatedLIIF, *, half: bool = False, use_kernel: bool = True) -> None:
        self.model = model.eval()
        self.in_channels = model.encoder.in_channels
        self.out_channels = model.out_dim
        self.dtype = torch.float16 if half else torch.float32
        if half and self.device.type == "cpu":
            raise ValueError("half precision is for GPUs (CPUs have no fast float16 GEMMs)")
        width = model.render_width
        with torch.no_grad():
            self.hidden = model.render.hidden.weight.detach().contiguous().to(self.dtype)  # m x m (R)
            self.hidden_t = self.hidden.t().contiguous()
            self.out_t = model.render.out.weight.detach().t().contiguous().to(self.dtype)  # m x out
            self.out_bias = model.render.out.bias.detach().contiguous().to(self.dtype)
        self.split = [width, width, width, width, model.out_dim]
        # channels-last copies of the encoder and the latent net: oneDNN's convolutions run
        # ~1.6x faster in that layout on a CPU (as in the exact engine); the model is left alone
        self.encoder = copy.deepcopy(model.encoder).eval().to(memory_format=torch.channels_last)
        self.latent = copy.deepcopy(model.latent).eval().to(memory_format=torch.channels_last)
        #: On a CPU the render runs as one numba kernel (see :mod:`_lmf_kernels`); the torch
        #: path below is the GPU's, and the kernel's reference in the tests.
        self.use_kernel = use_kernel


    @property
    def device(self) -> torch.device:
        return self.model.render.out.weight.device

    @torch.inference_mode()
    def prepare(self, images: torch.Tensor, out_size: tuple[int, int]) -> PreparedFeatures:
        """Encode B x C x h x w images (values in [0, 1]) for decoding at ``out_size``: one
        table row of modulations per input pixel."""
        with exact_float32(self.device):
            batch, _, h, w = images.shape
            out_size = (int(out_size[0]), int(out_size[1]))
            images = images.to(device=self.device, dtype=torch.float32).contiguous(memory_format=torch.channels_last)
            # the cell size in feature pixels, as LatentModulatedLIIF.modulations scales it
            cell = torch.tensor([[2.0 / out_size[0] * h, 2.0 / out_size[1] * w]], device=self.device)
            rows = []
            for index in range(batch):  # one image at a time keeps the activations small
                feat = self.encoder((images[index:index + 1] - 0.5) / 0.5)
                rows.append(self.latent(feat, cell)[0].permute(1, 2, 0).reshape(h * w, -1))
            table = torch.cat(rows).to(self.dtype).contiguous()
            grid = self._grid((h, w), out_size)
        return PreparedFeatures(table, 0, batch, (h, w), out_size, grid)

    def _grid(self, in_size: tuple[int, int], out_size: tuple[int, int]) -> OutputGrid:
        shifts = [-1, 1]
        cell_y, rel_y = grid_axis(out_size[0], in_size[0], shifts, EPS_SHIFT, self.device)
        cell_x, rel_x = grid_axis(out_size[1], in_size[1], shifts, EPS_SHIFT, self.device)
        return OutputGrid(shifts, shifts, cell_y, rel_y, cell_x, rel_x, 0, 0)

    @torch.inference_mode()
    def query(self, prepared: PreparedFeatures, pixels: torch.Tensor | None = None,
              chunk_size: int = DEFAULT_CHUNK, progress: Callable[[int], None] | None = None) -> torch.Tensor:
        """Colours (B x N x out, in [0, 1]) at output pixels ``pixels`` (flat indices into the
        H x W grid; all when None), decoded in chunks of at most ``chunk_size`` pixels per image."""
        with exact_float32(self.device):
            return self._query(prepared, pixels, chunk_size, progress)

    def _query(self, prepared: PreparedFeatures, pixels: torch.Tensor | None, chunk_size: int,
               progress: Callable[[int], None] | None) -> torch.Tensor:
        out_w = prepared.out_size[1]
        w = prepared.in_size[1]
        device, grid, table = self.device, prepared.grid, prepared.table
        offsets = self.model.offsets
        sel_y, sel_x = grid.selectors(offsets, device)
        image_base = prepared.image_rows(device).view(-1, 1, 1)
        pixels = output_pixels(pixels, prepared.out_size, device)
        batch, n_total, k = prepared.batch, pixels.numel(), len(offsets)
        result = torch.empty(batch, n_total, self.out_channels, device=device, dtype=torch.float32)
        if self.use_kernel and device.type == "cpu" and table.dtype == torch.float32:
            return self._query_kernel(prepared, pixels, result, chunk_size, progress)
        step = memory.chunk_pixels(chunk_size, batch, k, memory.max_chunk_rows(device.type))
        for start in range(0, n_total, step):
            block = pixels[start:start + step]
            n = block.numel()
            qy, qx = block // out_w, block % out_w
            cells = grid.cell_y[:, qy][sel_y] * w + grid.cell_x[:, qx][sel_x]  # K x n
            mods = F.embedding((cells[None] + image_base).view(-1), table).view(batch, k, n, -1)
            a, b, c, d, e = mods.split(self.split, dim=-1)
            ry = grid.rel_y[:, qy][sel_y].to(table.dtype)[None, :, :, None]  # 1 x K x n x 1
            rx = grid.rel_x[:, qx][sel_x].to(table.dtype)[None, :, :, None]
            g1 = torch.addcmul(c, a, ry).addcmul_(b, rx).clamp_(min=0)
            g2 = (g1.view(-1, g1.shape[-1]) @ self.hidden_t).view_as(g1).add_(d).clamp_(min=0)
            # local-ensemble weights: area of the diagonally opposite neighbour's rectangle
            areas = (ry * rx).abs_().add_(1e-9)  # 1 x K x n x 1
            weights = areas.flip(1) / areas.sum(1, keepdim=True)
            mixed = (g2 * weights).sum(1)  # B x n x m
            colour = torch.addmm(self.out_bias, mixed.view(-1, mixed.shape[-1]), self.out_t).view(batch, n, -1)
            colour += (e * weights).sum(1)
            result[:, start:start + n] = (colour.float() * 0.5 + 0.5).clamp_(0.0, 1.0)
            if progress is not None:
                progress(n)
        return result

    def _query_kernel(self, prepared: PreparedFeatures, pixels: torch.Tensor, result: torch.Tensor,
                      chunk_size: int, progress: Callable[[int], None] | None) -> torch.Tensor:
        from emoji_alpha.liif._lmf_kernels import render_pixels

        grid = prepared.grid
        w = prepared.in_size[1]
        # rows of the shifts -1 and +1, in the kernel's order (k = 2 * ky + kx as in OFFSETS)
        assert grid.shifts_y == [-1, 1] and grid.shifts_x == [-1, 1]
        arrays = [t.numpy() for t in (grid.cell_y, grid.rel_y, grid.cell_x, grid.rel_x)]
        image_rows = prepared.image_rows(torch.device("cpu")).numpy()
        table, out = prepared.table.numpy(), result.numpy()
        flat = pixels.numpy()
        # big chunks: the kernel's memory is its output; chunks only pace the progress bar
        step = max(1, chunk_size) * 16
        for start in range(0, flat.shape[0], step):
            stop = min(flat.shape[0], start + step)
            render_pixels(table, image_rows, w, flat[start:stop], prepared.out_size[1], *arrays,
                          self.hidden_t.numpy(), self.out_t.numpy(), self.out_bias.numpy(), self.model.render_width,
                          out[:, start:stop])
            if progress is not None:
                progress(stop - start)
        return result
