"""One glyph through the pipeline: flatten -> enlarge (edge band) -> solve -> check consistency.

RGB input is enlarged once. RGBA input is flattened over K grey backgrounds, each composite
is enlarged with LIIF where the input leaves alpha in doubt (the edge band), and per pixel
the premultiplied colour and alpha are solved exactly (:func:`emoji_alpha.solve.solve_exact`),
then optionally back-projected onto the input and refined by passes.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emoji_alpha.composite import faint_mask, flatten, footprint_masks, middle_level
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import (STDIO, LoadedImage, check_unit_range, premultiply, read_input_image, unpremultiply,
                                write_png)
from emoji_alpha.outputs import (OutputTarget, check_folder_writable, check_target, default_output_path, output_target,
                                 write_target)
from emoji_alpha.progress import log, progress_bar
from emoji_alpha.sizes import check_enlarges, output_size

METHODS = ("solve", "rgba-liif", "twobg", "separate", "keygrey", "lanczos")
#: Back-projection kernels (emoji_alpha.solve.backproject.KERNELS, named here so that checking
#: a flag does not import torch).
BP_KERNELS = ("box", "bilinear")
#: The method that needs the 4-channel weights (and the weights it uses by default).
RGBA_METHOD, RGBA_WEIGHTS = "rgba-liif", "emoji-rgba"


def weights_for(method: str, weights: str | os.PathLike | None) -> str | os.PathLike | None:
    """--method rgba-liif uses the 4-channel emoji weights unless --weights says otherwise."""
    return RGBA_WEIGHTS if method == RGBA_METHOD and weights is None else weights


@dataclass
class SolveOptions:
    """How an RGBA glyph is enlarged. Defaults are chosen on the quality benchmark
    (benchmarks/results/quality.md)."""

    method: str = "solve"
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
    backend: str = "auto"  # numba for large bands, torch below (see solve.exact.AUTO_NUMBA_PIXELS)


#: ``--fast``: backgrounds on demand only where the base fit is off by more than 1 level, and
#: faint tails (input alpha <= 1/255) from a smooth enlargement: fewer LIIF queries on a glyph
#: with a soft shadow, for a small measured quality cost (benchmarks/results/quality_emoji.md).
FAST_PRESET = {"on_demand_residual": 1.0, "faint_alpha": 1 / 255}


@dataclass
class EnlargeResult:
    premul: np.ndarray | None  # H x W x 4 premultiplied (RGBA input)
    rgb: np.ndarray | None  # H x W x 3 (RGB input)
    size: tuple[int, int]
    info: dict = field(default_factory=dict)

    def straight(self) -> np.ndarray:
        return self.rgb if self.premul is None else unpremultiply(self.premul)


class StageTimer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str):
        timer = self

        class _Stage:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                timer.seconds[name] = timer.seconds.get(name, 0.0) + time.perf_counter() - self.start

        return _Stage()


def check_glyph_array(array: np.ndarray, name: str, channels: int | tuple[int, ...]) -> None:
    """A ValueError unless ``array`` is a float H x W x ``channels`` image in [0, 1]: these
    entry points take what :func:`emoji_alpha.images.read_image` returns, and a uint8 array
    would otherwise be enlarged as colours up to 255 without a word."""
    allowed = (channels,) if isinstance(channels, int) else channels
    if not (isinstance(array, np.ndarray) and array.ndim == 3 and array.shape[2] in allowed and 0 not in array.shape):
        wanted = " or ".join(map(str, allowed))
        raise ValueError(f"{name}: expected an H x W x {wanted} float array in [0, 1], got "
                         f"{getattr(array, 'shape', type(array).__name__)}")
    check_unit_range(array, name)


def enlarge_rgb(rgb: np.ndarray, size: tuple[int, int], upscaler) -> EnlargeResult:
    """Opaque input: one LIIF enlargement of the colour."""
    check_glyph_array(rgb, "rgb", (3, 4))  # 4: opaque RGBA for the 4-channel model
    with progress_bar("LIIF", size[0] * size[1]) as advance:
        out = upscaler.enlarge(rgb, size, progress=advance)
    return EnlargeResult(None, out, size)


def liif_stack(premul_lr: np.ndarray, size: tuple[int, int], upscaler, options: SolveOptions,
               timer: StageTimer | None = None, info: dict | None = None) -> np.ndarray:
    """The K x H x W x 3 enlarged composites S_k.

    With the edge band (``band_margin`` not None) LIIF decodes the K backgrounds only in the
    band (the ``on_demand`` levels only where the others disagree, see
    :mod:`emoji_alpha.solve.on_demand`); pixels the input decides are filled exactly:
    transparent ones with the background itself (S_k = b_k) and opaque ones with one
    enlargement over the middle background, the same for every k. A stack built like this
    re-solves to exact 0 and 1 there. ``--full`` (no band) decodes every level everywhere.
    ``info``, if given, receives ``on_demand_fraction`` (of the band).
    """
    from emoji_alpha.solve.on_demand import complete_on_demand, split_levels

    timer = timer or StageTimer()
    backgrounds = np.asarray(options.backgrounds, np.float32)
    composites = flatten(premul_lr, backgrounds)
    count = len(backgrounds)
    height, width = size
    if options.band_margin is None:
        with timer("liif"), progress_bar(f"LIIF x{count}", height * width) as advance:
            return upscaler.enlarge_many(composites, size, progress=advance)
    transparent, opaque = footprint_masks(premul_lr[..., 3], size, options.band_margin)
    faint = faint_mask(premul_lr[..., 3], size, options.faint_alpha)
    band = np.flatnonzero(~(transparent | opaque | faint))
    solid = np.flatnonzero(opaque)
    base, extra = split_levels(backgrounds, options.on_demand)
    stack = np.empty((count, height * width, 3), np.float32)
    stack[:, transparent.reshape(-1)] = backgrounds[:, None, None]
    band_stack = np.empty((count, band.size, 3), np.float32)
    order = base + extra  # encoded in this order, so each group is a slice (a view) of the features
    with timer("liif"), progress_bar(f"LIIF x{len(base)} (edge band)", band.size + solid.size) as advance:
        prepared = upscaler.prepare(composites[order], size)  # encode once; every query shares it
        if band.size:
            band_stack[base] = upscaler.query(prepared.images(0, len(base)), band, progress=advance)
        if solid.size:
            stack[:, solid] = upscaler.query(prepared.select(order.index(middle_level(backgrounds))), solid,
                                             progress=advance)[0]

    def decode(index: np.ndarray) -> np.ndarray:
        with timer("liif"), progress_bar(f"LIIF x{len(extra)} (on demand)", index.size) as advance:
            return upscaler.query(prepared.images(len(base), count), band[index], progress=advance)

    if extra and band.size:
        device = solver_device(upscaler, options)
        decoded = complete_on_demand(band_stack, backgrounds, base, extra, options.on_demand_residual, decode,
                                     backend=solver_backend(options, band.size, device), device=device, timer=timer)
        if info is not None:
            info["on_demand_fraction"] = float(decoded.mean())
    stack[:, band] = band_stack
    stack = stack.reshape(count, height, width, 3)
    fill_faint(stack, premul_lr, backgrounds, faint)
    return stack


def fill_faint(stack: np.ndarray, premul_lr: np.ndarray, backgrounds: np.ndarray, faint: np.ndarray) -> None:
    """In place: at ``faint`` pixels, the composites of a smooth (bilinear, premultiplied)
    enlargement of the input, S_k = P + (1 - a) b_k. The stack stays self-consistent, so the
    solver (now or later, from a kept stack) returns that smooth enlargement there exactly."""
    if not faint.any():
        return
    from emoji_alpha.solve.backproject import AreaOperator

    operator = AreaOperator(stack.shape[1:3], premul_lr.shape[:2], "bilinear", dtype=np.float32)
    smooth = operator.up(premul_lr).numpy()[faint]
    stack[:, faint] = smooth[None, :, :3] + (1.0 - smooth[None, :, 3:]) * np.asarray(backgrounds, np.float32)[:, None, None]


def solver_device(upscaler, options: SolveOptions) -> str:
    """Where the solver and back-projection run: on the upscaler's GPU if it has one (unless
    the numba backend is asked for), else on the CPU."""
    device = str(getattr(upscaler, "device", "cpu"))
    return "cpu" if device == "cpu" or options.backend == "numba" else device


def solver_backend(options: SolveOptions, pixels: int, device: str) -> str:
    from emoji_alpha.solve import choose_backend

    return "torch" if device != "cpu" else choose_backend(options.backend, pixels)


def channels_in(upscaler) -> int:
    engine = getattr(upscaler, "engine", None)
    return getattr(engine, "in_channels", 3)


def enlarge_rgba_direct(premul_lr: np.ndarray, size: tuple[int, int], upscaler, options: SolveOptions,
                        timer: StageTimer | None = None) -> tuple[np.ndarray, dict]:
    """``--method rgba-liif``: one 4-channel LIIF enlargement of the premultiplied RGBA
    (weights ``emoji-rgba``), queried only where the input is not surely transparent; then
    the same exact 0/1 where the input decides, constraints and back-projection as the solver."""
    from emoji_alpha.solve.backproject import consistency_error, enforce_constraints

    if channels_in(upscaler) != 4:
        raise EmojiAlphaError(f"--method {RGBA_METHOD} needs 4-channel weights (--weights {RGBA_WEIGHTS})")
    timer = timer or StageTimer()
    height, width = size
    transparent, opaque = footprint_masks(premul_lr[..., 3], size, 0)
    band = ~(transparent | opaque)
    wanted = np.flatnonzero(~transparent)
    result = np.zeros((height * width, 4), np.float32)
    with timer("liif"), progress_bar("LIIF (RGBA)", wanted.size) as advance:
        prepared = upscaler.prepare(premul_lr[None], size)
        if wanted.size:
            result[wanted] = upscaler.query(prepared, wanted, progress=advance)[0]
    result = result.reshape(height, width, 4)
    result[opaque, 3] = 1.0
    enforce_constraints(result)
    device = solver_device(upscaler, options)
    if options.backproject:
        with timer("backproject"):
            result = _back_project(result, premul_lr, band, transparent, options, device)
    result[transparent] = 0.0
    result[opaque, 3] = 1.0
    return result, {"consistency": consistency_error(result, premul_lr, device), "band_fraction": float(band.mean())}


def _back_project(result: np.ndarray, premul_lr: np.ndarray, band: np.ndarray, transparent: np.ndarray,
                  options: SolveOptions, device: str = "cpu") -> np.ndarray:
    """Back-projection onto the input as ``options`` say: alpha may change in the band,
    colour wherever the input is not surely transparent."""
    from emoji_alpha.solve.backproject import back_project

    return back_project(result, premul_lr, alpha_mask=band, colour_mask=~transparent, iterations=options.backproject,
                        kernel=options.bp_kernel, weighting=options.bp_weighting, device=device)


def solve_stack(stack: np.ndarray, premul_lr: np.ndarray, options: SolveOptions,
                timer: StageTimer | None = None, debug_dir: Path | None = None,
                device: str = "cpu") -> tuple[np.ndarray, dict]:
    """Recover premultiplied RGBA (H x W x 4) from a K x H x W x 3 stack; returns (premul, info).
    ``device``: a torch device for the solve, back-projection and checks (the torch backend)."""
    from emoji_alpha.solve import recompositing_loss, solve_exact
    from emoji_alpha.solve.backproject import consistency_error
    from emoji_alpha.solve.passes import run_passes

    timer = timer or StageTimer()
    backgrounds = np.asarray(options.backgrounds, np.float32)
    if len(set(backgrounds.tolist())) < 2:
        warnings.warn("one background level: colour and alpha are underdetermined (3 equations, 4 unknowns); "
                      "the solver assumes opaque where it cannot tell", stacklevel=2)
    size = stack.shape[1:3]
    transparent, opaque = footprint_masks(premul_lr[..., 3], size, 0)
    band = ~(transparent | opaque)
    result = np.zeros((*size, 4), np.float32)
    info: dict = {}
    backend = solver_backend(options, int(band.sum()), device)
    with timer("solve"):
        premul, alpha = solve_exact(stack[:, band], backgrounds, backend=backend, device=device)
        result[band, :3], result[band, 3] = premul, alpha
        result[opaque, :3] = np.clip(stack[:, opaque].mean(axis=0), 0.0, 1.0)
        result[opaque, 3] = 1.0
    if options.backproject:
        with timer("backproject"):
            result = _back_project(result, premul_lr, band, transparent, options, device)
    reports = []
    if options.passes:
        with timer("passes"):
            premul, alpha, reports = run_passes(stack[:, band], backgrounds, result[band, :3], result[band, 3],
                                                options.passes, backend=backend)
            result[band, :3], result[band, 3] = premul, alpha
    result[transparent] = 0.0  # the input decides these exactly
    result[opaque, 3] = 1.0
    with timer("check"):  # the figures reported with the result: recompositing loss, input consistency
        loss = recompositing_loss(stack, backgrounds, result[..., :3], result[..., 3], backend=backend, device=device)
        info["consistency"] = consistency_error(result, premul_lr, device)
    info["loss"] = float(loss.mean()) * 255.0**2  # levels^2 per pixel
    per_pixel = 255.0**2 / loss.size  # report pass losses like info["loss"]: mean per pixel, levels^2
    info["passes"] = [{"name": r.name, "loss_before": r.loss_before * per_pixel, "loss_after": r.loss_after * per_pixel,
                       "changed": r.changed} for r in reports]
    info["band_fraction"] = float(band.mean())
    if debug_dir is not None:
        _write_debug(debug_dir, band, loss, reports)
    return result, info


#: The debug loss map (``loss.png``) is sqrt(L) in 8-bit levels, this many levels and above white.
DEBUG_LOSS_FULL_SCALE = 8.0


def _write_debug(folder: Path, band: np.ndarray, loss: np.ndarray, reports) -> None:
    """Loss map and each pass's changed-pixel mask as PNGs."""
    folder.mkdir(parents=True, exist_ok=True)
    scale = np.sqrt(loss) * 255.0 / DEBUG_LOSS_FULL_SCALE
    write_png(folder / "loss.png", np.clip(scale, 0, 1)[..., None].astype(np.float32))
    for index, report in enumerate(reports, 1):
        mask = np.zeros(band.shape, np.float32)
        mask[band] = report.mask
        write_png(folder / f"pass{index}-{report.name}.png", mask[..., None])


