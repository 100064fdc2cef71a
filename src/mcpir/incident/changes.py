"""What the journal records about one change, and the errors it raises about them."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.core.errors import McpirError

OPS = frozenset({"edit", "rename", "create"})


class JournalConflict(McpirError):
    """A file is not in the state the journal expects: someone else changed it."""

    exit_code = 3


class JournalCorrupt(McpirError):
    """A journal record mcpir cannot act on: malformed, or naming a file outside the incident's
    home and root (exit 2)."""


@dataclass(frozen=True)
class PlannedChange:
    """A change a task wants; the journal makes it. `data` is the new content (edit, create)."""

    op: str  # "edit" | "rename" | "create"
    path: Path
    summary: str
    data: bytes | None = None
    target: Path | None = None
    before: bytes | None = None  # the content the plan was made from (edit, rename)
    servers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    id: int
    op: str
    path: Path
    target: Path | None
    before: str | None
    after: str | None
    mode: int | None
    step: str
    summary: str
    servers: tuple[str, ...]
    uid: int | None = None
    gid: int | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Change:
        """The change a `change` record describes; `JournalCorrupt` (one line) if it is not
        one mcpir could have written."""
        number, op, path = record.get("change"), record.get("op"), record.get("path")
        target = record.get("target")
        if not _is_int(number) or op not in OPS or not _is_abs(path):
            raise JournalCorrupt(f"journal record {_cut(record)} is not a valid change")
        if (op == "rename") != _is_abs(target) or (target is not None and op != "rename"):
            raise JournalCorrupt(f"journal change {number}: a rename needs a target, nothing else")
        fields = {k: record.get(k) for k in ("before", "after", "mode", "uid", "gid")}
        hashes_ok = all(v is None or _is_digest(v) for v in (fields["before"], fields["after"]))
        numbers_ok = all(v is None or _is_int(v) for v in (fields["mode"], fields["uid"],
                                                            fields["gid"]))  # fmt: skip
        servers = record.get("servers", [])
        names_ok = isinstance(servers, list) and all(isinstance(n, str) for n in servers)
        if not (hashes_ok and numbers_ok and names_ok):
            raise JournalCorrupt(f"journal change {number}: malformed hashes, mode or servers")
        return cls(
            id=int(str(number)),
            op=str(op),
            path=Path(str(path)),
            target=Path(target) if target else None,
            before=fields["before"],
            after=fields["after"],
            mode=fields["mode"],
            step=str(record.get("step", "")),
            summary=str(record.get("summary", "")),
            servers=tuple(servers),
            uid=fields["uid"],
            gid=fields["gid"],
        )


@dataclass(frozen=True)
class Undone:
    """One undone change: the line to show, and where a newer copy was kept aside, if any."""

    line: str
    kept: tuple[Path, ...] = ()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_abs(value: object) -> bool:
    return isinstance(value, str) and "\0" not in value and os.path.isabs(value)


def _is_digest(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _cut(record: dict[str, Any]) -> str:
    from mcpir.core.redact import redact_text

    text = json.dumps(record, ensure_ascii=True, default=str)
    return redact_text(text[:80] + ("…" if len(text) > 80 else ""))
