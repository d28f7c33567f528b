"""Where one result goes: a file in the format its suffix names, or standard output (``-``).

Everything that can make a write fail (an unknown suffix, transparency for JPEG, a folder that
is a file or cannot be written, image bytes for a terminal) is checked here *before* any LIIF
work, so a bad output costs seconds, not the whole enlargement.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from emoji_alpha.errors import EmojiAlphaError
from emoji_alpha.images import (ALPHA_FORMATS, FORMAT_SUFFIXES, FORMAT_TITLES, IMAGE_FORMATS, STDIO, WEBP_MAX_SIDE,
                                encode_image, write_bytes_atomic)

#: The suffix a default output name gets in each format.
DEFAULT_SUFFIXES = {"png": ".png", "webp": ".webp", "tiff": ".tiff", "jpeg": ".jpg"}


@dataclass(frozen=True)
class OutputTarget:
    """One output image: ``path`` None means standard output."""

    path: Path | None
    image_format: str

    @property
    def to_stdout(self) -> bool:
        return self.path is None

    def __str__(self) -> str:
        return "standard output" if self.path is None else str(self.path)


def format_for_suffix(path: str | os.PathLike) -> str | None:
    """The image format a file name's suffix names (``.webp`` -> ``webp``), or None."""
    return FORMAT_SUFFIXES.get(Path(path).suffix.lower())


def names_folder(output: str | os.PathLike) -> bool:
    """``-o`` names a folder: it ends in ``/`` or is an existing folder. (Path() drops a
    trailing slash, so callers pass the text as typed.)"""
    text = os.fspath(output)
    return text != STDIO and (text.endswith(("/", os.sep)) or Path(text).is_dir())


def output_target(output: str | os.PathLike | None, image_format: str | None = None, *,
                  default: Path | None = None) -> OutputTarget:
    """The target for ``-o OUTPUT`` (``-``: standard output; None: ``default``, or standard
    output if there is none) and ``--format``. The format is ``image_format`` if given, else
    the suffix's; an unknown suffix, a clash between the two, or a folder is an error."""
    if image_format is not None and image_format not in IMAGE_FORMATS:
        raise EmojiAlphaError(f"unknown --format {image_format!r}; choose from {', '.join(IMAGE_FORMATS)}")
    if output is None:
        output = default if default is not None else STDIO
    text = os.fspath(output)
    if text == STDIO:
        return OutputTarget(None, image_format or "png")
    if names_folder(text):
        raise EmojiAlphaError(f"{text}: is a folder; this writes one image, so give a file name such as big.png")
    named = format_for_suffix(text)
    if named is not None and image_format is not None and named != image_format:
        raise EmojiAlphaError(f"{text} names a {FORMAT_TITLES[named]} file but --format is {image_format}; "
                              f"drop one of them")
    chosen = image_format or named
    if chosen is None:
        raise EmojiAlphaError(f"{text}: cannot tell the image format from the name; end it in "
                              f"{', '.join(sorted(FORMAT_SUFFIXES))} (or give --format), or in / for a folder")
    return OutputTarget(Path(text), chosen)


def default_output_path(source: Path, size: tuple[int, int], image_format: str = "png") -> Path:
    """``glyph.png`` -> ``glyph-2000x2000.png`` next to it (the format's suffix)."""
    return source.with_name(f"{source.stem}-{size[1]}x{size[0]}{DEFAULT_SUFFIXES[image_format]}")


def check_target(target: OutputTarget, *, has_alpha: bool, out_size: tuple[int, int],
                 source: Path | None = None) -> None:
    """Everything about ``target`` that can be known before the enlargement: the format holds
    the result (JPEG has no alpha, WebP no side over 16383 px), the input is not overwritten,
    standard output is not a terminal, and the file can be created."""
    problem = format_problem(target.image_format, has_alpha=has_alpha, out_size=out_size)
    if problem:
        raise EmojiAlphaError(f"{_where(target)}: {problem}")
    if target.path is None:
        if sys.stdout.isatty():
            raise EmojiAlphaError("refusing to write image data to a terminal; redirect standard output "
                                  "(... -o - > big.png) or give -o FILE")
        return
    if source is not None and _same_file(target.path, source):
        raise EmojiAlphaError(f"refusing to overwrite the input {source}; choose another --output")
    check_file_writable(target.path)


def format_problem(image_format: str, *, has_alpha: bool, out_size: tuple[int, int]) -> str | None:
    """Why ``image_format`` cannot hold the result (JPEG has no alpha, WebP no side over
    16383 px), or None."""
    if has_alpha and image_format not in ALPHA_FORMATS:
        return (f"the input is semi-transparent and {FORMAT_TITLES[image_format]} cannot store alpha; write PNG or "
                f"WebP (.png, .webp) instead")
    if image_format == "webp" and max(out_size) > WEBP_MAX_SIDE:
        return (f"WebP holds at most {WEBP_MAX_SIDE} px a side, the output is {out_size[1]}x{out_size[0]}; "
                f"write PNG or TIFF instead")
    return None


def _where(target: OutputTarget) -> str:
    return f"--format {target.image_format}" if target.path is None else str(target.path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:  # a symlink loop, say: not the same file as anything we could read
        return False


def check_file_writable(path: Path, option: str = "output") -> None:
    """A one-line error unless a file can be written at ``path``: not a folder, every existing
    parent a folder, and the nearest existing one accepts a new file (tried for real: root
    passes every permission check, /proc does not take files)."""
    if path.is_dir():
        raise EmojiAlphaError(f"{option} {path}: is a folder, not a file")
    _check_creatable(path.parent, option, path)


def check_folder_writable(folder: Path, option: str) -> None:
    """A one-line error unless ``folder`` is (or can be made) a folder that takes files."""
    if folder.exists() and not folder.is_dir():
        raise EmojiAlphaError(f"{option} {folder}: is a file, not a folder")
    _check_creatable(folder, option, folder)


def _check_creatable(folder: Path, option: str, wanted: Path) -> None:
    """The nearest existing ancestor of ``folder`` (itself included) is a folder we can create
    a file in; missing folders below it are made later by the atomic writer."""
    existing = folder if str(folder) else Path(".")
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise EmojiAlphaError(f"{option} {wanted}: {existing} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".emoji-alpha-probe-", dir=existing)
    except OSError as exc:
        raise EmojiAlphaError(f"{option} {wanted}: cannot write in {existing} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def write_target(target: OutputTarget, straight) -> None:
    """Encode a straight-alpha float (or uint8) image in the target's format and write it:
    atomically to a file (temp file + rename), or in one go to standard output."""
    data = encode_image(straight, target.image_format)
    if target.path is None:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            # The reader went away (| head -c 100): point stdout at /dev/null so the
            # interpreter's own flush at exit does not print a second traceback.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise EmojiAlphaError("standard output was closed before the whole image was written") from None
        return
    write_bytes_atomic(target.path, data)
