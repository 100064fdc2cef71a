"""`mcpir tokens list|add|remove`: the credentials MCP servers can read, and mcpir's keyring."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from mcpir.cli.options import HomeOption, JsonOption, OnlyRootOption, RootOption, resolve_scopes
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED, UsageError

if TYPE_CHECKING:
    from mcpir.core.model import ConfigFile
    from mcpir.core.paths import Scopes
    from mcpir.core.secret import Secret

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
    json_output: JsonOption = False,
) -> None:
    """Every credential a configured MCP server can read: where it is, who reads it, its age
    (from the oldest evidence: a commit, the file, a transcript), and what exposed it.

    Exit 0 when none is written into a config, 1 when some is (move it to the keyring).
    """
    from mcpir.workspace import Workspace

    scopes = resolve_scopes(home, root, None, only_root)
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
    raise typer.Exit(EXIT_FINDINGS if literal or problems else EXIT_OK)


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
    json_output: JsonOption = False,
    notify: Annotated[
        bool,
        typer.Option("--notify", help="Send the reminders now due through the notifiers."),
    ] = False,
) -> None:
    """Every token's age against the rotation policy ([rotation] in .mcpir.toml and the user
    config): ok, due-soon or overdue, with its due date; exposed (committed, readable by a
    flagged server, sent to a tool) until rotated.

    Exit 0 when none is overdue or exposed, 1 when one is (CI can gate on it).
    """
    from mcpir.output import tokens as show
    from mcpir.tokens.status import check
    from mcpir.workspace import Workspace

    scopes = resolve_scopes(home, root, None, only_root)
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
    raise typer.Exit(EXIT_FINDINGS if result.overdue or result.exposed else EXIT_OK)


def register(root: typer.Typer) -> None:
    app.command("verify")(verify_command)
    app.command("rotate")(rotate_command)
    root.add_typer(app, name="tokens")


@app.command("externalize")
def externalize(
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the planned edits; store and change nothing.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Move every secret written into an MCP config into the OS keyring, and reference it there.

    Each value is stored and read back before any config changes; the edits are journalled in
    a new incident (`mcpir restore` undoes them). Exit 0: all moved; 1: some need you, or
    nothing was confirmed; 3: a failure (run again to finish).
    """
    from mcpir.core.errors import EXIT_STEP_FAILED
    from mcpir.output.tokens import externalized
    from mcpir.tokens.externalize import apply, diff, plan_externalize
    from mcpir.tokens.keyring_held import in_keyring_or_index
    from mcpir.workspace import Workspace

    scopes = resolve_scopes(home, root, None, only_root)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    files = Workspace.load(scopes).configs()
    plan = plan_externalize(files, in_keyring_or_index())
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
            f"move {len(plan.names)} secrets into the OS keyring and rewrite "
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


# `tokens verify` and `tokens rotate`: the only token commands that use the network.

IdArg = Annotated[
    str,
    typer.Argument(help="A token id from `mcpir tokens list`, or a keyring NAME.", metavar="ID"),
]
ProviderOption = Annotated[
    str | None,
    typer.Option(
        "--provider",
        help="github, github-app or manual (default: guessed from the token).",
        show_default=False,
    ),
]
ApiUrlOption = Annotated[
    str | None,
    typer.Option(
        "--api-url",
        help="GitHub API base, e.g. https://HOST/api/v3 (default: $GITHUB_API_URL or github)",
        show_default=False,
    ),
]
VerifyCommandOption = Annotated[
    str | None,
    typer.Option(
        "--verify-command",
        help="manual provider: a command that exits 0 when the token in $MCPIR_TOKEN works.",
        show_default=False,
    ),
]


def verify_command(
    ident: IdArg,
    provider: ProviderOption = None,
    api_url: ApiUrlOption = None,
    verify_command: VerifyCommandOption = None,
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
) -> None:
    """Ask the token's provider whether it works, as whom, with which scopes (never shown).

    The value comes from the keyring, the environment, or the config that holds it written
    out (read in memory). Exit 0 valid, 1 rejected (revoked, expired, wrong), 2 bad usage,
    3 the provider could not be asked (network, rate limit): try again.
    """
    from mcpir.output.tokens import verified
    from mcpir.tokens.providers import guess
    from mcpir.tokens.rotation_setup import make_provider
    from mcpir.tokens.verify import resolve

    scopes = resolve_scopes(home, root, None, only_root)
    target = resolve(ident, scopes=scopes, exclude=_excluded(scopes))
    chosen = make_provider(
        provider or guess(target.detected, target.secret.reveal()), api_url, verify_command
    )
    found = chosen.verify(target.secret, api_url)
    verified(f"{ident}  {target.label}", target.secret.fingerprint, chosen, found)
    raise typer.Exit(
        EXIT_OK if found.ok else (EXIT_STEP_FAILED if found.unknown else EXIT_FINDINGS)
    )


