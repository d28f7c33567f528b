"""Bad input and bad circumstances in batches (issue #18): zero-sized glyphs, a full disk,
damaged manifests, rows left 'running' by a killed batch. One test per bad input."""

from __future__ import annotations

import errno
import sqlite3

import pytest

import batchkit
import clikit
import fontkit
from emoji_alpha.batch.run import run_batch
from emoji_alpha.options import EnlargeOptions

LANCZOS = EnlargeOptions(method="lanczos")
ZERO_SIZES = [(0, 0), (0, 16), (16, 0)]


# -- a zero-sized glyph fails alone (the one file given: test_bad_input.py) -------------------

@pytest.mark.parametrize("width, height", ZERO_SIZES)
def test_zero_sized_png_in_a_folder_fails_alone(tmp_path, width, height):
    good = batchkit.make_folder(tmp_path / "in", 3)
    (tmp_path / "in" / "glyph-u1F9CA.png").write_bytes(batchkit.zero_sized_png(width, height))
    out = tmp_path / "out"
    summary = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    assert (summary.done, summary.failed) == (3, 1)
    found = batchkit.assert_outputs_match_manifest(out)
    row = found["glyph-u1F9CA.png"]
    assert row["status"] == "failed" and "zero-sized" in row["error"] and f"{width}x{height}" in row["error"]
    assert all(found[path.name]["status"] == "done" for path in good)
    assert not (out / "glyph-u1F9CA.png").exists()


@pytest.mark.parametrize("width, height", ZERO_SIZES)
def test_zero_sized_glyph_in_a_font_fails_alone(tmp_path, width, height):
    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,),
                              graphics={"u2764": ("png ", batchkit.zero_sized_png(width, height))})
    out = tmp_path / "out"
    summary = run_batch([font], out, size="32", options=LANCZOS, show_progress=False)
    assert summary.failed == 1 and summary.done == summary.total - 1 > 0
    row = batchkit.rows(out)["glyph-u2764.png"]
    assert row["status"] == "failed" and "zero-sized" in row["error"]


# -- a full disk ----------------------------------------------------------------------------

def _disk_fills_after(monkeypatch, good_writes: int) -> None:
    """Every atomic write after the first ``good_writes`` fails as on a full disk."""
    from emoji_alpha import images

    real = images._write_and_sync
    calls = {"count": 0}

    def write(handle, data: bytes) -> None:
        calls["count"] += 1
        if calls["count"] > good_writes:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(handle, data)

    monkeypatch.setattr(images, "_write_and_sync", write)


def _no_temp_files(folder) -> bool:
    return not [path.name for path in folder.rglob("*.tmp")]


def test_disk_full_in_a_single_run_is_one_line(tmp_path, monkeypatch, capsys):
    [source] = batchkit.make_folder(tmp_path / "in", 1)
    _disk_fills_after(monkeypatch, 0)
    code, _out, err = clikit.run_main(monkeypatch, capsys, "enlarge", source, "-o", tmp_path / "big.png", "--size", "32",
                                      "--method", "lanczos")
    assert code == 2 and "no space left" in clikit.last_line_error(err) and "big.png" in err
    assert not (tmp_path / "big.png").exists() and _no_temp_files(tmp_path)


def test_disk_full_in_a_batch_fails_that_glyph_and_stops(tmp_path, monkeypatch, capsys):
    batchkit.make_folder(tmp_path / "in", 4)
    out = tmp_path / "out"
    _disk_fills_after(monkeypatch, 1)  # the first glyph is written, the second finds the disk full
    args = ("enlarge", tmp_path / "in", "-o", out, "--size", "32", "--method", "lanczos")
    code, _out, err = clikit.run_main(monkeypatch, capsys, *args)
    assert code == 2 and "no space left" in clikit.last_line_error(err) and "batch stopped" in err
    found = batchkit.assert_outputs_match_manifest(out)
    statuses = [found[name]["status"] for name in sorted(found)]
    assert statuses.count("done") == 1 and statuses.count("failed") == 1 and statuses.count("pending") == 2
    [failed] = [row for row in found.values() if row["status"] == "failed"]
    assert "no space left" in failed["error"] and not (out / failed["name"]).exists()
    assert _no_temp_files(out)
    monkeypatch.undo()  # space freed: the rerun does the rest
    code, _out, err = clikit.run_main(monkeypatch, capsys, *args)
    assert code == 0, err
    assert all(row["status"] == "done" for row in batchkit.assert_outputs_match_manifest(out).values())


