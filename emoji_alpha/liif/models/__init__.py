"""LIIF model registry: models are built from ``{"name": ..., "args": {...}}`` specs, the form
official LIIF checkpoints store beside their state dict, so a ``.pth`` rebuilds its own model.
Parameter names match the official checkpoints so they load with ``strict=True``."""

from __future__ import annotations

import copy
from typing import Any, Callable

import torch.nn as nn

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}


def register(name: str) -> Callable:
    """Class/function decorator: make a model buildable from a spec naming ``name``."""

    def decorator(factory: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        _REGISTRY[name] = factory
        return factory

    return decorator


def make(spec: dict[str, Any], args: dict[str, Any] | None = None) -> nn.Module:
    """Build a model from ``spec`` (``name`` + ``args``), with ``args`` overriding the spec's."""
    name = spec.get("name")
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown model {name!r} (known: {known})")
    model_args = copy.deepcopy(spec.get("args", {}))
    model_args.update(args or {})
    return _REGISTRY[name](**model_args)


def registered() -> list[str]:
    return sorted(_REGISTRY)


# Registration happens on import of each model module.
from emoji_alpha.liif.models import edsr, liif, lmf, mlp, rdn  # noqa: E402,F401
