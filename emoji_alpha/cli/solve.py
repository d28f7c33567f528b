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
    output: Annotated[Path, typer.Option("--output", "-o", help="Output PNG.")],
    passes: options.Passes = None,
    backproject: options.Backproject = None,
    bp_kernel: options.BpKernel = None,
    debug_dir: options.DebugDir = None,
    backend: options.Backend = "auto",
) -> None:
    """Solve colour and alpha from the K enlargements kept in STACK_DIR (cheap: no LIIF)."""
    from emoji_alpha.cli.solver_options import build_options
    from emoji_alpha.images import unpremultiply, write_png
    from emoji_alpha.pipeline import check_output_path, solve_stack
    from emoji_alpha.progress import log
    from emoji_alpha.stack import load_stack

    check_output_path(None, output)
    stack, premul_lr, info = load_stack(stack_dir)
    solve_options = build_options(passes=passes, backproject=backproject, bp_kernel=bp_kernel, backend=backend)
    solve_options = dataclasses.replace(solve_options, backgrounds=tuple(b / 255.0 for b in info.backgrounds))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        premul, result = solve_stack(stack, premul_lr, solve_options, debug_dir=debug_dir)
    for warning in caught:
        log(f"[yellow]warning:[/] {warning.message}")
    for report in result["passes"]:
        log(f"pass {report['name']}: loss {report['loss_before']:.3f} -> {report['loss_after']:.3f} levels^2, "
            f"{report['changed']} pixels changed")
    write_png(output, unpremultiply(premul))
    typer.echo(f"wrote {output} (loss {result['loss']:.3f} levels^2, input consistency alpha MAE "
               f"{result['consistency']['alpha_mae']:.3f} levels)")


def register(app: typer.Typer) -> None:
    app.command("solve")(solve_command)