def test_disk_full_in_a_worker_process_stops_the_pool(tmp_path, monkeypatch):
    from emoji_alpha.batch import executors
    from emoji_alpha.errors import DiskFullError

    batchkit.make_folder(tmp_path / "in", 5)
    monkeypatch.setattr(executors, "process_glyph", batchkit.disk_full_on_1F600)
    out = tmp_path / "out"
    with pytest.raises(DiskFullError, match="no space left"):
        run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, workers=2, show_progress=False)
    found = batchkit.assert_outputs_match_manifest(out)
    assert found["glyph-u1F600.png"]["status"] == "failed" and "no space left" in found["glyph-u1F600.png"]["error"]
    assert {row["status"] for row in found.values()} <= {"done", "failed", "pending"}  # nothing left running
    assert _no_temp_files(out)


class _FullDiskConnection:
    """An sqlite3 connection whose row updates fail as on a full disk (reads still work)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith("UPDATE"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._connection.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._connection, name)


def test_disk_full_for_the_manifest_is_one_line_and_the_row_shows_interrupted(tmp_path, monkeypatch, capsys):
    from emoji_alpha.batch import manifest as manifest_module

    batchkit.make_folder(tmp_path / "in", 3)
    out = tmp_path / "out"
    args = ("enlarge", tmp_path / "in", "-o", out, "--size", "32", "--method", "lanczos")
    real_init = manifest_module.Manifest.__init__
    marked = {"running": 0}

    def init(self, *a, **kw) -> None:
        real_init(self, *a, **kw)
        real_update = self._update

        def update(name, **fields):
            real_update(name, **fields)
            if fields.get("status") == "running":  # the disk fills up while the glyph runs
                marked["running"] += 1
                self.connection = _FullDiskConnection(self.connection)

        self._update = update

    monkeypatch.setattr(manifest_module.Manifest, "__init__", init)
    code, _out, err = clikit.run_main(monkeypatch, capsys, *args)
    assert code == 2 and "no space left" in clikit.last_line_error(err) and "manifest" in err
    assert marked["running"] == 1
    found = batchkit.rows(out)
    assert [row["status"] for row in found.values()].count("running") == 1  # it could not even be reset
    monkeypatch.undo()
    code, status_out, err = clikit.run_main(monkeypatch, capsys, "status", out)
    assert code == 0, err
    assert "interrupted" in status_out and "running" not in status_out.replace("left running", "")
    code, _out, err = clikit.run_main(monkeypatch, capsys, *args)
    assert code == 0, err
    assert all(row["status"] == "done" for row in batchkit.rows(out).values())


# -- rows left 'running' ----------------------------------------------------------------------

def _leave_running(out, name: str) -> None:
    connection = sqlite3.connect(out / "emoji-alpha.sqlite")
    with connection:
        connection.execute("UPDATE glyphs SET status = 'running' WHERE name = ?", (name,))
    connection.close()


def test_status_shows_rows_of_a_killed_batch_as_interrupted(tmp_path, monkeypatch, capsys):
    batchkit.make_folder(tmp_path / "in", 3)
    out = tmp_path / "out"
    run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    _leave_running(out, "glyph-u2764.png")
    code, status_out, _err = clikit.run_main(monkeypatch, capsys, "status", out)
    assert code == 0
    lines = {line.split()[1]: line for line in status_out.splitlines() if line.startswith("│ ")}
    assert "1" in lines["interrupted"].split() and "running" not in lines
    assert "1 interrupted" in status_out and "redoes them" in status_out
    again = run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    assert (again.done, again.skipped) == (1, 2)  # redone on resume, as before


def test_status_shows_running_while_a_batch_holds_the_folder(tmp_path, monkeypatch, capsys):
    from emoji_alpha.batch.run import _lock

    batchkit.make_folder(tmp_path / "in", 2)
    out = tmp_path / "out"
    run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    _leave_running(out, "glyph-u1F343.png")
    with _lock(out):  # as a running batch holds it
        code, status_out, _err = clikit.run_main(monkeypatch, capsys, "status", out)
    assert code == 0 and "interrupted" not in status_out
    lines = {line.split()[1]: line for line in status_out.splitlines() if line.startswith("│ ")}
    assert "1" in lines["running"].split()


# -- damaged manifests --------------------------------------------------------------------------

def _damage(manifest, kind: str) -> None:
    if kind == "garbage":
        manifest.write_bytes(b"this is not an SQLite database at all" * 50)
    elif kind == "empty-file":
        manifest.write_bytes(b"")
    elif kind == "truncated":
        manifest.write_bytes(manifest.read_bytes()[:5000])
    elif kind == "zeroed-pages":
        data = bytearray(manifest.read_bytes())
        page = int.from_bytes(data[16:18], "big")
        data[page:] = bytes(len(data) - page)  # every page after the first: the table's rows and index
        manifest.write_bytes(bytes(data))
    elif kind == "foreign-table":
        manifest.unlink()
        connection = sqlite3.connect(manifest)
        connection.execute("CREATE TABLE glyphs (id INTEGER PRIMARY KEY, colour TEXT)")
        connection.commit()
        connection.close()
    elif kind == "folder":
        manifest.unlink()
        manifest.mkdir()
    else:
        raise AssertionError(kind)


DAMAGE = ["garbage", "truncated", "zeroed-pages", "foreign-table", "folder"]


def _batch_with_damaged_manifest(tmp_path, kind: str):
    batchkit.make_folder(tmp_path / "in", 3)
    out = tmp_path / "out"
    run_batch([tmp_path / "in"], out, size="32", options=LANCZOS, show_progress=False)
    for side in ("-wal", "-shm"):
        (out / f"emoji-alpha.sqlite{side}").unlink(missing_ok=True)
    _damage(out / "emoji-alpha.sqlite", kind)
    return out, ("enlarge", tmp_path / "in", "-o", out, "--size", "32", "--method", "lanczos")


@pytest.mark.parametrize("kind", DAMAGE)
def test_status_on_a_damaged_manifest_names_the_fix(tmp_path, monkeypatch, capsys, kind):
    out, _args = _batch_with_damaged_manifest(tmp_path, kind)
    code, _out, err = clikit.run_main(monkeypatch, capsys, "status", out)
    line = clikit.last_line_error(err)
    assert code == 2 and "not a usable manifest" in line and "--rebuild-manifest" in line, line


@pytest.mark.parametrize("kind", DAMAGE)
def test_enlarge_on_a_damaged_manifest_names_the_fix_and_rebuilds(tmp_path, monkeypatch, capsys, kind):
    out, args = _batch_with_damaged_manifest(tmp_path, kind)
    code, _out, err = clikit.run_main(monkeypatch, capsys, *args)
    line = clikit.last_line_error(err)
    assert code == 2 and "not a usable manifest" in line and "--rebuild-manifest" in line, line
    code, _out, err = clikit.run_main(monkeypatch, capsys, *args, "--rebuild-manifest")
    assert code == 0, err
    assert "emoji-alpha.sqlite.damaged" in err and (out / "emoji-alpha.sqlite.damaged").exists()
    found = batchkit.assert_outputs_match_manifest(out)
    assert len(found) == 3 and all(row["status"] == "done" for row in found.values())
    code, _out, err = clikit.run_main(monkeypatch, capsys, *args, "--rebuild-manifest")  # a usable one is kept
    assert code == 0 and "damaged" not in err


def test_status_on_an_empty_manifest_says_to_rerun_and_enlarge_fills_it(tmp_path, monkeypatch, capsys):
    out, args = _batch_with_damaged_manifest(tmp_path, "empty-file")
    code, _out, err = clikit.run_main(monkeypatch, capsys, "status", out)
    line = clikit.last_line_error(err)
    assert code == 2 and "empty manifest" in line and "run the batch again" in line
    code, _out, err = clikit.run_main(monkeypatch, capsys, *args)
    assert code == 0, err
    assert len(batchkit.rows(out)) == 3


def test_disk_full_while_extracting_a_font_is_one_line(tmp_path, monkeypatch, capsys):
    import os

    from emoji_alpha.fonts import extract

    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(16,))
    real_fdopen = os.fdopen

    class FullFile:
        def __init__(self, handle) -> None:
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.handle.close()

        def write(self, data: bytes) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(extract.os, "fdopen", lambda fd, mode: FullFile(real_fdopen(fd, mode)))
    for args in (("extract", font, "-o", tmp_path / "glyphs"),
                 ("enlarge", font, "-o", tmp_path / "out", "--size", "32", "--method", "lanczos")):
        code, _out, err = clikit.run_main(monkeypatch, capsys, *args)
        assert code == 2 and "no space left" in clikit.last_line_error(err), err
    assert _no_temp_files(tmp_path)
