"""A rotation's own record: an append-only log of its phases, and the values it needs again,
waiting in the OS keyring (never on disk)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcpir.core.fileio import append_jsonl, json_records, jsonl_lines, private_dirs
from mcpir.core.paths import data_dir
from mcpir.core.secret import Secret
from mcpir.tokens import store
from mcpir.tokens.rotation_request import Hooks

STASH_SERVICE = "mcpir-rotation"


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
            lines = jsonl_lines(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        # A crash mid-append leaves a torn last line: it never counted, so skip it.
        return json_records(lines)

    def started(self) -> dict[str, Any]:
        return next((r for r in self.records() if r.get("event") == "started"), {})

    def done(self) -> bool:
        return any(r.get("event") == "done" for r in self.records())

    def append(self, event: str, **fields: Any) -> None:
        record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, **fields}
        private_dirs(self.path.parent)
        append_jsonl(self.path, [record], durable=True, sort_keys=True)

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


def stash(rid: str, which: str, value: Secret | None) -> Secret | None:
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
    except (ValueError, KeyError, TypeError):  # an encrypted entry that fails its check
        raise store.DamagedEntry(
            f"{STASH_SERVICE}/{rid}:{which}", hint="the rotation cannot resume: start it again"
        ) from None
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


def phase(log: RotationLog, hooks: Hooks, event: str, **fields: Any) -> None:
    hooks.checkpoint(event)
    log.append(event, **fields)
    hooks.checkpoint(event + "+")
