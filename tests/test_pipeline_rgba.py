"""The RGBA pipeline: exact recovery, constraints, exact 0/1 where the input decides, stacks."""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path

import clikit
import numpy as np
import pytest
from conftest import CountingUpscaler

from emoji_alpha.composite import flatten, footprint_masks, parse_backgrounds
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import premultiply, read_image, write_png
from emoji_alpha.options import EnlargeOptions
from emoji_alpha.pipeline import enlarge_rgba, solve_stack
from emoji_alpha.resample import area_resize
from emoji_alpha.solve import recompositing_loss
from emoji_alpha.solve.passes import run_passes, sign_aware_min
from emoji_alpha.stack import StackInfo, load_stack, save_stack


def glyph(size: int = 32, seed: int = 0) -> np.ndarray:
    """A premultiplied test glyph: transparent surround, opaque disc, soft translucent ring."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size] / size - 0.5
    radius = np.hypot(yy, xx)
    alpha = np.clip((0.42 - radius) / 0.12, 0, 1) * np.where(radius < 0.2, 1.0, 0.55)
    colour = np.clip(rng.random(3) * 0.8 + 0.1 + 0.2 * yy[..., None], 0, 1)
    return premultiply(np.concatenate([colour, alpha[..., None]], -1).astype(np.float32))


@pytest.mark.parametrize("levels", ["0,255", "0,128,255", "0,64,128,192,255"])
@pytest.mark.parametrize("backproject", [0, 1])
def test_exact_composites_are_recovered(levels, backproject):
    truth = glyph(48)
    lr = area_resize(truth, (12, 12))
    backgrounds = parse_backgrounds(levels)
    options = EnlargeOptions(backgrounds=tuple(backgrounds), backproject=backproject, passes=2)
    result, info = solve_stack(flatten(truth, backgrounds), lr, options)
    assert np.abs(result - truth).max() <= 1 / 255
    assert info.consistency.alpha_mae < 0.01


def test_one_background_warns():
    truth = glyph(16)
    with pytest.warns(UserWarning, match="underdetermined"):
        solve_stack(flatten(truth, np.array([0.5], np.float32)), area_resize(truth, (8, 8)),
                    EnlargeOptions(backgrounds=(0.5,), backproject=0))


def test_passes_never_increase_loss():
    rng = np.random.default_rng(1)
    backgrounds = np.array([0, 0.25, 0.5, 0.75, 1], np.float32)
    stack = np.clip(flatten(glyph(24, 2), backgrounds) + rng.normal(0, 0.02, (5, 24, 24, 3)), 0, 1).astype(np.float32)
    stack = stack.reshape(5, -1, 3)
    alpha = rng.random(stack.shape[1]).astype(np.float32)
    premul = (rng.random((stack.shape[1], 3)) * alpha[:, None]).astype(np.float32)
    before = recompositing_loss(stack, backgrounds, premul, alpha)
    new_p, new_a, reports = run_passes(stack, backgrounds, premul, alpha, 4)
    after = recompositing_loss(stack, backgrounds, new_p, new_a)
    assert np.all(after <= before + 1e-7)
    assert all(r.loss_after <= r.loss_before for r in reports) and sum(r.changed for r in reports) > 0
    assert [r.name for r in reports] == ["uniform", "partial", "uniform", "partial"]
    assert np.all(new_a >= 0) and np.all(new_a <= 1) and np.all(new_p <= new_a[:, None] + 1e-7)


def test_sign_aware_min():
    resid = np.array([[11, 12, 13], [-3, -5, -4], [2, -1, 4], [0, 1, 2]], np.float32)
    np.testing.assert_array_equal(sign_aware_min(resid), [11, -3, 0, 0])


def test_footprint_masks_are_exact_and_band_covers_soft_pixels():
    alpha = np.zeros((8, 8), np.float32)
    alpha[2:6, 2:6] = 1.0
    alpha[2, 2] = 0.5
    transparent, opaque = footprint_masks(alpha, (32, 32), margin=0)
    assert transparent[:8, :].all() and not transparent[8:12, 12:16].any()
    assert opaque[12:24, 12:24].all() and not opaque[8:12, 8:12].any()
    grown_t, grown_o = footprint_masks(alpha, (32, 32), margin=1)
    assert (grown_t <= transparent).all() and (grown_o <= opaque).all()
    # non-integer ratio: footprints overlap two input pixels
    t, o = footprint_masks(alpha, (20, 20), margin=0)
    assert not (t & o).any()


def test_liif_pipeline_keeps_exact_zero_and_one(upscaler):
    premul_lr = glyph(24, 3)
    premul_lr[..., :] = np.where(premul_lr[..., 3:] < 0.02, 0, premul_lr)
    result = enlarge_rgba(premul_lr, (72, 72), upscaler, EnlargeOptions())
    transparent, opaque = footprint_masks(premul_lr[..., 3], (72, 72), 0)
    assert transparent.any() and opaque.any()
    assert (result.premul[transparent] == 0).all()
    assert (result.premul[opaque, 3] == 1).all()
    alpha = result.premul[..., 3]
    assert ((alpha >= 0) & (alpha <= 1)).all() and (result.premul[..., :3] <= alpha[..., None] + 1e-7).all()
    full = enlarge_rgba(premul_lr, (72, 72), upscaler, dataclasses.replace(EnlargeOptions(), band_margin=None))
    assert (full.premul[transparent] == 0).all() and (full.premul[opaque, 3] == 1).all()


def test_background_order_does_not_matter(upscaler):
    """The opaque fill is the middle grey's enlargement whatever order the levels come in."""
    from emoji_alpha.composite import middle_level

    assert middle_level(np.array([255, 0, 64, 192]) / 255) == 3 and middle_level([0.0, 0.5, 1.0]) == 1
    premul_lr = glyph(16, 5)
    levels = np.array([0, 64, 192, 255], np.float32) / 255
    results = [enlarge_rgba(premul_lr, (40, 40), upscaler, EnlargeOptions(backgrounds=tuple(levels[order]),
                                                                         on_demand=(levels[1],))).premul
               for order in ([0, 1, 2, 3], [3, 1, 0, 2])]
    np.testing.assert_allclose(results[0], results[1], atol=2e-6)


