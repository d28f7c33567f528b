"""`emoji-alpha enlarge` as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import batchkit
import clikit
import numpy as np
import pytest
import torch
from PIL import Image

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import read_image
from emoji_alpha.liif.engine import reference_enlarge
from emoji_alpha.liif.weights import load_model
from emoji_alpha.sizes import output_size


@pytest.fixture(scope="module")
def rgb_png(tmp_path_factory):
    path = tmp_path_factory.mktemp("in") / "card.png"
    Image.fromarray(batchkit.card()).save(path)  # blocky-smooth 64x64 test card
    return path


def test_enlarge_rgb_matches_official_algorithm(rgb_png, tmp_path, official_weights):
    out = tmp_path / "big.png"
    result = clikit.run("enlarge", str(rgb_png), "-o", str(out), "--size", "256", "--weights", "official")
    assert result.returncode == 0, result.stderr
    got = np.asarray(Image.open(out))
    assert got.shape == (256, 256, 3)
    image = read_image(rgb_png).rgba[..., :3]
    ref = reference_enlarge(load_model(official_weights), torch.from_numpy(image.transpose(2, 0, 1)[None].copy()), (256, 256))[0]
    expected = np.rint(ref.numpy() * 255)
    assert np.abs(got.astype(np.int16) - expected).max() <= 1


@pytest.mark.parametrize("mode", ["P", "L", "RGB16"])
def test_other_png_flavours_enlarge(tmp_path, mode, official_weights):
    path = tmp_path / f"in-{mode}.png"
    base = Image.new("RGB", (12, 10), (200, 40, 90))
    if mode == "P":
        base.convert("P").save(path)
    elif mode == "L":
        base.convert("L").save(path)
    else:
        import png

        rows = np.full((10, 12 * 3), 40000, dtype=np.uint16)
        with open(path, "wb") as handle:
            png.Writer(12, 10, greyscale=False, bitdepth=16).write(handle, rows.tolist())
    out = tmp_path / "out.png"
    result = clikit.run("enlarge", str(path), "-o", str(out), "--scale", "2.5")
    assert result.returncode == 0, result.stderr
    assert Image.open(out).size == (30, 25)


def test_size_parsing():
    assert output_size((160, 160), "2000") == (2000, 2000)
    assert output_size((100, 200), "2000") == (1000, 2000)
    assert output_size((160, 160), "2000x1500") == (1500, 2000)
    assert output_size((160, 160), scale=12.5) == (2000, 2000)
    for bad in ("abc", "0", "12x0", "2000x"):
        with pytest.raises(EmojiAlphaError):
            output_size((160, 160), bad)
    with pytest.raises(EmojiAlphaError):
        output_size((160, 160), "100", 2.0)


def test_help_is_instant_and_lists_commands():
    result = clikit.python("import sys, emoji_alpha.cli; print('torch' in sys.modules)")
    assert result.stdout.strip() == "False"  # nothing heavy at import: --help stays instant
    result = clikit.run("--help")
    assert result.returncode == 0
    for command in ("enlarge", "weights", "extract"):
        assert command in result.stdout
