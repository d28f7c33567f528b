"""The batch manifest schema and the worker/memory planning maths (no enlarging)."""

from __future__ import annotations

import sqlite3

import pytest

from emoji_alpha.batch.manifest import FIELDS, MANIFEST_NAME, ManifestRow, Manifest
from emoji_alpha.batch.run import WORKER_OVERHEAD, glyph_memory, plan_workers
from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.options import EnlargeOptions


def test_manifest_lifecycle_and_wal(tmp_path):
    with Manifest.in_folder(tmp_path) as manifest:
        manifest.put_pending([ManifestRow("glyph-a.png", "in/a.png", "pending"), ManifestRow("glyph-b.png", "in/b.png", "pending")])
        manifest.mark_running("glyph-a.png")
        manifest.mark_running("glyph-b.png")
        manifest.mark_finished("glyph-a.png", status="done", output_sha256="00", seconds='{"total": 1.5}')
        assert manifest.counts() == {"pending": 0, "running": 1, "done": 1, "failed": 0}
        assert manifest.reset_running() == 1  # a killed run's rows are redone
        assert manifest.get("glyph-b.png").status == "pending"
        with pytest.raises(ValueError):
            manifest.mark_finished("glyph-b.png", status="running")
        with pytest.raises(KeyError):
            manifest.mark_running("glyph-missing.png")
    connection = sqlite3.connect(tmp_path / "emoji-alpha.sqlite")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    columns = {row[1] for row in connection.execute("PRAGMA table_info(glyphs)")}
    assert set(FIELDS) <= columns
    with pytest.raises(sqlite3.IntegrityError):  # name is unique
        connection.execute("INSERT INTO glyphs (name, source, status) VALUES ('glyph-a.png', 'x', 'done')")
    with pytest.raises(sqlite3.IntegrityError):  # status is one of four
        connection.execute("INSERT INTO glyphs (name, source, status) VALUES ('glyph-c.png', 'x', 'odd')")
    connection.close()


def test_old_manifest_gets_new_columns(tmp_path):
    connection = sqlite3.connect(tmp_path / "emoji-alpha.sqlite")
    connection.execute("CREATE TABLE glyphs (name TEXT PRIMARY KEY, source TEXT NOT NULL, status TEXT NOT NULL)")
    connection.execute("INSERT INTO glyphs VALUES ('glyph-a.png', 'a.png', 'done')")
    connection.commit()
    connection.close()
    with Manifest.in_folder(tmp_path) as manifest:
        assert manifest.get("glyph-a.png").worker is None


def test_old_manifest_reads_without_changing(tmp_path):
    """The report's read-only reader: an old table (three columns) reads as it stands, the
    missing columns None; nothing is added, migrated or left behind."""
    from emoji_alpha.batch.manifest import UnreadableManifestError, read_rows

    path = tmp_path / "emoji-alpha.sqlite"
    assert read_rows(path) is None
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE glyphs (name TEXT PRIMARY KEY, source TEXT NOT NULL, status TEXT NOT NULL)")
    connection.execute("INSERT INTO glyphs VALUES ('glyph-a.png', 'a.png', 'done')")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    [row] = read_rows(path)
    assert (row.name, row.source, row.status, row.loss, row.worker) == ("glyph-a.png", "a.png", "done", None, None)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["emoji-alpha.sqlite"]
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE other (x)")
    connection.execute("DROP TABLE glyphs")
    connection.commit()
    connection.close()
    with pytest.raises(UnreadableManifestError, match="no glyphs table") as found:
        read_rows(path)
    assert found.value.reason == "no glyphs table"