def test_faint_footprints_skip_liif_and_stay_faint(upscaler):
    from emoji_alpha.composite import faint_mask

    alpha = np.zeros((8, 8), np.float32)
    alpha[2:4, 2:4], alpha[5, 5], alpha[6, 6] = 1.0, 2 / 255, 0.5
    faint = faint_mask(alpha, (32, 32), 3 / 255)
    expected = np.zeros((8, 8), bool)
    expected[5, 5] = True
    assert (faint == np.kron(expected, np.ones((4, 4), bool))).all()
    assert not faint_mask(alpha, (32, 32), 0).any()

    premul_lr = glyph(24, 3)
    premul_lr[..., :] = np.where(premul_lr[..., 3:] < 0.02, premul_lr * 0.05, premul_lr)  # a faint halo
    options = dataclasses.replace(EnlargeOptions(), faint_alpha=4 / 255)
    faint = faint_mask(premul_lr[..., 3], (72, 72), options.faint_alpha)
    assert faint.any()
    counting = CountingUpscaler(upscaler)
    result = enlarge_rgba(premul_lr, (72, 72), counting, options)
    queried = np.concatenate([pixels for _, pixels in counting.calls])
    assert not np.isin(np.flatnonzero(faint), queried).any()  # no LIIF there
    assert result.premul[faint, 3].max() < 8 / 255 and np.isfinite(result.premul).all()


