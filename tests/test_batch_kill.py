"""Never lose work: kill -9 a real batch mid-run, then rerun it to completion."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest

import batchkit
import clikit

GLYPHS = 8


def _done_count(manifest) -> int:
    if not manifest.exists():
        return 0
    try:
        connection = sqlite3.connect(f"file:{manifest}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute("SELECT COUNT(*) FROM glyphs WHERE status = 'done'").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.OperationalError:  # table not created yet
        return 0


@pytest.mark.parametrize("workers", ["1", "2"])
def test_kill_mid_run_then_resume(tmp_path, official_weights, workers):
    batchkit.make_folder(tmp_path / "in", GLYPHS)
    out = tmp_path / "out"
    args = ["enlarge", tmp_path / "in", "-o", out, "--size", "32", "--workers", workers, "--memory-limit", "8",
            "--threads", "1"]  # one torch thread a worker: the machine is shared
    if workers == "2":
        args += ["--method", "twobg"]  # LIIF in every worker process, cheaper than five backgrounds
    # Real LIIF + solve (well under a second a glyph): slow enough to be caught mid-run.
    process = clikit.start(*args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    manifest = out / "emoji-alpha.sqlite"
    deadline = time.monotonic() + 300
    try:
        while _done_count(manifest) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the batch finished before it could be killed: " + process.stderr.read().decode()
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its worker processes, mid-run
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    found = batchkit.assert_outputs_match_manifest(out)  # every PNG opens; done rows match their files
    done_at_kill = {name for name, row in found.items() if row["status"] == "done"}
    statuses = {row["status"] for row in found.values()}
    assert 2 <= len(done_at_kill) < GLYPHS
    assert statuses <= {"pending", "running", "done"}  # nothing recorded as failed by the kill

    result = clikit.run(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    found = batchkit.assert_outputs_match_manifest(out)
    assert len(found) == GLYPHS and all(row["status"] == "done" for row in found.values())
    assert f"{GLYPHS - len(done_at_kill)} enlarged, {len(done_at_kill)} already done, 0 failed" in result.stdout
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]  # stale temp files are cleaned up
