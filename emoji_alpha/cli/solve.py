"""``emoji-alpha solve``: re-solve a kept stack without running LIIF again."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Annotated

import typer

from emoji_alpha.cli import options


def solve_command(
    stack_dir: Annotated[Path, typer.Argument(help="Folder written by `enlarge --keep-stack`.", show_default=False)],
    output: Annotated[str, typer.Option("--output", "-o", show_default=False, help="Output image (.png, .webp, "
                                        ".tiff, .jpg for an opaque glyph), or - for standard output.")],
    image_format: options.ImageFormat = None,
    passes: options.Passes = None,
    backproject: options.Backproject = None,
    bp_kernel: options.BpKernel = None,
    debug_dir: options.DebugDir = None,
    backend: options.Backend = "auto",
    quiet: options.Quiet = False,
) -> None:
    """Solve colour and alpha from the K enlargements kept in STACK_DIR (cheap: no LIIF)."""
    from emoji_alpha.cli.solver_options import build_options
    from emoji_alpha.images import FORMAT_TITLES, unpremultiply
    from emoji_alpha.outputs import (check_file_writable, check_folder_writable, check_target, output_target,
                                     write_target)
    from emoji_alpha.pipeline import solve_stack
    from emoji_alpha.progress import log, say, set_quiet, warn
    from emoji_alpha.stack import load_stack

    if quiet:
        set_quiet(True)
    target = output_target(output, image_format)
    solve_options = build_options(passes=passes, backproject=backproject, bp_kernel=bp_kernel, backend=backend)
    if target.path is not None:  # before reading K large images
        check_file_writable(target.path)
    if debug_dir is not None:
        check_folder_writable(debug_dir, "--debug-dir")
    stack, premul_lr, info = load_stack(stack_dir)
    check_target(target, has_alpha=bool((premul_lr[..., 3] < 1.0).any()), out_size=stack.shape[1:3],
                 source=stack_dir / "input.png")
    solve_options = dataclasses.replace(solve_options, backgrounds=tuple(b / 255.0 for b in info.backgrounds))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        premul, result = solve_stack(stack, premul_lr, solve_options, debug_dir=debug_dir)
    for warning in caught:
        warn(str(warning.message))
    for report in result["passes"]:
        log(f"pass {report['name']}: loss {report['loss_before']:.3f} -> {report['loss_after']:.3f} levels^2, "
            f"{report['changed']} pixels changed")
    write_target(target, unpremultiply(premul))
    where = f"{FORMAT_TITLES[target.image_format]} to standard output" if target.to_stdout else str(target)
    say(f"wrote {where} (loss {result['loss']:.3f} levels^2, input "
        f"consistency alpha MAE {result['consistency']['alpha_mae']:.3f} levels)", err=target.to_stdout)


def register(app: typer.Typer) -> None:
    app.command("solve")(solve_command)
