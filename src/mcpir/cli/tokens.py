"""`mcpir tokens list|add|remove`: the credentials MCP servers can read, and mcpir's keyring."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mcpir.cli.options import HomeOption, JsonOption, RootOption, resolve_scopes
from mcpir.errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from mcpir.paths import Scopes
    from mcpir.tokens import Token

app = typer.Typer(
    help="The credentials MCP servers can read, and the ones mcpir keeps in the OS keyring.",
    no_args_is_help=True,
)
NameArg = Annotated[
    str, typer.Argument(help="Token name; `mcpir run` passes it as this env var.", metavar="NAME")
]


@app.command("list")
def list_command(
    home: HomeOption = None, root: RootOption = None, json_output: JsonOption = False
) -> None:
    """Every credential a configured MCP server can read: where it is, who reads it, its age.

    Exit 0 when none is written into a config, 1 when some is (move it to the keyring).
    """
    from mcpir.policy import load_policy
    from mcpir.tokens import list_tokens

    scopes = resolve_scopes(home, root, None)
    exclude = load_policy(scopes.root).discovery.exclude if scopes.root is not None else ()
    tokens = list_tokens(scopes, environ=scopes.environ, exclude=exclude)
    if json_output:
        from mcpir.output import jsonout

        jsonout.dump([token.as_dict() for token in tokens])
    else:
        _print_table(tokens, scopes)
    literal = sum(token.status == "literal" for token in tokens)
    if literal:
        typer.echo(
            f"{literal} token{'s are' if literal > 1 else ' is'} written into config files: "
            "store each with `mcpir tokens add NAME`, reference it as ${NAME}, "
            "and start the client with `mcpir run`",
            err=True,
        )
    raise typer.Exit(EXIT_FINDINGS if literal else EXIT_OK)


def _where(location: str, scopes: Scopes) -> str:
    if location.startswith(("env:", "keyring:")):
        return location
    if location.startswith(".env:"):
        path, _, var = location.removeprefix(".env:").rpartition(":")
        return f"{scopes.display(Path(path))} {var}"
    path, colon, line = location.rpartition(":")
    if colon and line.isdigit():
        return f"{scopes.display(Path(path))}:{line}"
    return scopes.display(Path(location))


def _print_table(tokens: list[Token], scopes: Scopes) -> None:
    """A line per token, its locations under it: paths stay whole on a narrow terminal."""
    from rich.console import Console
    from rich.markup import escape

    from mcpir.output.safe import shown

    console = Console(highlight=False, soft_wrap=True)
    if not tokens:
        console.print("No credentials found in any MCP server's reach.")
        return
    styles = {"literal": "red", "missing": "yellow", "prompted": "dim"}
    status_width = max(len(token.status) for token in tokens)
    for token in tokens:
        status = token.status.ljust(status_width)
        style = styles.get(token.status)
        age = "" if token.age_days is None else f"{token.age_days}d"
        servers = escape(shown(", ".join(token.servers) or "no server"))
        console.print(
            f"[bold]{token.id}[/]  {f'[{style}]{status}[/]' if style else status}  "
            f"{age:>5}  {token.provider}  [dim]read by[/] {servers}"
        )
        for location in token.locations:
            console.print(f"    {escape(shown(_where(location, scopes)))}", style="dim")
    counts = Counter(token.status for token in tokens)
    summary = ", ".join(f"{counts[s]} {s}" for s in sorted(counts))
    console.print(f"\n{len(tokens)} token{'s' if len(tokens) != 1 else ''} ({summary})")


@app.command("add")
def add(
    name: NameArg,
    from_stdin: Annotated[
        bool, typer.Option("--from-stdin", help="Read the value from stdin, not a prompt.")
    ] = False,
) -> None:
    """Store a token in the OS keyring (asked for without echo, twice)."""
    from mcpir.tokens import store

    store.check_name(name)
    # Fail before the user types a secret twice for a keyring that is not there.
    store.backend()
    if from_stdin:
        value = sys.stdin.read().removesuffix("\n").removesuffix("\r")
    else:
        value = typer.prompt(f"Value of {name}", hide_input=True, confirmation_prompt=True)
    fingerprint = store.add(name, value)
    typer.echo(f"stored {name} ({fingerprint}) in the OS keyring; `mcpir run` passes it as ${name}")


@app.command("remove")
def remove(name: NameArg) -> None:
    """Delete a token mcpir stored from the OS keyring."""
    from mcpir.tokens import store

    store.remove(name)
    typer.echo(f"removed {name} from the OS keyring")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="tokens")
