"""``emoji-alpha solve``: re-solve a kept stack without running LIIF again."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer

from emoji_alpha.cli import options
from emoji_alpha.options import EnlargeOptions


def solve_command(
    stack_dir: Annotated[Path, typer.Argument(help="Folder written by `enlarge --keep-stack`.", show_default=False)],
    output: Annotated[str, typer.Option("--output", "-o", show_default=False, help="Output image (.png, .webp, "
                                        ".tiff, .jpg for an opaque glyph), or - for standard output.")],
    image_format: options.ImageFormat = None,
    passes: options.Passes = None,
    backproject: options.Backproject = None,
    bp_kernel: options.BpKernel = None,
    debug_dir: options.DebugDir = None,
    backend: options.Backend = EnlargeOptions.backend,
    quiet: options.Quiet = False,
) -> None:
    """Solve colour and alpha from the K enlargements kept in STACK_DIR (cheap: no LIIF)."""
    from emoji_alpha.images import FORMAT_TITLES
    from emoji_alpha.options import build_options
    from emoji_alpha.pipeline import solve_kept_stack
    from emoji_alpha.progress import log, say, set_quiet, warn

    if quiet:
        set_quiet(True)
    solve_options = build_options(passes=passes, backproject=backproject, bp_kernel=bp_kernel, backend=backend)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target, report = solve_kept_stack(stack_dir, output, solve_options, image_format=image_format,
                                          debug_dir=debug_dir)
    for warning in caught:
        warn(str(warning.message))
    for line in report.pass_lines():
        log(line)
    where = f"{FORMAT_TITLES[target.image_format]} to standard output" if target.to_stdout else str(target)
    say(f"wrote {where} (loss {report.loss:.3f} levels^2, input "
        f"consistency alpha MAE {report.consistency.alpha_mae:.3f} levels)", err=target.to_stdout)


def register(app: typer.Typer) -> None:
    app.command("solve")(solve_command)
