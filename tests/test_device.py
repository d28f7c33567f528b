"""--device names: cpu, cuda, cuda:N and auto; a GPU that is not there fails before any work."""

from __future__ import annotations

import pytest
import torch

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.liif.upscaler import resolve_device
from emoji_alpha.options import check_device_name, from_flags


@pytest.mark.parametrize("name, expected", [("cpu", "cpu"), ("CUDA", "cuda"), ("cuda:1", "cuda:1"),
                                            (" auto ", "auto"), ("cuda:12", "cuda:12")])
def test_device_names_taken(name, expected):
    assert check_device_name(name) == expected


@pytest.mark.parametrize("name", ["tpu", "cuda:", "cuda:x", "cuda1", "cuda:-1", "cpu:0", "", "gpu"])
def test_other_device_names_refused(name):
    with pytest.raises(EmojiAlphaError, match="cuda:N"):
        check_device_name(name)


def test_gpu_numbers_checked_against_the_machine(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("cuda:1") == "cuda:1"
    assert resolve_device("auto") == "cuda"
    with pytest.raises(EmojiAlphaError, match=r"cuda:2: this machine has 2 CUDA devices \(cuda:0 to cuda:1\)"):
        resolve_device("cuda:2")


def test_no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"
    for name in ("cuda", "cuda:0"):
        with pytest.raises(EmojiAlphaError, match="no CUDA device is available"):
            resolve_device(name)


def test_from_flags_checks_the_device_only_when_liif_runs(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(EmojiAlphaError, match="no CUDA device"):
        from_flags(device="cuda:1")
    options, liif = from_flags(device="cuda:1", method="lanczos")  # lanczos runs no LIIF: nothing to check
    assert liif.device == "cuda:1" and options.method == "lanczos"


def test_from_flags_imports_no_torch_for_a_method_without_liif():
    import subprocess
    import sys

    code = ("import sys; from emoji_alpha.options import from_flags; from_flags(method='lanczos', device='cuda:1'); "
            "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "False", result.stderr
