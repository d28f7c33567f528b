"""A small batch through a real Dask cluster (LocalCluster, two worker processes)."""

from __future__ import annotations

import os
import sys

import pytest

import batchkit
from emoji_alpha.batch.run import run_batch
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.options import EnlargeOptions, LiifConfig


def test_missing_dask_is_one_clear_error(tmp_path, monkeypatch):
    batchkit.make_folder(tmp_path / "in", 1)
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(EmojiAlphaError, match=r"dask\[distributed\]"):
        run_batch([tmp_path / "in"], tmp_path / "out", size="32", options=EnlargeOptions(method="lanczos"),
                  dask_address="tcp://127.0.0.1:1", show_progress=False)


def test_batch_on_a_local_dask_cluster(tmp_path, official_weights):
    distributed = pytest.importorskip("distributed", reason="the optional extra dask[distributed] is not installed")
    batchkit.make_folder(tmp_path / "in", 4)
    (tmp_path / "in" / "glyph-bad.png").write_text("not an image")
    out = tmp_path / "out"
    # ":0": the scheduler's HTTP server (dashboard, /metrics) on a free port, not 8787, which another
    # Dask on the machine may hold
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                                  memory_limit="2GiB") as cluster:
        summary = run_batch([tmp_path / "in"], out, size="32", options=EnlargeOptions(method="twobg"),
                            dask_address=cluster.scheduler_address, liif=LiifConfig(threads=1), show_progress=False)
        assert "Dask cluster" in summary.executor and summary.workers == 2
        assert (summary.done, summary.failed) == (4, 1)
        found = batchkit.assert_outputs_match_manifest(out)
        assert "not an image" in found["glyph-bad.png"]["error"]
        workers = {row["worker"] for row in found.values()}
        assert not any(worker.endswith(f":{os.getpid()}") for worker in workers)  # ran on the cluster
        assert all(row["weights_sha256"] for row in found.values() if row["status"] == "done")
        # Resume works the same through the cluster.
        again = run_batch([tmp_path / "in"], out, size="32", options=EnlargeOptions(method="twobg"),
                          dask_address=cluster.scheduler_address, liif=LiifConfig(threads=1), show_progress=False)
        assert (again.done, again.skipped, again.failed) == (0, 4, 1)


def test_unreachable_scheduler_is_a_user_error():
    pytest.importorskip("distributed", reason="the optional extra dask[distributed] is not installed")
    from emoji_alpha.batch.executors import DaskExecutor
    from emoji_alpha.batch.worker import WorkerConfig

    with pytest.raises(EmojiAlphaError, match="cannot connect to the Dask scheduler"):
        DaskExecutor(WorkerConfig("32", None, EnlargeOptions()), "tcp://127.0.0.1:9", timeout="1s")
