"""Emoji-trained LIIF weights shipped with the package (issue #9).

Each file holds only the parameters that fine-tuning changed (half precision) on top of the
official ``edsr-baseline-liif`` checkpoint, the model spec to rebuild, the training recipe
and the data licences. ``trained.json`` records each file's SHA-256; loading checks it and
the SHA-256 of the official base, then loads the merged state dict strictly.

* ``emoji-rgb``: the RGB model with its MLP fine-tuned on emoji over random greys
  (``--weights emoji``), a drop-in enlarger for the solver;
* ``emoji-rgba``: a 4-channel model (premultiplied RGBA in and out) for ``--method rgba-liif``.

Recipe and numbers: MODEL_CARD.md beside this file; training: benchmarks/train_emoji_liif.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from emoji_alpha.errors import EmojiAlphaError

TRAINED_DIR = Path(__file__).resolve().parent
MANIFEST = TRAINED_DIR / "trained.json"
#: Names accepted by ``--weights`` for the shipped models.
ALIASES = {"emoji": "emoji-rgb", "emoji-rgb": "emoji-rgb", "emoji-rgba": "emoji-rgba", "emoji-fast": "emoji-fast"}


def manifest(folder: Path = TRAINED_DIR) -> dict:
    path = folder / MANIFEST.name
    return json.loads(path.read_text()) if path.exists() else {}


def trained_path(name: str, folder: Path = TRAINED_DIR) -> Path:
    """The shipped file of ``name`` (an alias from :data:`ALIASES`), checked against the manifest."""
    from emoji_alpha.images import sha256_file

    key = ALIASES[name]
    entry = manifest(folder).get(key)
    path = folder / f"{key}.pt"
    if entry is None or not path.exists():
        raise EmojiAlphaError(f"the {key} weights are not part of this installation; "
                              "train them with `python -m benchmarks.train_emoji_liif`")
    digest = sha256_file(path)
    if digest != entry["sha256"]:
        raise EmojiAlphaError(f"{path} is corrupted (sha256 {digest[:12]}..., expected {entry['sha256'][:12]}...); "
                              "reinstall emoji-alpha")
    return path


def widen_to_rgba(model):
    """A 4-channel copy of an RGB LIIF model (premultiplied RGBA in and out).

    The first convolution gains an alpha input with zero weights, so the widened model starts
    as the RGB model applied to the premultiplied colour; the output layer gains an alpha row,
    the mean of the RGB rows (bias likewise)."""
    import torch

    from emoji_alpha.liif import models

    spec = rgba_spec(model.spec)
    wide = models.make(spec)
    state = model.state_dict()
    with torch.no_grad():
        head = state["encoder.head.0.weight"]
        state["encoder.head.0.weight"] = torch.cat([head, torch.zeros_like(head[:, :1])], dim=1)
        last = f"imnet.layers.{len(model.imnet.layers) - 1}"
        for suffix in ("weight", "bias"):
            rows = state[f"{last}.{suffix}"]
            state[f"{last}.{suffix}"] = torch.cat([rows, rows.mean(dim=0, keepdim=True)])
    wide.load_state_dict(state, strict=True)
    wide.spec = spec
    return wide.to(head.device)


def rgba_spec(spec: dict) -> dict:
    spec = copy.deepcopy(spec)
    spec["args"]["encoder_spec"].setdefault("args", {})["n_colors"] = 4
    spec["args"]["imnet_spec"].setdefault("args", {})["out_dim"] = 4
    return spec


def fast_spec(spec: dict) -> dict:
    """The fast decoder's spec (``lmf``, :mod:`emoji_alpha.liif.models.lmf`) on the encoder of
    the LIIF ``spec``."""
    return {"name": "lmf", "args": {"encoder_spec": copy.deepcopy(spec["args"]["encoder_spec"]), "latent_width": 256,
                                    "latent_depth": 2, "render_width": 16, "out_dim": 3}}


def merge(base_state: dict, delta: dict) -> dict:
    """The official state dict with the fine-tuned parameters put in place (as float32); a
    delta with ``base_prefix`` takes only the base's parameters under that prefix (the fast
    decoder keeps the encoder and brings a decoder of its own)."""
    prefix = delta.get("base_prefix", "")
    state = {key: value for key, value in base_state.items() if key.startswith(prefix)}
    state.update({key: value.float() for key, value in delta["sd"].items()})
    return state


def write_trained(kind: str, trainable: dict, recipe: dict, licences: dict, folder: Path = TRAINED_DIR) -> Path:
    """Save fine-tuned parameters as ``emoji-<kind>.pt`` (half precision) and record its
    SHA-256 in the manifest. Used by benchmarks/train_emoji_liif.py."""
    import io

    import torch

    from emoji_alpha.images import write_bytes_atomic
    from emoji_alpha.images import sha256_file
    from emoji_alpha.liif.weights import OFFICIAL, load_model, resolve

    base = load_model(resolve("official", log=lambda _m: None))
    spec = {"rgba": rgba_spec, "fast": fast_spec}.get(kind, lambda s: s)(base.spec)
    payload = {"emoji_alpha_delta": 1, "name": f"emoji-{kind}", "base": OFFICIAL.name, "base_sha256": OFFICIAL.sha256,
               **({"base_prefix": "encoder."} if kind == "fast" else {}),
               "model": {"name": spec["name"], "args": spec["args"]},
               "sd": {key: value.half() for key, value in trainable.items()}, "recipe": recipe, "licences": licences}
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    path = folder / f"emoji-{kind}.pt"
    write_bytes_atomic(path, buffer.getvalue())
    entries = manifest(folder)
    entries[f"emoji-{kind}"] = {"sha256": sha256_file(path), "base": OFFICIAL.name, "recipe": recipe,
                                "licences": licences}
    write_bytes_atomic(folder / MANIFEST.name, (json.dumps(entries, indent=1, sort_keys=True) + "\n").encode())
    return path
