"""What a rotation starts from: the keyring entry it rotates, the provider, the App's key.

`mcpir tokens rotate ID` accepts a keyring NAME, a token id, or the id of a value written into
a config; each becomes the one keyring entry the rotation works on (see `mcpir.tokens.rotate`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcpir.core.errors import UsageError

if TYPE_CHECKING:
    from mcpir.core.model import ConfigFile
    from mcpir.core.paths import Scopes
    from mcpir.core.secret import Secret
    from mcpir.tokens.providers import AppSettings, TokenProvider


def rotation_name(
    ident: str,
    scopes: Scopes,
    exclude: tuple[str, ...],
    configs: Callable[[], list[ConfigFile]],
) -> tuple[str, Secret | None]:
    """The keyring entry to rotate, and the old value when only a config holds it so far (the
    rotation moves it into that entry: the name externalize would give it). `configs` is
    discovery, run only in that last case."""
    from mcpir.tokens.rotate import RotationLog
    from mcpir.tokens.verify import find_literal, keyring_name

    name = keyring_name(ident)
    if name is None and ident.startswith("tok_"):
        # The id of a token whose rotation stopped after the new one was stored.
        log = RotationLog.open_by_id(ident)
        name = log.started().get("name") if log is not None else None
    if name is not None:
        return str(name), None
    literal = find_literal(ident, scopes, exclude)
    if literal is None:
        raise UsageError(
            f"{ident} is neither a keyring entry of mcpir nor a value written into a config",
            hint="`mcpir tokens list` shows the ids; a token set elsewhere: "
            "`mcpir tokens add NAME`, then rotate NAME",
        )
    from mcpir.tokens.externalize import plan_externalize
    from mcpir.tokens.keyring_held import in_keyring

    plan = plan_externalize(configs(), in_keyring, only=literal.secret.fingerprint)
    if not plan.names:
        reasons = "; ".join(sorted({n.reason for n in plan.needs_you})) or "no config to rewrite"
        raise UsageError(
            f"{ident} cannot be moved out of {literal.label.removeprefix('config:')}: {reasons}",
            hint="needs you: store it with `mcpir tokens add NAME`, reference it, then rotate NAME",
        )
    return next(iter(plan.names)), literal.secret


def provider_name(
    name: str,
    asked: str | None,
    started: dict[str, Any],
    current: Secret | None,
    *,
    app_given: bool,
    verify_command: str | None,
    actions: bool,
) -> str:
    """The provider to rotate with: the one asked for, else the one a stopped rotation used,
    else github-app when App options are given, else a guess from the current value."""
    from mcpir.tokens.providers import guess
    from mcpir.tokens.verify import detected_provider

    chosen = asked or started.get("provider")
    if chosen is None and app_given:
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
    return str(chosen)


def make_provider(
    name: str, api_url: str | None, verify_command: str | None, app: AppSettings | None = None
) -> TokenProvider:
    """The provider called `name`; `verify_command` is split as a shell would."""
    import shlex

    from mcpir.tokens.providers import provider

    try:
        command = shlex.split(verify_command) if verify_command else None
    except ValueError as exc:
        raise UsageError(f"--verify-command: {exc}") from None
    return provider(name, api_url=api_url, verify_command=command, app=app)


def app_settings(
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
