"""One file in, one file out: formats by suffix, standard input and output, sizes that shrink,
outputs that cannot be written, and inputs that cannot be read (issue #18). The bad values and
inputs that are one line from the command line are cases in test_bad_input.py.

Most cases use ``--method lanczos`` on RGBA input, which needs no LIIF, so they run in a
second; the few that need LIIF enlarge 16 px to 32 px."""

from __future__ import annotations

import io
import os
from pathlib import Path

import batchkit
import clikit
import numpy as np
import pytest
from PIL import Image

from emoji_alpha.errors import EmojiAlphaError

CHEAP = ("-s", "32", "-m", "lanczos")  # RGBA input: no LIIF, no torch


@pytest.fixture(scope="module")
def soft_png(tmp_path_factory) -> Path:
    """16 x 16 RGBA with a soft (semi-transparent) rim."""
    path = tmp_path_factory.mktemp("in") / "soft.png"
    Image.fromarray(batchkit.glyph(3)).save(path)
    return path


@pytest.fixture(scope="module")
def opaque_rgba_png(tmp_path_factory) -> Path:
    """16 x 16 RGBA whose alpha is 255 everywhere (the result has no transparency)."""
    rgba = batchkit.glyph(4)
    rgba[..., 3] = 255
    path = tmp_path_factory.mktemp("in") / "opaque.png"
    Image.fromarray(rgba).save(path)
    return path


@pytest.fixture(scope="module")
def reference_png(soft_png, tmp_path_factory) -> Path:
    """The PNG the cheap settings give for ``soft_png``; other formats must hold the same pixels."""
    out = tmp_path_factory.mktemp("ref") / "ref.png"
    enlarge_cheaply(soft_png, out)
    return out


def enlarge_cheaply(source: Path, output, **kwargs):
    """What ``enlarge SOURCE -o OUTPUT -s 32 -m lanczos`` does, in this process (no subprocess
    start-up, no torch import per case)."""
    from emoji_alpha.options import EnlargeOptions
    from emoji_alpha.pipeline import enlarge_file

    def no_liif():
        raise AssertionError("lanczos on RGBA input needs no LIIF")

    return enlarge_file(source, output, **{"size": "32", "scale": None, **kwargs}, upscaler_factory=no_liif,
                        options=EnlargeOptions(method="lanczos"))


def pixels(source) -> np.ndarray:
    with Image.open(source) as image:
        return np.asarray(image.convert("RGBA"))


# -- 1. one file in, one file out ---------------------------------------------------------

@pytest.mark.parametrize("suffix, pillow_format", [(".png", "PNG"), (".webp", "WEBP"), (".tiff", "TIFF")])
def test_one_input_writes_one_file_in_the_format_its_suffix_names(tmp_path, soft_png, reference_png, suffix,
                                                                   pillow_format):
    out = tmp_path / f"big{suffix}"
    target, _ = enlarge_cheaply(soft_png, out)
    assert target.path == out and out.is_file()
    with Image.open(out) as image:
        assert image.format == pillow_format and image.mode == "RGBA" and image.size == (32, 32)
    np.testing.assert_array_equal(pixels(out), pixels(reference_png))  # WebP lossless, TIFF: exact
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no folder, no temp file


@pytest.mark.parametrize("name, image_format", [("a.png", "png"), ("a.PNG", "png"), ("a.webp", "webp"),
                                                ("a.WEBP", "webp"), ("a.tif", "tiff"), ("a.tiff", "tiff"),
                                                ("a.jpg", "jpeg"), ("a.jpeg", "jpeg"), ("a.JPG", "jpeg")])
def test_suffixes_name_formats(tmp_path, name, image_format):
    from emoji_alpha.outputs import output_target

    target = output_target(tmp_path / name)
    assert target.image_format == image_format and target.path == tmp_path / name
    assert output_target("-").to_stdout and output_target("-").image_format == "png"
    assert output_target("-", "webp").image_format == "webp"
    assert output_target(None).to_stdout  # no -o and no default: standard output


