"""What steps found, as the journal keeps it: findings, token outcomes, how a change got in.

The field types of `entries`' records, and the readers for journals written before a field
existed (each upgrade reads the old form once, into the same type).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


def text(value: Any) -> str:  # noqa: ANN401
    return value if isinstance(value, str) else "" if value is None else str(value)


def optional(value: Any) -> str | None:  # noqa: ANN401
    return None if value is None else text(value)


def lines(value: Any) -> tuple[str, ...]:  # noqa: ANN401
    return tuple(text(item) for item in value) if isinstance(value, list) else ()


def rows(value: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    """The objects of a list field; anything else in it is dropped."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


@dataclass(frozen=True)
class RecordedFinding:
    """A finding as the journal keeps it (`core.rows.finding_row`'s shape), with the fields
    later steps decide on typed, and the row itself kept for documents that show it whole."""

    rule: str
    severity: str
    server: str | None
    path: str | None
    line: int | None
    message: str
    row: Mapping[str, Any] = field(repr=False, compare=False)
    session: str | None = None  # an investigation's finding: the session and time it saw
    time: str | None = None
    tool: str | None = None
    source: str | None = None  # a flow: the call the data came from, and what it read
    read: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RecordedFinding:
        line = row.get("line")
        return cls(
            rule=text(row.get("rule")),
            severity=text(row.get("severity")),
            server=optional(row.get("server")),
            path=optional(row.get("path")),
            line=line if isinstance(line, int) and not isinstance(line, bool) else None,
            message=text(row.get("message")),
            row=dict(row),
            session=optional(row.get("session")),
            time=optional(row.get("time")) or None,
            tool=optional(row.get("tool")),
            source=optional(row.get("source")),
            read=optional(row.get("read")),
        )


def findings_of(value: Any) -> tuple[RecordedFinding, ...]:  # noqa: ANN401
    return tuple(RecordedFinding.from_row(row) for row in rows(value))


@dataclass(frozen=True)
class TokenOutcome:
    """What the rotate step found for one token: its fingerprint, where it stands, and the
    sentence a person acts on. `state` is `pending` until a person rotates it (mcpir never
    marks a token rotated that it did not rotate), or `moved` once it left the configs."""

    fingerprint: str
    state: str
    detail: str
    provider: str = ""
    servers: tuple[str, ...] = ()
    flagged: tuple[str, ...] = ()

    def to_record(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "state": self.state,
            "detail": self.detail,
            "provider": self.provider,
            "servers": list(self.servers),
            "flagged": list(self.flagged),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> TokenOutcome | None:
        fingerprint = text(record.get("fingerprint"))
        if not fingerprint:
            return None
        return cls(
            fingerprint=fingerprint,
            state=text(record.get("state")) or "pending",
            detail=text(record.get("detail")),
            provider=text(record.get("provider")),
            servers=lines(record.get("servers")),
            flagged=lines(record.get("flagged")),
        )


# Journals written before `tokens` was a field of the rotate step's record held each token in
# a note: "needs you: <fingerprint> (<provider>, <status>, read by …) at …: <next step>". Read
# here, once, into the same type, so incidents opened by that version still report their tokens.
_LEGACY_FINGERPRINT = re.compile(r"((?:\S*…\()?sha256:[0-9a-f]{12}\)?)")


def legacy_tokens(notes: Iterable[str]) -> tuple[TokenOutcome, ...]:
    found: dict[str, TokenOutcome] = {}
    for note in notes:
        match = _LEGACY_FINGERPRINT.search(note)
        if match is None or match.group(1) in found:
            continue
        rotated = re.search(r"\brotated\b", note) is not None and "none is" not in note
        detail = note.removeprefix("needs you: ")
        found[match.group(1)] = TokenOutcome(
            match.group(1), "rotated" if rotated else "pending", detail
        )
    return tuple(found.values())


@dataclass(frozen=True)
class Introduced:
    """How an unauthorized change to an MCP config got in (the audit step): the commit, its
    author, and the merge that brought it to the default branch with who made it."""

    commit: str
    author: str
    date: str
    path: str
    servers: tuple[str, ...]
    summary: str
    reasons: tuple[str, ...] = ()
    via: str | None = None
    merge: str | None = None
    merged_by: str | None = None
    merged_at: str | None = None
    pull_request: int | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "commit": self.commit, "author": self.author, "date": self.date, "path": self.path,
            "servers": list(self.servers), "summary": self.summary,
            "reasons": list(self.reasons), "via": self.via, "merge": self.merge,
            "merged_by": self.merged_by, "merged_at": self.merged_at,
            "pull_request": self.pull_request,
        }  # fmt: skip

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Introduced | None:
        commit = text(record.get("commit"))
        if not commit:
            return None
        number = record.get("pull_request")
        return cls(
            commit=commit,
            author=text(record.get("author")),
            date=text(record.get("date")),
            path=text(record.get("path")),
            servers=lines(record.get("servers")),
            summary=text(record.get("summary")),
            reasons=lines(record.get("reasons")),
            via=optional(record.get("via")),
            merge=optional(record.get("merge")),
            merged_by=optional(record.get("merged_by")),
            merged_at=optional(record.get("merged_at")),
            pull_request=number
            if isinstance(number, int) and not isinstance(number, bool)
            else None,
        )


def legacy_introduced(findings: tuple[RecordedFinding, ...]) -> tuple[Introduced, ...]:
    """Before `introduced` was recorded, the audit's unauthorized-change findings named the
    commit in their evidence (`commit <sha>`); the author and merge were not kept."""
    out = []
    for finding in findings:
        evidence = text(finding.row.get("evidence"))
        if finding.rule == "audit/unauthorized-change" and evidence.startswith("commit "):
            servers = (finding.server,) if finding.server else ()
            commit = evidence.removeprefix("commit ")
            out.append(Introduced(commit, UNKNOWN_AUTHOR, "", finding.path or "", servers,
                                  finding.message))  # fmt: skip
    return tuple(out)


UNKNOWN_AUTHOR = "unknown"
