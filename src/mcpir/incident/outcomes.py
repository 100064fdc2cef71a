"""What steps found, as the journal keeps it: findings, token outcomes, how a change got in.

The field types of `entries`' records, and the readers for journals written before a field
existed (each upgrade reads the old form once, into the same type).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Self


def text(value: Any) -> str:  # noqa: ANN401
    return value if isinstance(value, str) else "" if value is None else str(value)


def optional(value: Any) -> str | None:  # noqa: ANN401
    return None if value is None else text(value)


def lines(value: Any) -> tuple[str, ...]:  # noqa: ANN401
    return tuple(text(item) for item in value) if isinstance(value, list) else ()


def rows(value: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    """The objects of a list field; anything else in it is dropped."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def number(value: Any) -> int | None:  # noqa: ANN401
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def mapping(value: Any) -> Mapping[str, Any] | None:  # noqa: ANN401
    return value if isinstance(value, dict) else None


# How each field type is read back from JSON: by its annotation, as the dataclasses below (and
# `entries`') write them. A type missing here is a field the class reads by hand.
DECODERS: dict[str, Callable[[Any], Any]] = {
    "str": text,
    "str | None": optional,
    "int | None": number,
    "tuple[str, ...]": lines,
    "Mapping[str, Any] | None": mapping,
    "tuple[Mapping[str, Any], ...]": lambda value: tuple(rows(value)),
}


class Codec:
    """JSON in and out for a frozen dataclass of plain fields: `encode` writes every field but
    the record's time (the journal stamps it), `decode` reads each by its annotation."""

    def encode(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if item.name == "ts" or not item.init:
                continue
            if isinstance(value, tuple):
                value = [v.encode() if isinstance(v, Codec) else _plain(v) for v in value]
            out[item.name] = _plain(value)
        return out

    @classmethod
    def decode(cls, record: Mapping[str, Any], **given: Any) -> Self:  # noqa: ANN401
        values = dict(given)
        for item in fields(cls):  # type: ignore[arg-type]
            decoder = DECODERS.get(str(item.type))
            if item.name not in values and decoder is not None:
                values[item.name] = decoder(record.get(item.name))
        return cls(**values)


def _plain(value: Any) -> Any:  # noqa: ANN401
    return dict(value) if isinstance(value, Mapping) else value


@dataclass(frozen=True)
class RecordedFinding(Codec):
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
        return cls.decode(row, row=dict(row))


def findings_of(value: Any) -> tuple[RecordedFinding, ...]:  # noqa: ANN401
    return tuple(RecordedFinding.from_row(row) for row in rows(value))


@dataclass(frozen=True)
class TokenOutcome(Codec):
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
        return self.encode()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> TokenOutcome | None:
        if not text(record.get("fingerprint")):
            return None
        return cls.decode(record, state=text(record.get("state")) or "pending")


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
class Introduced(Codec):
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
        return self.encode()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Introduced | None:
        return cls.decode(record) if text(record.get("commit")) else None


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
