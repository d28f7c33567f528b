"""One glyph through the pipeline: flatten -> enlarge (edge band) -> solve -> check consistency.

RGB input is enlarged once. RGBA input is flattened over K grey backgrounds, each composite
is enlarged with LIIF where the input leaves alpha in doubt (the edge band), and per pixel
the premultiplied colour and alpha are solved exactly (:func:`emoji_alpha.solve.solve_exact`),
then optionally back-projected onto the input and refined by passes.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from emoji_alpha.composite import faint_mask, flatten, footprint_masks, middle_level
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import (STDIO, LoadedImage, check_unit_range, premultiply, read_input_image, unpremultiply,
                                write_png)
from emoji_alpha.methods import get_method
from emoji_alpha.options import EnlargeOptions
from emoji_alpha.outputs import (OutputTarget, check_folder_writable, check_target, default_output_path, output_target,
                                 write_target)
from emoji_alpha.progress import log, progress_bar
from emoji_alpha.sizes import check_enlarges, output_size

if TYPE_CHECKING:
    from emoji_alpha.solve.backproject import Consistency



@dataclass(frozen=True)
class PassSummary:
    """One refinement pass, as reported (losses as :attr:`SolveReport.loss`)."""

    name: str
    loss_before: float
    loss_after: float
    changed: int  # pixels the pass changed


@dataclass
class SolveReport:
    """What enlarging an RGBA glyph reports beside its image. A figure the method does not
    give is None: a peer reports its time only, ``rgba-liif`` no loss (it solves no stack),
    and ``on_demand_fraction`` is there only when levels were decoded on demand."""

    loss: float | None = None  # mean re-compositing loss over the stack, 8-bit levels^2 per pixel
    consistency: Consistency | None = None  # the result area-downsampled against the input
    passes: list[PassSummary] = field(default_factory=list)
    band_fraction: float | None = None  # of the output pixels, the edge band the input leaves in doubt
    on_demand_fraction: float | None = None  # of the band, where the on-demand levels were decoded
    backend: str | None = None  # the solver backend that solved the stack (numba or torch)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage

    def pass_lines(self) -> list[str]:
        """One line per refinement pass, as the CLI reports them."""
        return [f"pass {p.name}: loss {p.loss_before:.3f} -> {p.loss_after:.3f} levels^2, {p.changed} pixels changed"
                for p in self.passes]


@dataclass
class EnlargeResult:
    premul: np.ndarray | None  # H x W x 4 premultiplied (RGBA input)
    rgb: np.ndarray | None  # H x W x 3 (RGB input)
    size: tuple[int, int]
    report: SolveReport = field(default_factory=SolveReport)

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


def liif_stack(premul_lr: np.ndarray, size: tuple[int, int], upscaler, options: EnlargeOptions,
               timer: StageTimer | None = None, report: SolveReport | None = None) -> np.ndarray:
    """The K x H x W x 3 enlarged composites S_k: the plan of which pixels LIIF decodes over
    which levels (:func:`plan_stack`), then LIIF run for it (:func:`fill_stack`).

    With the edge band (``band_margin`` not None) LIIF decodes the K backgrounds only in the
    band (the ``on_demand`` levels only where the others disagree, see
    :mod:`emoji_alpha.solve.on_demand`); pixels the input decides are filled exactly:
    transparent ones with the background itself (S_k = b_k) and opaque ones with one
    enlargement over the middle background, the same for every k. A stack built like this
    re-solves to exact 0 and 1 there. ``--full`` (no band) decodes every level everywhere.
    ``report``, if given, receives ``on_demand_fraction`` (of the band) and the ``backend``
    the on-demand fit ran on.
    """
    return fill_stack(plan_stack(premul_lr, size, options), premul_lr, upscaler, options, timer, report)


@dataclass(frozen=True)
class StackPlan:
    """Which pixels of the K x H x W x 3 stack each level needs from LIIF, and how the others
    are filled; made from the input's alpha and the options alone (:func:`plan_stack`).

    Without a band (``--full``) LIIF decodes every level everywhere. With one, LIIF decodes
    the ``base`` levels at the ``band`` pixels, and the ``on_demand`` levels at those of them
    where the base fit leaves a residual (decided while filling); ``solid`` (opaque) pixels
    are decoded once, over the ``middle`` level; ``transparent`` pixels are the backgrounds
    themselves and ``faint`` ones a smooth enlargement of the input.
    """

    size: tuple[int, int]
    backgrounds: np.ndarray  # the K levels, float32
    band: np.ndarray | None = None  # flat indices decoded over the base levels; None: --full
    solid: np.ndarray | None = None  # flat indices of the opaque pixels
    transparent: np.ndarray | None = None  # H x W bool
    faint: np.ndarray | None = None  # H x W bool
    base: list[int] = field(default_factory=list)  # indices into backgrounds
    on_demand: list[int] = field(default_factory=list)
    middle: int = 0  # index of the level whose enlargement fills the solid pixels

    @property
    def full(self) -> bool:
        return self.band is None


def plan_stack(premul_lr: np.ndarray, size: tuple[int, int], options: EnlargeOptions) -> StackPlan:
    """The :class:`StackPlan` for enlarging ``premul_lr`` to ``size`` with ``options`` (no LIIF)."""
    from emoji_alpha.solve.on_demand import split_levels

    backgrounds = np.asarray(options.backgrounds, np.float32)
    if options.band_margin is None:
        return StackPlan(size, backgrounds)
    transparent, opaque = footprint_masks(premul_lr[..., 3], size, options.band_margin)
    faint = faint_mask(premul_lr[..., 3], size, options.faint_alpha)
    base, extra = split_levels(backgrounds, options.on_demand)
    return StackPlan(size, backgrounds, band=np.flatnonzero(~(transparent | opaque | faint)),
                     solid=np.flatnonzero(opaque), transparent=transparent, faint=faint, base=base, on_demand=extra,
                     middle=middle_level(backgrounds))


def fill_stack(plan: StackPlan, premul_lr: np.ndarray, upscaler, options: EnlargeOptions,
               timer: StageTimer | None = None, report: SolveReport | None = None) -> np.ndarray:
    """The K x H x W x 3 stack of ``plan``: LIIF where it says, the exact fills elsewhere (see
    :func:`liif_stack`, which also says what ``report`` receives)."""
    from emoji_alpha.solve.on_demand import complete_on_demand

    timer = timer or StageTimer()
    backgrounds = plan.backgrounds
    composites = flatten(premul_lr, backgrounds)
    count = len(backgrounds)
    height, width = size = plan.size
    if plan.full:
        with timer("liif"), progress_bar(f"LIIF x{count}", height * width) as advance:
            return upscaler.enlarge_many(composites, size, progress=advance)
    band, solid, base, extra = plan.band, plan.solid, plan.base, plan.on_demand
    stack = np.empty((count, height * width, 3), np.float32)
    stack[:, plan.transparent.reshape(-1)] = backgrounds[:, None, None]
    band_stack = np.empty((count, band.size, 3), np.float32)
    order = base + extra  # encoded in this order, so each group is a slice (a view) of the features
    with timer("liif"), progress_bar(f"LIIF x{len(base)} (edge band)", band.size + solid.size) as advance:
        prepared = upscaler.prepare(composites[order], size)  # encode once; every query shares it
        if band.size:
            band_stack[base] = upscaler.query(prepared.images(0, len(base)), band, progress=advance)
        if solid.size:
            stack[:, solid] = upscaler.query(prepared.select(order.index(plan.middle)), solid, progress=advance)[0]

    def decode(index: np.ndarray) -> np.ndarray:
        with timer("liif"), progress_bar(f"LIIF x{len(extra)} (on demand)", index.size) as advance:
            return upscaler.query(prepared.images(len(base), count), band[index], progress=advance)

    if extra and band.size:
        device = solver_device(upscaler, options)
        backend = solver_backend(options, height * width, device)
        decoded = complete_on_demand(band_stack, backgrounds, base, extra, options.on_demand_residual, decode,
                                     backend=backend, device=device, timer=timer)
        if report is not None:
            report.on_demand_fraction = float(decoded.mean())
            report.backend = backend
    stack[:, band] = band_stack
    stack = stack.reshape(count, height, width, 3)
    fill_faint(stack, premul_lr, backgrounds, plan.faint)
    return stack


def fill_faint(stack: np.ndarray, premul_lr: np.ndarray, backgrounds: np.ndarray, faint: np.ndarray) -> None:
    """In place: at ``faint`` pixels, the composites of a smooth (bilinear, premultiplied)
    enlargement of the input, S_k = P + (1 - a) b_k. The stack stays self-consistent, so the
    solver (now or later, from a kept stack) returns that smooth enlargement there exactly."""
    if not faint.any():
        return
    from emoji_alpha.resample import AreaOperator

    operator = AreaOperator(stack.shape[1:3], premul_lr.shape[:2], "bilinear", dtype=np.float32)
    smooth = operator.up(premul_lr).numpy()[faint]
    stack[:, faint] = flatten(smooth, backgrounds)


def solver_device(upscaler, options: EnlargeOptions) -> str:
    """Where the solver and back-projection run: on the upscaler's GPU if it has one (unless
    the numba backend is asked for), else on the CPU."""
    device = str(getattr(upscaler, "device", "cpu"))
    return "cpu" if device == "cpu" or options.backend == "numba" else device


def solver_backend(options: EnlargeOptions, pixels: int, device: str) -> str:
    """The backend for a glyph of ``pixels`` output pixels on ``device``: torch on a GPU, else
    ``options.backend`` resolved by :func:`emoji_alpha.solve.choose_backend`. Every step of one
    glyph (on-demand fit, solve, back-projection, checks) asks with the same count, so all agree."""
    from emoji_alpha.solve import choose_backend

    return "torch" if device != "cpu" else choose_backend(options.backend, pixels)


def channels_in(upscaler) -> int:
    engine = getattr(upscaler, "engine", None)
    return getattr(engine, "in_channels", 3)


def enlarge_rgba_direct(premul_lr: np.ndarray, size: tuple[int, int], upscaler, options: EnlargeOptions,
                        timer: StageTimer | None = None, **_outputs) -> tuple[np.ndarray, SolveReport]:
    """``--method rgba-liif``: one 4-channel LIIF enlargement of the premultiplied RGBA
    (weights ``emoji-rgba``), queried only where the input is not surely transparent; then
    the same exact 0/1 where the input decides, constraints and back-projection as the solver.
    It keeps no stack (``keep_stack`` and ``debug_dir`` are ignored)."""
    from emoji_alpha.solve.backproject import consistency_error, enforce_constraints

    method = get_method(options.method, "method")
    if channels_in(upscaler) != 4:
        raise EmojiAlphaError(f"--method {method.name} needs 4-channel weights (--weights {method.weights})")
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
    backend = solver_backend(options, height * width, device)
    if options.backproject:
        with timer("backproject"):
            result = _back_project(result, premul_lr, band, transparent, options, device, backend)
    result[transparent] = 0.0
    result[opaque, 3] = 1.0
    return result, SolveReport(consistency=consistency_error(result, premul_lr, device, backend),
                               band_fraction=float(band.mean()), seconds=timer.seconds)


def _back_project(result: np.ndarray, premul_lr: np.ndarray, band: np.ndarray, transparent: np.ndarray,
                  options: EnlargeOptions, device: str, backend: str) -> np.ndarray:
    """Back-projection onto the input as ``options`` say: alpha may change in the band,
    colour wherever the input is not surely transparent."""
    from emoji_alpha.solve.backproject import back_project

    return back_project(result, premul_lr, alpha_mask=band, colour_mask=~transparent, iterations=options.backproject,
                        kernel=options.bp_kernel, weighting=options.bp_weighting, device=device, backend=backend)


def solve_stack(stack: np.ndarray, premul_lr: np.ndarray, options: EnlargeOptions,
                timer: StageTimer | None = None, debug_dir: Path | None = None,
                device: str = "cpu") -> tuple[np.ndarray, SolveReport]:
    """Recover premultiplied RGBA (H x W x 4) from a K x H x W x 3 stack; returns (premul, report).
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
    backend = solver_backend(options, size[0] * size[1], device)
    with timer("solve"):
        premul, alpha = solve_exact(stack[:, band], backgrounds, backend=backend, device=device)
        result[band, :3], result[band, 3] = premul, alpha
        result[opaque, :3] = np.clip(stack[:, opaque].mean(axis=0), 0.0, 1.0)
        result[opaque, 3] = 1.0
    if options.backproject:
        with timer("backproject"):
            result = _back_project(result, premul_lr, band, transparent, options, device, backend)
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
        consistency = consistency_error(result, premul_lr, device, backend)
    per_pixel = 255.0**2 / loss.size  # pass losses like the loss: mean per pixel, levels^2
    report = SolveReport(loss=float(loss.mean()) * 255.0**2, consistency=consistency,
                         passes=[PassSummary(r.name, r.loss_before * per_pixel, r.loss_after * per_pixel, r.changed)
                                 for r in reports],
                         band_fraction=float(band.mean()), backend=backend, seconds=timer.seconds)
    if debug_dir is not None:
        _write_debug(debug_dir, band, loss, reports)
    return result, report


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


