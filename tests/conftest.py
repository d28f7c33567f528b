"""Shared fixtures. The test helpers (fontkit, batchkit, reportkit) and the benchmarks package are
importable through pytest's ``pythonpath`` setting in pyproject.toml."""

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def official_weights() -> Path:
    """The official checkpoint in the user cache (downloaded once; `make test` fetches it)."""
    from emoji_alpha.liif import weights

    return weights.fetch(log=lambda _msg: None)


@pytest.fixture(scope="session")
def upscaler(official_weights):
    from emoji_alpha.liif import Upscaler

    return Upscaler(official_weights, "cpu", log=lambda _msg: None)


class CountingUpscaler:
    """Wraps an upscaler and records every query as (images in the batch, pixel indices)."""

    def __init__(self, upscaler) -> None:
        self.upscaler, self.engine, self.calls = upscaler, upscaler.engine, []

    def prepare(self, *args):
        return self.upscaler.prepare(*args)

    def query(self, prepared, pixels, **kwargs):
        self.calls.append((prepared.batch, np.asarray(pixels)))
        return self.upscaler.query(prepared, pixels, **kwargs)
