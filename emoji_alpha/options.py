"""How a glyph is enlarged, as two typed objects made once from the flags.

:class:`EnlargeOptions` says what is done to an RGBA glyph (method, backgrounds, passes, ...),
:class:`LiifConfig` how the LIIF upscaler is built (weights, device, chunk size, ...).
:func:`from_flags` makes both from flag values, checked and with ``--fast`` applied, for
the CLI and the Python API alike; they then travel whole, from the CLI through the batch,
its executors and workers to the pipeline. Every default is written here once. Importing
this module is cheap (no numpy, no torch).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.liif.memory import DEFAULT_CHUNK, memory_limit_bytes
from emoji_alpha.methods import get_method

if TYPE_CHECKING:
    from emoji_alpha.liif.upscaler import Upscaler

#: Back-projection kernels (emoji_alpha.resample.KERNELS, named here so that checking
#: a flag imports neither numpy nor torch; a test keeps the two equal).
BP_KERNELS = ("box", "bilinear")
#: Solver backends: ``auto`` or one of emoji_alpha.solve.exact.BACKENDS (see :func:`emoji_alpha.solve.choose_backend`).
SOLVER_BACKENDS = ("auto", "numba", "torch")


@dataclass(frozen=True)
class EnlargeOptions:
    """How an RGBA glyph is enlarged. Defaults are chosen on the quality benchmark
    (benchmarks/results/quality.md). A batch stores these fields, all but ``backend``, with
    each glyph (the manifest's options), so a rerun redoes a glyph only if one changes."""

    method: str = "solve"  # one of emoji_alpha.methods.NAMES
    # 4 levels, the middle two pulled out to 64 and 192: lower edge alpha error than 0,64,128,192,255
    # (4.72 vs 4.76 levels at 64 -> 256, 2.06 vs 2.08 at 160 -> 640) with 20% fewer LIIF queries,
    # for 0.2 dB of any-background PSNR; evenly spaced 0,96,160,255 is worse (4.94).
    backgrounds: tuple[float, ...] = (0.0, 64 / 255, 192 / 255, 1.0)
    passes: int = 0
    backproject: int = 10  # back-projection iterations onto the input (0: off)
    bp_kernel: str = "bilinear"
    bp_weighting: str = "soft"
    band_margin: int | None = 0  # None: run LIIF over every pixel; 0 ties 1 and 2 on the benchmark
    # Footprints whose input alpha is at most this (faint shadow and glow tails) are taken from
    # a smooth (bilinear, premultiplied) enlargement, not K LIIF queries; 0: off.
    faint_alpha: float = 0.0
    # Levels (among ``backgrounds``) that LIIF decodes in the edge band only where the fit over
    # the others leaves an RMS residual above ``on_demand_residual`` 8-bit levels; elsewhere they
    # are filled with that fit's composites (emoji_alpha.solve.on_demand). 64 and 192 on demand
    # at 0.25 levels: the same edge alpha error as decoding all four everywhere, with 30-45% fewer
    # queries in the band (benchmarks/results/quality_emoji.md). (): every level everywhere.
    on_demand: tuple[float, ...] = (64 / 255, 192 / 255)
    on_demand_residual: float = 0.25
    backend: str = "auto"  # numba for large outputs, torch below (solve.exact.AUTO_NUMBA_PIXELS)


#: ``--fast``: backgrounds on demand only where the base fit is off by more than 1 level, and
#: faint tails (input alpha <= 1/255) from a smooth enlargement: fewer LIIF queries on a glyph
#: with a soft shadow, for a small measured quality cost (benchmarks/results/quality_emoji.md).
FAST_PRESET = {"on_demand_residual": 1.0, "faint_alpha": 1 / 255}

#: What ``--device`` takes: cpu, cuda (the current GPU), cuda:N (GPU number N) or auto.
DEVICE_PATTERN = re.compile(r"cpu|auto|cuda(:[0-9]+)?")


def check_device_name(device: str) -> str:
    """The device name in lower case if it is one ``--device`` takes (torch-free; whether it is
    present is :func:`emoji_alpha.liif.upscaler.resolve_device`'s question)."""
    name = str(device).strip().lower()
    if not DEVICE_PATTERN.fullmatch(name):
        raise EmojiAlphaError(f"unknown device {device!r}; use cpu, cuda, cuda:N (a GPU's number) or auto")
    return name


@dataclass(frozen=True)
class LiifConfig:
    """How the LIIF upscaler is built (:class:`emoji_alpha.liif.Upscaler`)."""

    weights: str | None = None  # None: the default weights, emoji (from_flags puts in the method's own)
    device: str = "cpu"  # cpu, cuda, cuda:N or auto
    chunk_size: int = DEFAULT_CHUNK  # output pixels decoded per chunk (memory vs speed)
    threads: int | None = None  # torch CPU threads; None: all cores (a batch divides them among its workers)
    #: Bytes: one upscaler's limit, or for a batch the budget of all local workers together
    #: (each worker then gets its share). None: 80% of physical memory.
    memory_limit: int | None = None
    half: bool = False  # float16 LIIF (GPUs only)

    def build(self, log: Callable[[str], None] = print) -> Upscaler:
        """The upscaler (loads torch and the model)."""
        from emoji_alpha.liif import Upscaler

        return Upscaler(self.weights, self.device, chunk_size=self.chunk_size, threads=self.threads,
                        memory_limit=self.memory_limit, half=self.half, log=log)


def from_flags(*, weights: str | os.PathLike[str] | None = None, device: str | None = None,
               chunk_size: int | None = None, threads: int | None = None, memory_limit: float | None = None,
               half: bool = False, **flags) -> tuple[EnlargeOptions, LiifConfig]:
    """The options and LIIF configuration the ``enlarge`` flags say, checked: ``flags`` as for
    :func:`build_options`; ``weights`` None takes the method's own (``emoji-rgba`` for
    ``rgba-liif``); ``memory_limit`` in GiB. Unset values keep the defaults."""
    options = build_options(**flags)
    liif = LiifConfig(weights=get_method(options.method).weights if weights is None else os.fspath(weights),
                      memory_limit=memory_limit_bytes(memory_limit), threads=threads, half=half,
                      **_given(device=device, chunk_size=chunk_size))
    if get_method(options.method).needs_liif or half:  # only then torch is imported
        from emoji_alpha.liif.upscaler import check_half, resolve_device

        resolve_device(liif.device)  # a device that is not there fails before any work
        if half:
            check_half(liif.device)
    return options, liif


def build_options(*, method: str | None = None, backgrounds: str | None = None, passes: int | None = None,
                  backproject: int | None = None, bp_kernel: str | None = None, band_margin: int | None = None,
                  full: bool = False, backend: str | None = None, faint_alpha: int | None = None, fast: bool = False,
                  on_demand: str | None = None, on_demand_residual: float | None = None) -> EnlargeOptions:
    """:class:`EnlargeOptions` from flag values (None: not given, the default), checked; with
    ``fast`` the :data:`FAST_PRESET`'s values (explicit flags still win). ``backgrounds`` and
    ``on_demand`` are comma-separated 8-bit levels; ``--backgrounds`` without ``--on-demand``
    decodes every given level everywhere; ``faint_alpha`` is an 8-bit level; ``full``: no edge
    band."""
    from emoji_alpha.composite import parse_backgrounds

    if method is not None:
        get_method(method)
    if bp_kernel is not None and bp_kernel not in BP_KERNELS:
        raise EmojiAlphaError(f"unknown --bp-kernel {bp_kernel!r}; choose from {', '.join(BP_KERNELS)}")
    if backend is not None and backend not in SOLVER_BACKENDS:
        raise EmojiAlphaError(f"unknown --backend {backend!r}; choose {', '.join(SOLVER_BACKENDS[:-1])} or "
                              f"{SOLVER_BACKENDS[-1]}")
    options = EnlargeOptions()
    changes: dict = {**(FAST_PRESET if fast else {}), **_given(method=method, backend=backend)}
    if backgrounds is not None:
        levels = parse_backgrounds(backgrounds)
        changes["backgrounds"] = tuple(float(v) for v in levels)
        changes["on_demand"] = ()
    if on_demand is not None:
        changes["on_demand"] = _on_demand_levels(on_demand, changes.get("backgrounds", options.backgrounds))
    changes.update(_given(on_demand_residual=on_demand_residual, passes=passes, backproject=backproject,
                          bp_kernel=bp_kernel))
    if faint_alpha is not None:
        changes["faint_alpha"] = faint_alpha / 255.0
    if full:
        changes["band_margin"] = None
    elif band_margin is not None:
        changes["band_margin"] = band_margin
    return replace(options, **changes)


def _given(**values) -> dict:
    return {name: value for name, value in values.items() if value is not None}


def _on_demand_levels(text: str, backgrounds: tuple[float, ...]) -> tuple[float, ...]:
    """``--on-demand`` levels (``none`` or ``""``: none), each one of the backgrounds."""
    from emoji_alpha.composite import format_backgrounds, parse_backgrounds
    from emoji_alpha.solve.on_demand import split_levels

    if text.strip().lower() in ("", "none"):
        return ()
    levels = tuple(float(v) for v in parse_backgrounds(text, "--on-demand"))
    extra = split_levels(backgrounds, levels)[1]
    if len(extra) != len(levels):
        raise EmojiAlphaError(f"--on-demand levels must be among the backgrounds ({format_backgrounds(backgrounds)}), "
                              f"got {text!r}")
    return levels