def start_numba_warm_up() -> threading.Thread:
    """Load numba and the solver's and back-projection's compiled kernels (from numba's cache)
    in a background thread, so that they are ready when LIIF is done: the load takes ~1 s of one
    core, and LIIF leaves room for it (torch's kernels release the GIL). Harmless if it loses
    the race: numba's dispatchers lock, and a kernel not loaded yet is loaded by its first call."""
    def warm_up() -> None:
        from emoji_alpha.solve import recompositing_loss, solve_exact
        from emoji_alpha.solve.backproject import back_project, consistency_error

        try:
            backgrounds = np.array([0.0, 0.25, 0.75, 1.0], np.float32)
            stack = np.full((4, 2, 3), 0.5, np.float32)
            premul, alpha = solve_exact(stack, backgrounds, backend="numba")
            recompositing_loss(stack, backgrounds, premul, alpha, backend="numba")
            big, small, mask = np.full((8, 8, 4), 0.5, np.float32), np.full((2, 2, 4), 0.5, np.float32), np.ones((8, 8), bool)
            back_project(big, small, alpha_mask=mask, colour_mask=mask, kernel="bilinear", weighting="soft", backend="numba")
            consistency_error(big, small, backend="numba")
        except Exception:  # noqa: BLE001 - only a head start: the real calls load (and report) for themselves
            pass

    thread = threading.Thread(target=warm_up, name="numba-warm-up", daemon=True)
    thread.start()
    return thread


