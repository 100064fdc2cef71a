"""`mcpir tokens externalize`: move every literal secret out of MCP configs into the OS keyring.

The order is what keeps every secret safe: all values are stored in the keyring and read back
first; only then are the configs rewritten, through the journal of a new change set, so that
`mcpir restore` gives every file back byte for byte. A client that expands environment
references gets `${NAME}` (or `${env:NAME}`); for one that does not, the stdio server is
wrapped in `mcpir run --only NAME -- <command>`, which gives the server NAME from the keyring.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mcpir.core.errors import McpirError
from mcpir.core.model import ConfigFile, Server
from mcpir.core.secret import Secret
from mcpir.discovery.clients import BY_NAME
from mcpir.edits.server_entry import (
    WRAPPER,
    at,
    command_at,
    encoded,
    not_rewritten,
    reread,
    set_command_line,
    set_value,
    unified_diff,
)
from mcpir.incident.journal import PlannedChange
from mcpir.incident.store import Incident
from mcpir.tokens import store
from mcpir.tokens.inventory import _Lines, _literals, _pairs, _parts
from mcpir.tokens.references import Reference, under

STEP = "externalize"
TITLE = "externalize tokens"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _references(client: str) -> tuple[str, str | None] | None:
    """How `client` writes an env-var reference (env values, headers): its declaration's."""
    known = BY_NAME.get(client)
    return known.references if known is not None else None


class ExternalizeFailed(McpirError):
    """The keyring did not keep a value: no config was changed (exit 3; re-run to finish)."""

    exit_code = 3


@dataclass(frozen=True)
class Moved:
    name: str  # the keyring entry
    secret: Secret
    path: Path
    line: int | None
    server: str


@dataclass(frozen=True)
class NeedsYou:
    path: Path
    line: int | None
    server: str
    reason: str


@dataclass
class Plan:
    moved: list[Moved] = field(default_factory=list)
    needs_you: list[NeedsYou] = field(default_factory=list)
    changes: list[PlannedChange] = field(default_factory=list)
    names: dict[str, Secret] = field(default_factory=dict)  # what goes into the keyring
    held: Callable[[str], str | None] = lambda name: None  # what the keyring holds: fingerprint
    # `tokens rotate`: only the value with this fingerprint moves; the others stay untouched.
    only: str | None = None
    # fingerprint → the keyring entry that already holds it, used where a reference can name it
    prefer: dict[str, str] = field(default_factory=dict)
    # `--to op://VAULT/ITEM|vault://MOUNT/PATH`: values go there, configs get the reference
    to: Reference | None = None

    def wanted(self, text: str) -> bool:
        return self.only is None or Secret(text).fingerprint == self.only

    def name_for(self, base: str, secret: Secret, *, any_name: bool) -> str:
        """The entry for `secret`: the preferred one when the config may name any entry (a
        reference), else `base` or a free variant of it."""
        preferred = self.prefer.get(secret.fingerprint)
        if any_name and preferred is not None:
            return preferred
        return self.free(base, secret)

    def free(self, base: str, secret: Secret) -> str:
        """`base`, or `base_2`, `_3`… when another value has it: no name ever gets overwritten."""
        candidate, number = base, 2
        while True:
            planned = self.names.get(candidate)
            have = planned.fingerprint if planned is not None else self.held(candidate)
            if have is None or have == secret.fingerprint:
                return candidate
            candidate, number = f"{base}_{number}", number + 1

    def take(self, moved: Moved) -> None:
        self.moved.append(moved)
        self.names[moved.name] = moved.secret

    def ask(self, needs: NeedsYou) -> None:
        # A DSN's password is found in the whole argument and in its own part: report it once.
        if needs not in self.needs_you:
            self.needs_you.append(needs)


def derived_name(server: str, key: str) -> str:
    """`notes` + `Authorization` → `NOTES_AUTHORIZATION`: usable as an environment variable."""
    name = re.sub(r"[^A-Z0-9]+", "_", f"{server}_{key}".upper()).strip("_") or "MCP_TOKEN"
    return "MCP_" + name if name[0].isdigit() else name


def _blocked(config: ConfigFile, server: Server) -> str | None:
    """Why this server's file is not mcpir's to rewrite, or None."""
    return not_rewritten(config, server, managed="ask them to move the secret",
                         by_hand="move the secret by hand",
                         plugin="configure the secret in its host")  # fmt: skip


@dataclass
class _Server:
    """One server's literals, found before anything is decided."""

    config: ConfigFile
    server: Server
    style: tuple[str, str | None] | None
    raw: Any
    lines: _Lines

    def where(self, needle: str) -> tuple[Path, int | None]:
        path, _, line = self.lines.of(self.server, needle).rpartition(":")
        return (Path(path), int(line)) if line.isdigit() else (self.server.path, self.server.line)

    def literals(self, pairs: Mapping[str, Secret]) -> list[tuple[str, str, str]]:
        """(key, whole value, secret text) for every literal in env or headers."""
        return [
            (key, secret.reveal(), text)
            for key, secret in pairs.items()
            for part_key, part in _parts(key, secret.reveal())
            for _, text in _literals(part_key, part)
        ]


