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

import os
import time
from dataclasses import replace
from typing import Any

from mcpir.core.secret import Secret
from mcpir.tokens import store
from mcpir.tokens.model import Metadata, today, token_id
from mcpir.tokens.providers.base import NoNewToken, Verification
from mcpir.tokens.rotation_configs import (
    configs_locked,
    externalize,
    externalized,
    leftovers,
    plan_literals,
    siblings,
)
from mcpir.tokens.rotation_log import STASH_SERVICE, RotationLog, drop_stash, phase, stash
from mcpir.tokens.rotation_request import (
    EXIT,
    STEP,
    ActionsSecret,
    Hooks,
    Outcome,
    Request,
    Status,
)

# `rotate` is where the CLI and the tests find the rotation's names, wherever they live.
__all__ = ["EXIT", "STASH_SERVICE", "STEP", "ActionsSecret", "Hooks", "Outcome", "Request",
           "RotationLog", "Status", "_stash", "drop_stash", "mismatch", "rotate"]  # fmt: skip
_stash = stash


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


def _held(req: Request) -> Secret | None:
    """What the token's home holds now: its vault reference, or its keyring entry."""
    if req.reference is not None:
        from mcpir.tokens import references

        return references.read(req.reference)
    return store.get(req.name)


def _store_new(req: Request, new: Secret) -> str | None:
    """The new value into the token's vault, read back; why not, when the vault did not keep
    it: the rotation stops there, before the old one is revoked."""
    from mcpir.tokens import references

    assert req.reference is not None  # noqa: S101 - called for references only
    try:
        references.write(req.reference, new)
        if references.read(req.reference) != new:
            return f"{req.reference}: the value read back is not the new one"
    except references.ReferenceFailed as exc:
        return exc.message
    return None


def _log_key(req: Request) -> str:
    """The keyring name, or for a vault reference a digest of it: a file name, no `/`."""
    if req.reference is None:
        return req.name
    import hashlib

    return "ref" + hashlib.sha256(req.name.encode()).hexdigest()[:16]


def _begin(req: Request, hooks: Hooks) -> tuple[RotationLog, Secret, Verification] | Outcome:
    old = _held(req) or req.old_value
    if old is None:
        raise store.UnknownToken(f"the keyring holds no {req.name}", hint="see `mcpir tokens list`")
    if req.reference is not None:
        # The keyring (the stash needs it) is unlocked before the provider's check runs: its
        # passphrase then leaves the environment, which a `--verify-command` would inherit.
        store.backend()
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
    log = RotationLog.for_id(f"{token_id(old.fingerprint)}-{_log_key(req)}")
    if log.path.exists():  # a finished run of the same name and value: keep it, start afresh
        log.path.rename(log.path.with_name(f"{log.rid}.{int(time.time())}.jsonl.done"))
    stash(log.rid, "old", old)
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
        old_secret = stash(log.rid, "old", None)
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

    new: Secret | None = stash(rid, "new", None) if "obtained" in phases else None
    if new is None and "stored" in phases:
        new = _held(req)  # the stash is gone but the token's home holds the stored value
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
        stash(rid, "new", new)
        phase(log, hooks, "obtained", new_fingerprint=new.fingerprint)
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
        phase(log, hooks, "verified", login=checked.login, new_fingerprint=new.fingerprint)
    if old.login is None and old.scopes is None:  # nothing to compare: it works, that is all
        say("verified  the new token works")
    else:
        say(f"verified  same account, scopes ⊇ {_scopes(old)}")

    home = [] if req.reference is not None else [req.name]
    entries = [*home, *(n for n in externalized(log) if n != req.name)]
    if "stored" not in phases:
        # Other keyring entries holding the old value would hold a revoked token afterwards.
        entries += [n for n in siblings(log) if n not in entries]
        targets = [*(f"keyring:{e}" for e in entries), *(f"Actions {a}" for a in req.actions)]
        if req.reference is not None:
            targets.insert(0, str(req.reference))
        question = f"Store the new token in {', '.join(targets)}, then revoke the old one?"
        with configs_locked(req, log) as root:
            plan = None
            if root is not None and "externalized" not in phases:
                plan = plan_literals(req, log)
                if plan.changes:
                    question = (
                        f"Move the old token out of {len(plan.changes)} config files into the OS "
                        f"keyring (undo: mcpir restore), then s{question[1:]}"
                    )
            if not req.yes and not hooks.confirm(question):
                return Outcome("declined", "nothing stored; a re-run resumes here")
            if plan is not None and root is not None:
                moved = externalize(req, hooks, log, plan, root)
                if isinstance(moved, Outcome):
                    return moved
                entries += [n for n in moved if n not in entries]
        failed = _store_new(req, new) if req.reference is not None else None
        if failed:
            log.append("stopped", phase="store", detail=failed)
            return Outcome("stopped", f"{failed}; the old token is kept, not revoked")
        for entry in entries:  # each now stands for the old value somewhere: all get the new
            store.add(entry, new.reveal())
        phase(log, hooks, "stored", new_fingerprint=new.fingerprint, names=entries)
    for secret in req.actions:
        if str(secret) in actions_done:
            continue
        from mcpir.tokens.providers.github import set_actions_secret

        failed = set_actions_secret(new, secret.repo, secret.name, new, req.api_url, req.timeout)
        if failed:
            log.append("stopped", phase="actions", detail=failed)
            return Outcome("stopped", f"{failed}; the new token is stored, the old one kept")
        phase(log, hooks, "actions", secret=str(secret))
    vault = [str(req.reference)] if req.reference is not None else []
    stored = ", ".join([*vault, *(f"keyring:{e}" for e in entries)])
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
                phase(log, hooks, "revoked", old_fingerprint=old_secret.fingerprint)
                say(f"revoked   old token: {result.detail}")

    if "recorded" not in phases:
        meta = Metadata.load()
        meta.rotated(new.fingerprint, today())
        meta.save()
        phase(log, hooks, "recorded", on=today().isoformat())
    say(f"recorded  last_rotated {today().isoformat()} in the inventory")
    drop_stash(rid)
    log.append("done")
    needs_you += leftovers(req, log)
    return Outcome("needs-you" if needs_you else "done", f"rotated {req.name}", needs_you)


def _scopes(found: Verification) -> str:
    if found.scopes is None:
        return "(not reported)"
    return ", ".join(sorted(found.scopes)) or "(none)"