def _excluded(scopes: Scopes) -> tuple[str, ...]:
    from mcpir.config.project import load_policy

    return load_policy(scopes.root).discovery.exclude if scopes.root is not None else ()


def rotate_command(
    ident: IdArg,
    provider: ProviderOption = None,
    api_url: ApiUrlOption = None,
    new_value_stdin: Annotated[
        bool, typer.Option("--new-value-stdin", help="Read the new token from stdin.")
    ] = False,
    actions_secret: Annotated[
        list[str] | None,
        typer.Option(
            "--actions-secret",
            help="Also set this GitHub Actions secret to the new token (repeatable).",
            metavar="OWNER/REPO:NAME",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before storing.")] = False,
    verify_command: VerifyCommandOption = None,
    app_id: Annotated[
        str | None,
        typer.Option("--app-id", help="github-app: the GitHub App's id.", show_default=False),
    ] = None,
    app_key: Annotated[
        str | None,
        typer.Option(
            "--app-key",
            help="github-app: its private key, a PEM FILE or keyring:NAME.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    installation_id: Annotated[
        int | None,
        typer.Option(
            "--installation-id",
            help="github-app: the installation to mint for (default: the app's only one).",
            show_default=False,
        ),
    ] = None,
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
) -> None:
    """Replace a token: new one verified, stored, configs and Actions updated, old one revoked.

    A config holding the old value written out is rewritten to reference the keyring first
    (journalled: `mcpir restore` undoes it); the new value goes to the keyring only. A GitHub
    App installation token (ghs_) is minted with --app-id and --app-key. Resumable: a re-run
    after any failure continues where it stopped. Exit 0 done, 1 refused or something needs
    you, 2 bad usage, 3 stopped (re-run to resume).
    """
    from mcpir.core.secret import Secret
    from mcpir.output.tokens import rotated
    from mcpir.tokens import rotate, store
    from mcpir.tokens.rotation_setup import (
        app_settings,
        make_provider,
        provider_name,
        rotation_name,
    )
    from mcpir.workspace import Workspace

    if new_value_stdin and not yes:
        raise UsageError("--new-value-stdin needs --yes: stdin holds the token, not an answer")
    scopes = resolve_scopes(home, root, None, only_root)
    name, old_value = rotation_name(
        ident, scopes, _excluded(scopes), lambda: Workspace.load(scopes).configs()
    )
    actions = tuple(rotate.ActionsSecret.parse(text) for text in actions_secret or ())
    log = rotate.RotationLog.open_for(name)
    chosen = provider_name(
        name,
        provider,
        log.started() if log is not None else {},
        store.get(name) or old_value,
        app_given=bool(app_id or app_key),
        verify_command=verify_command,
        actions=bool(actions),
    )
    app = app_settings(app_id, app_key, installation_id) if chosen == "github-app" else None

    def ask(prompt: str) -> Secret | None:
        typer.echo(prompt, err=True)
        if new_value_stdin:
            value = _stdin().readline().rstrip("\r\n")
        else:
            _terminal("--new-value-stdin --yes")
            value = typer.prompt("New token", hide_input=True, default="", show_default=False)
        return Secret(value) if value else None

    request = rotate.Request(
        name=name,
        provider=make_provider(chosen, api_url, verify_command, app),
        api_url=api_url,
        actions=actions,
        yes=yes,
        scopes=scopes,
        exclude=_excluded(scopes),
        old_value=old_value,
    )
    hooks = rotate.Hooks(
        ask=ask, say=typer.echo, confirm=lambda q: typer.confirm(q, default=False, err=True)
    )
    outcome = rotate.rotate(request, hooks)
    rotated(name, outcome)
    raise typer.Exit(outcome.exit_code)
