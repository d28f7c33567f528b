"""The one exception type that reaches users as a one-line message."""

from __future__ import annotations

import errno
import os
import re

#: errno values that mean the disk (or the user's quota) is full.
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class EmojiAlphaError(Exception):
    """A problem the user can fix (bad input, missing weights, impossible size).

    The CLI prints ``error: <message>`` and exits with code 2; no traceback.
    """


class DiskFullError(EmojiAlphaError):
    """No space left on the device. Not the glyph's fault: a batch records the glyph as
    failed and stops, since every later glyph would fail the same way."""


def write_failure(path: str | os.PathLike, exc: OSError) -> EmojiAlphaError:
    """The one-line error for an OSError raised while writing ``path``."""
    if exc.errno in _NO_SPACE:
        return DiskFullError(f"no space left on the device writing {path}; free some space and run again")
    reason = exc.strerror or str(exc) or type(exc).__name__
    return EmojiAlphaError(f"cannot write {path} ({reason})")


_ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def one_line(text: str, limit: int = 200) -> str:
    """``text`` as one line of at most about ``limit`` characters, for an error message: lines
    joined, whitespace collapsed, and if too long cut at a word boundary with an ellipsis."""
    line = " ".join(_ANSI_ESCAPES.sub("", str(text)).split())  # torch bolds parts of its messages
    if len(line) <= limit:
        return line
    cut = line.rfind(" ", 0, limit)
    return line[:cut if cut > limit // 2 else limit].rstrip(" ,;:") + " …"
