"""Make the test helpers (fontkit) importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402
import pytest  # noqa: E402


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
