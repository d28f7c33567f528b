"""The LIIF upscaler behind one small interface: weights in, ``enlarge(rgb, size)`` out."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

import numpy as np

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import sha256_file
from emoji_alpha.liif import weights as weights_mod
from emoji_alpha.liif.engine import DEFAULT_CHUNK, LiifEngine
from emoji_alpha.liif.memory import default_memory_limit, estimate_memory
from emoji_alpha.options import check_device_name


def resolve_device(device: str) -> str:
    """``cpu``, ``cuda`` or ``cuda:N`` (must be present) or ``auto`` (cuda when present)."""
    import torch

    device = check_device_name(device)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise EmojiAlphaError("CUDA was requested but no CUDA device is available; use --device cpu")
        index, count = int(device.partition(":")[2] or 0), torch.cuda.device_count()
        if index >= count:
            raise EmojiAlphaError(f"{device}: this machine has {count} CUDA device{'s' if count != 1 else ''} "
                                  f"(cuda:0{f' to cuda:{count - 1}' if count > 1 else ''})")
    return device


def make_engine(model, *, half: bool = False):
    """The inference engine for a loaded model: the exact LIIF engine, or the fast decoder's."""
    from emoji_alpha.liif.models.lmf import LatentModulatedLIIF

    if isinstance(model, LatentModulatedLIIF):
        from emoji_alpha.liif.lmf_engine import LmfEngine

        return LmfEngine(model, half=half)
    return LiifEngine(model, half=half)


def check_half(device: str) -> None:
    """float16 LIIF runs on GPUs only (CPUs have no fast float16 matrix products)."""
    if resolve_device(device) == "cpu":
        raise EmojiAlphaError("--half (float16 LIIF) needs a GPU: use it with --device cuda")


class Upscaler:
    """LIIF enlargement of float32 H x W x 3 images in [0, 1] to any size (H x W x 4
    premultiplied RGBA with the 4-channel ``emoji-rgba`` weights).

    >>> up = Upscaler()                       # emoji-trained (default); Upscaler("official"): DIV2K LIIF
    >>> big = up.enlarge(rgb, size=(640, 640))
    """

    def __init__(self, weights: str | os.PathLike | None = None, device: str = "cpu", *,
                 chunk_size: int = DEFAULT_CHUNK, threads: int | None = None,
                 memory_limit: int | None = None, half: bool = False, log: Callable[[str], None] = print) -> None:
        import torch

        if threads:
            torch.set_num_threads(threads)
        self.device = resolve_device(device)
        if half:
            check_half(self.device)
        self.weights_path: Path = weights_mod.resolve(weights, log=log)
        self.weights_sha256 = sha256_file(self.weights_path)
        self.model = weights_mod.load_model(self.weights_path, self.device)
        self.engine = make_engine(self.model, half=half)
        self.chunk_size = chunk_size
        self.memory_limit = memory_limit or default_memory_limit()
        #: Seconds spent so far encoding (encoder + first-layer table) and decoding queries.
        self.seconds = {"encode": 0.0, "query": 0.0}

    def estimate_memory(self, in_size: tuple[int, int], out_size: tuple[int, int], batch: int = 1) -> int:
        """Peak bytes for enlarging ``batch`` images (see :func:`memory.estimate_memory`)."""
        return estimate_memory(in_size, out_size, batch, self.chunk_size)

    def check_memory(self, in_size: tuple[int, int], out_size: tuple[int, int], batch: int = 1) -> None:
        need = self.estimate_memory(in_size, out_size, batch)
        if need > self.memory_limit:
            raise EmojiAlphaError(
                f"enlarging {in_size[1]}x{in_size[0]} to {out_size[1]}x{out_size[0]} needs about "
                f"{need / 2**30:.1f} GiB, over the memory limit of {self.memory_limit / 2**30:.1f} GiB")

    def enlarge(self, rgb: np.ndarray, size: tuple[int, int], *,
                progress: Callable[[int], None] | None = None) -> np.ndarray:
        """One H x W x 3 float image in [0, 1] -> size[0] x size[1] x 3 float32 in [0, 1]
        (``size`` is (height, width)). A ValueError for other dtypes, ranges or shapes."""
        return self.enlarge_many(np.asarray(rgb)[None], size, progress=progress)[0]

    def enlarge_many(self, images: np.ndarray, size: tuple[int, int], pixels: np.ndarray | None = None, *,
                     progress: Callable[[int], None] | None = None) -> np.ndarray:
        """K images (K x h x w x 3) of one size, enlarged together (shared coordinates).

        With ``pixels`` (flat indices into the output grid) only those pixels are decoded and
        the result is K x N x 3; otherwise K x H x W x 3.
        """
        prepared = self.prepare(images, size)
        out = self.query(prepared, pixels, progress=progress)
        return out if pixels is not None else out.reshape(prepared.batch, *prepared.out_size, -1)

    def prepare(self, images: np.ndarray, size: tuple[int, int]):
        """Encode K images (K x h x w x 3 in [0, 1]) once for decoding at ``size``; query the
        result (or one image of it, ``prepared.select(k)``) with :meth:`query`."""
        import torch

        from emoji_alpha.images import check_unit_range

        images = np.asarray(images)
        channels = self.engine.in_channels
        if images.ndim != 4 or images.shape[-1] != channels:
            raise ValueError(f"expected K x h x w x {channels} images, got shape {images.shape}")
        check_unit_range(images, "images")  # a uint8 picture would be decoded as colours up to 255
        images = images.astype(np.float32, copy=False)
        batch, h, w, _ = images.shape
        out_size = (int(size[0]), int(size[1]))
        self.check_memory((h, w), out_size, batch)
        tensor = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).to(self.device)
        start = time.perf_counter()
        prepared = self.engine.prepare(tensor, out_size)
        self.seconds["encode"] += time.perf_counter() - start
        return prepared

    def query(self, prepared, pixels: np.ndarray | None = None, *,
              progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Decode prepared images at ``pixels`` (flat output indices; all when None): B x N x C
        (C = 3, or 4 with the 4-channel weights)."""
        import torch

        start = time.perf_counter()
        index = None if pixels is None else torch.from_numpy(np.asarray(pixels, dtype=np.int64))
        # chunk_size counts pixels over the whole batch; the engine caps it for the device
        out = self.engine.query(prepared, index, chunk_size=max(1, self.chunk_size // prepared.batch), progress=progress)
        self.seconds["query"] += time.perf_counter() - start
        return out.float().cpu().numpy()