def enlarge_solve(premul_lr: np.ndarray, size: tuple[int, int], upscaler, options: EnlargeOptions,
                  timer: StageTimer | None = None, *, keep_stack: Path | None = None, debug_dir: Path | None = None,
                  source: str = "") -> tuple[np.ndarray, SolveReport]:
    """``--method solve``: the K enlarged composites (:func:`liif_stack`), kept in ``keep_stack``
    if given, then solved (:func:`solve_stack`, its maps in ``debug_dir``)."""
    if channels_in(upscaler) != 3:
        rgba = get_method("rgba-liif")
        raise EmojiAlphaError(f"the {rgba.weights} weights enlarge RGBA directly: use them with --method {rgba.name}")
    timer = timer or StageTimer()
    stacked = SolveReport()
    warm_up = None
    if solver_backend(options, size[0] * size[1], solver_device(upscaler, options)) == "numba":
        warm_up = start_numba_warm_up()
    try:
        stack = liif_stack(premul_lr, size, upscaler, options, timer, stacked)
    finally:
        if warm_up is not None:  # never leave it loading while the interpreter shuts down
            warm_up.join()
    if keep_stack is not None:
        from emoji_alpha.stack import StackInfo, save_stack

        levels = [round(float(b) * 255.0, 3) for b in options.backgrounds]
        save_stack(keep_stack, stack, premul_lr, StackInfo(levels, source, list(premul_lr.shape[:2]), list(size),
                                                            getattr(upscaler, "weights_sha256", ""), options.band_margin))
    premul, report = solve_stack(stack, premul_lr, options, timer, debug_dir, solver_device(upscaler, options))
    report.on_demand_fraction = stacked.on_demand_fraction
    return premul, report


