"""`mcpir tokens list|add|remove`: the credentials MCP servers can read, and mcpir's keyring."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, TextIO

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
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED, UsageError

if TYPE_CHECKING:
    from mcpir.core.model import ConfigFile

app = typer.Typer(
    help="The credentials MCP servers can read, and the ones mcpir keeps in the OS keyring.",
    no_args_is_help=True,
)
NameArg = Annotated[
    str, typer.Argument(help="Token name; `mcpir run` passes it as this env var.", metavar="NAME")
]


@app.command("list")
def list_command(
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Every credential a configured MCP server can read: where it is, who reads it, its age
    (from the oldest evidence: a commit, the file, a transcript), and what exposed it.

    A listing: a token written into a config is noted (move it with `mcpir tokens
    externalize`); `mcpir scan` reports it as a finding.
    """
    from mcpir.workspace import Workspace

    scopes = resolve_scopes(home, root, system_root, only_root)
    workspace = Workspace.load(scopes)
    problems: list[ConfigFile] = [config for config in workspace.configs() if config.error]
    tokens = workspace.tokens_with_evidence()
    from mcpir.output import tokens as show

    if json_output:
        show.token_list_json(tokens)
    else:
        show.token_table(tokens, scopes)
    literal = sum(token.status == "literal" for token in tokens)
    if literal:
        show.literal_note(literal)
    show.not_read(problems, scopes)
    raise typer.Exit(EXIT_FINDINGS if problems else EXIT_OK)


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
        value = _stdin().read().removesuffix("\n").removesuffix("\r")
    else:
        _terminal("--from-stdin")
        value = typer.prompt(f"Value of {name}", hide_input=True, confirmation_prompt=True)
    fingerprint = store.add(name, value)
    typer.echo(f"stored {name} ({fingerprint}) in the OS keyring; `mcpir run` passes it as ${name}")


def _stdin() -> TextIO:
    """Standard input, or a usage error when it was closed (`<&-`): no traceback at 3 a.m."""
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError("standard input is closed: nothing to read the token from")
    return sys.stdin


def _terminal(instead: str) -> None:
    """A hidden prompt needs a terminal: without one, getpass would echo or read garbage."""
    if not _stdin().isatty():
        raise UsageError("no terminal to ask for the token on", hint=f"pipe it in with {instead}")


@app.command("remove")
def remove(name: NameArg) -> None:
    """Delete a token mcpir stored from the OS keyring."""
    from mcpir.tokens import store

    store.remove(name)
    typer.echo(f"removed {name} from the OS keyring")


@app.command("status")
def status_command(
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
    notify: Annotated[
        bool,
        typer.Option("--notify", help="Send the reminders now due through the notifiers."),
    ] = False,
    exit_zero: ExitZeroOption = False,
) -> None:
    """Every token's age against the rotation policy ([rotation] in .mcpir.toml and the user
    config): ok, due-soon or overdue, with its due date; exposed (committed, readable by a
    flagged server, sent to a tool) until rotated. CI can gate on the exit code.
    """
    from mcpir.output import tokens as show
    from mcpir.tokens.status import check
    from mcpir.workspace import Workspace

    scopes = resolve_scopes(home, root, system_root, only_root)
    workspace = Workspace.load(scopes)
    result = check(
        scopes,
        workspace.policy,
        configs=workspace.configs(),
        tokens=workspace.tokens_with_evidence(),
    )
    if json_output:
        show.status_json(result.aged)
    else:
        for line in show.status_lines(result, scopes):
            typer.echo(line)
    if notify:
        from mcpir.notify import load_notify, notifiers
        from mcpir.notify.reminders import run_reminders

        def say(line: str) -> None:
            typer.echo(line, err=True)

        show.reminders(run_reminders(result.aged, scopes, notifiers(load_notify(), say)))
    show.not_read(result.problems, scopes)
    raise typer.Exit(findings_exit(bool(result.overdue or result.exposed), exit_zero))


def register(root: typer.Typer) -> None:
    from mcpir.cli.tokens_remote import rotate_command, verify_command

    app.command("verify")(verify_command)
    app.command("rotate")(rotate_command)
    root.add_typer(app, name="tokens")


@app.command("externalize")
def externalize(
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    system_root: SystemRootOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "-n", help="Show the planned edits; store and change nothing."),
    ] = False,
    json_output: JsonOption = False,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="op://VAULT/ITEM|vault://MOUNT/PATH",
            help="Move them into this 1Password item or Vault KV v2 secret instead (one field "
            "per name); the config gets the reference, read by `mcpir run` at start.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Move every secret written into an MCP config into the OS keyring, and reference it there.

    Each value is stored and read back before any config changes; the edits are journalled in
    a change set (`mcpir restore` undoes them). Managed files (--system-root) are listed for
    you to change, never edited.
    """
    from mcpir.output.tokens import externalized
    from mcpir.tokens.externalize import apply, diff, plan_externalize
    from mcpir.tokens.keyring_held import in_keyring_or_index
    from mcpir.workspace import Workspace

    scopes = resolve_scopes(home, root, system_root, only_root)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    destination = None
    if to is not None:
        from mcpir.tokens.externalize_to import vault_held
        from mcpir.tokens.references import parse_base

        destination = parse_base(to)
    files = Workspace.load(scopes).configs()
    held = in_keyring_or_index() if destination is None else vault_held(destination)
    plan = plan_externalize(files, held, to=destination)
    failures: list[str] = []
    incident, moved = None, plan.moved
    if dry_run:
        if not json_output:
            typer.echo(diff(plan), nl=False)
    elif plan.moved and not yes and (json_output or sys.stdin is None or not sys.stdin.isatty()):
        # Moving secrets rewrites the user's files: never without a yes.
        if json_output:
            externalized(scopes, None, [], plan, json_output)
        typer.echo("nothing changed: pass --yes to move the secrets (see --dry-run)", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    elif (
        plan.moved
        and not yes
        and not typer.confirm(
            f"move {len(plan.names)} secrets into {to or 'the OS keyring'} and rewrite "
            f"{len(plan.changes)} files?",
            default=False,
        )
    ):
        raise typer.Exit(EXIT_FINDINGS)
    elif plan.moved:
        incident, moved, failures = apply(plan, scopes.root, {"home": str(scopes.home)})
    externalized(scopes, incident.id if incident else None, moved, plan, json_output)
    for failure in failures:
        typer.echo(f"not changed: {failure} (run the command again to finish)", err=True)
    if failures:
        raise typer.Exit(EXIT_STEP_FAILED)
    raise typer.Exit(EXIT_FINDINGS if plan.needs_you else EXIT_OK)
