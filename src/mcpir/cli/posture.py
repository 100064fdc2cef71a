"""`mcpir posture [--json]`, `mcpir posture ack training`: the monitoring checklist."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mcpir.cli.options import (
    ExitZeroOption,
    HomeOption,
    JsonOption,
    OnlyRootOption,
    RootOption,
    SystemRootOption,
    findings_exit,
    resolve_scopes,
)
from mcpir.core.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from mcpir.core.paths import Scopes
    from mcpir.posture import PostureItem

app = typer.Typer(
    help="The monitoring checklist for this repo and machine.",
    invoke_without_command=True,
)
BranchOption = Annotated[
    str | None,
    typer.Option(
        "--branch-protection",
        help="Also ask GitHub whether the branch is protected (network; token in "
        "$GITHUB_TOKEN or the keyring), e.g. github:OWNER/REPO[@BRANCH].",
        metavar="PROVIDER:OWNER/REPO",
        show_default=False,
    ),
]
ApiUrlOption = Annotated[
    str | None,
    typer.Option(
        "--api-url", help="GitHub API base (GitHub Enterprise Server).", show_default=False
    ),
]


@app.callback()
def posture(
    ctx: typer.Context,
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
    exit_zero: ExitZeroOption = False,
    branch_protection: BranchOption = None,
    api_url: ApiUrlOption = None,
) -> None:
    """Evaluate the checklist for this repo and machine."""
    if ctx.invoked_subcommand is not None:
        return  # `posture --home X ack …`: ack reads them from this context
    scopes = resolve_scopes(home, root, system_root, only_root)
    items = _evaluate(scopes, branch_protection, api_url)
    from mcpir.output.posture import show

    show(items, json_output=json_output)
    raise typer.Exit(findings_exit(any(i.status == "fail" for i in items), exit_zero))


def _evaluate(
    scopes: Scopes, branch_protection: str | None, api_url: str | None
) -> list[PostureItem]:
    from mcpir.config.project import load_policy
    from mcpir.posture import evaluate
    from mcpir.posture.branch import BranchProtection

    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    opt = BranchProtection.parse(branch_protection, api_url) if branch_protection else None
    return evaluate(scopes, load_policy(scopes.root), branch_protection=opt)


@app.command("ack")
def ack(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(help="The item to acknowledge: training.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who (default: your login).", show_default=False)
    ] = None,
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record that an item no file can show is done (team training), with who and when.

    The acknowledgement is the person's, kept in mcpir's data dir. With --home, --root,
    --system-root or --only-root (here or before `ack`), the checklist for them follows it.
    """
    from mcpir.posture import ack as store
    from mcpir.tokens.model import today

    given: dict[str, Any] = dict(ctx.parent.params) if ctx.parent is not None else {}
    for key, value in (("home", home), ("root", root), ("system_root", system_root)):
        before = given.get(key)  # click's value there: a str, not yet typer's Path
        given[key] = value if value is not None else (None if before is None else Path(before))
    only = only_root or bool(given.get("only_root"))
    json_output = json_output or bool(given.get("json_output"))
    scoped = only or any(given[key] is not None for key in ("home", "root", "system_root"))
    # Checked before anything is recorded: a mistyped directory records nothing.
    scopes = (
        resolve_scopes(given["home"], given["root"], given["system_root"], only) if scoped else None
    )
    if by is None:
        try:
            by = getpass.getuser()
        except (KeyError, OSError):  # a container's uid with no passwd entry and no $USER
            raise UsageError("cannot tell who you are", hint="--by NAME") from None
    recorded = store.record(item, by, today())
    items = None
    if scopes is not None:
        items = _evaluate(scopes, given.get("branch_protection"), given.get("api_url"))
    from mcpir.output.posture import acknowledged, show

    if json_output:
        from mcpir.output import jsonout

        checklist = None if items is None else [i.to_json() for i in items]
        jsonout.dump({"acknowledged": {"item": item, **recorded}, "checklist": checklist})
    else:
        acknowledged(item, recorded)
        if items is not None:
            show(items, json_output=False)
    raise typer.Exit(EXIT_OK)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="posture")