def _wrapped(command: str, args: list[str], names: list[str]) -> list[str] | None:
    """The args of `mcpir run --only NAMES -- command args`, or None when nothing changes."""
    only = ["run", "--only", ",".join(names)]
    if command == WRAPPER and args[:1] == ["run"]:
        head = args[: args.index("--")] if "--" in args else args
        if not any(arg == "--only" or arg.startswith("--only=") for arg in head):
            return None  # `mcpir run -- …` already passes every token mcpir keeps
        return [*only, *args[1:]]
    return [*only, "--", command, *args]


def _plan_server(s: _Server, text: str, plan: Plan) -> str:
    """`text` with this server's secrets replaced; its moves and open points go to `plan`."""
    server, fmt, keys = s.server, s.config.format, s.server.keys
    blocked = _blocked(s.config, server)
    for key, value in _pairs(replace(server, env={}, headers={})):
        for part_key, part in _parts(key, value):
            for _, secret in _literals(part_key, part):
                if not plan.wanted(secret):
                    continue
                why = "a secret inside args or url: a reference or wrapper cannot replace it"
                plan.ask(NeedsYou(*s.where(secret), server.name, why))
    headers, ref = at(s.raw, ("headers",)), s.style[1] if s.style is not None else None
    for key, value, secret in s.literals(server.headers):
        if not plan.wanted(secret):
            continue
        path, line = s.where(secret)
        if (
            plan.to
            or blocked
            or ref is None
            or not isinstance(headers, Mapping)
            or key not in headers
        ):
            why = blocked or "this client does not expand references in headers: move it by hand"
            why = why if not plan.to else "a header is sent by the client itself: keep it local"
            plan.ask(NeedsYou(path, line, server.name, why))
            continue
        name = plan.name_for(derived_name(server.name, key), Secret(secret), any_name=True)
        text = set_value(fmt, text, (*keys, "headers"), key, value.replace(secret, ref % name))
        plan.take(Moved(name, Secret(secret), path, line, server.name))
    line_at, command_key = command_at(s.raw, keys)
    env_at = (*line_at, "env")
    env = at(s.raw, env_at[len(keys) :])
    wrap: list[str] = []
    for key, value, secret in s.literals(server.env):
        if not plan.wanted(secret):
            continue
        path, line = s.where(secret)
        base = key if _ENV_NAME.fullmatch(key) else derived_name(server.name, key)
        name = plan.name_for(base, Secret(secret), any_name=s.style is not None and not blocked)
        reason = blocked or (None if isinstance(env, Mapping) and key in env else "env not found")
        if reason is None and plan.to is not None:
            # `mcpir run` puts the value in place of the reference: the whole value, a started
            # server (as for a client without reference syntax).
            if value != secret or not server.command or not _ENV_NAME.fullmatch(key):
                reason = "only a whole env value of a started server can become a reference"
            else:
                text = set_value(fmt, text, env_at, key, under(plan.to, name).text)
                wrap.append(key)  # the variable `mcpir run` resolves, whatever the vault's name
        elif reason is None and s.style is not None:
            text = set_value(fmt, text, env_at, key, value.replace(secret, s.style[0] % name))
        elif reason is None:
            # The wrapper passes whole values under their own names, and nothing else can.
            if value != secret or name != key or not server.command:
                reason = "no reference syntax in this client, and `mcpir run` cannot pass it"
            else:
                text = set_value(fmt, text, env_at, key, "")
                wrap.append(name)
        if reason is not None:
            plan.ask(NeedsYou(path, line, server.name, reason))
            continue
        plan.take(Moved(name, Secret(secret), path, line, server.name))
    if wrap:
        args = at(s.raw, (*line_at[len(keys) :], "args")) or []
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise ValueError("its args are not a list of strings")
        new_args = _wrapped(server.command or "", args, wrap)
        if new_args is not None:
            text = set_command_line(fmt, text, line_at, command_key, [WRAPPER, *new_args])
    return text


