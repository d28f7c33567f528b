"""``emoji_alpha.enlarge``: the Python API for the main job, against the CLI, and the checks the
lower-level entry points now make on what they are given."""

from __future__ import annotations

from pathlib import Path

import batchkit
import clikit
import numpy as np
import pytest
from PIL import Image

import emoji_alpha
from emoji_alpha.errors import EmojiAlphaError


@pytest.fixture(scope="module")
def glyph_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("in") / "glyph.png"
    Image.fromarray(batchkit.glyph(2)).save(path)
    return path


@pytest.fixture(scope="module")
def api_result(glyph_png) -> Image.Image:
    return emoji_alpha.enlarge(glyph_png, size=32)


def test_api_matches_the_cli_within_one_level(tmp_path, glyph_png, api_result):
    out = tmp_path / "cli.png"
    run = clikit.run("enlarge", glyph_png, "-o", out, "-s", "32")
    assert run.returncode == 0, run.stderr
    assert api_result.mode == "RGBA" and api_result.size == (32, 32)
    cli_pixels = np.asarray(Image.open(out)).astype(np.int16)
    assert np.abs(np.asarray(api_result).astype(np.int16) - cli_pixels).max() <= 1


def test_arrays_and_pil_images_give_the_path_result(glyph_png, api_result):
    expected = np.asarray(api_result)
    rgba = np.asarray(Image.open(glyph_png))
    for image in (rgba, rgba.astype(np.float32) / 255, rgba.astype(np.float64) / 255, Image.open(glyph_png)):
        np.testing.assert_array_equal(np.asarray(emoji_alpha.enlarge(image, size=(32, 32))), expected)


def test_the_model_is_loaded_once_per_configuration(glyph_png):
    from emoji_alpha.api import cached_upscaler

    cached_upscaler.cache_clear()
    emoji_alpha.enlarge(glyph_png, scale=2)
    emoji_alpha.enlarge(glyph_png, size="32x32")
    info = cached_upscaler.cache_info()
    assert info.misses == 1 and info.hits == 1


def test_opaque_array_gives_rgb():
    rgb = np.kron(np.random.default_rng(3).random((4, 4, 3)), np.ones((4, 4, 1)))  # 16 x 16 float64
    result = emoji_alpha.enlarge(rgb, size=24)
    assert result.mode == "RGB" and result.size == (24, 24)


BAD_ARRAYS = {
    "int64": np.zeros((8, 8, 4), np.int64),
    "uint16": np.zeros((8, 8, 3), np.uint16),
    "bool": np.zeros((8, 8, 3), bool),
    "float 0-255": np.full((8, 8, 3), 200.0),
    "negative float": np.full((8, 8, 3), -0.5),
    "nan": np.full((8, 8, 4), np.nan, np.float32),
    "2-d": np.zeros((8, 8), np.uint8),
    "2 channels": np.zeros((8, 8, 2), np.uint8),
    "5 channels": np.zeros((8, 8, 5), np.uint8),
    "channels first": np.zeros((3, 8, 8), np.uint8),
    "empty": np.zeros((0, 8, 3), np.uint8),
}


@pytest.mark.parametrize("case", sorted(BAD_ARRAYS))
def test_bad_arrays_are_a_clear_value_error(case):
    with pytest.raises(ValueError, match="image: expected"):
        emoji_alpha.enlarge(BAD_ARRAYS[case], size=32)


@pytest.mark.parametrize("kwargs", [{}, {"size": 32, "scale": 2.0}, {"size": 4}, {"size": True}, {"size": (32,)},
                                    {"size": 32, "method": "magic"}, {"size": 32, "memory_limit": 0},
                                    {"scale": float("inf")}, {"size": 32, "backgrounds": ["x"]}])
def test_bad_options_are_emoji_alpha_errors(glyph_png, kwargs):
    with pytest.raises(EmojiAlphaError):
        emoji_alpha.enlarge(glyph_png, **kwargs)


def test_other_inputs_are_a_type_error():
    with pytest.raises(TypeError, match="path, a PIL image or a numpy array"):
        emoji_alpha.enlarge([[0, 0, 0]], size=32)


def test_lower_level_entry_points_check_dtype_and_range():
    from emoji_alpha.api import cached_upscaler
    from emoji_alpha.options import EnlargeOptions, LiifConfig
    from emoji_alpha.pipeline import enlarge_rgb, enlarge_rgba

    upscaler = cached_upscaler(LiifConfig())
    uint8_rgb = np.full((8, 8, 3), 200, np.uint8)
    with pytest.raises(ValueError, match="divide by 255"):
        upscaler.enlarge(uint8_rgb, (16, 16))  # used to enlarge colours up to 200 without a word
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        upscaler.enlarge(np.full((8, 8, 3), 200.0, np.float32), (16, 16))
    with pytest.raises(ValueError, match="expected K x h x w x 3"):
        upscaler.enlarge(np.zeros((8, 8, 4), np.float32), (16, 16))
    with pytest.raises(ValueError, match="premul_lr"):
        enlarge_rgba(np.full((8, 8, 4), 255, np.uint8), (16, 16), upscaler, EnlargeOptions())
    with pytest.raises(ValueError, match="rgb"):
        enlarge_rgb(np.full((8, 8, 3), 255, np.uint8), (16, 16), upscaler)


def test_import_stays_light_and_enlarge_is_lazy():
    code = ("import sys, emoji_alpha; f = emoji_alpha.enlarge; "
            "print(sorted(m for m in ('numpy', 'PIL', 'torch', 'numba', 'typer') if m in sys.modules))")
    out = clikit.python(code)
    assert out.stdout.strip() == "[]"


def test_package_is_typed():
    root = Path(emoji_alpha.__file__).parent
    assert (root / "py.typed").is_file()
    pyproject = (root.parent / "pyproject.toml").read_text()
    assert '"py.typed"' in pyproject