def test_stack_round_trip_and_bad_stacks(tmp_path):
    truth = glyph(16)
    backgrounds = np.array([0, 0.5, 1], np.float32)
    stack = flatten(truth, backgrounds)
    info = StackInfo([0.0, 127.5, 255.0], "x.png", [8, 8], [16, 16], "abc", 1)
    folder = save_stack(tmp_path / "s", stack, area_resize(truth, (8, 8)), info)
    loaded, premul_lr, loaded_info = load_stack(folder)
    assert np.abs(loaded - stack).max() < 1e-4 and loaded_info == info
    (folder / "bg-002.png").unlink()
    with pytest.raises(EmojiAlphaError, match="background images"):
        load_stack(folder)
    write_png(folder / "bg-002.png", np.zeros((10, 16, 3), np.float32))
    with pytest.raises(EmojiAlphaError, match="does not match"):
        load_stack(folder)
    (folder / "stack.json").unlink()
    with pytest.raises(EmojiAlphaError, match="stack.json"):
        load_stack(folder)
    with pytest.raises(EmojiAlphaError):
        load_stack(tmp_path / "nowhere")


def test_cli_enlarge_rgba_keep_stack_and_resolve(tmp_path, official_weights):
    from emoji_alpha.images import unpremultiply

    source = tmp_path / "glyph.png"
    write_png(source, unpremultiply(glyph(20, 4)))
    out = tmp_path / "big.png"
    result = clikit.run("enlarge", str(source), "-o", str(out), "--size", "60", "--keep-stack",
                        str(tmp_path / "stack"), "--backgrounds", "0,128,255")
    assert result.returncode == 0, result.stderr
    enlarged = read_image(out)
    assert enlarged.has_alpha and enlarged.size == (60, 60)
    sidecar = json.loads((tmp_path / "stack" / "stack.json").read_text())
    assert sidecar["backgrounds"] == [0.0, 128.0, 255.0] and sidecar["out_size"] == [60, 60]
    again = tmp_path / "again.png"
    result = clikit.run("solve", str(tmp_path / "stack"), "--passes", "0", "-o", str(again))
    assert result.returncode == 0, result.stderr
    diff = np.abs(read_image(again).rgba - enlarged.rgba)
    assert diff.max() <= 2 / 255  # the stack is kept at 16 bits
    result = clikit.run("solve", str(tmp_path / "stack"), "--passes", "2", "-o", str(tmp_path / "p2.png"),
                        "--debug-dir", str(tmp_path / "dbg"))
    assert result.returncode == 0, result.stderr
    assert "pass uniform" in result.stderr and "pass partial" in result.stderr
    assert (tmp_path / "dbg" / "pass2-partial.png").exists()
    result = clikit.run("enlarge", str(source), "-o", str(tmp_path / "k1.png"), "--size", "40", "--backgrounds", "128")
    assert result.returncode == 0 and "underdetermined" in result.stderr  # bad flags: test_bad_input.py


def test_fast_preset_options_and_cli(tmp_path, official_weights):
    from emoji_alpha.images import unpremultiply
    from emoji_alpha.options import FAST_PRESET, build_options

    fast = build_options(fast=True)
    assert all(getattr(fast, name) == value for name, value in FAST_PRESET.items())
    assert build_options(fast=True, faint_alpha=0).faint_alpha == 0.0  # flags win
    assert build_options().backgrounds == EnlargeOptions().backgrounds
    source = tmp_path / "glyph.png"
    write_png(source, unpremultiply(glyph(20, 4)))
    result = clikit.run("enlarge", str(source), "-o", str(tmp_path / "fast.png"), "--size", "60", "--fast",
                        "--keep-stack", str(tmp_path / "stack"))
    assert result.returncode == 0, result.stderr
    sidecar = json.loads((tmp_path / "stack" / "stack.json").read_text())
    assert sidecar["backgrounds"] == [0.0, 64.0, 192.0, 255.0]
    fast_png = read_image(tmp_path / "fast.png").rgba
    assert fast_png[..., 3].min() == 0.0 and fast_png[..., 3].max() == 1.0
    # the stack, its on-demand rows filled from the base fit, re-solves to the same picture
    result = clikit.run("solve", str(tmp_path / "stack"), "-o", str(tmp_path / "again.png"))
    assert result.returncode == 0, result.stderr
    assert np.abs(read_image(tmp_path / "again.png").rgba - fast_png).max() <= 2 / 255


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_pipeline_matches_cpu(upscaler, official_weights):
    """On a GPU the LIIF, the solve, back-projection and checks all run there: same result."""
    from emoji_alpha.liif import Upscaler

    premul_lr = glyph(24, 7)
    gpu = Upscaler(official_weights, "cuda", log=lambda _m: None)
    on_cpu = enlarge_rgba(premul_lr, (60, 60), upscaler, EnlargeOptions())
    on_gpu = enlarge_rgba(premul_lr, (60, 60), gpu, EnlargeOptions())
    assert np.abs(on_gpu.premul - on_cpu.premul).max() < 1e-3
    assert abs(on_gpu.report.loss - on_cpu.report.loss) < 1e-2 * max(1.0, on_cpu.report.loss)