def plan_externalize(
    files: list[ConfigFile],
    held: Callable[[str], str | None],
    *,
    only: str | None = None,
    prefer: Mapping[str, str] | None = None,
    to: Reference | None = None,
) -> Plan:
    """What would move where; nothing is written. `held` says what the keyring holds; `only`
    (a fingerprint) limits the plan to one value, `prefer` names entries already holding one."""
    from mcpir.core.documents import DocumentError
    from mcpir.edits import EditError

    plan, lines = Plan(held=held, only=only, prefer=dict(prefer or {}), to=to), _Lines()
    groups: dict[str, list[tuple[ConfigFile, Server]]] = defaultdict(list)
    clients: dict[tuple[str, tuple[str | int, ...]], set[str]] = defaultdict(set)
    for config in files:
        for server in config.servers if not config.error else ():
            real = os.path.realpath(config.path)
            if (real, server.keys) not in clients:
                groups[real].append((config, server))
            clients[(real, server.keys)].add(config.client)
    for real, members in groups.items():
        try:
            raw, text, data = reread(real, members[0][0].format)
        except (OSError, DocumentError) as exc:
            for _, server in members:
                why = f"cannot read the file again: {exc}"
                plan.needs_you.append(NeedsYou(server.path, server.line, server.name, why))
            continue
        original, first = text, len(plan.moved)
        for config, server in members:
            # A file several clients read gets a reference only if all of them expand it alike.
            styles = {_references(client) for client in clients[(real, server.keys)]}
            style = styles.pop() if len(styles) == 1 else None
            s = _Server(config, server, style, at(data, server.keys), lines)
            saved = len(plan.moved), len(plan.needs_you), dict(plan.names)
            try:
                text = _plan_server(s, text, plan)
            except (EditError, ValueError) as exc:
                # All of this server or none of it: its edits are dropped with its moves.
                del plan.moved[saved[0] :], plan.needs_you[saved[1] :]
                plan.names = saved[2]
                why = f"cannot rewrite this server safely: {exc}"
                plan.needs_you.append(NeedsYou(server.path, server.line, server.name, why))
        if text != original:
            here = plan.moved[first:]
            into = str(to) if to is not None else "the OS keyring"
            summary = f"moved to {into}: " + ", ".join(sorted({m.name for m in here}))
            servers = tuple(m.server for m in here)
            plan.changes.append(PlannedChange("edit", Path(real), summary, encoded(text, raw),
                                              before=raw, servers=servers))  # fmt: skip
    return plan


def diff(plan: Plan) -> str:
    """The planned edits as a unified diff, every secret masked by its fingerprint."""
    masks: dict[str, str] = {}
    for secret in plan.names.values():
        value = secret.reveal()
        for spelled in {value, json.dumps(value)[1:-1]}:
            masks[spelled] = f"…({secret.fingerprint})"
    longest_first = sorted(masks.items(), key=lambda item: -len(item[0]))

    def mask(before: str) -> str:
        for spelled, masked in longest_first:
            before = before.replace(spelled, masked)
        return before

    return unified_diff(plan.changes, mask)


def store_all(plan: Plan) -> None:
    """Every value into the keyring, then each read back: until all are there, no file changes."""
    try:
        for name, secret in plan.names.items():
            store.add(name, secret.reveal())
        for name, secret in plan.names.items():
            if store.get(name) != secret:
                raise ExternalizeFailed(
                    f"the keyring did not give {name} back as stored; no config was changed",
                    hint="check the keyring, then run `mcpir tokens externalize` again",
                )
    except store.KeyringUnavailable as exc:
        raise ExternalizeFailed(
            f"{exc.message}; no config was changed", hint="run the command again to finish"
        ) from None


Applied = tuple[Incident, list[Moved], list[str]]


def _unchanged(plan: Plan) -> None:
    """Refuse before a change set exists when a file changed since the plan (say, while the
    user read the confirmation): an empty one would be left for `mcpir restore` to find."""
    from mcpir.incident.journal import JournalConflict

    for change in plan.changes:
        try:
            current: bytes | None = change.path.read_bytes()
        except OSError:  # gone or unreadable since: not as planned either
            current = None
        if current != change.before:
            raise JournalConflict(
                f"{change.path} changed since mcpir planned its edit; nothing was done",
                hint="run `mcpir tokens externalize` again",
            )


def apply(plan: Plan, root: Path, header: dict[str, Any]) -> Applied:
    """Store, verify, then rewrite through a new change set's journal: (change set, what moved,
    the files that could not be written, one line each)."""
    from mcpir.incident.store import open_change_set, respond_lock

    if plan.to is None:
        store.backend()  # no keyring at all is bad usage (exit 2), before anything is touched
    with respond_lock(root, "mcpir tokens externalize"):
        _unchanged(plan)
        if plan.to is None:
            store_all(plan)
        else:
            from mcpir.tokens.externalize_to import store_in_vault

            store_in_vault(plan, plan.to)
        incident = open_change_set(root, TITLE, {"root": str(root)} | header)
        journal = incident.journal
        journal.append({"type": "step-started", "step": STEP})
        done = {os.path.realpath(c.path) for c in journal.apply_all(plan.changes, STEP)}
        moved = [m for m in plan.moved if os.path.realpath(m.path) in done]
        status = "failed" if journal.failures else "changed" if moved else "ok"
        summary = f"moved {len(moved)} secrets into {plan.to or 'the OS keyring'}"
        journal.append({"type": "step-finished", "step": STEP, "status": status,
                        "summary": summary, "notes": journal.failures})  # fmt: skip
        incident.write_summary("applied")
    return incident, moved, journal.failures
