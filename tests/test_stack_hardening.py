"""`emoji-alpha solve` on stacks whose stack.json or images are not what they claim (issue
#18): one clear line and no output, one test per bad sidecar or file."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import clikit
from emoji_alpha.composite import flatten
from emoji_alpha.images import premultiply, unpremultiply, write_png
from emoji_alpha.resample import area_resize
from emoji_alpha.stack import StackInfo, load_stack, save_stack

LEVELS = [0.0, 128.0, 255.0]


def _glyph(size: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size] / size - 0.5
    alpha = np.clip((0.42 - np.hypot(yy, xx)) / 0.12, 0, 1) * 0.8
    colour = np.broadcast_to(rng.random(3) * 0.8 + 0.1, (size, size, 3))
    return premultiply(np.concatenate([colour, alpha[..., None]], -1).astype(np.float32))


@pytest.fixture
def stack_dir(tmp_path):
    truth = _glyph(16, 0)
    stack = flatten(truth, np.array(LEVELS, np.float32) / 255.0)
    info = StackInfo(list(LEVELS), "glyph.png", [8, 8], [16, 16], "abc", 0)
    return save_stack(tmp_path / "stack", stack, area_resize(truth, (8, 8)), info)


def _edit_sidecar(folder, change) -> None:
    sidecar = json.loads((folder / "stack.json").read_text())
    change(sidecar)
    (folder / "stack.json").write_text(json.dumps(sidecar))


def _solve(monkeypatch, capsys, folder, output):
    return clikit.run_main(monkeypatch, capsys, "solve", folder, "-o", output)


def test_a_good_stack_solves_and_records_its_files(stack_dir, tmp_path, monkeypatch, capsys):
    sidecar = json.loads((stack_dir / "stack.json").read_text())
    assert set(sidecar["files"]) == {"input.png", "bg-000.png", "bg-001.png", "bg-002.png"}
    code, out, err = _solve(monkeypatch, capsys, stack_dir, tmp_path / "out.png")
    assert code == 0, err
    assert out.startswith("wrote ") and (tmp_path / "out.png").exists()


def test_a_stack_of_an_older_version_without_hashes_still_solves(stack_dir, tmp_path, monkeypatch, capsys):
    _edit_sidecar(stack_dir, lambda s: s.pop("files"))
    code, _out, err = _solve(monkeypatch, capsys, stack_dir, tmp_path / "out.png")
    assert code == 0, err


def _set(key, value):
    return lambda sidecar: sidecar.__setitem__(key, value)


def _drop(key):
    return lambda sidecar: sidecar.pop(key)


BAD_SIDECARS = {
    "backgrounds-missing": (_drop("backgrounds"), "missing 'backgrounds'"),
    "out-size-missing": (_drop("out_size"), "missing 'out_size'"),
    "backgrounds-a-string": (_set("backgrounds", "0,128,255"), "non-empty list"),
    "backgrounds-empty": (_set("backgrounds", []), "non-empty list"),
    "backgrounds-bool": (_set("backgrounds", [True, 128, 255]), "holds true"),
    "backgrounds-a-string-level": (_set("backgrounds", [0, "128", 255]), "holds \"128\""),
    "backgrounds-out-of-range": (_set("backgrounds", [0, 300, 255]), "from 0 to 255"),
    "backgrounds-negative": (_set("backgrounds", [-1, 128, 255]), "from 0 to 255"),
    "backgrounds-repeated": (_set("backgrounds", [0, 128, 128.0]), "twice"),
    "backgrounds-null": (_set("backgrounds", [0, None, 255]), "holds null"),
    "in-size-a-string": (_set("in_size", "8x8"), "'in_size' must be [height, width]"),
    "in-size-three-numbers": (_set("in_size", [8, 8, 4]), "'in_size' must be [height, width]"),
    "in-size-fractional": (_set("in_size", [8.5, 8]), "'in_size' must be [height, width]"),
    "out-size-zero": (_set("out_size", [0, 16]), "'out_size' must be [height, width]"),
    "out-size-huge": (_set("out_size", [10**6, 10**6]), "'out_size' must be [height, width]"),
    "out-size-not-the-images": (_set("out_size", [20, 20]), "does not match stack.json's out_size 20x20"),
    "in-size-not-the-input": (_set("in_size", [9, 9]), "does not match stack.json's in_size 9x9"),
    "source-a-number": (_set("source", 5), "'source' must be a string"),
    "weights-null": (_set("weights_sha256", None), "'weights_sha256' must be a string"),
    "band-margin-negative": (_set("band_margin", -1), "'band_margin'"),
    "band-margin-a-string": (_set("band_margin", "1"), "'band_margin'"),
    "version-a-number": (_set("version", 1), "'version' must be a string"),
    "files-a-list": (_set("files", ["input.png"]), "'files'"),
}


@pytest.mark.parametrize("kind", sorted(BAD_SIDECARS))
def test_bad_sidecar_is_one_line_and_writes_nothing(stack_dir, tmp_path, monkeypatch, capsys, kind):
    change, expected = BAD_SIDECARS[kind]
    _edit_sidecar(stack_dir, change)
    output = tmp_path / "out.png"
    code, _out, err = _solve(monkeypatch, capsys, stack_dir, output)
    line = clikit.last_line_error(err)
    assert code == 2 and expected in line, line
    assert not output.exists()


@pytest.mark.parametrize("text, expected", [
    ("{", "unreadable sidecar"),
    ("[0, 128, 255]", "must hold a JSON object, not a list"),
    ('"stack"', "must hold a JSON object, not a string"),
    ('{"backgrounds": [0, NaN, 255], "source": "", "in_size": [8, 8], "out_size": [16, 16], '
     '"weights_sha256": "", "band_margin": 0}', "holds NaN"),
])
def test_sidecar_that_is_not_a_stack_description_is_one_line(stack_dir, tmp_path, monkeypatch, capsys, text,
                                                              expected):
    (stack_dir / "stack.json").write_text(text)
    code, _out, err = _solve(monkeypatch, capsys, stack_dir, tmp_path / "out.png")
    assert code == 2 and expected in clikit.last_line_error(err)
    assert not (tmp_path / "out.png").exists()


def _other_input(folder, size: int = 8, alpha: bool = True) -> None:
    other = unpremultiply(area_resize(_glyph(16, 7), (size, size)))
    write_png(folder / "input.png", other if alpha else other[..., :3])


BAD_FILES = {
    # a different glyph of the same size: only the recorded sha256 can tell
    "input-swapped": (lambda folder: _other_input(folder), "input.png: does not match stack.json"),
    "backgrounds-swapped": (lambda folder: _swap(folder / "bg-000.png", folder / "bg-002.png"),
                            "bg-000.png: does not match stack.json"),
}
BAD_FILES_OLD_SIDECAR = {  # stacks without hashes: the sizes and the alpha channel still tell
    "input-another-size": (lambda folder: _other_input(folder, 12), "size 12x12 does not match stack.json's in_size"),
    "input-without-alpha": (lambda folder: _other_input(folder, alpha=False), "no alpha channel"),
    "background-another-size": (lambda folder: write_png(folder / "bg-001.png", np.zeros((16, 12, 3), np.float32)),
                                "size 12x16 does not match stack.json's out_size"),
    "background-missing": (lambda folder: (folder / "bg-002.png").unlink(), "2 background images for 3"),
    "input-missing": (lambda folder: (folder / "input.png").unlink(), "missing input.png"),
    "background-not-a-png": (lambda folder: (folder / "bg-001.png").write_bytes(b"no image"), "cannot read image"),
}


def _swap(first, second) -> None:
    temp = first.with_suffix(".swap")
    shutil.move(first, temp)
    shutil.move(second, first)
    shutil.move(temp, second)


@pytest.mark.parametrize("kind", sorted(BAD_FILES) + sorted(BAD_FILES_OLD_SIDECAR))
def test_images_that_are_not_the_stack_are_one_line(stack_dir, tmp_path, monkeypatch, capsys, kind):
    if kind in BAD_FILES_OLD_SIDECAR:
        _edit_sidecar(stack_dir, lambda s: s.pop("files"))
        spoil, expected = BAD_FILES_OLD_SIDECAR[kind]
    else:
        spoil, expected = BAD_FILES[kind]
    spoil(stack_dir)
    code, _out, err = _solve(monkeypatch, capsys, stack_dir, tmp_path / "out.png")
    line = clikit.last_line_error(err)
    assert code == 2 and expected in line, line
    assert not (tmp_path / "out.png").exists()


def test_load_stack_reads_back_what_was_saved(stack_dir):
    stack, premul_lr, info = load_stack(stack_dir)
    assert stack.shape == (3, 16, 16, 3) and premul_lr.shape == (8, 8, 4)
    assert info.backgrounds == LEVELS and info.in_size == [8, 8] and info.band_margin == 0