def enlarge_rgba(premul_lr: np.ndarray, size: tuple[int, int], upscaler, options: SolveOptions, *,
                 keep_stack: Path | None = None, debug_dir: Path | None = None, source: str = "") -> EnlargeResult:
    """Enlarge a premultiplied RGBA glyph with ``options.method``."""
    from emoji_alpha.solve.peers import PEERS

    check_glyph_array(premul_lr, "premul_lr", 4)
    timer = StageTimer()
    if options.method in PEERS:
        with timer("enlarge"):
            premul = PEERS[options.method](premul_lr, size, upscaler)
        return EnlargeResult(premul, None, size, {"seconds": timer.seconds})
    if options.method == RGBA_METHOD:
        premul, info = enlarge_rgba_direct(premul_lr, size, upscaler, options, timer)
        info["seconds"] = timer.seconds
        return EnlargeResult(premul, None, size, info)
    if options.method != "solve":
        raise EmojiAlphaError(f"unknown method {options.method!r}; choose from {', '.join(METHODS)}")
    if channels_in(upscaler) != 3:
        raise EmojiAlphaError(f"the {RGBA_WEIGHTS} weights enlarge RGBA directly: use them with --method {RGBA_METHOD}")
    stack_info: dict = {}
    stack = liif_stack(premul_lr, size, upscaler, options, timer, stack_info)
    if keep_stack is not None:
        from emoji_alpha.stack import StackInfo, save_stack

        levels = [round(float(b) * 255.0, 3) for b in options.backgrounds]
        save_stack(keep_stack, stack, premul_lr, StackInfo(levels, source, list(premul_lr.shape[:2]), list(size),
                                                            getattr(upscaler, "weights_sha256", ""), options.band_margin))
    premul, info = solve_stack(stack, premul_lr, options, timer, debug_dir, solver_device(upscaler, options))
    info.update(stack_info)
    info["seconds"] = timer.seconds
    return EnlargeResult(premul, None, size, info)


