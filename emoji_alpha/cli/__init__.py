"""The ``emoji-alpha`` command line: one Typer command per module, each a thin layer over a
library call. Modules here import nothing heavy at import time so ``--help`` is instant."""

from __future__ import annotations

import importlib
import sys

import typer

from emoji_alpha.errors import EmojiAlphaError

app = typer.Typer(
    name="emoji-alpha",
    help="Enlarge emoji glyphs with LIIF and recover a true semi-transparent alpha channel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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
            exc.show()
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