def test_jpeg_written_for_an_opaque_result(tmp_path, opaque_rgba_png):
    out = tmp_path / "big.jpg"
    run = clikit.run("enlarge", opaque_rgba_png, "-o", out, *CHEAP)
    assert run.returncode == 0, run.stderr
    with Image.open(out) as image:
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == (32, 32)


def test_jpeg_input_to_png_is_one_file(tmp_path):
    """The report: `enlarge small.jpg -o big.png` made a folder big.png/ (RGB input: LIIF runs)."""
    source = tmp_path / "small.jpg"
    Image.fromarray(batchkit.glyph(5)[..., :3]).save(source, quality=95)
    out = tmp_path / "big.png"
    run = clikit.run("enlarge", source, "-o", out, "-s", "32")
    assert run.returncode == 0, run.stderr
    assert out.is_file()
    with Image.open(out) as image:
        assert image.format == "PNG" and image.mode == "RGB" and image.size == (32, 32)


def _save_apng(path: Path) -> None:
    first = Image.new("RGBA", (12, 10), (200, 40, 90, 128))
    second = Image.new("RGBA", (12, 10), (10, 200, 30, 255))
    first.save(path, format="PNG", save_all=True, append_images=[second], duration=100)


INPUT_FORMATS = {
    "jpeg": (lambda p: Image.new("RGB", (12, 10), (200, 40, 90)).save(p, format="JPEG"), ".jpg", False),
    "webp": (lambda p: Image.new("RGBA", (12, 10), (200, 40, 90, 128)).save(p, format="WEBP", lossless=True), ".webp", True),
    "gif": (lambda p: Image.new("RGBA", (12, 10), (200, 40, 90, 0)).save(p, format="GIF"), ".gif", True),
    "apng": (_save_apng, ".png", True),
    "bmp": (lambda p: Image.new("RGB", (12, 10), (200, 40, 90)).save(p, format="BMP"), ".bmp", False),
    "tiff": (lambda p: Image.new("RGBA", (12, 10), (200, 40, 90, 128)).save(p, format="TIFF"), ".tiff", True),
}


@pytest.mark.parametrize("name", sorted(INPUT_FORMATS))
def test_any_image_pillow_reads_is_a_single_input(tmp_path, name):
    from emoji_alpha.cli.enlarge import is_single
    from emoji_alpha.images import read_input_image

    save, suffix, has_alpha = INPUT_FORMATS[name]
    source = tmp_path / f"in{suffix}"
    save(source)
    loaded = read_input_image(source)
    assert loaded.size == (10, 12) and loaded.has_alpha == has_alpha
    if name == "apng":  # the first frame
        assert np.allclose(loaded.rgba[0, 0], np.array([200, 40, 90, 128]) / 255, atol=1 / 255)
    assert is_single([str(source)], str(tmp_path / "big.webp"))
    assert is_single([str(source)], None)


def test_png_input_to_webp_is_one_file_from_the_cli(tmp_path, soft_png, reference_png):
    """The report: `enlarge small.png -o big.webp` made a folder big.webp/."""
    out = tmp_path / "big.webp"
    run = clikit.run("enlarge", soft_png, "-o", out, *CHEAP)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"wrote {out} (32x32 WebP)\n"
    assert out.is_file() and Image.open(out).format == "WEBP"
    np.testing.assert_array_equal(pixels(out), pixels(reference_png))
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_a_folder_is_written_for_a_trailing_slash_or_an_existing_folder(tmp_path, soft_png):
    run = clikit.run("enlarge", soft_png, "-o", f"{tmp_path / 'new'}/", *CHEAP)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "new" / "soft.png").is_file() and (tmp_path / "new" / "emoji-alpha.sqlite").is_file()
    (tmp_path / "existing").mkdir()
    run = clikit.run("enlarge", soft_png, "-o", tmp_path / "existing", *CHEAP)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "existing" / "soft.png").is_file()