def enlarge_rgba(premul_lr: np.ndarray, size: tuple[int, int], upscaler, options: EnlargeOptions, *,
                 keep_stack: Path | None = None, debug_dir: Path | None = None, source: str = "") -> EnlargeResult:
    """Enlarge a premultiplied RGBA glyph with ``options.method`` (:mod:`emoji_alpha.methods`)."""
    check_glyph_array(premul_lr, "premul_lr", 4)
    method = get_method(options.method, "method")
    timer = StageTimer()
    if method.peer:
        with timer("enlarge"):
            premul = method.function(premul_lr, size, upscaler)
        return EnlargeResult(premul, None, size, SolveReport(seconds=timer.seconds))
    premul, report = method.function(premul_lr, size, upscaler, options, timer, keep_stack=keep_stack,
                                     debug_dir=debug_dir, source=source)
    return EnlargeResult(premul, None, size, report)


def needs_liif(options: EnlargeOptions, loaded: LoadedImage) -> bool:
    """Whether enlarging ``loaded`` with ``options`` needs the LIIF upscaler: an opaque input
    always does (it is enlarged once with LIIF), an RGBA one if its method does."""
    return not loaded.has_alpha or get_method(options.method, "method").needs_liif


def enlarge_loaded(loaded: LoadedImage, size: tuple[int, int], upscaler, options: EnlargeOptions, **kwargs) -> EnlargeResult:
    """RGB stays RGB (one enlargement); RGBA goes through ``options.method``."""
    check_glyph_array(loaded.rgba, "loaded.rgba", 4)
    channels = get_method(options.method, "method").channels
    count = 1 if not loaded.has_alpha or channels == 4 else max(2, len(options.backgrounds))
    upscaler.check_memory(loaded.size, size, count)
    if not loaded.has_alpha:
        if channels_in(upscaler) == 4:  # opaque RGBA through the 4-channel model
            return EnlargeResult(None, enlarge_rgb(loaded.rgba, size, upscaler).rgb[..., :3], size)
        return enlarge_rgb(loaded.rgba[..., :3], size, upscaler)
    return enlarge_rgba(premultiply(loaded.rgba), size, upscaler, options, **kwargs)


