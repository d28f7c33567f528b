"""Command-line habits every command keeps: --version, --quiet, unique short flags, -o/--output
for what writes, defaults shown in --help, choices listed (one-line usage errors, with --quiet
too: test_bad_input.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import batchkit
import clikit
import pytest
from PIL import Image
from typer.main import get_command

from emoji_alpha.cli import app


def all_commands():
    """(path, click command) for every command and sub-command."""
    found = []

    def walk(command, path):
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, [*path, name])
        else:
            found.append((" ".join(path), command))

    walk(get_command(app), [])
    return found


COMMANDS = dict(all_commands())


def options_of(command):
    return [param for param in command.params if getattr(param, "opts", None) and param.param_type_name == "option"]


@pytest.fixture(scope="module")
def glyph(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("in") / "glyph.png"
    Image.fromarray(batchkit.glyph(1)).save(path)
    return path


def test_version():
    from emoji_alpha import __version__

    run = clikit.run("--version")
    assert run.returncode == 0 and run.stdout.strip() == f"emoji-alpha {__version__}"


@pytest.mark.parametrize("where", ["global", "per command"])
def test_quiet_prints_nothing_but_the_result(tmp_path, glyph, where):
    args = ["enlarge", glyph, "-o", tmp_path / "big.png", "-s", "32", "-m", "lanczos"]
    args = ["-q", *args] if where == "global" else [*args, "--quiet"]
    run = clikit.run(*args)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "" and run.stderr == ""
    assert (tmp_path / "big.png").is_file()


def test_quiet_batch_prints_only_its_failures(tmp_path):
    batchkit.make_folder(tmp_path / "in", 1)
    (tmp_path / "in" / "glyph-bad.png").write_text("not an image")
    run = clikit.run("-q", "enlarge", tmp_path / "in", "-o", tmp_path / "out", "-s", "32", "-m", "lanczos")
    assert run.returncode == 1 and run.stdout == ""
    [line] = run.stderr.strip().splitlines()
    assert line.startswith("error: glyph-bad.png: ") and line.endswith("(not an image)")


def test_quiet_solve_and_extract_exist():
    for name in ("enlarge", "solve", "report", "extract"):
        assert any("--quiet" in param.opts for param in options_of(COMMANDS[name])), name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_short_flags_are_unique_per_command(name):
    seen: dict[str, str] = {}
    for param in options_of(COMMANDS[name]):
        for flag in [*param.opts, *param.secondary_opts]:
            if len(flag) == 2 and flag.startswith("-"):
                assert flag not in seen, f"{name}: {flag} is both {seen[flag]} and {param.name}"
                seen[flag] = param.name


@pytest.mark.parametrize("name", ["enlarge", "solve", "extract"])
def test_commands_that_write_take_o_and_output(name):
    flags = {flag for param in options_of(COMMANDS[name]) if not param.hidden for flag in param.opts}
    assert {"-o", "--output"} <= flags


def test_extract_keeps_out_as_a_hidden_alias(tmp_path):
    import fontkit

    font = fontkit.build_sbix(tmp_path / "s.ttf", strikes=(32,))
    hidden = [param for param in options_of(COMMANDS["extract"]) if "--out" in param.opts]
    assert hidden and hidden[0].hidden
    for flag in ("--output", "--out"):
        run = clikit.run("extract", font, flag, tmp_path / flag.strip("-"))
        assert run.returncode == 0, run.stderr
        assert list((tmp_path / flag.strip("-")).glob("*.png"))
    run = clikit.run("extract", font)
    assert run.returncode == 2 and run.stderr.startswith("error: ") and "-o" in run.stderr


def _shown_default(param) -> str | None:
    if isinstance(param.show_default, str):
        return param.show_default
    if param.show_default and param.default is not None and not (param.is_flag and param.default is False):
        return str(param.default)
    return None


#: Library defaults the CLI leaves as None ("not given") and must still show in --help.
LIBRARY_DEFAULTS = {"--backproject": "backproject", "--bp-kernel": "bp_kernel", "--passes": "passes",
                    "--band-margin": "band_margin", "--backgrounds": "backgrounds", "--on-demand": "on_demand",
                    "--on-demand-residual": "on_demand_residual"}


@pytest.mark.parametrize("flag", sorted(LIBRARY_DEFAULTS))
def test_library_defaults_are_shown_and_true(flag):
    from emoji_alpha.composite import format_backgrounds
    from emoji_alpha.options import EnlargeOptions

    [param] = [p for p in options_of(COMMANDS["enlarge"]) if flag in p.opts]
    shown = _shown_default(param)
    value = getattr(EnlargeOptions(), LIBRARY_DEFAULTS[flag])
    expected = format_backgrounds(value) if isinstance(value, tuple) else str(value)
    assert shown == expected, f"{flag}: help says {shown!r}, the default is {expected!r}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_with_a_default_shows_it(name):
    for param in options_of(COMMANDS[name]):
        if param.hidden or param.is_flag or param.name in ("help",):
            continue
        if param.default is not None:
            assert param.show_default is not False, f"{name} {param.opts[0]} hides its default"


def test_backgrounds_help_shows_the_default_not_an_example():
    run = clikit.run("enlarge", "--help")
    row = next(line for line in run.stdout.splitlines() if "--backgrounds" in line)
    assert "0,64,192,255" in row and "0,128,255" not in row


@pytest.mark.parametrize("command, choices", [
    ("enlarge", ["solve|rgba-liif|twobg|separate|keygrey|lanczos", "box|bilinear", "auto|numba|torch",
                 "cpu|cuda|cuda:N|auto", "png|webp|tiff|jpeg"]),
    ("solve", ["box|bilinear", "auto|numba|torch", "png|webp|tiff|jpeg"]),
])
def test_choice_options_list_their_choices(command, choices):
    run = clikit.run(command, "--help")
    assert run.returncode == 0
    for choice in choices:
        assert choice in run.stdout, choice


def test_bp_kernels_named_without_torch_match_the_solver():
    from emoji_alpha.options import BP_KERNELS
    from emoji_alpha.resample import KERNELS

    assert BP_KERNELS == KERNELS


def test_solve_options_defaults_unchanged_by_build_options():
    from emoji_alpha.options import build_options
    from emoji_alpha.options import EnlargeOptions

    assert dataclasses.asdict(build_options()) == dataclasses.asdict(EnlargeOptions())