def enlarge_loaded(loaded: LoadedImage, size: tuple[int, int], upscaler, options: SolveOptions, **kwargs) -> EnlargeResult:
    """RGB stays RGB (one enlargement); RGBA goes through ``options.method``."""
    check_glyph_array(loaded.rgba, "loaded.rgba", 4)
    count = 1 if not loaded.has_alpha or options.method == RGBA_METHOD else max(2, len(options.backgrounds))
    upscaler.check_memory(loaded.size, size, count)
    if not loaded.has_alpha:
        if channels_in(upscaler) == 4:  # opaque RGBA through the 4-channel model
            return EnlargeResult(None, enlarge_rgb(loaded.rgba, size, upscaler).rgb[..., :3], size)
        return enlarge_rgb(loaded.rgba[..., :3], size, upscaler)
    return enlarge_rgba(premultiply(loaded.rgba), size, upscaler, options, **kwargs)


def enlarge_file(source: str | Path, output: str | Path | None, *, size: str | None, scale: float | None,
                 upscaler_factory, options: SolveOptions | None = None, keep_stack: Path | None = None,
                 debug_dir: Path | None = None, image_format: str | None = None) -> tuple[OutputTarget, EnlargeResult]:
    """Read ``source`` (``-``: standard input), enlarge it, write ``output`` (``-``: standard
    output; None: next to the input, named by size, or standard output for standard input) in
    the format its suffix or ``image_format`` names; returns (target, result).

    Every check that does not need the result runs first (input, size, format, writable
    output and folders), and ``upscaler_factory()`` builds the LIIF upscaler only then, so bad
    input or a bad output fails in a second without loading torch.
    """
    options = options or SolveOptions()
    loaded = read_input_image(source)
    out_size = output_size(loaded.size, size, scale)
    check_enlarges(loaded.size, out_size, size, scale)
    source_path = None if str(source) == STDIO else Path(source)
    default = default_output_path(source_path, out_size, image_format or "png") if source_path else None
    target = output_target(output, image_format, default=default)
    # The result has alpha exactly when the input has some below 255 (opaque footprints stay 1).
    translucent = loaded.has_alpha and bool((loaded.rgba[..., 3] < 1.0).any())
    check_target(target, has_alpha=translucent, out_size=out_size, source=source_path)
    for folder, option in ((keep_stack, "--keep-stack"), (debug_dir, "--debug-dir")):
        if folder is not None:
            check_folder_writable(Path(folder), option)
    upscaler = upscaler_factory() if options.method != "lanczos" or not loaded.has_alpha else None
    result = enlarge_loaded(loaded, out_size, upscaler or _NoLiif(), options, keep_stack=keep_stack,
                            debug_dir=debug_dir, source=str(source_path or "<stdin>"))
    write_target(target, result.straight())
    if result.info.get("consistency"):
        loss = f"re-compositing loss {result.info['loss']:.3f} levels^2, " if "loss" in result.info else ""
        log(f"{loss}input consistency: alpha MAE {result.info['consistency']['alpha_mae']:.3f} levels")
    return target, result


class _NoLiif:
    """Stand-in for methods that need no LIIF (lanczos): only the memory check is meaningful."""

    weights_sha256 = ""

    def check_memory(self, *args) -> None:
        return None
