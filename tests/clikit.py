"""The command line as the tests run it: ``python -m emoji_alpha ARGS`` in a fresh process
(``run``, or ``start`` for a process the test controls), this tree's Python in a fresh process
(``python``), the real entry point in this process for failures a test monkeypatches
(``run_main``), and the shape every user error must have (``assert_one_line_error``,
``last_line_error``).

A module rather than a fixture: plain functions work in module-scoped fixtures, in
parametrised tables and in the other helper modules, and read the same everywhere."""

from __future__ import annotations

import dataclasses
import locale
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the tree under test
COLUMNS = "250"  # wide: help rows, tables and error lines are not wrapped


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment (so the weights cache, EMOJI_ALPHA_CACHE or the user cache,
    is the one the fixtures filled) with the tree under test first on PYTHONPATH, whatever the
    child's working folder, and a wide terminal."""
    env = {**os.environ, "COLUMNS": COLUMNS, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def command(*args) -> list[str]:
    """``python -m emoji_alpha ARGS`` (paths and numbers as strings)."""
    return [sys.executable, "-m", "emoji_alpha", *map(str, args)]


def _text(data: bytes | None, errors: str = "strict") -> str:
    """Bytes as ``subprocess.run(text=True)`` would give them (locale encoding, \\n newlines)."""
    text = (data or b"").decode(locale.getpreferredencoding(False), errors)
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclasses.dataclass(frozen=True)
class Result:
    """What a finished command left: its exit code, standard output (as bytes, since it may carry
    an image, and as text) and standard error (text)."""

    args: list[str]
    returncode: int
    stdout_bytes: bytes
    stderr: str

    @property
    def stdout(self) -> str:
        return _text(self.stdout_bytes)


def run(*args, stdin: bytes = b"", cwd: Path | str | None = None, timeout: float = 600,
        env: Mapping[str, str] | None = None, stdout=subprocess.PIPE) -> Result:
    """``emoji-alpha ARGS`` as a user runs it, in a fresh process. Standard input is ``stdin``
    (empty unless given: never the test's own); ``env`` adds to the environment; ``stdout`` may
    be a file descriptor (a terminal) instead of being captured."""
    done = subprocess.run(command(*args), input=stdin, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd,
                          timeout=timeout, env=environment(env))
    return Result(done.args, done.returncode, done.stdout or b"", _text(done.stderr, "replace"))


def start(*args, env: Mapping[str, str] | None = None, **popen) -> subprocess.Popen:
    """``emoji-alpha ARGS`` started and left running (the caller waits, or kills it)."""
    return subprocess.Popen(command(*args), stdin=subprocess.DEVNULL, env=environment(env), **popen)


def python(code: str, *, timeout: float = 300) -> Result:
    """``python -c CODE`` with this tree, in a fresh process (nothing imported yet); it must
    succeed."""
    done = subprocess.run([sys.executable, "-c", code], input=b"", capture_output=True, timeout=timeout,
                          env=environment())
    result = Result(done.args, done.returncode, done.stdout, _text(done.stderr, "replace"))
    assert result.returncode == 0, result.stderr
    return result


def run_main(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    """`emoji-alpha ARGS` in this process, through the real entry point (one-line errors,
    exit codes), so monkeypatched failures reach it: (exit code, stdout, stderr)."""
    from emoji_alpha.cli import main

    monkeypatch.setattr(sys, "argv", ["emoji-alpha", *map(str, args)])
    monkeypatch.setenv("COLUMNS", COLUMNS)
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(result: Result, *fragments: str, code: int = 2) -> str:
    """A failed command's whole output: exit ``code``, one ``error:`` line on stderr holding every
    fragment, no traceback, nothing on stdout. Returns the line."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout_bytes == b"", result.stdout_bytes[:200]
    return lines[0]


def last_line_error(err: str) -> str:
    """The one `error:` line a failed command ends with (progress lines may come before it)."""
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], err
    return lines[-1]