def enlarge_file(source: str | Path, output: str | Path | None, *, size: str | None, scale: float | None,
                 upscaler_factory: Callable[[], object], options: EnlargeOptions | None = None,
                 keep_stack: Path | None = None, debug_dir: Path | None = None,
                 image_format: str | None = None) -> tuple[OutputTarget, EnlargeResult]:
    """Read ``source`` (``-``: standard input), enlarge it, write ``output`` (``-``: standard
    output; None: next to the input, named by size, or standard output for standard input) in
    the format its suffix or ``image_format`` names; returns (target, result).

    Every check that does not need the result runs first (input, size, format, writable
    output and folders), and ``upscaler_factory()`` (e.g. :meth:`LiifConfig.build
    <emoji_alpha.options.LiifConfig.build>`) builds the LIIF upscaler only then, so bad input
    or a bad output fails in a second without loading torch.
    """
    options = options or EnlargeOptions()
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
    upscaler = upscaler_factory() if needs_liif(options, loaded) else NO_LIIF
    result = enlarge_loaded(loaded, out_size, upscaler, options, keep_stack=keep_stack,
                            debug_dir=debug_dir, source=str(source_path or "<stdin>"))
    write_target(target, result.straight())
    report = result.report
    if report.consistency is not None:
        loss = f"re-compositing loss {report.loss:.3f} levels^2, " if report.loss is not None else ""
        log(f"{loss}input consistency: alpha MAE {report.consistency.alpha_mae:.3f} levels")
    return target, result


def solve_kept_stack(stack_dir: Path, output: str | Path, options: EnlargeOptions, *, image_format: str | None = None,
                     debug_dir: Path | None = None) -> tuple[OutputTarget, SolveReport]:
    """``emoji-alpha solve``: re-solve the stack kept in ``stack_dir`` (``enlarge --keep-stack``)
    with ``options`` (its backgrounds are the stack's) and write ``output`` (``-``: standard
    output) in the format its suffix or ``image_format`` names; no LIIF. Returns (target, report).
    The output and ``debug_dir`` are checked before the K images are read."""
    from dataclasses import replace

    from emoji_alpha.outputs import check_file_writable
    from emoji_alpha.stack import load_stack

    target = output_target(output, image_format)
    if target.path is not None:  # before reading K large images
        check_file_writable(target.path)
    if debug_dir is not None:
        check_folder_writable(debug_dir, "--debug-dir")
    stack, premul_lr, info = load_stack(stack_dir)
    check_target(target, has_alpha=bool((premul_lr[..., 3] < 1.0).any()), out_size=stack.shape[1:3],
                 source=stack_dir / "input.png")
    options = replace(options, backgrounds=tuple(b / 255.0 for b in info.backgrounds))
    premul, report = solve_stack(stack, premul_lr, options, debug_dir=debug_dir)
    write_target(target, unpremultiply(premul))
    return target, report


class _NoLiif:
    """Stand-in for methods that need no LIIF (lanczos): only the memory check is meaningful."""

    weights_sha256 = ""

    def check_memory(self, *args) -> None:
        return None


#: The upscaler handed to a method that needs none (:func:`needs_liif` is False).
NO_LIIF = _NoLiif()
