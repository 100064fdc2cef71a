"""`mcpir posture [--json]`, `mcpir posture ack training`: the monitoring checklist."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from mcpir.cli.options import HomeOption, JsonOption, OnlyRootOption, RootOption, resolve_scopes
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, UsageError

app = typer.Typer(
    help="The monitoring checklist for this repo and machine. Exit 0 all pass, 1 an item fails.",
    invoke_without_command=True,
)


@app.callback()
def posture(
    ctx: typer.Context,
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    json_output: JsonOption = False,
    branch_protection: Annotated[
        str | None,
        typer.Option(
            "--branch-protection",
            help="Also ask GitHub whether the branch is protected (network; token in "
            "$GITHUB_TOKEN or the keyring), e.g. github:OWNER/REPO[@BRANCH].",
            metavar="PROVIDER:OWNER/REPO",
            show_default=False,
        ),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url", help="GitHub API base (GitHub Enterprise Server).", show_default=False
        ),
    ] = None,  # fmt: skip
) -> None:
    """Evaluate the checklist for this repo and machine. Exit 0 all pass, 1 an item fails."""
    if ctx.invoked_subcommand is not None:
        return
    from mcpir.config.project import load_policy
    from mcpir.posture import evaluate
    from mcpir.posture.branch import BranchProtection

    scopes = resolve_scopes(home, root, None, only_root)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    opt = BranchProtection.parse(branch_protection, api_url) if branch_protection else None
    items = evaluate(scopes, load_policy(scopes.root), branch_protection=opt)
    from mcpir.output.posture import show

    show(items, json_output=json_output)
    raise typer.Exit(EXIT_FINDINGS if any(i.status == "fail" for i in items) else EXIT_OK)


@app.command("ack")
def ack(
    item: Annotated[str, typer.Argument(help="The item to acknowledge: training.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who (default: your login).", show_default=False)
    ] = None,
) -> None:
    """Record that an item no file can show is done (team training), with who and when."""
    from mcpir.posture import ack as store
    from mcpir.tokens.model import today

    if by is None:
        try:
            by = getpass.getuser()
        except (KeyError, OSError):  # a container's uid with no passwd entry and no $USER
            raise UsageError("cannot tell who you are", hint="--by NAME") from None
    recorded = store.record(item, by, today())
    from mcpir.output.posture import acknowledged

    acknowledged(item, recorded)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="posture")
