"""Fast exact LIIF inference.

The decoding MLP's first layer acts on ``[unfold3x3(z)(q), rel_coord, rel_cell]``. Split its
weight W1 = [W_feat | W_coord | W_cell] and the feature part is a 3x3 convolution of the
feature map (64 -> 256 channels), computed once per *input* pixel instead of once per query
and neighbour:

    h1(q, v) = relu( conv3x3(z; W_feat)[v] + b1 + W_cell . cell*(h, w) + W_coord . rel(q, v) )

For a regular output grid the cell term is the same for every query, so it is folded into
the per-pixel table too. On a regular grid the neighbour cells and relative coordinates are
separable: the row part (cell row, rel_y * W_coord[:, 0]) depends only on the output row and
the column part only on the output column. Both are precomputed once per encoding as extra
rows of the images' embedding table, so a query's first-layer pre-activation is the *sum of three
table rows* (pixel, output row, output column), one ``embedding_bag`` call, with no per-pixel
matmul. The remaining 256x256 layers run as one GEMM per layer over all neighbours of all K
images (fused bias + ReLU through oneDNN on CPU), and because the output layer is linear the
local-ensemble weighting happens *before* it (sum_k a_k (W h_k + b) = W (sum_k a_k h_k) + b,
as the weights sum to one), so the thin 256 -> 3 layer runs once per pixel, not four times
(through oneDNN's packed weights too: a plain addmm is ~4x slower on so thin a layer).
About 0.79 M multiply-adds per output pixel instead of the reference's 1.38 M. Queries run in
chunks whose size is capped internally (bounded memory, cache-sized GEMM operands).
"""

from __future__ import annotations

import copy
import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from emoji_alpha.liif import memory
from emoji_alpha.liif.models.liif import EPS_SHIFT, LIIF, neighbour_cells, pixel_centres

#: Default number of output pixels decoded per chunk and image.
DEFAULT_CHUNK = memory.DEFAULT_CHUNK

#: Cap on the rows (pixels x neighbours x images) of one chunk's GEMMs: 16384 rows of 256
#: floats is 16 MiB per activation buffer, which keeps memory bounded whatever chunk_size is
#: asked for and the operands close to the caches. Larger chunks gain nothing.
MAX_CHUNK_ROWS = memory.MAX_CHUNK_ROWS


