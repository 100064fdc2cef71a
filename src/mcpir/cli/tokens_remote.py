"""`mcpir tokens verify` and `mcpir tokens rotate`: the only token commands that use the
network (registered on `mcpir tokens` by cli/tokens.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mcpir.cli.options import (
    HomeOption,
    JsonOption,
    OnlyRootOption,
    RootOption,
    SystemRootOption,
    resolve_scopes,
)
from mcpir.cli.tokens import _stdin, _terminal
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED, UsageError

if TYPE_CHECKING:
    from mcpir.core.paths import Scopes
    from mcpir.core.secret import Secret

IdArg = Annotated[
    str,
    typer.Argument(
        help="A token id from `mcpir tokens list`, a keyring NAME, or (rotate) an op://… or "
        "vault://… reference, where the new value is stored back.",
        metavar="ID",
    ),
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
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Ask the token's provider whether it works, as whom, with which scopes (never shown).

    The value comes from the keyring, the environment, or the config that holds it written
    out (read in memory; --system-root: managed files too).
    """
    from mcpir.output.tokens import verified
    from mcpir.tokens.providers import guess
    from mcpir.tokens.rotation_setup import make_provider
    from mcpir.tokens.verify import resolve

    scopes = resolve_scopes(home, root, system_root, only_root)
    target = resolve(ident, scopes=scopes, exclude=_excluded(scopes))
    chosen = make_provider(
        provider or guess(target.detected, target.secret.reveal()), api_url, verify_command
    )
    found = chosen.verify(target.secret, api_url)
    if json_output:
        from mcpir.output import jsonout

        state = "valid" if found.ok else ("not checked" if found.unknown else "invalid")
        jsonout.dump({"id": ident, "token": target.label,
                      "fingerprint": target.secret.fingerprint, "provider": chosen.name,
                      "status": state, "detail": found.detail, "login": found.login,
                      "scopes": None if found.scopes is None else sorted(found.scopes),
                      "expires": found.expires})  # fmt: skip
    else:
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
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before storing.")] = False,
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
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Replace a token: new one verified, stored, configs and Actions updated, old one revoked.

    A config holding the old value written out is rewritten to reference the keyring first
    (journalled: `mcpir restore` undoes it); the new value goes to the keyring only. A GitHub
    App installation token (ghs_) is minted with --app-id and --app-key. Resumable: a re-run
    after any failure continues where it stopped. With --json the phases are said on stderr
    and stdout holds the outcome: name, status, detail, needs_you.
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
    scopes = resolve_scopes(home, root, system_root, only_root)
    reference = None
    old_value: Secret | None
    if ident.startswith(("op://", "vault://")):  # kept in a vault: rotated there
        from mcpir.tokens import references

        reference = references.parse(ident)
        name, old_value = ident, references.read(reference)
    else:
        name, old_value = rotation_name(
            ident, scopes, _excluded(scopes), lambda: Workspace.load(scopes).configs()
        )
    actions = tuple(rotate.ActionsSecret.parse(text) for text in actions_secret or ())
    log = rotate.RotationLog.open_for(name)
    chosen = provider_name(
        name,
        provider,
        log.started() if log is not None else {},
        old_value if reference is not None else store.get(name) or old_value,
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
        reference=reference,
    )

    def say(line: str) -> None:
        typer.echo(line, err=json_output)  # under --json, stdout is the outcome alone

    hooks = rotate.Hooks(
        ask=ask, say=say, confirm=lambda q: typer.confirm(q, default=False, err=True)
    )
    outcome = rotate.rotate(request, hooks)
    if json_output:
        from mcpir.output import jsonout

        jsonout.dump({"name": name, "status": outcome.status, "detail": outcome.detail,
                      "needs_you": list(outcome.needs_you)})  # fmt: skip
    else:
        rotated(name, outcome)
    raise typer.Exit(outcome.exit_code)
