"""`mcpir secrets backend [NAME]`: where mcpir keeps secrets, whether that is encrypted at rest,
and a round trip through it; with NAME, choose another backend (headless machines, CI)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mcpir.cli.options import JsonOption
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK

app = typer.Typer(
    help="Where mcpir keeps secrets: the keyring backend, and headless choices.",
    no_args_is_help=True,
)


@app.command("backend")
def backend(
    name: Annotated[
        str | None,
        typer.Argument(
            help="cryptfile, pass, secretservice, kwallet, macos, windows, plaintext, or a "
            "keyring backend class. Omitted: show the active one.",
            metavar="[NAME]",
            show_default=False,
        ),
    ] = None,
    insecure: Annotated[
        bool,
        typer.Option("--insecure", help="Accept a backend that stores secrets unencrypted."),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Switch even when the current backend holds tokens."),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "-n", help="Test NAME with a round trip; record nothing."),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Show the keyring backend mcpir uses (encrypted at rest or not) and test a round trip;
    with NAME, test that one and make it mcpir's choice.

    Order of choice: PYTHON_KEYRING_BACKEND, then this command's choice, then keyringrc.cfg,
    then keyring's own. The encrypted file's passphrase comes from MCPIR_KEYRING_PASSPHRASE,
    MCPIR_KEYRING_PASSPHRASE_FD or a prompt, never from an argument.
    """
    from mcpir.output import tokens as show
    from mcpir.tokens import backend_check, backends

    if name is None:
        try:
            found = backend_check.describe()
        except backends.KeyringUnavailable as exc:
            show.no_backend(exc.message, exc.hint, backend_check.catalogue(), json_output)
            raise typer.Exit(EXIT_FINDINGS) from None
        show.backend(found, None, json_output)
        raise typer.Exit(EXIT_OK if found.round_trip == "ok" else EXIT_FINDINGS)
    held = backend_check.held_elsewhere(name)
    if held and not dry_run and not yes:
        question = (
            f"{held} tokens mcpir stored stay in the current backend, and mcpir will not see "
            f"them in {name}: switch anyway?"
        )
        if sys.stdin is None or not sys.stdin.isatty() or not typer.confirm(question, err=True):
            typer.echo(f"not switched: {question.removesuffix('?')} (pass --yes)", err=True)
            raise typer.Exit(EXIT_FINDINGS)
    found, written = backend_check.choose(name, insecure=insecure, dry_run=dry_run)
    show.backend(found, written, json_output)
    raise typer.Exit(EXIT_OK if found.round_trip == "ok" else EXIT_FINDINGS)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="secrets")
