"""Step 2, *rotate*: every token an MCP server could read, named by fingerprint, with its next step.

New values come from the person responding (a GitHub PAT cannot be created by API), and
rotation calls the provider's network API, which mcpir only does when asked: so this step lists
every token, most exposed first, and the exact command that rotates each (`mcpir tokens
rotate`). It never reports a token as rotated, save an OAuth grant mcpir holds for a
remote server once its authorization server confirmed revoking it (`rotate_oauth`).

What it can do alone, once approved (`--yes`), is offline: move every token written into a
config (contained ones too: a `.mcpir-disabled` file, a section moved aside) into the OS
keyring, the config rewritten to reference it — `mcpir tokens externalize` through this
incident's journal. Only for this user's own home: a `--home` elsewhere (another machine's
disk, the demo's sandbox) is not this keyring's to fill. The built-in playbook turns it on
(`externalize: true`); a playbook of your own that leaves the parameter out gets the list only.
Those edits land on files the contain step already changed; `mcpir restore` undoes both, newest
first, byte for byte.
"""

from __future__ import annotations

import os
from pathlib import Path

from mcpir.core.words import plural
from mcpir.incident.entries import TokenOutcome
from mcpir.playbook.tasks.base import Status, StepResult, TaskContext

# Written into a config first: it has been copied wherever the file went.
_ORDER = {"literal": 0, "keyring": 1, "referenced": 2, "missing": 3, "prompted": 4}


def _next_step(token_id: str, status: str) -> str:
    if status == "literal":
        return (
            f"mcpir tokens rotate {token_id} (moves it out of the config into the OS keyring "
            "first; mcpir restore undoes that)"
        )
    if status == "keyring":
        return f"mcpir tokens rotate {token_id}"
    if status == "referenced":
        return (
            "rotate it at the provider and update where the variable is set, or store it with "
            f"mcpir tokens add NAME and then mcpir tokens rotate {token_id}"
        )
    if status == "prompted":
        return "create a new value at the provider; the client asks for it at its next start"
    return "nothing provides it: remove the reference, or store it with mcpir tokens add"


def _flagged_servers(ctx: TaskContext) -> set[str]:
    """Servers the scan rates medium or worse for what they are, not for the credentials written
    into them: their tokens were the likeliest to leak."""
    from mcpir.core.model import Severity
    from mcpir.scan.checks import CREDENTIAL_RULES

    return {
        finding.server
        for finding in ctx.workspace.scan().findings
        if finding.severity >= Severity.MEDIUM
        and finding.server
        and finding.rule_id not in CREDENTIAL_RULES
    }


def _own_home(ctx: TaskContext) -> bool:
    scopes = ctx.scopes
    return scopes.environ is not None or scopes.home.resolve() == Path.home().resolve()


def _externalizing(ctx: TaskContext) -> bool:
    """Whether this run moves literal tokens into the keyring: approved (the step only runs
    approved, and asks unless --yes), not a dry run, this user's own home, and the playbook
    asks for it (`externalize: true`; see the module doc for why it is off by default)."""
    approved = ctx.yes or ctx.step.approval
    wanted = ctx.param("externalize", False) is True  # a string "false" is not a yes
    return wanted and approved and not ctx.dry_run and ctx.incident is not None and _own_home(ctx)


def _revoking(ctx: TaskContext) -> bool:
    """Whether this run revokes the OAuth grants mcpir holds for remote servers (RFC 7009):
    approved, not a dry run, this user's own home (its keyring), unless the playbook says
    `revoke_oauth: false`. The approval is the one the step asks for: it revokes credentials."""
    approved = ctx.yes or ctx.step.approval
    wanted = ctx.param("revoke_oauth", True) is not False
    return wanted and approved and not ctx.dry_run and ctx.incident is not None and _own_home(ctx)


