"""Emoji-trained weights: the 4-channel widening, delta checkpoints, the shipped files."""

from __future__ import annotations

import clikit
import numpy as np
import pytest
import torch

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.liif import Upscaler, trained
from emoji_alpha.liif.weights import load_model


@pytest.fixture(scope="module")
def official(official_weights):
    return load_model(official_weights)


def test_widened_model_starts_as_the_rgb_model(official):
    wide = trained.widen_to_rgba(official)
    premul = torch.rand(1, 4, 12, 12)
    premul[:, :3] *= premul[:, 3:]
    coord = torch.rand(1, 50, 2) * 2 - 1
    cell = torch.full((1, 50, 2), 2 / 40)
    with torch.no_grad():
        rgb = official.query_reference(official.encode(premul[:, :3] * 2 - 1), coord, cell)
        rgba = wide.query_reference(wide.encode(premul * 2 - 1), coord, cell)
    # alpha input has zero weights: colour is the RGB model's; alpha is the mean of its rows
    assert torch.allclose(rgba[..., :3], rgb, atol=1e-5)
    assert torch.allclose(rgba[..., 3], rgb.mean(-1), atol=1e-5)


def test_delta_checkpoint_round_trip(official, tmp_path):
    wide = trained.widen_to_rgba(official)
    with torch.no_grad():
        wide.imnet.layers[0].weight.add_(0.01)
    delta = {k: v for k, v in wide.state_dict().items() if k.startswith(("imnet.", "encoder.head."))}
    path = trained.write_trained("rgba", delta, {"steps": 0}, {"test": "none"}, folder=tmp_path)
    assert trained.manifest(tmp_path)["emoji-rgba"]["sha256"]
    loaded = load_model(trained.trained_path("emoji-rgba", tmp_path))
    assert loaded.spec["args"]["encoder_spec"]["args"]["n_colors"] == 4
    for key, value in wide.state_dict().items():  # half-precision storage of the changed part only
        tolerance = 1e-3 * float(value.abs().max()) if key in delta else 0.0
        assert torch.allclose(loaded.state_dict()[key], value, atol=tolerance), key
    up = Upscaler(path, log=lambda _m: None)
    out = up.enlarge(np.random.rand(8, 8, 4).astype(np.float32), (16, 16))
    assert out.shape == (16, 16, 4)
    with pytest.raises(ValueError, match="x 4 images"):
        up.enlarge(np.random.rand(8, 8, 3).astype(np.float32), (16, 16))


def test_corrupted_trained_file_is_a_clear_error(official, tmp_path):
    delta = {k: v for k, v in official.state_dict().items() if k.startswith("imnet.")}
    path = trained.write_trained("rgb", delta, {}, {}, folder=tmp_path)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(EmojiAlphaError, match="corrupted"):
        trained.trained_path("emoji", tmp_path)


@pytest.mark.parametrize("name", sorted(trained.manifest()))
def test_shipped_weights_load_and_match_their_hash(name, official_weights):
    model = load_model(trained.trained_path(name))
    channels = model.spec["args"]["encoder_spec"]["args"].get("n_colors", 3)
    assert channels == (4 if name.endswith("rgba") else 3)
    recipe = trained.manifest()[name]["recipe"]
    assert recipe["validation_l1"] < recipe["validation_l1_start"]  # the fine-tune helped on held-out data


@pytest.fixture(scope="module")
def rgba_weights(official, tmp_path_factory):
    """An (untrained) widened model written as a delta file, like the shipped emoji-rgba."""
    folder = tmp_path_factory.mktemp("rgba")
    wide = trained.widen_to_rgba(official)
    delta = {k: v for k, v in wide.state_dict().items() if k.startswith(("imnet.", "encoder.head."))}
    return trained.write_trained("rgba", delta, {}, {}, folder=folder)


def _glyph():
    from importlib.resources import files

    from emoji_alpha.images import premultiply, read_image

    return premultiply(read_image(files("emoji_alpha") / "samples" / "glyph-u1F680-shadow.png").rgba[8:40, 8:40])


def test_rgba_liif_method_keeps_decided_pixels_exact(rgba_weights):
    from emoji_alpha.composite import footprint_masks
    from emoji_alpha.options import EnlargeOptions
    from emoji_alpha.pipeline import enlarge_rgba

    premul = _glyph()
    up = Upscaler(rgba_weights, log=lambda _m: None)
    result = enlarge_rgba(premul, (96, 96), up, EnlargeOptions(method="rgba-liif"))
    out = result.premul
    transparent, opaque = footprint_masks(premul[..., 3], (96, 96), 0)
    assert transparent.any() and opaque.any()
    assert (out[transparent] == 0).all() and (out[opaque, 3] == 1).all()
    assert (out[..., :3] <= out[..., 3:] + 1e-6).all() and out.min() >= 0
    assert result.report.consistency.alpha_mae < 1.0  # back-projected onto the input


def test_methods_refuse_the_wrong_weights(rgba_weights, upscaler):
    from emoji_alpha.options import EnlargeOptions
    from emoji_alpha.pipeline import enlarge_rgba

    premul = _glyph()
    with pytest.raises(EmojiAlphaError, match="rgba-liif"):
        enlarge_rgba(premul, (64, 64), Upscaler(rgba_weights, log=lambda _m: None), EnlargeOptions())
    with pytest.raises(EmojiAlphaError, match="4-channel"):
        enlarge_rgba(premul, (64, 64), upscaler, EnlargeOptions(method="rgba-liif"))


def test_cli_rgba_liif(rgba_weights, tmp_path):
    from importlib.resources import files

    source = files("emoji_alpha") / "samples" / "glyph-u2B50-glow.png"
    out = tmp_path / "star.png"
    run = clikit.run("enlarge", source, "-o", out, "--size", "144", "--method", "rgba-liif", "--weights", rgba_weights)
    assert run.returncode == 0, run.stderr
    from emoji_alpha.images import read_image

    assert read_image(out).rgba.shape == (144, 144, 4)
    bad = clikit.run("enlarge", source, "-o", tmp_path / "x.png", "--size", "144", "--weights", rgba_weights)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "rgba-liif" in bad.stderr + bad.stdout


def test_default_weights_are_the_shipped_emoji_model(official_weights):
    from emoji_alpha.liif.weights import DEFAULT_WEIGHTS, resolve

    assert DEFAULT_WEIGHTS == "emoji" and resolve(None) == trained.trained_path("emoji")
    assert resolve("official") == official_weights


def test_weights_list_names_every_choice(official_weights):
    run = clikit.run("weights", "list")
    assert run.returncode == 0, run.stderr
    assert "official" in run.stdout and "emoji (default)" in run.stdout and "ok" in run.stdout