def test_an_output_name_without_a_format_needs_format_or_a_slash(tmp_path, soft_png):
    run = clikit.run("enlarge", soft_png, "-o", tmp_path / "big", *CHEAP)
    clikit.assert_one_line_error(run, "--format", "/")
    assert not (tmp_path / "big").exists()
    run = clikit.run("enlarge", soft_png, "-o", tmp_path / "big", "--format", "webp", *CHEAP)
    assert run.returncode == 0, run.stderr
    assert Image.open(tmp_path / "big").format == "WEBP"


def test_default_output_name_follows_the_format(tmp_path, soft_png):
    source = tmp_path / "glyph.png"
    source.write_bytes(soft_png.read_bytes())
    target, _ = enlarge_cheaply(source, None, image_format="tiff")
    assert target.path == tmp_path / "glyph-32x32.tiff" and Image.open(target.path).format == "TIFF"


# -- 2. standard input and output ---------------------------------------------------------

def test_stdin_to_stdout_carries_only_the_image(tmp_path, soft_png, reference_png):
    run = clikit.run("enlarge", "-", "-o", "-", *CHEAP, stdin=soft_png.read_bytes(), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout_bytes == reference_png.read_bytes()  # the very PNG a file gets, nothing else
    assert "standard output" in run.stderr
    assert list(tmp_path.iterdir()) == []  # no folder called "-"


def test_stdin_without_output_goes_to_stdout(tmp_path, soft_png):
    run = clikit.run("enlarge", "-", *CHEAP, stdin=soft_png.read_bytes(), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout_bytes.startswith(b"\x89PNG\r\n\x1a\n") and list(tmp_path.iterdir()) == []


def test_file_to_stdout(tmp_path, soft_png, reference_png):
    run = clikit.run("enlarge", soft_png, "-o", "-", *CHEAP, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout_bytes == reference_png.read_bytes() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("image_format, pillow_format", [("webp", "WEBP"), ("tiff", "TIFF")])
def test_stdout_format(tmp_path, soft_png, reference_png, image_format, pillow_format):
    run = clikit.run("enlarge", soft_png, "-o", "-", "--format", image_format, *CHEAP, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    with Image.open(io.BytesIO(run.stdout_bytes)) as image:
        assert image.format == pillow_format
        np.testing.assert_array_equal(np.asarray(image.convert("RGBA")), pixels(reference_png))


def test_image_bytes_are_not_written_to_a_terminal(tmp_path, soft_png):
    import pty

    controller, terminal = pty.openpty()
    try:
        run = clikit.run("enlarge", soft_png, "-o", "-", *CHEAP, stdout=terminal, timeout=300, cwd=tmp_path)
    finally:
        os.close(terminal)
        os.close(controller)
    assert run.returncode == 2 and run.stderr.startswith("error: refusing to write image data to a terminal")


# -- 3. sizes that would shrink -----------------------------------------------------------

def test_the_input_size_itself_is_allowed(tmp_path, soft_png):
    enlarge_cheaply(soft_png, tmp_path / "same.png", size="16")
    assert Image.open(tmp_path / "same.png").size == (16, 16)


def test_check_enlarges_hints():
    from emoji_alpha.sizes import check_enlarges

    check_enlarges((64, 64), (64, 64), "64")
    with pytest.raises(EmojiAlphaError, match=r"did you mean --scale 4\?"):
        check_enlarges((64, 64), (4, 4), "4")
    with pytest.raises(EmojiAlphaError, match=r"did you mean --scale 3\?"):
        check_enlarges((64, 64), (3, 3), "3x3")
    with pytest.raises(EmojiAlphaError, match="--size 64 or more"):
        check_enlarges((64, 64), (32, 32), "32")
    with pytest.raises(EmojiAlphaError, match="at least 1"):
        check_enlarges((64, 64), (32, 32), scale=0.5)


# -- 4. outputs that cannot be written fail before any LIIF work ---------------------------

def _unwritable_cases(tmp_path: Path) -> dict[str, dict]:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    big = tmp_path / "big.png"
    return {
        "/proc": {"output": Path("/proc/emoji-alpha-test.png")},
        "parent is a file": {"output": a_file / "big.png"},
        "grandparent is a file": {"output": a_file / "sub" / "big.png"},
        "output is a folder name with a suffix": {"output": tmp_path},
        "--keep-stack is a file": {"output": big, "keep_stack": a_file},
        "--keep-stack under a file": {"output": big, "keep_stack": a_file / "stack"},
        "--debug-dir is a file": {"output": big, "debug_dir": a_file},
        "--debug-dir under a file": {"output": big, "debug_dir": a_file / "debug"},
    }


UNWRITABLE = ["/proc", "parent is a file", "grandparent is a file", "--keep-stack is a file",
              "--keep-stack under a file", "--debug-dir is a file", "--debug-dir under a file"]


@pytest.mark.parametrize("case", UNWRITABLE)
def test_unwritable_output_is_one_line_from_the_cli(tmp_path, soft_png, case):
    if case == "/proc" and not Path("/proc").is_dir():
        pytest.skip("no /proc")
    spec = _unwritable_cases(tmp_path)[case]
    args = ["-o", spec["output"]]
    args += ["--keep-stack", spec["keep_stack"]] if "keep_stack" in spec else []
    args += ["--debug-dir", spec["debug_dir"]] if "debug_dir" in spec else []
    clikit.assert_one_line_error(clikit.run("enlarge", soft_png, *args, "-s", "32"))
    assert not (tmp_path / "big.png").exists()


@pytest.mark.parametrize("case", UNWRITABLE + ["output is a folder name with a suffix"])
def test_unwritable_output_fails_before_the_upscaler_is_built(tmp_path, soft_png, case):
    from emoji_alpha.pipeline import enlarge_file

    if case == "/proc" and not Path("/proc").is_dir():
        pytest.skip("no /proc")
    spec = _unwritable_cases(tmp_path)[case]

    def no_liif():
        raise AssertionError("the upscaler was built before the output was checked")

    with pytest.raises(EmojiAlphaError):
        enlarge_file(soft_png, spec["output"], size="32", scale=None, upscaler_factory=no_liif,
                     keep_stack=spec.get("keep_stack"), debug_dir=spec.get("debug_dir"))


def test_read_only_folder_is_one_line(tmp_path, soft_png):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        try:
            (folder / "probe").write_text("x")
        except OSError:
            pass
        else:
            pytest.skip("this user can write in a 0555 folder (root)")
        run = clikit.run("enlarge", soft_png, "-o", folder / "big.png", "-s", "32")
        clikit.assert_one_line_error(run, "cannot write")
    finally:
        folder.chmod(0o755)


# -- 5. inputs that cannot be read --------------------------------------------------------

def test_corrupt_16bit_png_is_a_clean_error():
    from emoji_alpha.images import decode_image

    with pytest.raises(EmojiAlphaError, match="cannot read image"):
        decode_image(batchkit.png16_with_corrupt_deflate(), name="bad16.png")  # the CLI: test_bad_input


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied"), IsADirectoryError(21, "Is a directory"),
                                   OSError(5, "Input/output error")])
def test_oserror_reading_an_input_is_a_clean_error(tmp_path, monkeypatch, error):
    from emoji_alpha.images import read_image

    path = tmp_path / "glyph.png"
    path.write_bytes(b"\x89PNG")

    def fail(self):
        raise error

    monkeypatch.setattr(Path, "read_bytes", fail)
    with pytest.raises(EmojiAlphaError, match=f"cannot read \\({error.strerror}\\)"):
        read_image(path)