@dataclass
class OutputGrid:
    """Per output row (and column): for each distinct neighbour shift S, the feature cell
    index and the relative coordinate (S x H and S x W), and where that shift's first-layer
    terms rel * W_coord start in the embedding table (rows start + s * H + y)."""

    shifts_y: list[int]
    shifts_x: list[int]
    cell_y: torch.Tensor
    rel_y: torch.Tensor
    cell_x: torch.Tensor
    rel_x: torch.Tensor
    terms_y: int
    terms_x: int

    def selectors(self, offsets: list[tuple[int, int]], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """For each ensemble neighbour (dy, dx), the index of its row shift and its column shift."""
        return (torch.tensor([self.shifts_y.index(dy) for dy, _ in offsets], device=device),
                torch.tensor([self.shifts_x.index(dx) for _, dx in offsets], device=device))


def output_pixels(pixels: torch.Tensor | None, out_size: tuple[int, int], device: torch.device) -> torch.Tensor:
    """Flat output pixel indices as a long vector on ``device``: every pixel when None."""
    if pixels is None:
        return torch.arange(out_size[0] * out_size[1], device=device)
    return pixels.to(device=device, dtype=torch.long).reshape(-1)


def grid_axis(n_out: int, n_in: int, shifts: list[int], eps: float, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Per output row (or column) of a regular grid of ``n_out`` pixels over ``n_in`` feature
    cells: for each neighbour shift, the feature cell index and the relative coordinate in
    feature pixels (both S x n_out)."""
    centres = pixel_centres(n_out, device)
    cells, rels = [], []
    for shift in shifts:
        index, centre = neighbour_cells(centres, n_in, shift / n_in, eps)
        cells.append(index)
        rels.append((centres - centre) * n_in)
    return torch.stack(cells), torch.stack(rels)


@dataclass
class PreparedFeatures:
    """Images ``first`` to ``first + batch - 1`` of an encoded batch: one embedding table with
    each image's per-input-pixel first-layer activations (before ReLU), h * w rows per image,
    followed by the output grid's per-row and per-column terms. Selecting images makes a new
    view of the same table, never a copy."""

    table: torch.Tensor  # (images * h * w + S_y * H + S_x * W) x D
    first: int
    batch: int
    in_size: tuple[int, int]
    out_size: tuple[int, int]
    grid: OutputGrid

    def image_rows(self, device: torch.device) -> torch.Tensor:
        """The table row where each selected image's per-input-pixel rows start."""
        h, w = self.in_size
        return torch.arange(self.first, self.first + self.batch, device=device) * (h * w)

    def select(self, index: int) -> "PreparedFeatures":
        """Image ``index`` of the batch alone."""
        return self.images(index, index + 1)

    def images(self, start: int, stop: int) -> "PreparedFeatures":
        """Images ``start`` to ``stop - 1`` of the batch."""
        if not 0 <= start < stop <= self.batch:
            raise IndexError(f"images {start}..{stop - 1} of a batch of {self.batch}")
        return dataclasses.replace(self, first=self.first + start, batch=stop - start)


@contextmanager
def exact_float32(device: torch.device):
    """float32 as float32 on CUDA: cuDNN (and cuBLAS where allowed) may otherwise run float32
    convolutions and products in TF32, with 10-bit mantissas (~1e-3 relative error, far over
    the engine's 1e-4 parity bound). Restores the caller's settings afterwards."""
    if device.type != "cuda":
        yield
        return
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


def _mkldnn_linear_available() -> bool:
    try:
        return torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_linear_pointwise")
    except (AttributeError, RuntimeError):  # pragma: no cover - exotic builds
        return False


class LiifEngine:
    """Exact, chunked LIIF decoding for a loaded :class:`LIIF` model (eval mode, no grad)."""

    def __init__(self, model: LIIF, *, fused: bool | None = None, half: bool = False) -> None:
        self.model = model.eval()
        linears = model.imnet.linears
        first = linears[0]
        feat_dim = model.feat_dim
        with torch.no_grad():
            weight = first.weight.detach().float()
            self.feat_weight = weight[:, :feat_dim]
            self.coord_weight_t = weight[:, feat_dim:feat_dim + 2].t().contiguous()  # 2 x D
            self.cell_weight = weight[:, feat_dim + 2:].contiguous() if model.cell_decode else None
            self.first_bias = first.bias.detach().float().contiguous()
            # hidden layers (each followed by ReLU) and the linear output layer
            self.hidden_layers = [(lin.weight.detach().float().contiguous(), lin.weight.detach().float().t().contiguous(),
                                   lin.bias.detach().float().contiguous()) for lin in linears[1:-1]]
            last = linears[-1]
            self.out_weight_t = last.weight.detach().float().t().contiguous()
            self.out_bias = last.bias.detach().float().contiguous()
            self.out_channels = last.out_features  # 3 (RGB) or 4 (premultiplied RGBA)
            self.in_channels = model.encoder.in_channels
            channels = model.encoder.out_dim
            if model.feat_unfold:
                # unfold orders channels as c * 9 + (ky * 3 + kx): exactly a conv weight's layout.
                table_weight = self.feat_weight.reshape(-1, channels, 3, 3)
            else:
                table_weight = self.feat_weight.reshape(-1, channels, 1, 1)
            self.table_weight = table_weight.contiguous(memory_format=torch.channels_last)
        if len(linears) < 2:
            raise ValueError("LIIF decoding needs an MLP with at least one hidden layer")
        self._fused = _mkldnn_linear_available() if fused is None else fused
        self._packed: list[torch.Tensor] | None = None
        # A channels-last copy of the encoder: oneDNN's 3x3 convolutions run ~1.6x faster in
        # that layout on CPU (same sums, reordered: differences ~1e-6). The model itself is
        # left alone so the reference path stays the plain official one.
        self.encoder = copy.deepcopy(model.encoder).eval().to(memory_format=torch.channels_last)
        #: float16 on a GPU (``half``): an approximate mode, its cost measured in
        #: benchmarks/device_speed.py; everything else runs in float32.
        self.dtype = torch.float16 if half else torch.float32
        if half:
            self._to_half()

    def _to_half(self) -> None:
        if self.device.type == "cpu":
            raise ValueError("half precision is for GPUs (CPUs have no fast float16 GEMMs)")
        half = torch.float16
        self.coord_weight_t, self.first_bias = self.coord_weight_t.to(half), self.first_bias.to(half)
        self.cell_weight = None if self.cell_weight is None else self.cell_weight.to(half)
        self.hidden_layers = [tuple(t.to(half) for t in layer) for layer in self.hidden_layers]
        self.out_weight_t, self.out_bias = self.out_weight_t.to(half), self.out_bias.to(half)
        self.table_weight = self.table_weight.to(half)
        self.encoder = self.encoder.to(half)
        self._fused = False

    @property
    def device(self) -> torch.device:
        return self.first_bias.device

    def _use_fused(self, x: torch.Tensor) -> bool:
        return self._fused and x.device.type == "cpu" and x.dtype == torch.float32

    def _linear(self, x: torch.Tensor, layer: int) -> torch.Tensor:
        """Layer ``layer`` of the MLP after the first: a hidden layer with its ReLU, or (layer
        == len(hidden_layers)) the linear output layer. On CPU through oneDNN's packed weights:
        the bias and ReLU are fused, and even the thin 256 -> 3 output layer runs ~4x faster
        than a plain addmm."""
        last = layer == len(self.hidden_layers)
        if self._use_fused(x):
            if self._packed is None:
                weights = [w for w, _, _ in self.hidden_layers] + [self.out_weight_t.t().contiguous()]
                try:
                    self._packed = [torch.ops.mkldnn._reorder_linear_weight(w, None) for w in weights]
                except (RuntimeError, AttributeError):
                    self._packed = weights
            bias = self.out_bias if last else self.hidden_layers[layer][2]
            try:
                return torch.ops.mkldnn._linear_pointwise(x, self._packed[layer], bias, "none" if last else "relu", [], "")
            except RuntimeError:  # pragma: no cover - fall back on builds without the fused op
                self._fused = False
        if last:
            return torch.addmm(self.out_bias, x, self.out_weight_t)
        _, weight_t, bias = self.hidden_layers[layer]
        return torch.addmm(bias, x, weight_t).clamp_(min=0)

    @torch.inference_mode()
    def prepare(self, images: torch.Tensor, out_size: tuple[int, int]) -> PreparedFeatures:
        """Encode B x 3 x h x w images (colour in [0, 1]) for decoding at ``out_size``."""
        with exact_float32(self.device):
            return self._prepare(images, out_size)

    def _prepare(self, images: torch.Tensor, out_size: tuple[int, int]) -> PreparedFeatures:
        batch, _, h, w = images.shape
        images = images.to(device=self.device, dtype=self.dtype).contiguous(memory_format=torch.channels_last)
        pad = 1 if self.model.feat_unfold else 0
        bias = self.first_bias
        if self.cell_weight is not None:
            # cell = (2/H, 2/W) scaled to feature pixels: constant over a regular output grid
            cell = torch.tensor([2.0 / out_size[0] * h, 2.0 / out_size[1] * w], device=bias.device, dtype=bias.dtype)
            bias = bias + self.cell_weight @ cell
        out_size = (int(out_size[0]), int(out_size[1]))
        grid, terms = self._grid((h, w), out_size, batch * h * w)
        # one embedding table: the images' rows, then the grid's terms (a query sums three rows)
        table = torch.empty(batch * h * w + terms.shape[0], self.table_weight.shape[0], device=self.device,
                            dtype=self.dtype)
        pixels = table[:batch * h * w].view(batch, h, w, -1)
        for index in range(batch):  # one image at a time keeps the activations in cache
            feat = self.encoder((images[index:index + 1] - 0.5) / 0.5)
            pixels[index] = F.conv2d(feat, self.table_weight, bias, padding=pad)[0].permute(1, 2, 0)
        table[batch * h * w:] = terms
        return PreparedFeatures(table, 0, batch, (h, w), out_size, grid)

    def _grid(self, in_size: tuple[int, int], out_size: tuple[int, int], terms_start: int) -> tuple[OutputGrid, torch.Tensor]:
        """The output grid's neighbour cells and relative coordinates, and its first-layer
        terms (rows of the embedding table from ``terms_start`` on)."""
        eps = EPS_SHIFT if self.model.local_ensemble else 0.0
        offsets = self.model.offsets
        shifts_y = sorted({dy for dy, _ in offsets})
        shifts_x = sorted({dx for _, dx in offsets})
        cell_y, rel_y, term_y = self._axis(out_size[0], in_size[0], shifts_y, eps, self.coord_weight_t[0])
        cell_x, rel_x, term_x = self._axis(out_size[1], in_size[1], shifts_x, eps, self.coord_weight_t[1])
        grid = OutputGrid(shifts_y, shifts_x, cell_y, rel_y, cell_x, rel_x, terms_start, terms_start + term_y.shape[0])
        return grid, torch.cat([term_y, term_x])

    def _axis(self, n_out: int, n_in: int, shifts: list[int], eps: float, coord_weight: torch.Tensor):
        """:func:`grid_axis` and the first-layer terms rel * W_coord[:, axis]."""
        cells, rel = grid_axis(n_out, n_in, shifts, eps, self.device)
        return cells, rel, (rel.reshape(-1, 1) * coord_weight).to(self.first_bias.dtype)

    @torch.inference_mode()
    def query(self, prepared: PreparedFeatures, pixels: torch.Tensor | None = None,
              chunk_size: int = DEFAULT_CHUNK, progress: Callable[[int], None] | None = None) -> torch.Tensor:
        """Colours (B x N x 3, in [0, 1]) at output pixels ``pixels`` (flat indices into the
        H x W output grid; all pixels when None). ``progress(n)`` is called after each chunk
        with the number of pixels just decoded. ``chunk_size`` (pixels per image and chunk) is
        capped so one chunk's GEMMs have at most :data:`MAX_CHUNK_ROWS` rows on a CPU
        (:data:`memory.MAX_CHUNK_ROWS_GPU` on a GPU)."""
        with exact_float32(self.device):
            return self._query(prepared, pixels, chunk_size, progress)

    def _query(self, prepared: PreparedFeatures, pixels: torch.Tensor | None, chunk_size: int,
               progress: Callable[[int], None] | None) -> torch.Tensor:
        out_h, out_w = prepared.out_size
        h, w = prepared.in_size
        device = self.device
        model = self.model
        offsets = model.offsets
        grid, table = prepared.grid, prepared.table
        cell_y, rel_y, cell_x, rel_x = grid.cell_y, grid.rel_y, grid.cell_x, grid.rel_x
        base_y, base_x = grid.terms_y, grid.terms_x
        sel_y, sel_x = grid.selectors(offsets, device)
        opposite = list(range(len(offsets)))[::-1] if model.local_ensemble else [0]
        image_base = prepared.image_rows(device).view(-1, 1, 1)
        pixels = output_pixels(pixels, prepared.out_size, device)
        n_total = pixels.numel()
        result = torch.empty(prepared.batch, n_total, self.out_channels, device=device, dtype=prepared.table.dtype)
        step = memory.chunk_pixels(chunk_size, prepared.batch, len(offsets), memory.max_chunk_rows(device.type))
        for start in range(0, n_total, step):
            block = pixels[start:start + step]
            qy, qx = block // out_w, block % out_w
            # neighbour k of pixel q: cell (cell_y[sel_y[k], qy], cell_x[sel_x[k], qx])
            cy = cell_y[:, qy][sel_y]  # n_neigh x n
            cx = cell_x[:, qx][sel_x]
            ry_index = sel_y[:, None] * out_h + qy[None, :]
            rx_index = sel_x[:, None] * out_w + qx[None, :]
            cell_index = (cy * w + cx)[None] + image_base  # B x n_neigh x n
            bags = torch.stack([cell_index, (base_y + ry_index).expand_as(cell_index),
                                (base_x + rx_index).expand_as(cell_index)], dim=-1)
            hidden = F.embedding_bag(bags.view(-1, 3), table, mode="sum").clamp_(min=0)
            for layer in range(len(self.hidden_layers)):
                hidden = self._linear(hidden, layer)
            # local-ensemble weights: area of the diagonally opposite neighbour's rectangle
            ry, rx = rel_y[:, qy][sel_y], rel_x[:, qx][sel_x]  # n_neigh x n
            areas = (ry * rx).abs() + 1e-9
            weights = (areas[opposite] / areas.sum(0)).to(hidden.dtype)
            hidden = hidden.view(prepared.batch, len(offsets), block.numel(), -1)
            mixed = hidden[:, 0] * weights[0, :, None]
            for k in range(1, len(offsets)):
                mixed.addcmul_(hidden[:, k], weights[k, :, None])
            out = self._linear(mixed.view(-1, mixed.shape[-1]), len(self.hidden_layers))
            result[:, start:start + block.numel()] = (out.view(prepared.batch, block.numel(), -1) * 0.5 + 0.5).clamp_(0.0, 1.0)
            if progress is not None:
                progress(block.numel())
        return result

    chunk_pixels = staticmethod(memory.chunk_pixels)


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
    return (torch.cat(preds, 1) * 0.5 + 0.5).clamp(0, 1).view(batch, out_h, out_w, -1)
