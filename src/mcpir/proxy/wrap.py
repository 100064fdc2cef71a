"""`mcpir wrap` / `mcpir unwrap`: launch discovered stdio servers through `mcpir proxy`.

A wrapped server's definition keeps everything but its command line, which becomes
`<launcher> proxy --name <server> -- <original command> <args>`, where the launcher is one the
client reading that file can run (`launcher`: the running mcpir by absolute path in a user's
own files; `mcpir` or `--command` in files shared through git, else those are refused). The
edits are planned as data and applied through a new change set's journal (`ATOM-CHG-…`), so
`mcpir restore ID` undoes them byte for byte.
`unwrap` hands back the original command line; when the file is exactly as `wrap` left it,
it gives back the bytes the journal kept, so wrap → unwrap is byte-exact.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mcpir.core.model import ConfigFile, Scope, Server, Transport
from mcpir.edits.server_entry import WRAPPER as PROXY
from mcpir.edits.server_entry import (
    at,
    command_at,
    encoded,
    not_rewritten,
    reread,
    set_command_line,
    set_value,
    unified_diff,
)
from mcpir.incident.journal import PlannedChange, sha256
from mcpir.launchers.mcpir import proxied
from mcpir.proxy.launcher import SHARED, USER, Launchers, refusal

WRAP_STEP = "wrap"
UNWRAP_STEP = "unwrap"


@dataclass(frozen=True)
class Outcome:
    server: str
    path: Path
    line: int | None
    status: str  # "wrap" | "unwrap" | "already" | "remote" | "skipped"
    reason: str
    # Something the user must act on (exit 1): a server named on the command line that was not
    # changed, a rewrite that failed, a shared file refused, a server unwrap had to leave
    # proxied. What mcpir leaves alone by design under --all (remote servers, managed, YAML,
    # plugin and contained files) is only reported.
    attention: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"server": self.server, "path": str(self.path), "line": self.line,
                "status": self.status, "reason": self.reason}  # fmt: skip


@dataclass
class WrapPlan:
    unwrap: bool
    changes: list[PlannedChange] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    # The files each kind of launcher (`launcher.USER`, `launcher.SHARED`) is written into.
    written: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def needs_you(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.attention]


def name_args(server: str) -> list[str]:
    # `--name=-x`: a name that starts with "-" would be read as an option.
    return ["--name", server] if not server.startswith("-") else [f"--name={server}"]


def wrapped_args(server: str, command: str, args: list[str]) -> list[str]:
    return ["proxy", *name_args(server), "--", command, *args]


def _blocked(config: ConfigFile, server: Server) -> str | None:
    from mcpir.discovery import contained

    if contained(config.path):
        return "a file set aside by containment: restore it first"
    return not_rewritten(config, server, managed="ask them to change it",
                         by_hand="change the command by hand", plugin="not rewritten")  # fmt: skip


def _launched_through_proxy(server: Server) -> bool:
    from mcpir.proxy.wrap_remote import url_proxy

    line = [str(server.command), *server.args]
    return bool(server.command) and (proxied(line) is not None or url_proxy(line) is not None)


def _rewrite(
    config: ConfigFile, server: Server, raw: Any, text: str, unwrap: bool, launcher: list[str]
) -> tuple[str, Outcome]:
    """`text` with this server wrapped (`launcher` runs the proxy) or unwrapped."""
    where = (server.name, server.path, server.line)
    remote = _rewrite_remote(config, server, raw, text, unwrap, launcher)
    if remote is not None:
        return remote
    line_at, command_key = command_at(raw, server.keys)
    entry = at(raw, line_at[len(server.keys) :])
    command = entry.get(command_key) if isinstance(entry, Mapping) else None
    args = entry.get("args", []) if isinstance(entry, Mapping) else None
    if not isinstance(command, str) or not isinstance(args, list):
        return text, Outcome(*where, "skipped", "no command line found in the file", True)
    if not all(isinstance(a, str) for a in args):
        return text, Outcome(*where, "skipped", "its args are not all strings", True)
    found = proxied([command, *args])
    if not unwrap:
        if found is not None:
            return text, Outcome(*where, "already", "already launched through mcpir proxy")
        # Around anything else, `mcpir run` included: the proxy then relays what it starts.
        new = [*launcher, *wrapped_args(server.name, command, args)]
    else:
        if found is None:
            return text, Outcome(*where, "already", "not launched through mcpir proxy")
        new = found[0] + found[1]
    text = set_command_line(config.format, text, line_at, command_key, new)
    status = "unwrap" if unwrap else "wrap"
    from mcpir.core.redact import redact_args

    # The command line is shown and printed as JSON: a key in its args must not be.
    return text, Outcome(*where, status, " ".join(redact_args(new)))


def _rewrite_remote(
    config: ConfigFile, server: Server, raw: Any, text: str, unwrap: bool, launcher: list[str]
) -> tuple[str, Outcome] | None:
    """A remote server wrapped, or a wrapped one given its URL back (`wrap_remote`); None when
    this server is neither."""
    from mcpir.core.redact import redact_args
    from mcpir.proxy.wrap_remote import not_wrappable, unwrapped_entry, wrapped_entry

    where = (server.name, server.path, server.line)
    if server.transport is not Transport.STDIO:
        if unwrap:
            return text, Outcome(*where, "already", "not launched through mcpir proxy")
        why = not_wrappable(config, server, raw)
        if why is not None:
            return text, Outcome(*where, "remote", why)
        entry = wrapped_entry(server, raw, launcher)
        shown = " ".join(redact_args([entry["command"], *entry["args"]]))
        status = "wrap"
    else:
        if not unwrap or not isinstance(raw, Mapping):
            return None
        back = unwrapped_entry(server, raw)
        if back is None:
            return None
        entry, shown, status = back, "a remote server again", "unwrap"
    text = set_value(config.format, text, server.keys[:-1], str(server.keys[-1]), entry)
    return text, Outcome(*where, status, shown)


def _select(files: list[ConfigFile], names: set[str] | None) -> list[tuple[ConfigFile, Server]]:
    from mcpir.core.errors import UsageError

    chosen = [
        (config, server)
        for config in files
        if not config.error
        for server in config.servers
        if names is None or server.name in names
    ]
    if names is not None:
        missing = sorted(names - {server.name for _, server in chosen})
        if missing:
            raise UsageError(f"no server named {', '.join(missing)}",
                             hint="`mcpir servers` lists the servers mcpir finds")  # fmt: skip
    return chosen


def plan(files: list[ConfigFile], names: set[str] | None, *, unwrap: bool,
         root: Path | None = None, launchers: Launchers | None = None) -> WrapPlan:  # fmt: skip
    """What wrap (or unwrap) would change; nothing is written. `names` None means every server.
    `launchers` says what runs the proxy in each kind of file (`launcher.resolve`); None writes
    a bare `mcpir` everywhere."""
    from mcpir.core.documents import DocumentError
    from mcpir.edits import EditError

    launchers = launchers or Launchers((PROXY,), (PROXY,), "")
    result = WrapPlan(unwrap)
    groups: dict[str, list[tuple[ConfigFile, Server, str]]] = defaultdict(list)
    seen: set[tuple[str, tuple[str | int, ...]]] = set()
    named = names is not None
    for config, server in _select(files, names):
        where = (server.name, server.path, server.line)
        if server.transport is not Transport.STDIO and unwrap:
            result.outcomes.append(Outcome(*where, "already", "not launched through mcpir proxy"))
            continue
        reason = _blocked(config, server)
        proxied_now = _launched_through_proxy(server)
        if reason is not None and unwrap and not proxied_now:
            # Nothing to give back: not a reason to ask the user for anything.
            result.outcomes.append(Outcome(*where, "already", "not launched through mcpir proxy"))
            continue
        if reason is not None:
            # Asked for by name, or left launched through mcpir by unwrap: the user's to do.
            result.outcomes.append(Outcome(*where, "skipped", reason, named or unwrap))
            continue
        # Committed to the repository: every teammate's client starts what it says.
        kind = SHARED if config.scope is Scope.PROJECT else USER
        if not unwrap and not proxied_now and launchers.of(kind == SHARED) is None:
            result.outcomes.append(Outcome(*where, "skipped", refusal(launchers), True))
            continue
        real = os.path.realpath(config.path)
        if (real, server.keys) not in seen:  # one file read by several clients: once
            seen.add((real, server.keys))
            groups[real].append((config, server, kind))
    for real, members in groups.items():
        try:
            raw, text, data = reread(real, members[0][0].format)
        except (OSError, DocumentError) as exc:
            why = f"cannot read the file again: {exc}"
            for _, server, _ in members:
                result.outcomes.append(
                    Outcome(server.name, server.path, server.line, "skipped", why, True)
                )
            continue
        before = text
        done: list[Outcome] = []
        kinds: set[str] = set()
        for config, server, kind in members:
            # None only for a server already launched through the proxy: it stays as it is.
            launcher = list(launchers.of(kind == SHARED) or (PROXY,))
            try:
                text, outcome = _rewrite(config, server, at(data, server.keys), text, unwrap,
                                         launcher)  # fmt: skip
            except (EditError, ValueError) as exc:
                outcome = Outcome(server.name, server.path, server.line, "skipped",
                                  f"cannot rewrite this server safely: {exc}", True)  # fmt: skip
            if outcome.status == "remote" and named:  # asked for, and not wrapped: yours
                outcome = replace(outcome, attention=True)
            result.outcomes.append(outcome)
            if outcome.status in ("wrap", "unwrap"):
                done.append(outcome)
                kinds.add(kind)
        if text == before:
            continue
        data_out = encoded(text, raw)
        if unwrap and root is not None:
            # The file exactly as wrap left it, every wrapped server unwrapped: the old bytes.
            kept = _as_before_wrap(root, raw, {o.server for o in done})
            data_out = kept if kept is not None else data_out
        verb = "unwrapped" if unwrap else "wrapped in mcpir proxy"
        result.changes.append(PlannedChange(
            "edit", Path(real), f"{verb}: " + ", ".join(o.server for o in done), data_out,
            before=raw, servers=tuple(o.server for o in done),
        ))  # fmt: skip
        if not unwrap:
            for kind in sorted(kinds):
                result.written.setdefault(kind, []).append(members[0][0].path)
    return result


def _as_before_wrap(root: Path, current: bytes, unwrapping: set[str]) -> bytes | None:
    """The bytes a journalled wrap replaced, if the file is still as that wrap left it and
    exactly the servers it wrapped are being unwrapped now."""
    from mcpir.core.errors import McpirError
    from mcpir.incident.store import Incident, incidents_dir, journal_names, openings

    base = incidents_dir(root)
    digest = sha256(current)
    try:
        names = journal_names(root)  # change sets, and incidents an earlier mcpir opened
    except McpirError:
        return None
    # Newest first by the sealed opening time: ids of the two kinds do not sort together.
    for _, name, _ in sorted(openings(base, names), key=lambda found: found[:2], reverse=True):
        journal = Incident(name, base / name).journal
        try:
            changes = journal.changes()  # only records this machine sealed
        except McpirError:
            continue
        for change, state in reversed(changes):
            if change.step != WRAP_STEP or state != "applied" or change.after != digest:
                continue
            if set(change.servers) != unwrapping:  # more wrapped (by hand, or earlier): edits
                return None
            return journal.backup(change)  # None unless it still matches the journal
    return None


def diff(result: WrapPlan) -> str:
    """The planned edits as a unified diff, secrets masked."""
    return unified_diff(result.changes)


def _unchanged(changes: list[PlannedChange], step: str) -> None:
    """Refuse before a change set exists when a file changed since the plan: an empty one would
    be left for `mcpir restore` to find."""
    from mcpir.incident.journal import JournalConflict

    for change in changes:
        try:
            current: bytes | None = change.path.read_bytes()
        except OSError:
            current = None
        if current != change.before:
            raise JournalConflict(f"{change.path} changed since mcpir planned its edit; "
                                  "nothing was done", hint=f"run `mcpir {step}` again")  # fmt: skip


def apply(result: WrapPlan, root: Path, header: dict[str, Any]) -> tuple[str, list[str]]:
    """Apply through a new change set's journal: (its id, failures one line each)."""
    from mcpir.incident.store import open_change_set, respond_lock

    step = UNWRAP_STEP if result.unwrap else WRAP_STEP
    title = "unwrap mcp servers" if result.unwrap else "wrap mcp servers in mcpir proxy"
    with respond_lock(root, f"mcpir {step}"):
        _unchanged(result.changes, step)
        incident = open_change_set(root, title, {"root": str(root)} | header)
        journal = incident.journal
        journal.append({"type": "step-started", "step": step})
        done = journal.apply_all(result.changes, step)
        status = "failed" if journal.failures else "changed" if done else "ok"
        count = sum(len(c.servers) for c in done)
        summary = f"{step}ped {count} server{'s' if count != 1 else ''}"
        journal.append({"type": "step-finished", "step": step, "status": status,
                        "summary": summary, "notes": journal.failures})  # fmt: skip
        incident.write_summary("applied")
    return incident.id, journal.failures
