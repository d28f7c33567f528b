"""Bad input to any command is one clear line, never a traceback (issue #18): one table of
cases, each run as a user runs it, in a fresh process.

Every case must fail with its exit code, one short ``error:`` line on stderr holding the case's
fragments (or being the case's whole line), nothing on stdout, and nothing written or left
behind in its folder (the working folder, where its outputs would go) but what the case names
(a batch refused before any work removes the folder it made). Cases whose set-up differs (a
monkeypatched failure, a read-only folder, a terminal, warnings before the error, a damaged
stack or font) keep their own tests beside the code they test."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import batchkit
import clikit
import fontkit
import pytest
from PIL import Image

CHEAP = ("-s", "32", "-m", "lanczos")  # RGBA input: no LIIF, no torch


@dataclasses.dataclass(frozen=True)
class Given:
    """What a case's command is built from: a 16 x 16 RGBA glyph with a soft rim and a 64 x 64
    RGB test card (both outside ``folder``), the case's own folder and an output in it."""

    soft: Path
    card: Path
    folder: Path

    @property
    def out(self) -> Path:
        return self.folder / "big.png"


@dataclasses.dataclass(frozen=True)
class Bad:
    command: Callable[[Given], list]  # the arguments; makes any bad input file in the folder
    fragments: tuple[str, ...] = ()  # what the error line must hold
    line: str | None = None  # or the whole error line ({folder}: the case's folder)
    code: int = 2
    stdin: bytes = b""
    timeout: float = 300
    leaves: tuple[str, ...] = ()  # what it may make in the folder all the same


def bad(command: Callable[[Given], list], *fragments: str, **kwargs) -> Bad:
    return Bad(command, fragments, **kwargs)


def copies(image: Path, folder: Path, n: int) -> Path:
    """``folder`` holding ``n`` copies of ``image`` (a batch's input)."""
    folder.mkdir()
    for i in range(n):
        (folder / f"glyph-{i}.png").write_bytes(image.read_bytes())
    return folder


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def mkfifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def sbix(given: Given, **kwargs) -> Path:
    return fontkit.build_sbix(given.folder / "s.ttf", **kwargs)


# enlarge SOFT -o OUT and a value enlarge cannot use
BAD_VALUES = {
    "scale inf": ["--scale", "inf"],
    "scale nan": ["--scale", "nan"],
    "scale negative": ["--scale", "-2"],
    "scale -inf": ["--scale", "-inf"],
    "scale huge": ["--scale", "1e308"],
    "memory-limit nan": ["-s", "32", "--memory-limit", "nan"],
    "memory-limit 0": ["-s", "32", "--memory-limit", "0"],
    "memory-limit negative": ["-s", "32", "--memory-limit", "-1"],
    "memory-limit inf": ["-s", "32", "--memory-limit", "inf"],
    "size of 5000 digits": ["--size", "9" * 5000],
    "size WxH of 5000 digits": ["--size", "32x" + "9" * 5000],
    "unknown method": ["-s", "32", "--method", "magic"],
    "unknown format": ["-s", "32", "--format", "gif"],
    "unknown device": ["-s", "32", "--device", "tpu"],
    "device cuda:x": ["-s", "32", "--device", "cuda:x"],
    "backgrounds out of range": ["--size", "40", "--backgrounds", "0,300"],
    "bp-kernel unknown": ["--size", "40", "--bp-kernel", "cubic"],
}

# enlarge CARD -o OUT (RGB: the LIIF path) and a value it cannot use
BAD_CARD_VALUES = {
    "size 0": ["--size", "0"],
    "size negative": ["--size", "-5"],
    "scale 0": ["--scale", "0"],
    "over the memory limit": ["--size", "20000", "--memory-limit", "1"],
    "size 999999": ["--size", "999999"],
    "device tpu": ["--size", "64", "--device", "tpu"],
    "device cuda:99": ["--size", "64", "--device", "cuda:99"],  # no such GPU (or none at all)
    "half on a CPU": ["--size", "64", "--half"],  # float16 needs a GPU
}