def _externalize(ctx: TaskContext) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """Move literal tokens out of configs into the keyring through this incident's journal:
    (actions, fingerprint → keyring entries, notes). Values are stored and read back before
    any file changes; a file that cannot be rewritten keeps its token and is named for a
    person (the step attends either way)."""
    from mcpir.incident.journal import JournalConflict
    from mcpir.tokens import store
    from mcpir.tokens.externalize import ExternalizeFailed, plan_externalize, store_all

    assert ctx.incident is not None  # noqa: S101 - never called in a dry run

    def held(name: str) -> str | None:
        try:
            secret = store.get(name)
        except store.KeyringUnavailable:
            return None  # nothing will be stored: `store.backend()` below says so
        return secret.fingerprint if secret is not None else None

    plan = plan_externalize(ctx.workspace.configs(), held)
    if not plan.changes:
        return [], {}, []
    try:
        store.backend()
        store_all(plan)
    except (store.KeyringUnavailable, ExternalizeFailed) as exc:
        return [], {}, [f"needs you: tokens stay in configs, no file changed: {exc.message}"]
    finally:
        # A store that failed half-way may still have added keyring entries, and entries
        # change how references resolve whether or not a config changes.
        ctx.workspace.invalidate()
    journal = ctx.incident.journal
    try:
        applied = ctx.workspace.apply_all(journal, plan.changes, ctx.step.id)
    except (JournalConflict, OSError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        return [], {}, [f"needs you: tokens stay in configs: {message}"]
    done = {os.path.realpath(change.path) for change in applied}
    moved: dict[str, list[str]] = {}
    for move in plan.moved:
        if os.path.realpath(move.path) in done:
            names = moved.setdefault(move.secret.fingerprint, [])
            names += [move.name] if move.name not in names else []
    actions = [
        f"{ctx.scopes.display(change.path)}: {change.summary} (undo: mcpir restore)"
        for change in applied
    ]
    for line in actions:
        ctx.say(line)
    notes = [f"needs you: {failure}" for failure in journal.failures]
    if done:
        notes.append(
            "restart your AI clients; a config that now says ${NAME} needs its client started "
            "with `mcpir run -- CLIENT`"
        )
    return actions, moved, notes


class Rotate:
    name = "rotate"

    def run(self, ctx: TaskContext) -> StepResult:
        # Listed before anything moves: every token readable now was readable during the incident.
        tokens = ctx.workspace.tokens()
        if not tokens:
            return StepResult(Status.OK, "no token is readable by any MCP server")
        actions: list[str] = []
        done: list[str] = []  # one line per config rewritten
        moved: dict[str, list[str]] = {}  # fingerprint → keyring entries it went into
        notes: list[str] = []
        if _externalizing(ctx) and any(token.status == "literal" for token in tokens):
            assert ctx.incident is not None  # noqa: S101 - _externalizing checks it
            actions += ctx.incident.journal.recover()  # a change a crash interrupted
            done, moved, notes = _externalize(ctx)
            actions += done
        flagged = _flagged_servers(ctx)
        outcomes: list[TokenOutcome] = []
        tokens.sort(
            key=lambda token: (
                not flagged.intersection(token.servers),
                _ORDER.get(token.status, 9),
                token.id,
            )
        )
        for token in tokens:
            where = ", ".join(
                ctx.scopes.display_location(location) for location in token.locations[:3]
            )
            readers = ", ".join(
                f"{name} (flagged by scan)" if name in flagged else name for name in token.servers
            )
            status: str = token.status
            step = _next_step(token.id, token.status)
            if token.fingerprint in moved:
                into = ", ".join(f"keyring:{name}" for name in moved[token.fingerprint])
                status, step = f"moved to {into}", _next_step(token.id, "keyring")
            state = "moved" if token.fingerprint in moved else "pending"
            if token.provider == "oauth":  # revoke and re-authorize: `rotate_oauth`
                from mcpir.playbook.tasks.rotate_oauth import step as oauth_step

                held = oauth_step(token, act=_revoking(ctx), dry_run=ctx.dry_run)
                state, step = held.state, held.detail
            detail = (
                f"{token.fingerprint} ({token.provider}, {status}, read by "
                f"{readers or 'no server now'}) at {where}: {step}"
            )
            notes.append(f"needs you: {detail}")
            outcomes.append(
                TokenOutcome(
                    token.fingerprint,
                    state,
                    detail,
                    provider=token.provider,
                    servers=tuple(token.servers),
                    flagged=tuple(sorted(flagged.intersection(token.servers))),
                )
            )
        literal = sum(token.status == "literal" for token in tokens)
        summary = (
            f"{plural(len(tokens), 'token was', 'tokens were')} readable by MCP servers "
            f"({literal} written into configs)"
        )
        if done:
            summary += f"; literal tokens moved out of {len(done)} configs into the OS keyring"
        revoked = sum(outcome.state == "rotated" for outcome in outcomes)
        if revoked:
            summary += (
                f"; {plural(revoked, 'OAuth grant')} revoked (re-authorize each with mcpir proxy "
                "login); the others are not rotated until you run each step"
            )
        else:
            summary += "; none is rotated until you run each step"
        return StepResult(Status.ATTENTION, summary, actions=actions, notes=notes, tokens=outcomes)


TASK = Rotate()
