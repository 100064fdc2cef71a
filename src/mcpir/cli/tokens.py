"""`mcpir tokens list|add|remove`: the credentials MCP servers can read, and mcpir's keyring."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from mcpir.cli.options import HomeOption, JsonOption, RootOption, resolve_scopes
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED, UsageError

if TYPE_CHECKING:
    from mcpir.core.model import ConfigFile
    from mcpir.core.paths import Scopes
    from mcpir.core.secret import Secret
    from mcpir.tokens import Token
    from mcpir.tokens.externalize import Moved, Plan
    from mcpir.tokens.providers import AppSettings, TokenProvider

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
    from mcpir.config.project import load_policy
    from mcpir.tokens import list_tokens

    scopes = resolve_scopes(home, root, None)
    exclude = load_policy(scopes.root).discovery.exclude if scopes.root is not None else ()
    problems: list[ConfigFile] = []
    tokens = list_tokens(scopes, environ=scopes.environ, exclude=exclude, problems=problems)
    if json_output:
        from mcpir.output import jsonout

        jsonout.dump([token.as_dict() for token in tokens])
    else:
        _print_table(tokens, scopes)
    literal = sum(token.status == "literal" for token in tokens)
    if literal:
        typer.echo(
            f"{literal} token{'s are' if literal > 1 else ' is'} written into config files: "
            "`mcpir tokens externalize --dry-run` shows how each moves into the OS keyring "
            "(undo: mcpir restore), then `--yes` moves them",
            err=True,
        )
    from mcpir.core.safe import shown

    for config in problems:
        where = scopes.display(config.path)
        typer.echo(f"not read: {shown(where)}: {shown(config.error or '')}", err=True)
    raise typer.Exit(EXIT_FINDINGS if literal or problems else EXIT_OK)


def _print_table(tokens: list[Token], scopes: Scopes) -> None:
    """A line per token, its locations under it: paths stay whole on a narrow terminal."""
    from rich.console import Console
    from rich.markup import escape

    from mcpir.core.safe import shown

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
            console.print(f"    {escape(shown(scopes.display_location(location)))}", style="dim")
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
    json_output: JsonOption = False,
    notify: Annotated[
        bool,
        typer.Option("--notify", help="Send the reminders now due through the notifiers."),
    ] = False,
) -> None:
    """Every token's age against the rotation policy ([rotation] in .mcpir.toml and the user
    config): ok, due-soon or overdue, with its due date.

    Exit 0 when none is overdue, 1 when one is (CI can gate on it).
    """
    from mcpir.core.safe import shown
    from mcpir.tokens.status import check, dump_json, render

    scopes = resolve_scopes(home, root, None)
    result = check(scopes)
    if json_output:
        dump_json(result.aged)
    else:
        for line in render(result, scopes):
            typer.echo(line)
    if notify:
        from mcpir.notify import load_notify, notifiers
        from mcpir.notify.reminders import run_reminders

        def say(line: str) -> None:
            typer.echo(line, err=True)

        report = run_reminders(result.aged, scopes, notifiers(load_notify(), say))
        for channel, why in report.unavailable.items():
            typer.echo(f"notify: {channel} skipped: {shown(why)}", err=True)
        for delivery in (*report.reminded, *report.resolved):
            mark = "" if delivery.ok else "FAILED "
            typer.echo(f"notify: {delivery.channel} {delivery.token_id}: {mark}"
                       f"{shown(delivery.detail)}", err=True)  # fmt: skip
    for config in result.problems:
        typer.echo(f"not read: {shown(scopes.display(config.path))}: {shown(config.error or '')}",
                   err=True)  # fmt: skip
    raise typer.Exit(EXIT_FINDINGS if result.overdue else EXIT_OK)


def register(root: typer.Typer) -> None:
    app.command("verify")(verify_command)
    app.command("rotate")(rotate_command)
    root.add_typer(app, name="tokens")


@app.command("externalize")
def externalize(
    home: HomeOption = None,
    root: RootOption = None,
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
    from mcpir.config.project import load_policy
    from mcpir.core.errors import EXIT_STEP_FAILED
    from mcpir.discovery import discover
    from mcpir.tokens import store
    from mcpir.tokens.externalize import apply, diff, plan_externalize
    from mcpir.tokens.model import Metadata

    scopes = resolve_scopes(home, root, None)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    index, reachable = Metadata.load().keyring, [True]

    def held(name: str) -> str | None:
        # The keyring itself when it answers: a value stored outside mcpir's index must never
        # be overwritten. Without one (a dry run on a machine with no keyring), the index.
        if reachable[0]:
            try:
                secret = store.get(name)
                return secret.fingerprint if secret is not None else None
            except store.KeyringUnavailable:
                reachable[0] = False
        record = index.get(name)
        return record["fingerprint"] if record is not None else None

    files = discover(scopes, load_policy(scopes.root).discovery.exclude)
    plan = plan_externalize(files, held)
    failures: list[str] = []
    incident, moved = None, plan.moved
    if dry_run:
        if not json_output:
            typer.echo(diff(plan), nl=False)
    elif plan.moved and not yes and (json_output or sys.stdin is None or not sys.stdin.isatty()):
        # Moving secrets rewrites the user's files: never without a yes.
        if json_output:
            _report_externalize(scopes, None, [], plan, json_output)
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
    _report_externalize(scopes, incident.id if incident else None, moved, plan, json_output)
    for failure in failures:
        typer.echo(f"not changed: {failure} (run the command again to finish)", err=True)
    if failures:
        raise typer.Exit(EXIT_STEP_FAILED)
    raise typer.Exit(EXIT_FINDINGS if plan.needs_you else EXIT_OK)


def _report_externalize(
    scopes: Scopes, incident: str | None, moved: list[Moved], plan: Plan, json_output: bool
) -> None:
    """What moved where and what needs a person: names, places, fingerprints, never a value."""
    from mcpir.core.redact import redact_text

    if json_output:
        from mcpir.output import jsonout

        jsonout.dump(
            {
                "version": 1,
                "incident": incident,
                "moved": [
                    {"name": m.name, "fingerprint": m.secret.fingerprint, "path": str(m.path),
                     "line": m.line, "server": redact_text(m.server)}
                    for m in moved
                ],
                "needs_you": [
                    {"path": str(n.path), "line": n.line, "server": redact_text(n.server),
                     "reason": n.reason}
                    for n in plan.needs_you
                ],
            }
        )  # fmt: skip
        return
    verb = "moved" if incident else "would move"
    for m in moved:
        where = f"{scopes.display(m.path)}:{m.line}"
        typer.echo(redact_text(f"{verb} {m.name} ({m.secret.fingerprint}) from {where} "
                               f"({m.server}) into the OS keyring"))  # fmt: skip
    for n in plan.needs_you:
        where = f"{scopes.display(n.path)}:{n.line}"
        typer.echo(redact_text(f"needs you: {where} ({n.server}): {n.reason}"))
    if incident:
        typer.echo(
            f"incident {incident}: restart your AI clients; a config that now says ${{NAME}} "
            "needs the client started with `mcpir run -- CLIENT`; undo with `mcpir restore "
            f"{incident} --root {scopes.root}`",
            err=True,
        )


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


def _provider(
    name: str, api_url: str | None, verify_command: str | None, app: AppSettings | None = None
) -> TokenProvider:
    import shlex

    from mcpir.tokens.providers import provider

    try:
        command = shlex.split(verify_command) if verify_command else None
    except ValueError as exc:
        raise UsageError(f"--verify-command: {exc}") from None
    return provider(name, api_url=api_url, verify_command=command, app=app)


def _app_settings(
    app_id: str | None, app_key: str | None, installation_id: int | None
) -> AppSettings:
    """--app-id, and --app-key read now: a PEM file, or `keyring:NAME` for one stored there."""
    from pathlib import Path

    from mcpir.core.secret import Secret
    from mcpir.tokens import store
    from mcpir.tokens.providers import AppSettings

    key: Secret | None = None
    if app_key is not None and app_key.startswith("keyring:"):
        key = store.get(app_key.removeprefix("keyring:"))
        if key is None:
            raise UsageError(f"--app-key {app_key}: the keyring holds no such entry")
    elif app_key is not None:
        try:
            key = Secret(Path(app_key).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            why = type(exc).__name__
            raise UsageError(f"--app-key {app_key}: cannot read it ({why})") from None
    return AppSettings(app_id, key, installation_id)


def verify_command(
    ident: IdArg,
    provider: ProviderOption = None,
    api_url: ApiUrlOption = None,
    verify_command: VerifyCommandOption = None,
    home: HomeOption = None,
    root: RootOption = None,
) -> None:
    """Ask the token's provider whether it works, as whom, with which scopes (never shown).

    The value comes from the keyring, the environment, or the config that holds it written
    out (read in memory). Exit 0 valid, 1 rejected (revoked, expired, wrong), 2 bad usage,
    3 the provider could not be asked (network, rate limit): try again.
    """
    from mcpir.tokens.providers import guess
    from mcpir.tokens.verify import describe, resolve

    scopes = resolve_scopes(home, root, None)
    target = resolve(ident, scopes=scopes, exclude=_excluded(scopes))
    chosen = _provider(
        provider or guess(target.detected, target.secret.reveal()), api_url, verify_command
    )
    found = chosen.verify(target.secret, api_url)
    typer.echo(f"{ident}  {target.label}  {target.secret.fingerprint}")
    for line in describe(chosen, found):
        typer.echo(f"  {line}")
    raise typer.Exit(
        EXIT_OK if found.ok else (EXIT_STEP_FAILED if found.unknown else EXIT_FINDINGS)
    )


def _excluded(scopes: Scopes) -> tuple[str, ...]:
    from mcpir.config.project import load_policy

    return load_policy(scopes.root).discovery.exclude if scopes.root is not None else ()


def _rotation_name(ident: str, scopes: Scopes) -> tuple[str, Secret | None]:
    """The keyring entry to rotate, and the old value when only a config holds it so far (the
    rotation moves it into that entry: the name externalize would give it)."""
    from mcpir.tokens.rotate import RotationLog
    from mcpir.tokens.verify import find_literal, keyring_name

    name = keyring_name(ident)
    if name is None and ident.startswith("tok_"):
        # The id of a token whose rotation stopped after the new one was stored.
        log = RotationLog.open_by_id(ident)
        name = log.started().get("name") if log is not None else None
    if name is not None:
        return str(name), None
    literal = find_literal(ident, scopes, _excluded(scopes))
    if literal is None:
        raise UsageError(
            f"{ident} is neither a keyring entry of mcpir nor a value written into a config",
            hint="`mcpir tokens list` shows the ids; a token set elsewhere: "
            "`mcpir tokens add NAME`, then rotate NAME",
        )
    from mcpir.discovery import discover
    from mcpir.tokens import store
    from mcpir.tokens.externalize import plan_externalize

    def held(entry: str) -> str | None:
        secret = store.get(entry)
        return secret.fingerprint if secret is not None else None

    files = discover(scopes, _excluded(scopes))
    plan = plan_externalize(files, held, only=literal.secret.fingerprint)
    if not plan.names:
        reasons = "; ".join(sorted({n.reason for n in plan.needs_you})) or "no config to rewrite"
        raise UsageError(
            f"{ident} cannot be moved out of {literal.label.removeprefix('config:')}: {reasons}",
            hint="needs you: store it with `mcpir tokens add NAME`, reference it, then rotate NAME",
        )
    return next(iter(plan.names)), literal.secret


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
) -> None:
    """Replace a token: new one verified, stored, configs and Actions updated, old one revoked.

    A config holding the old value written out is rewritten to reference the keyring first
    (journalled: `mcpir restore` undoes it); the new value goes to the keyring only. A GitHub
    App installation token (ghs_) is minted with --app-id and --app-key. Resumable: a re-run
    after any failure continues where it stopped. Exit 0 done, 1 refused or something needs
    you, 2 bad usage, 3 stopped (re-run to resume).
    """
    from mcpir.core.secret import Secret
    from mcpir.tokens import rotate, store
    from mcpir.tokens.providers import guess
    from mcpir.tokens.verify import detected_provider

    if new_value_stdin and not yes:
        raise UsageError("--new-value-stdin needs --yes: stdin holds the token, not an answer")
    scopes = resolve_scopes(home, root, None)
    name, old_value = _rotation_name(ident, scopes)
    actions = tuple(rotate.ActionsSecret.parse(text) for text in actions_secret or ())
    log = rotate.RotationLog.open_for(name)
    started = log.started() if log is not None else {}
    current = store.get(name) or old_value
    chosen = provider or started.get("provider")
    if chosen is None and (app_id or app_key):
        chosen = "github-app"
    if chosen is None and current is not None:
        chosen = guess(detected_provider(current.reveal(), name), current.reveal())
    chosen = chosen or "manual"
    if chosen == "manual" and not verify_command:
        # Without a check neither token can be verified: a re-run would stop at the same place.
        raise UsageError(
            f"{name}: mcpir has no API for this token's provider, so it needs a way to check it",
            hint="--verify-command CMD: a command exiting 0 when the token in $MCPIR_TOKEN works",
        )
    if actions and chosen not in ("github", "github-app"):
        raise UsageError("--actions-secret needs the github or github-app provider")
    app = _app_settings(app_id, app_key, installation_id) if chosen == "github-app" else None

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
        provider=_provider(chosen, api_url, verify_command, app),
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
    for line in outcome.needs_you:
        typer.echo(f"needs you: {line}")
    if outcome.status == "stopped":
        typer.echo(f"stopped: {outcome.detail}; re-run `mcpir tokens rotate {name}` to resume")
    else:
        typer.echo(f"{outcome.status}: {outcome.detail}")
    raise typer.Exit(outcome.exit_code)