def test_the_method_registry_answers_what_each_method_needs():
    from emoji_alpha.methods import METHODS, NAMES, PEERS, get_method

    assert NAMES == ("solve", "rgba-liif", "twobg", "separate", "keygrey", "lanczos")
    assert PEERS == ("twobg", "separate", "keygrey", "lanczos")
    assert all(callable(method.function) for method in METHODS.values())
    assert [name for name in NAMES if not get_method(name).needs_liif] == ["lanczos"]
    assert [name for name in NAMES if get_method(name).solves_stack] == ["solve"]
    assert get_method("rgba-liif").weights == "emoji-rgba" and get_method("rgba-liif").channels == 4
    with pytest.raises(EmojiAlphaError, match="unknown --method 'magic'; choose from solve, rgba-liif"):
        get_method("magic")


def test_liif_flags_become_one_config():
    from emoji_alpha.liif.upscaler import Upscaler
    from emoji_alpha.options import LiifConfig, from_flags

    options, liif = from_flags(method="rgba-liif", memory_limit=2.0, threads=3)
    assert options.method == "rgba-liif"
    assert liif == LiifConfig(weights="emoji-rgba", memory_limit=2 << 30, threads=3)
    assert from_flags(method="rgba-liif", weights=Path("w.pth"))[1].weights == "w.pth"
    assert from_flags()[1] == LiifConfig()
    assert inspect.signature(Upscaler).parameters["chunk_size"].default == LiifConfig().chunk_size
    with pytest.raises(EmojiAlphaError, match="--memory-limit"):
        from_flags(memory_limit=0)


def test_the_stack_plan_says_which_pixels_each_level_needs():
    """The plan needs no LIIF: the band, the opaque, transparent and faint pixels split the
    output between them; the base and on-demand levels split the backgrounds; --full has no band."""
    from emoji_alpha.composite import faint_mask
    from emoji_alpha.pipeline import plan_stack

    premul_lr = glyph(16)
    premul_lr[0] = [0.0, 0.0, 0.0, 1 / 255]  # a faint row
    options = EnlargeOptions(faint_alpha=2 / 255)
    plan = plan_stack(premul_lr, (48, 48), options)
    transparent, opaque = footprint_masks(premul_lr[..., 3], (48, 48), options.band_margin)
    faint = faint_mask(premul_lr[..., 3], (48, 48), options.faint_alpha)
    assert not plan.full and plan.faint.any() and (plan.faint == faint).all()
    every = np.zeros(48 * 48, int)
    for part in (plan.band, plan.solid, np.flatnonzero(plan.transparent), np.flatnonzero(plan.faint & ~transparent)):
        np.add.at(every, part, 1)
    assert (every == 1).all()  # each output pixel filled one way
    assert (plan.solid == np.flatnonzero(opaque)).all() and plan.band.size > 0
    levels = np.asarray(options.backgrounds)
    assert sorted(plan.base + plan.on_demand) == list(range(levels.size))
    assert levels[plan.on_demand] == pytest.approx(options.on_demand)
    assert levels[plan.middle] == pytest.approx(192 / 255)  # the upper median of 0, 64, 192, 255
    assert plan_stack(premul_lr, (48, 48), dataclasses.replace(options, band_margin=None)).full
