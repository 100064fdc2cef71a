"""Phase (3) of a rotation, configs: every literal copy of the old value leaves the config for
the keyring, through a change set's journal (`ATOM-CHG-…`) that `mcpir restore ID` undoes,
before the new value is stored; what cannot be rewritten is listed for the user. A rotation
an earlier mcpir began names an ATOM-INC in its log: it resumes in that one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from mcpir.tokens import store
from mcpir.tokens.model import Metadata
from mcpir.tokens.rotation_log import RotationLog, phase
from mcpir.tokens.rotation_request import STEP, Hooks, Outcome, Request

if TYPE_CHECKING:
    from mcpir.tokens.externalize import Plan


def externalized(log: RotationLog) -> list[str]:
    """The keyring entries that configs reference for the old value, as far as the log says."""
    names: dict[str, None] = {}
    for record in log.records():
        if record.get("event") in ("externalizing", "externalized", "stored"):
            names.update(dict.fromkeys(record.get("names") or ()))
    return list(names)


def siblings(log: RotationLog) -> list[str]:
    """Every keyring entry of mcpir that still holds the old value: one id, many names (the same
    token stored as GH_TOKEN and GITHUB_TOKEN). Each gets the new value before the old one is
    revoked, or it would hand a dead token to the servers that read it."""
    old = log.started().get("old_fingerprint")
    index = Metadata.load().keyring
    return sorted(name for name, record in index.items() if record.get("fingerprint") == old)


def _incident_of(log: RotationLog) -> tuple[str, Path] | None:
    for record in reversed(log.records()):
        if record.get("event") == "externalizing" and record.get("incident"):
            return str(record["incident"]), Path(record["root"])
    return None


@contextmanager
def configs_locked(req: Request, log: RotationLog) -> Iterator[Path | None]:
    """The project root, under its respond lock while configs are planned and rewritten; None
    when the request names no configs to look at."""
    if req.scopes is None or req.scopes.root is None:
        yield None
        return
    from mcpir.incident.store import respond_lock

    begun = _incident_of(log)
    root = begun[1] if begun is not None else req.scopes.root
    if begun is None and not plan_literals(req, log).changes:
        yield root  # nothing to rewrite: no lock, and no `.atom-trail` in the project
        return
    with respond_lock(root, f"mcpir tokens rotate {req.name}"):
        yield root


def _held(name: str) -> str | None:
    secret = store.get(name)
    return secret.fingerprint if secret is not None else None


def plan_literals(req: Request, log: RotationLog) -> Plan:
    """Settle what a crash interrupted, then plan the rewrite of every config that still holds
    the old value written out. Nothing is written."""
    from mcpir.discovery import discover
    from mcpir.incident.store import find_incident
    from mcpir.tokens.externalize import plan_externalize

    assert req.scopes is not None  # noqa: S101 - only called with scopes
    begun = _incident_of(log)
    if begun is not None:
        find_incident(begun[1], begun[0]).journal.recover()
    old = str(log.started().get("old_fingerprint"))
    files = discover(req.scopes, req.exclude)
    # A token kept in a vault has no keyring entry a config could name instead.
    prefer = {old: req.name} if req.reference is None else {}
    return plan_externalize(files, _held, only=old, prefer=prefer)


def externalize(
    req: Request, hooks: Hooks, log: RotationLog, plan: Plan, root: Path
) -> list[str] | Outcome:
    """Store the old value under the plan's entries (read back), then rewrite the configs
    through a change set's journal; the entries that now stand for the old value."""
    from mcpir.core.redact import redact_text
    from mcpir.incident.store import find_incident, open_change_set
    from mcpir.tokens.externalize import ExternalizeFailed, store_all

    names = list(dict.fromkeys([*externalized(log), *plan.names]))
    incident_id = None
    if plan.changes:
        try:
            store_all(plan)
        except ExternalizeFailed as exc:
            log.append("stopped", phase="externalize", detail=exc.message)
            return Outcome("stopped", f"{exc.message}; nothing revoked")
        hooks.checkpoint("externalizing")
        begun = _incident_of(log)
        if begun is not None:
            incident = find_incident(begun[1], begun[0])
        else:
            assert req.scopes is not None  # noqa: S101 - there is a plan
            header = {"root": str(root), "home": str(req.scopes.home)}
            incident = open_change_set(root, f"rotate {req.name}", header)
        incident_id = incident.id
        log.append("externalizing", incident=incident.id, root=str(root), names=names)
        hooks.checkpoint("externalizing+")
        journal = incident.journal
        journal.append({"type": "step-started", "step": STEP})
        done = journal.apply_all(plan.changes, STEP)
        status = "failed" if journal.failures else "changed" if done else "ok"
        summary = f"moved the old value of {req.name} out of {len(done)} config files"
        journal.append({"type": "step-finished", "step": STEP, "status": status,
                        "summary": summary, "notes": journal.failures})  # fmt: skip
        incident.write_summary("applied")
        if journal.failures:
            detail = "; ".join(journal.failures)
            log.append("stopped", phase="externalize", detail=redact_text(detail))
            return Outcome("stopped", f"configs not rewritten: {detail}; nothing revoked")
        into = ", ".join(f"keyring:{n}" for n in plan.names)
        files = f"{len(done)} config file{'s' if len(done) != 1 else ''}"
        hooks.say(f"moved     old value out of {files} into {into} "
                  f"(undo: mcpir restore {incident.id} --root {root})")  # fmt: skip
        hooks.say("          restart your AI clients; a config that now says ${NAME} needs its "
                  "client started with `mcpir run -- CLIENT`")  # fmt: skip
    else:
        begun = _incident_of(log)
        incident_id = begun[0] if begun is not None else None
    reasons = [
        f"{req.scopes.display(n.path) if req.scopes else n.path}:{n.line}: {n.reason}"
        for n in plan.needs_you
    ]
    phase(log, hooks, "externalized", incident=incident_id, names=names,
           needs_you=[redact_text(r) for r in reasons])  # fmt: skip
    return names


def leftovers(req: Request, log: RotationLog) -> list[str]:
    """Places that still hold the old value written out: config parts mcpir cannot rewrite
    (args, urls, YAML, managed files) and `.env` files."""
    if req.scopes is None:
        return []
    from mcpir.tokens import list_tokens

    old = log.started().get("old_fingerprint")
    reasons: dict[str, str] = {}
    for record in log.records():
        if record.get("event") == "externalized":
            for line in record.get("needs_you") or ():
                where, _, why = str(line).partition(": ")
                reasons[where] = why
    out = []
    for token in list_tokens(req.scopes, environ=None, exclude=req.exclude):
        if token.fingerprint != old:
            continue
        for location in token.locations:
            if location.startswith(("keyring:", "env:")):
                continue
            where = req.scopes.display_location(location)
            why = reasons.get(where, "mcpir does not rewrite this place")
            out.append(
                f"{where} still holds the old value ({why}): replace it by hand with a "
                f"reference to keyring:{req.name}, passed by `mcpir run`"
            )
    return out
