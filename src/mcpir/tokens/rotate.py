"""Rotate a token: obtain a new one, verify it, move the old one out of every config that holds
it written out, store the new one, update Actions secrets, and only then revoke the old one.

Every phase is recorded in `<data dir>/rotations/<tok_id>.jsonl` (fingerprints and names,
never values) before the next starts, so a re-run resumes where a failure or a crash left off.
The values the run needs again — the old one (to revoke it) and the new one (to store it) —
wait in the OS keyring under the service `mcpir-rotation`, never on disk. Ordering guarantees:
the keyring entry NAME always holds a working token (the old one until the new one is
verified, the new one after), and revocation comes after the new one is stored.

Configs that hold the old value written out are never given the new one: in the same run they
are externalized (`mcpir.tokens.externalize`), the old value moved into keyring entries and
the config rewritten to reference them, through an incident's journal that `mcpir restore`
undoes. The new value then goes into those entries too, so it lives in the keyring only.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mcpir.core.errors import UsageError
from mcpir.core.fileio import private_dirs
from mcpir.core.paths import data_dir
from mcpir.core.secret import Secret
from mcpir.tokens import store
from mcpir.tokens.model import Metadata, today, token_id
from mcpir.tokens.providers.base import Ask, NoNewToken, TokenProvider, Verification

if TYPE_CHECKING:
    from mcpir.core.paths import Scopes
    from mcpir.tokens.externalize import Plan

STASH_SERVICE = "mcpir-rotation"
STEP = "rotate"  # the incident step that rewrites configs holding the old value
Status = Literal["done", "needs-you", "refused", "stopped", "declined"]
EXIT = {"done": 0, "needs-you": 1, "refused": 1, "declined": 1, "stopped": 3}


@dataclass(frozen=True)
class ActionsSecret:
    repo: str
    name: str

    @classmethod
    def parse(cls, text: str) -> ActionsSecret:
        repo, colon, name = text.partition(":")
        if not colon or repo.count("/") != 1 or not all(repo.split("/")) or not name:
            raise UsageError(f"--actions-secret {text!r}: expected OWNER/REPO:NAME")
        return cls(repo, name)

    def __str__(self) -> str:
        return f"{self.repo}:{self.name}"


@dataclass(frozen=True)
class Request:
    name: str  # the keyring entry that holds the token
    provider: TokenProvider
    api_url: str | None = None
    actions: tuple[ActionsSecret, ...] = ()
    yes: bool = False
    timeout: int = 10
    # Where configs are looked for: those holding the old value written out are externalized.
    scopes: Scopes | None = None
    exclude: tuple[str, ...] = ()
    # The old value when the keyring entry does not hold it yet (a token only a config holds).
    old_value: Secret | None = None


@dataclass(frozen=True)
class Hooks:
    ask: Ask
    say: Callable[[str], None]
    confirm: Callable[[str], bool]
    # Called around every phase; tests raise from it to simulate a crash there.
    checkpoint: Callable[[str], None] = lambda stage: None


@dataclass
class Outcome:
    status: Status
    detail: str
    needs_you: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT[self.status]


class RotationLog:
    """An append-only JSON-lines file, fsynced per record, mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_id(cls, rid: str) -> RotationLog:
        return cls(data_dir() / "rotations" / f"{rid}.jsonl")

    @classmethod
    def open_by_id(cls, ident: str) -> RotationLog | None:
        """The unfinished rotation of the token `ident` (a `tok_` id), whatever its name."""
        folder = data_dir() / "rotations"
        logs = [cls(p) for p in folder.glob(f"{ident}-*.jsonl")] if folder.is_dir() else []
        open_ = [log for log in logs if not log.done()]
        return max(open_, key=lambda log: log.path.stat().st_mtime) if open_ else None

    @classmethod
    def open_for(cls, name: str) -> RotationLog | None:
        """The unfinished rotation of keyring entry `name`, if there is one."""
        folder = data_dir() / "rotations"
        logs = [cls(p) for p in folder.glob("tok_*.jsonl")] if folder.is_dir() else []
        open_ = [log for log in logs if log.started().get("name") == name and not log.done()]
        return max(open_, key=lambda log: log.path.stat().st_mtime) if open_ else None

    @property
    def rid(self) -> str:
        return self.path.stem

    def records(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        # A crash mid-append leaves a torn last line: it never counted, so skip it.
        out: list[dict[str, Any]] = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out

    def started(self) -> dict[str, Any]:
        return next((r for r in self.records() if r.get("event") == "started"), {})

    def done(self) -> bool:
        return any(r.get("event") == "done" for r in self.records())

    def append(self, event: str, **fields: Any) -> None:
        record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, **fields}
        private_dirs(self.path.parent)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (json.dumps(record, sort_keys=True) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def state(self) -> tuple[set[str], set[str]]:
        """(finished phases, finished Actions secrets), replaying the records in order."""
        phases: set[str] = set()
        actions: set[str] = set()
        for record in self.records():
            event = record.get("event", "")
            if event == "discarded":  # a refused new token: the next run asks for another
                phases -= {"obtained", "verified"}
            elif event == "actions":
                actions.add(str(record.get("secret")))
            elif event not in ("stopped", "externalizing"):
                phases.add(event)
        return phases, actions


def _stash(rid: str, which: str, value: Secret | None) -> Secret | None:
    """Put (value given), get (None given) a value the rotation needs again; keyring only."""
    store.backend()
    import keyring
    from keyring.errors import KeyringError

    try:
        if value is not None:
            keyring.set_password(STASH_SERVICE, f"{rid}:{which}", value.reveal())
            return value
        got = keyring.get_password(STASH_SERVICE, f"{rid}:{which}")
    except KeyringError as exc:
        raise store.KeyringUnavailable(f"OS keyring refused: {type(exc).__name__}") from None
    return None if got is None else Secret(got)


def drop_stash(rid: str, *which: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    for one in which or ("old", "new"):
        try:
            keyring.delete_password(STASH_SERVICE, f"{rid}:{one}")
        except KeyringError:
            # Gone already, or the keyring locked meanwhile: what is left is a copy inside the
            # keyring, not worth a traceback after the rotation itself is done.
            pass


def _old_verification(started: dict[str, Any]) -> Verification:
    scopes = started.get("scopes")
    return Verification(
        True,
        login=started.get("login"),
        scopes=None if scopes is None else frozenset(scopes),
        expires=started.get("expires"),
    )


def mismatch(old: Verification, new: Verification) -> str | None:
    """Why `new` cannot replace `old`, or None: it must work, as the same account, with at
    least the same scopes (a narrower token would break the servers that use it)."""
    if not new.ok:
        return f"the new token does not work: {new.detail}"
    if old.login is not None and new.login != old.login:
        return f"the new token belongs to {new.login!r}, the old one to {old.login!r}"
    if old.scopes is not None:
        missing = old.scopes - (new.scopes or frozenset())
        if missing:
            return f"the new token lacks scopes the old one has: {', '.join(sorted(missing))}"
    return None


def _begin(req: Request, hooks: Hooks) -> tuple[RotationLog, Secret, Verification] | Outcome:
    old = store.get(req.name) or req.old_value
    if old is None:
        raise store.UnknownToken(f"the keyring holds no {req.name}", hint="see `mcpir tokens list`")
    found = req.provider.verify(old, req.api_url)
    if found.unknown:
        return Outcome("stopped", f"cannot check the current token: {found.detail}")
    if not found.ok and getattr(req.provider, "mints", False):
        # An expired GitHub App token: nothing to compare with or revoke, a new one is minted.
        hooks.say(f"current   {req.name}: no longer valid ({found.detail}); minting a new one")
    elif not found.ok:
        return Outcome(
            "refused",
            f"the current token is already rejected ({found.detail}): nothing to revoke; "
            f"store a replacement with `mcpir tokens add {req.name}`",
        )
    # One log per keyring name and old value: two names holding the same token rotate apart.
    log = RotationLog.for_id(f"{token_id(old.fingerprint)}-{req.name}")
    if log.path.exists():  # a finished run of the same name and value: keep it, start afresh
        log.path.rename(log.path.with_name(f"{log.rid}.{int(time.time())}.jsonl.done"))
    _stash(log.rid, "old", old)
    hooks.checkpoint("started")
    log.append(
        "started",
        name=req.name,
        provider=req.provider.name,
        # GITHUB_API_URL too: a re-run from a shell without it must not go to github.com.
        api_url=req.api_url or os.environ.get("GITHUB_API_URL") or None,
        old_fingerprint=old.fingerprint,
        login=found.login,
        scopes=None if found.scopes is None else sorted(found.scopes),
        expires=found.expires,
        actions=[str(a) for a in req.actions],
    )
    hooks.checkpoint("started+")
    return log, old, found


def _phase(log: RotationLog, hooks: Hooks, event: str, **fields: Any) -> None:
    hooks.checkpoint(event)
    log.append(event, **fields)
    hooks.checkpoint(event + "+")


def rotate(req: Request, hooks: Hooks) -> Outcome:
    """Run (or resume) the rotation of keyring entry `req.name`."""
    say = hooks.say
    log = RotationLog.open_for(req.name)
    if log is None:
        begun = _begin(req, hooks)
        if isinstance(begun, Outcome):
            return begun
        log, old_value, old = begun
        old_secret: Secret | None = old_value
    else:
        started = log.started()
        old = _old_verification(started)
        old_secret = _stash(log.rid, "old", None)
        if req.api_url is None and started.get("api_url"):
            req = replace(req, api_url=started["api_url"])
        # The Actions secrets the first run was given stay part of it: the printed re-run
        # command names none, and skipping one would leave it holding the revoked token.
        logged = [ActionsSecret.parse(str(text)) for text in started.get("actions") or ()]
        req = replace(req, actions=tuple(dict.fromkeys([*logged, *req.actions])))
        say(f"resuming the rotation of {req.name} ({log.path})")
    rid = log.rid
    phases, actions_done = log.state()
    say(f"current   {req.name}: {old.login or '?'}, scopes {_scopes(old)}")

    new: Secret | None = _stash(rid, "new", None) if "obtained" in phases else None
    if new is None and "stored" in phases:
        new = store.get(req.name)  # the stash is gone but the entry holds the stored value
    if new is None:
        if "obtained" in phases:
            log.append("discarded", reason="the stashed new value is gone")
            phases -= {"obtained", "verified"}
        try:
            new = req.provider.obtain_new(old, ask=hooks.ask)
        except NoNewToken as exc:
            if exc.retry:
                log.append("stopped", phase="obtain", detail=str(exc))
                return Outcome("stopped", f"{exc}: nothing changed")
            return Outcome("refused", f"{exc}: nothing changed")
        if old_secret is not None and new == old_secret:
            return Outcome("refused", "the new value is the current token: nothing changed")
        _stash(rid, "new", new)
        _phase(log, hooks, "obtained", new_fingerprint=new.fingerprint)
    say(f"new       {new.fingerprint}")

    if "verified" not in phases:
        checked = req.provider.verify(new, req.api_url)
        if checked.unknown:
            log.append("stopped", phase="verify", detail=checked.detail)
            return Outcome("stopped", f"cannot check the new token: {checked.detail}")
        problem = mismatch(old, checked)
        if problem:
            drop_stash(rid, "new")  # so that a re-run asks for another one
            log.append("discarded", reason=problem)
            return Outcome("refused", f"{problem}; the current token is kept, not revoked")
        _phase(log, hooks, "verified", login=checked.login, new_fingerprint=new.fingerprint)
    if old.login is None and old.scopes is None:  # nothing to compare: it works, that is all
        say("verified  the new token works")
    else:
        say(f"verified  same account, scopes ⊇ {_scopes(old)}")

    entries = [req.name, *(n for n in _externalized(log) if n != req.name)]
    if "stored" not in phases:
        # Other keyring entries holding the old value would hold a revoked token afterwards.
        entries += [n for n in _siblings(log) if n not in entries]
        targets = [*(f"keyring:{e}" for e in entries), *(f"Actions {a}" for a in req.actions)]
        question = f"Store the new token in {', '.join(targets)}, then revoke the old one?"
        with _configs_locked(req, log) as root:
            plan = None
            if root is not None and "externalized" not in phases:
                plan = _plan_literals(req, log)
                if plan.changes:
                    question = (
                        f"Move the old token out of {len(plan.changes)} config files into the OS "
                        f"keyring (undo: mcpir restore), then s{question[1:]}"
                    )
            if not req.yes and not hooks.confirm(question):
                return Outcome("declined", "nothing stored; a re-run resumes here")
            if plan is not None and root is not None:
                moved = _externalize(req, hooks, log, plan, root)
                if isinstance(moved, Outcome):
                    return moved
                entries += [n for n in moved if n not in entries]
        for entry in entries:  # each now stands for the old value somewhere: all get the new
            store.add(entry, new.reveal())
        _phase(log, hooks, "stored", new_fingerprint=new.fingerprint, names=entries)
    for secret in req.actions:
        if str(secret) in actions_done:
            continue
        from mcpir.tokens.providers.github import set_actions_secret

        failed = set_actions_secret(new, secret.repo, secret.name, new, req.api_url, req.timeout)
        if failed:
            log.append("stopped", phase="actions", detail=failed)
            return Outcome("stopped", f"{failed}; the new token is stored, the old one kept")
        _phase(log, hooks, "actions", secret=str(secret))
    stored = ", ".join(f"keyring:{e}" for e in entries)
    say(f"stored    {stored}" + "".join(f", Actions {a}" for a in req.actions))

    needs_you: list[str] = []
    if not phases & {"revoked", "revoke-by-hand"}:
        if old_secret is None:
            needs_you.append("revoke the old token by hand: its value is no longer kept")
            log.append("revoke-by-hand", detail=needs_you[-1])
        else:
            result = req.provider.revoke(old_secret, req.api_url)
            if result.by_hand:
                needs_you.append(result.detail)
                log.append("revoke-by-hand", detail=result.detail)
            elif not result.revoked:
                log.append("stopped", phase="revoke", detail=result.detail)
                return Outcome("stopped", f"old token not revoked: {result.detail}")
            else:
                _phase(log, hooks, "revoked", old_fingerprint=old_secret.fingerprint)
                say(f"revoked   old token: {result.detail}")

    if "recorded" not in phases:
        meta = Metadata.load()
        meta.rotated(new.fingerprint, today())
        meta.save()
        _phase(log, hooks, "recorded", on=today().isoformat())
    say(f"recorded  last_rotated {today().isoformat()} in the inventory")
    drop_stash(rid)
    log.append("done")
    needs_you += _leftovers(req, log)
    return Outcome("needs-you" if needs_you else "done", f"rotated {req.name}", needs_you)


# Phase (3), configs: every literal copy of the old value leaves the config for the keyring.


def _externalized(log: RotationLog) -> list[str]:
    """The keyring entries that configs reference for the old value, as far as the log says."""
    names: dict[str, None] = {}
    for record in log.records():
        if record.get("event") in ("externalizing", "externalized", "stored"):
            names.update(dict.fromkeys(record.get("names") or ()))
    return list(names)


def _siblings(log: RotationLog) -> list[str]:
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
def _configs_locked(req: Request, log: RotationLog) -> Iterator[Path | None]:
    """The project root, under its respond lock while configs are planned and rewritten; None
    when the request names no configs to look at."""
    if req.scopes is None or req.scopes.root is None:
        yield None
        return
    from mcpir.incident.store import respond_lock

    begun = _incident_of(log)
    root = begun[1] if begun is not None else req.scopes.root
    if begun is None and not _plan_literals(req, log).changes:
        yield root  # nothing to rewrite: no lock, and no `.atom-trail` in the project
        return
    with respond_lock(root, f"mcpir tokens rotate {req.name}"):
        yield root


def _held(name: str) -> str | None:
    secret = store.get(name)
    return secret.fingerprint if secret is not None else None


def _plan_literals(req: Request, log: RotationLog) -> Plan:
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
    return plan_externalize(files, _held, only=old, prefer={old: req.name})


def _externalize(
    req: Request, hooks: Hooks, log: RotationLog, plan: Plan, root: Path
) -> list[str] | Outcome:
    """Store the old value under the plan's entries (read back), then rewrite the configs
    through an incident's journal; the entries that now stand for the old value."""
    from mcpir.core.redact import redact_text
    from mcpir.incident.store import find_incident, open_incident
    from mcpir.tokens.externalize import ExternalizeFailed, store_all

    names = list(dict.fromkeys([*_externalized(log), *plan.names]))
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
            incident = open_incident(root, f"rotate {req.name}", header)
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
        incident.write_summary("open")
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
    _phase(log, hooks, "externalized", incident=incident_id, names=names,
           needs_you=[redact_text(r) for r in reasons])  # fmt: skip
    return names


def _leftovers(req: Request, log: RotationLog) -> list[str]:
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


def _scopes(found: Verification) -> str:
    if found.scopes is None:
        return "(not reported)"
    return ", ".join(sorted(found.scopes)) or "(none)"