def test_reading_a_batch_manifest_leaves_no_wal_files(tmp_path):
    """A batch's manifest is in WAL mode; a reader that only reads still leaves nothing beside it
    (a read-only SQLite connection leaves -wal and -shm files behind)."""
    from emoji_alpha.batch.manifest import read_rows

    with Manifest.in_folder(tmp_path) as manifest:
        manifest.put_pending([ManifestRow(name="glyph-a.png", source="a.png", status="pending")])
    before = sorted(p.name for p in tmp_path.iterdir())
    content = (tmp_path / MANIFEST_NAME).read_bytes()
    assert [row.name for row in read_rows(tmp_path / MANIFEST_NAME)] == ["glyph-a.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before and MANIFEST_NAME in before
    assert not any(name.endswith(("-wal", "-shm")) for name in before)
    assert (tmp_path / MANIFEST_NAME).read_bytes() == content


def test_status_needs_a_manifest(tmp_path):
    with pytest.raises(EmojiAlphaError, match="no batch manifest"):
        Manifest.in_folder(tmp_path, create=False)


def test_workers_fit_the_memory_budget():
    options = EnlargeOptions()
    need = glyph_memory((160, 160), (2000, 2000), options)
    assert need > 1 << 30  # five 2000x2000 composites and their LIIF buffers
    budget = 2 * (WORKER_OVERHEAD + need) + (100 << 20)
    workers, each = plan_workers(8, [need, need // 2, None], budget)
    assert workers == 2 and each >= need
    assert workers * (WORKER_OVERHEAD + each) <= budget
    assert plan_workers(8, [need], 1 << 30)[0] == 1  # never fewer than one
    assert plan_workers(3, [1000], 64 << 30) == (3, (64 << 30) // 3 - WORKER_OVERHEAD)
    lanczos = glyph_memory((160, 160), (2000, 2000), EnlargeOptions(method="lanczos"))
    assert lanczos < need


def test_executor_plan_divides_threads_and_memory(monkeypatch):
    from emoji_alpha.batch import run
    from emoji_alpha.batch.executors import InlineExecutor, LocalPoolExecutor
    from emoji_alpha.batch.worker import GlyphTask, WorkerConfig

    monkeypatch.setattr(run.os, "cpu_count", lambda: 8)
    need = 1 << 30
    todo = [(GlyphTask(f"glyph-{i}.png", "in.png", "out.png"), need) for i in range(10)]
    config = WorkerConfig("32", None, EnlargeOptions())
    budget = 3 * (WORKER_OVERHEAD + need)
    executor = run._executor(todo, config, workers=4, budget=budget)
    assert isinstance(executor, LocalPoolExecutor) and executor.workers == 3  # the budget holds three
    assert executor.config.liif.threads == 8 // 3
    assert executor.config.liif.memory_limit >= need
    assert executor.workers * (WORKER_OVERHEAD + executor.config.liif.memory_limit) <= budget
    executor = run._executor(todo[:1], config, workers=4, budget=budget)
    assert isinstance(executor, InlineExecutor) and executor.config.liif.threads == 8  # one glyph: one worker
    assert run._executor([], config, workers=4, budget=budget) is None


#: The options the manifest stored for the default settings before EnlargeOptions replaced
#: SolveOptions: a rerun compares against it, so it must not change or every batch is redone.
STORED_DEFAULT_OPTIONS = (
    '{"backgrounds": [0.0, 0.25098039215686274, 0.7529411764705882, 1.0], "backproject": 10, "band_margin": 0, '
    '"bp_kernel": "bilinear", "bp_weighting": "soft", "faint_alpha": 0.0, "method": "solve", '
    '"on_demand": [0.25098039215686274, 0.7529411764705882], "on_demand_residual": 0.25, "passes": 0}')


def test_stored_options_are_those_of_earlier_batches():
    from emoji_alpha.batch.run import _options_json

    assert _options_json(EnlargeOptions()) == STORED_DEFAULT_OPTIONS
    assert _options_json(EnlargeOptions(backend="torch")) == STORED_DEFAULT_OPTIONS  # the backend is not stored


def test_the_plan_uses_the_chunk_size_it_is_given(tmp_path, monkeypatch):
    """The memory plan estimates with the batch's --chunk-size (it used to take the default)."""
    from emoji_alpha.batch import run

    seen = []
    monkeypatch.setattr(run, "glyph_memory", lambda *args: seen.append(args[3]) or 1)
    entry = run._Input(tmp_path / "a.png", "glyph-a.png", "", in_size=(8, 8))
    entry.source.write_bytes(b"x")
    with Manifest.in_folder(tmp_path) as manifest:
        run._plan(manifest, [entry], tmp_path, "16", None, EnlargeOptions(), 1234, None, 1 << 40, False)
    assert seen == [1234]
