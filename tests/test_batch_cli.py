"""The batch form of `emoji-alpha enlarge` and `emoji-alpha status`, as subprocesses (their
usage errors, such as batch flags for one file: test_bad_input.py)."""

from __future__ import annotations

import batchkit
import clikit


def test_batch_cli_exit_code_summary_and_status(tmp_path):
    batchkit.make_folder(tmp_path / "in", 2)
    (tmp_path / "in" / "glyph-bad.png").write_text("not an image")
    out = tmp_path / "out"
    result = clikit.run("enlarge", tmp_path / "in", "-o", out, "--size", "32", "--method", "lanczos")
    assert result.returncode == 1, result.stderr  # something failed
    assert "Traceback" not in result.stderr
    assert "glyph-bad.png" in result.stdout and "not an image" in result.stdout  # the summary table
    assert "2 enlarged, 0 already done, 1 failed" in result.stdout
    status = clikit.run("status", out)
    assert status.returncode == 0
    for text in ("done", "failed", "glyph-bad.png", "not an image", "total"):
        assert text in status.stdout
    (tmp_path / "in" / "glyph-bad.png").unlink()
    result = clikit.run("enlarge", tmp_path / "in", "-o", out, "--size", "32", "--method", "lanczos")
    assert result.returncode == 0, result.stderr
    assert "0 enlarged, 2 already done, 0 failed" in result.stdout


def test_single_file_form_is_unchanged_and_a_folder_output_is_a_batch(tmp_path):
    [source] = batchkit.make_folder(tmp_path / "in", 1)
    result = clikit.run("enlarge", source, "-o", tmp_path / "big.png", "--size", "32", "--method", "lanczos")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote ") and not (tmp_path / "emoji-alpha.sqlite").exists()
    # One PNG with -o a folder (ending in /, or an existing one) is a batch of one.
    result = clikit.run("enlarge", source, "-o", f"{tmp_path / 'folder'}/", "--size", "32", "--method", "lanczos")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "folder" / source.name).exists()



def test_batch_format_names_the_outputs_format(tmp_path):
    batchkit.make_folder(tmp_path / "in", 2)
    result = clikit.run("enlarge", tmp_path / "in", "-o", f"{tmp_path / 'out'}/", "-s", "32", "-m", "lanczos",
                        "--format", "webp")
    assert result.returncode == 0, result.stderr
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir() if p.is_file() and p.name.startswith("glyph-")) == \
        [".webp", ".webp"]