CASES: dict[str, Bad] = {
    **{f"enlarge {name}": bad(lambda g, flags=flags: ["enlarge", g.soft, "-o", g.out, *flags])
       for name, flags in BAD_VALUES.items()},
    **{f"enlarge card {name}": bad(lambda g, flags=flags: ["enlarge", g.card, "-o", g.out, *flags])
       for name, flags in BAD_CARD_VALUES.items()},
    # inputs that are not images, or not there
    "enlarge a missing file": bad(lambda g: ["enlarge", g.folder / "missing.png", "-o", g.out, "--size", "64"]),
    "enlarge a text file": bad(lambda g: ["enlarge", write(g.folder / "notes.png", "not an image"), "-o", g.out,
                                          "--size", "64"]),
    "enlarge a truncated PNG": bad(lambda g: ["enlarge", write(g.folder / "trunc.png", g.card.read_bytes()[:200]),
                                              "-o", g.out, "--size", "64"]),
    "enlarge a zero-sized PNG": bad(lambda g: ["enlarge", write(g.folder / "zero.png", batchkit.zero_sized_png()),
                                               "-o", g.out, "--size", "32"], "zero-sized"),
    "enlarge a corrupt 16-bit PNG": bad(lambda g: ["enlarge", write(g.folder / "bad16.png",
                                                                    batchkit.png16_with_corrupt_deflate()),
                                                   "-o", g.out, "-s", "32"], "bad16.png"),
    "enlarge a FIFO": bad(lambda g: ["enlarge", mkfifo(g.folder / "glyph.png"), "-o", g.out, "-s", "32"],
                          "not a regular file", timeout=60),  # refused, not waited on
    "enlarge a folder named like an image": bad(lambda g: ["enlarge", mkdir(g.folder / "x.png"), "-o", g.out,
                                                           "-s", "32"]),
    "enlarge empty stdin": bad(lambda g: ["enlarge", "-", "-o", g.out, "-s", "32"], "standard input"),
    "enlarge stdin that is no image": bad(lambda g: ["enlarge", "-", "-o", g.out, "-s", "32"], "<stdin>",
                                          stdin=b"hello"),
    "enlarge -q a missing file": bad(lambda g: ["-q", "enlarge", g.folder / "missing.png", "-o", g.out, "-s", "32"],
                                     "no such file"),
    "enlarge a missing file -q": bad(lambda g: ["enlarge", g.folder / "missing.png", "-o", g.out, "-s", "32", "-q"],
                                     "no such file"),
    # sizes that would shrink
    "enlarge --size 4 suggests --scale": bad(lambda g: ["enlarge", g.soft, "-o", g.out, "-s", "4"],
                                             "smaller than the input 16x16", "did you mean --scale 4?"),
    **{f"enlarge {' '.join(flags)} shrinks": bad(lambda g, flags=flags: ["enlarge", g.soft, "-o", g.out, *flags],
                                                 "smaller than the input")
       for flags in (["--size", "8"], ["--size", "8x32"], ["--size", "32x15"], ["--scale", "0.5"],
                     ["--scale", "0.9"])},
    # outputs that cannot be
    **{f"enlarge a translucent glyph to {suffix}": bad(lambda g, suffix=suffix: ["enlarge", g.soft, "-o",
                                                                                 g.folder / f"big{suffix}", "-s", "32"],
                                                       "PNG", "WebP")  # the default method: would need LIIF
       for suffix in (".jpg", ".jpeg", ".JPG")},
    "enlarge a translucent glyph to stdout as JPEG": bad(lambda g: ["enlarge", g.soft, "-o", "-", "--format", "jpeg",
                                                                    "-s", "32"], "PNG"),
    "enlarge to a WebP over its 16383 px side": bad(lambda g: ["enlarge", g.soft, "-o", g.folder / "big.webp",
                                                              "-s", "20000", "-m", "lanczos"],
                                                   "WebP holds at most 16383 px a side", "20000x20000"),
    "enlarge --format clashing with -o": bad(lambda g: ["enlarge", g.soft, "-o", g.out, "--format", "webp", *CHEAP]),
    "enlarge several inputs to a file": bad(lambda g: ["enlarge", g.soft, g.soft, "-o", g.out, *CHEAP]),
    "enlarge stdin in a batch": bad(lambda g: ["enlarge", "-", g.soft, "-o", f"{g.folder}/out/", *CHEAP]),
    "enlarge a batch with --format": bad(lambda g: ["enlarge", g.soft, g.soft, "-o", f"{g.folder}/out/", "--format",
                                                    "webp", *CHEAP]),
    "solve to a file under a file": bad(lambda g: ["solve", g.folder / "no-stack", "-o",
                                                   write(g.folder / "a-file", "x") / "big.png"], "not a folder"),
    "solve to a name without a format": bad(lambda g: ["solve", g.folder / "no-stack", "-o", g.folder / "big"],
                                            "format"),
    # usage errors
    "enlarge --bogus": bad(lambda g: ["enlarge", g.folder, "--bogus"], "--help"),
    "enlarge -m magic": bad(lambda g: ["enlarge", g.folder, "-m", "magic"], "--help"),
    "solve without a stack": bad(lambda g: ["solve"], "--help"),
    "enlarge a folder --bogus": bad(lambda g: ["enlarge", g.folder, "-o", g.folder / "out", "--bogus"],
                                    "No such option"),
    "enlarge --workers 0": bad(lambda g: ["enlarge", g.folder, "-o", g.folder / "out", "--size", "32",
                                          "--workers", "0"]),
    "enlarge one file --workers 2": bad(lambda g: ["enlarge", g.soft, "-o", g.out, "--size", "32", "--workers", "2"],
                                        "are for batches"),
    "enlarge one file --rebuild-manifest": bad(lambda g: ["enlarge", g.soft, "-o", g.out, "--size", "32",
                                                          "--rebuild-manifest"], "are for batches"),
    "enlarge --on-demand not a background": bad(lambda g: ["enlarge", g.soft, "-o", g.out, "--size", "30",
                                                           "--on-demand", "100"], "among the backgrounds"),
    "status of no folder": bad(lambda g: ["status", g.folder / "nothing-here"]),
    # weights
    "enlarge --weights a folder": bad(lambda g: ["enlarge", g.soft, "-o", g.out, "--size", "32", "--weights",
                                                 mkdir(g.folder / "ckpt")], "is a folder", "official"),
    "enlarge a batch --weights a folder": bad(lambda g: ["enlarge", g.soft, "-o", f"{g.folder / 'out'}/", "--size",
                                                         "32", "--weights", mkdir(g.folder / "ckpt")],
                                              "is a folder", "official"),
    "enlarge a batch --format jpeg": bad(lambda g: ["enlarge", g.soft, "-o", f"{g.folder / 'out'}/", *CHEAP,
                                                    "--format", "jpeg"], "JPEG cannot store", "png, webp, tiff"),
    "enlarge a batch --size 4": bad(lambda g: ["enlarge", g.soft, "-o", f"{g.folder / 'out'}/", "-s", "4",
                                               "-m", "lanczos"],
                                    "the batch's one glyph", "smaller than the input 16x16", "--scale 4"),
    "enlarge a folder --size smaller than every glyph": bad(
        lambda g: ["enlarge", copies(g.soft, g.folder / "ins", 3), "-o", g.folder / "out", "-s", "12x16", "-m",
                   "lanczos"], "all 3 glyphs of the batch", "output 12x16 is smaller than the input 16x16"),
    # fonts
    "extract --naming apple": bad(lambda g: ["extract", sbix(g, strikes=(32,)), "-o", g.folder / "out",
                                             "--naming", "apple"],
                                  line="error: --naming apple: choose sequence or glyph"),
    "enlarge a font --naming apple": bad(lambda g: ["enlarge", sbix(g, strikes=(32,)), "-o", g.folder / "big",
                                                    "--size", "40", "--method", "lanczos", "--naming", "apple"],
                                         line="error: --naming apple: choose sequence or glyph"),
    "extract a text file": bad(lambda g: ["extract", write(g.folder / "bogus.ttf", "not a font at all"), "-o",
                                          g.folder / "out"], "not a font"),
    "extract a truncated font": bad(lambda g: ["extract", write(g.folder / "cut.ttf", sbix(g).read_bytes()[:2000]),
                                               "-o", g.folder / "out"], "truncated"),
    "extract a font without colour": bad(lambda g: ["extract", fontkit.build_plain(g.folder / "plain.ttf"), "-o",
                                                    g.folder / "out"], "no colour glyphs"),
    "extract a strike the font lacks": bad(lambda g: ["extract", sbix(g), "-o", g.folder / "out", "--strike", "7"],
                                           "available: 32, 64, 160"),
    "match a missing folder": bad(lambda g: ["match", g.folder / "nope", g.folder], "not a folder"),
    # report
    "report a missing folder": bad(lambda g: ["report", g.folder / "nope"],
                                   line="error: {folder}/nope: no such folder"),
    "report --zoom not four numbers": bad(lambda g: ["report", g.folder, "--zoom", "a,b,c,d"], "error: --zoom"),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    Image.fromarray(batchkit.glyph(3)).save(folder / "soft.png")
    Image.fromarray(batchkit.card()).save(folder / "card.png")
    return folder / "soft.png", folder / "card.png"


def _files(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, inputs, case):
    spec = CASES[case]
    given = Given(*inputs, tmp_path)
    args = spec.command(given)
    before = _files(tmp_path)
    result = clikit.run(*args, stdin=spec.stdin, cwd=tmp_path, timeout=spec.timeout)
    line = clikit.assert_one_line_error(result, *spec.fragments, code=spec.code)
    assert spec.line is None or line == spec.line.format(folder=tmp_path), line
    assert len(result.stderr) < 400, result.stderr
    assert _files(tmp_path) == sorted([*before, *spec.leaves])  # no output, no temp file, no folder called "-"
