"""The fast decoder (``lmf``): shapes, the engine against the definition, scale handling of the
coordinates, strict loading of its delta checkpoints and their hash check."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.liif import models, trained
from emoji_alpha.liif.lmf_engine import LmfEngine
from emoji_alpha.liif.models.liif import pixel_centres
from emoji_alpha.liif.weights import load_model

SMALL_ENCODER = {"name": "edsr-baseline", "args": {"n_resblocks": 2, "n_feats": 16, "no_upsampling": True}}


def small_model(seed: int = 0, render_width: int = 16):
    torch.manual_seed(seed)
    model = models.make({"name": "lmf", "args": {"encoder_spec": SMALL_ENCODER, "latent_width": 32,
                                                 "render_width": render_width}}).eval()
    with torch.no_grad():  # a random but lively decoder (default init makes tiny outputs)
        for parameter in list(model.latent.head.parameters()) + list(model.render.parameters()):
            parameter.normal_(0, 0.3)
    return model


def reference(model, images: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """query_reference at every pixel centre of a size[0] x size[1] grid, in [0, 1]."""
    batch = images.shape[0]
    coord = torch.stack(torch.meshgrid(pixel_centres(size[0]), pixel_centres(size[1]), indexing="ij"), -1)
    coord = coord.view(1, -1, 2).expand(batch, -1, -1)
    cell = torch.tensor([[2 / size[0], 2 / size[1]]]).expand(batch, 2)
    with torch.no_grad():
        return (model.query_reference(model.encode((images - 0.5) / 0.5), coord, cell) * 0.5 + 0.5).clamp(0, 1)


@pytest.mark.parametrize("use_kernel", [True, False], ids=["numba", "torch"])
@pytest.mark.parametrize("size", [(37, 29), (64, 64), (20, 90)])
def test_engine_matches_the_definition(use_kernel, size):
    model = small_model()
    engine = LmfEngine(model, use_kernel=use_kernel)
    images = torch.rand(2, 3, 13, 11)
    prepared = engine.prepare(images, size)
    out = engine.query(prepared, chunk_size=97)
    assert out.shape == (2, size[0] * size[1], 3)
    expected = reference(model, images, size)
    assert float(expected.std()) > 0.05
    assert torch.allclose(out, expected, atol=2e-6)
    pixels = torch.tensor([0, 5, size[0] * size[1] - 1])
    assert torch.allclose(engine.query(prepared.select(1), pixels), expected[1:, pixels], atol=2e-6)


def test_kernel_and_torch_paths_agree_on_a_batch_slice():
    model = small_model(1)
    images = torch.rand(3, 3, 9, 9)
    fast, plain = LmfEngine(model), LmfEngine(model, use_kernel=False)
    prepared = fast.prepare(images, (40, 40))
    pixels = torch.from_numpy(np.random.default_rng(0).choice(1600, 300, replace=False))
    a = fast.query(prepared.images(1, 3), pixels)
    b = plain.query(prepared.images(1, 3), pixels)
    assert a.shape == (2, 300, 3) and torch.allclose(a, b, atol=2e-6)


def test_coordinates_are_scale_invariant():
    """Relative coordinates are in feature pixels: with the cell-size input switched off, pixel
    3i + 1 of a 3x finer grid lies on pixel i's centre and must decode to the same colour."""
    model = small_model(2)
    with torch.no_grad():
        model.latent.cell.weight.zero_()
    engine = LmfEngine(model)
    images = torch.rand(1, 3, 10, 8)
    coarse = engine.query(engine.prepare(images, (20, 16))).view(20, 16, 3)
    fine = engine.query(engine.prepare(images, (60, 48))).view(60, 48, 3)
    assert torch.allclose(fine[1::3, 1::3], coarse, atol=2e-6)
    with torch.no_grad():  # and the cell size is an input: it changes the result when it matters
        model.latent.cell.weight.normal_(0, 1.0)
    engine = LmfEngine(model)
    coarse = engine.query(engine.prepare(images, (20, 16))).view(20, 16, 3)
    fine = engine.query(engine.prepare(images, (60, 48))).view(60, 48, 3)
    assert not torch.allclose(fine[1::3, 1::3], coarse, atol=1e-3)


@pytest.fixture(scope="module")
def official(official_weights):
    return load_model(official_weights)


def fast_model(official):
    spec = trained.fast_spec(official.spec)
    model = models.make(spec)
    model.encoder.load_state_dict(official.encoder.state_dict())
    return model


def test_delta_round_trip_loads_strictly(official, tmp_path):
    model = fast_model(official)
    delta = {k: v for k, v in model.state_dict().items() if k.startswith(("latent.", "render."))}
    path = trained.write_trained("fast", delta, {"steps": 0}, {"test": "none"}, folder=tmp_path)
    loaded = load_model(trained.trained_path("emoji-fast", tmp_path))
    assert loaded.spec["name"] == "lmf"
    for key, value in model.state_dict().items():  # the encoder exact, the decoder in half precision
        tolerance = 1e-3 * float(value.abs().max()) if key in delta else 0.0
        assert torch.allclose(loaded.state_dict()[key], value, atol=tolerance), key
    from emoji_alpha.liif import Upscaler

    out = Upscaler(path, log=lambda _m: None).enlarge(np.random.rand(8, 8, 3).astype(np.float32), (24, 20))
    assert out.shape == (24, 20, 3) and 0 <= out.min() and out.max() <= 1


def test_delta_missing_a_decoder_key_is_a_clear_error(official, tmp_path):
    model = fast_model(official)
    delta = {k: v for k, v in model.state_dict().items() if k.startswith(("latent.", "render."))}
    del delta["render.hidden.weight"]
    path = trained.write_trained("fast", delta, {}, {}, folder=tmp_path)
    with pytest.raises(EmojiAlphaError, match="does not match its model spec"):
        load_model(path)


def test_corrupted_fast_weights_fail_the_hash_check(official, tmp_path):
    model = fast_model(official)
    delta = {k: v for k, v in model.state_dict().items() if k.startswith(("latent.", "render."))}
    path = trained.write_trained("fast", delta, {}, {}, folder=tmp_path)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(EmojiAlphaError, match="corrupted"):
        trained.trained_path("emoji-fast", tmp_path)
