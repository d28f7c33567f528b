"""The ``emoji-alpha`` command line: one Typer command per module, each a thin layer over a
library call. Modules here import nothing heavy at import time so ``--help`` is instant."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer

from emoji_alpha.errors import EmojiAlphaError

app = typer.Typer(
    name="emoji-alpha",
    help="Enlarge emoji glyphs with LIIF and recover a true semi-transparent alpha channel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _show_version(value: bool) -> None:
    if value:
        from emoji_alpha import __version__

        typer.echo(f"emoji-alpha {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or info lines (every command); "
                                        "warnings and errors are still shown.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Enlarge emoji glyphs with LIIF and recover a true semi-transparent alpha channel."""
    if quiet:
        from emoji_alpha.progress import set_quiet

        set_quiet(True)


# Each module defines ``register(app)``; the order is the order shown by --help.
COMMAND_MODULES = ["enlarge", "solve", "status", "report", "extract", "match", "weights"]


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"emoji_alpha.cli.{name}").register(app)


_register_commands()


def main() -> None:
    """Console-script entry point: user errors become one line on stderr and exit code 2."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)  # typer.Exit(n) from a command (standalone_mode=False returns it)
    except EmojiAlphaError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except (typer.Abort,):
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # click usage errors carry their own exit code
        usage, exits = _click_exception_types()
        if isinstance(exc, usage):
            typer.echo(_one_line_usage_error(exc), err=True)
            sys.exit(exc.exit_code)
        if isinstance(exc, exits):
            sys.exit(exc.exit_code)
        raise


def _click_exception_types() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(ClickException, Exit) classes of click and of the copy newer typer versions vendor
    as ``typer._click`` (whose usage errors are not click's)."""
    import importlib

    usage: list[type] = []
    exits: list[type] = [typer.Exit]
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        usage += [getattr(module, "ClickException")] if hasattr(module, "ClickException") else []
        exits += [getattr(module, "Exit")] if hasattr(module, "Exit") else []
    return tuple(usage), tuple(exits)


def _one_line_usage_error(exc: Exception) -> str:
    """A click usage error (unknown option, bad choice, bad number) as one ``error:`` line, like
    every other error, with where to look: ``error: No such option: --bogus (see
    'emoji-alpha enlarge --help')``."""
    message = " ".join(exc.format_message().split())  # click wraps long choice lists
    message = message.replace("Value error, ", "")  # typer's wording for a bad choice
    context = getattr(exc, "ctx", None)
    command = getattr(context, "command_path", None)
    return f"error: {message}" + (f" (see '{command} --help')" if command else "")
