"""The incident journal's records as types: what each step wrote, read back as fields.

Every record kind a step or command writes (besides file changes, which `changes.Change` and
`records.JournalRecords.changes` handle) has one dataclass here with `to_record` and
`from_record`. Steps, the engine, the report and the timeline read the journal only through
`read`, so a field is named in one place and a later step never parses an earlier step's prose.

`from_record` is lenient by design: the records it sees are sealed by this machine's mcpir,
but by any version of it, so a field a version did not write reads as empty, and a value of
the wrong type (which only a bug could seal) is dropped rather than trusted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mcpir.incident.outcomes import (
    Introduced,
    RecordedFinding,
    TokenOutcome,
    findings_of,
    legacy_introduced,
    legacy_tokens,
    rows,
)
from mcpir.incident.outcomes import lines as _lines
from mcpir.incident.outcomes import optional as _optional
from mcpir.incident.outcomes import text as _text

__all__ = ["Introduced", "RecordedFinding", "TokenOutcome", "findings_of", "rows"]

STEP_STARTED = "step-started"
STEP_FINISHED = "step-finished"
PROCESS = "process"
INVESTIGATION = "investigation"
INPUTS = "document-inputs"
OPENED = "incident-opened"
CLOSED = "incident-closed"
RESTORED = "restored"
REPORT_EDIT = "report-edit"


@dataclass(frozen=True)
class StepFinished:
    KIND: ClassVar[str] = STEP_FINISHED

    step: str
    status: str
    summary: str
    task: str | None = None
    actions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    findings: tuple[RecordedFinding, ...] = ()
    tokens: tuple[TokenOutcome, ...] = ()
    introduced: tuple[Introduced, ...] = ()  # audit: how each unauthorized change got in
    ts: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "type": self.KIND,
            "step": self.step,
            "task": self.task,
            "status": self.status,
            "summary": self.summary,
            "actions": list(self.actions),
            "notes": list(self.notes),
            "findings": [dict(finding.row) for finding in self.findings],
            "tokens": [token.to_record() for token in self.tokens],
            "introduced": [change.to_record() for change in self.introduced],
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> StepFinished:
        notes = _lines(record.get("notes"))
        if "tokens" in record:
            tokens = tuple(
                t for t in map(TokenOutcome.from_record, rows(record.get("tokens"))) if t
            )
        else:
            legacy = "rotate" in (record.get("task"), record.get("step"))
            tokens = legacy_tokens(notes) if legacy else ()
        findings = findings_of(record.get("findings"))
        if "introduced" in record:
            found = map(Introduced.from_record, rows(record.get("introduced")))
            introduced = tuple(i for i in found if i)
        else:
            introduced = legacy_introduced(findings)
        return cls(
            step=_text(record.get("step")),
            status=_text(record.get("status")),
            summary=_text(record.get("summary")),
            task=_optional(record.get("task")),
            actions=_lines(record.get("actions")),
            notes=notes,
            findings=findings,
            tokens=tokens,
            introduced=introduced,
            ts=_optional(record.get("ts")),
        )


@dataclass(frozen=True)
class StepStarted:
    KIND: ClassVar[str] = STEP_STARTED

    step: str
    ts: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"type": self.KIND, "step": self.step}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> StepStarted:
        return cls(_text(record.get("step")), _optional(record.get("ts")))


@dataclass(frozen=True)
class ProcessStopped:
    KIND: ClassVar[str] = PROCESS

    pid: int | None
    server: str
    command: str
    outcome: str
    ts: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"type": self.KIND, "pid": self.pid, "server": self.server,
                "command": self.command, "outcome": self.outcome}  # fmt: skip

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ProcessStopped:
        pid = record.get("pid")
        return cls(
            pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
            server=_text(record.get("server")),
            command=_text(record.get("command")),
            outcome=_text(record.get("outcome")),
            ts=_optional(record.get("ts")),
        )


@dataclass(frozen=True)
class Investigation:
    """The investigate step's whole report (`investigate.render.as_json`'s shape)."""

    KIND: ClassVar[str] = INVESTIGATION

    since: str | None
    findings: tuple[RecordedFinding, ...]
    sources: tuple[Mapping[str, Any], ...]
    malformed: Mapping[str, Any] | None
    body: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    ts: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"type": self.KIND, **self.body}

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> Investigation:
        return cls.from_record(body)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Investigation:
        malformed = record.get("malformed")
        body = {k: v for k, v in record.items() if k not in {"type", "ts", "mac"}}
        return cls(
            since=_optional(record.get("since")),
            findings=findings_of(record.get("findings")),
            sources=tuple(rows(record.get("sources"))),
            malformed=malformed if isinstance(malformed, dict) else None,
            body=body,
            ts=_optional(record.get("ts")),
        )


@dataclass(frozen=True)
class DocumentInputs:
    """What the document step records before it writes: what the journal cannot know alone."""

    KIND: ClassVar[str] = INPUTS

    step: str
    owner: str | None
    checklist: tuple[Mapping[str, Any], ...]
    ts: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"type": self.KIND, "step": self.step, "owner": self.owner,
                "checklist": [dict(item) for item in self.checklist]}  # fmt: skip

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> DocumentInputs:
        return cls(
            step=_text(record.get("step")),
            owner=_optional(record.get("owner")),
            checklist=tuple(rows(record.get("checklist"))),
            ts=_optional(record.get("ts")),
        )


@dataclass(frozen=True)
class Opened:
    KIND: ClassVar[str] = OPENED

    id: str
    title: str
    home: str | None
    root: str | None
    playbook: Mapping[str, Any] | None
    ts: str | None = None
    # The playbook's steps when it was opened; empty in journals written before they were kept.
    steps: tuple[str, ...] = ()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Opened:
        playbook = record.get("playbook")
        return cls(
            id=_text(record.get("id")),
            title=_text(record.get("title")),
            home=_optional(record.get("home")),
            root=_optional(record.get("root")),
            playbook=playbook if isinstance(playbook, dict) else None,
            ts=_optional(record.get("ts")),
            steps=_lines(record.get("steps")),
        )


@dataclass(frozen=True)
class Closed:
    KIND: ClassVar[str] = CLOSED

    reason: str
    by: str
    ts: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Closed:
        return cls(
            _text(record.get("reason")), _text(record.get("by")), _optional(record.get("ts"))
        )


@dataclass(frozen=True)
class Restored:
    KIND: ClassVar[str] = RESTORED

    change: int | None
    ts: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Restored:
        change = record.get("change")
        return cls(change if isinstance(change, int) else None, _optional(record.get("ts")))


@dataclass(frozen=True)
class ReportEdit:
    """What a person wrote into the post-incident report (`mcpir report edit`)."""

    KIND: ClassVar[str] = REPORT_EDIT

    field: str
    value: str
    by: str = ""
    ts: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"type": self.KIND, "field": self.field, "value": self.value, "by": self.by}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ReportEdit:
        return cls(
            _text(record.get("field")),
            _text(record.get("value")),
            _text(record.get("by")),
            _optional(record.get("ts")),
        )


Entry = (
    StepStarted | StepFinished | ProcessStopped | Investigation | DocumentInputs | Opened | Closed
    | Restored | ReportEdit
)  # fmt: skip
KINDS = (
    StepStarted, StepFinished, ProcessStopped, Investigation, DocumentInputs, Opened, Closed,
    Restored, ReportEdit,
)  # fmt: skip
_KINDS: dict[str, Any] = {kind.KIND: kind for kind in KINDS}


def step_of(record: Mapping[str, Any]) -> str | None:
    """The step a step's own record belongs to (started, finished, document inputs), or None."""
    kind = record.get("type")
    return _text(record.get("step")) if kind in {STEP_STARTED, STEP_FINISHED, INPUTS} else None


def read(records: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """The records this module knows, in journal order; file changes and unknown kinds are
    left to their own readers."""
    out: list[Entry] = []
    for record in records:
        kind = _KINDS.get(_text(record.get("type")))
        if kind is not None:
            out.append(kind.from_record(record))
    return out


def finished(entries: Iterable[Entry]) -> dict[str, StepFinished]:
    """Each step's last result, by step id."""
    return {e.step: e for e in entries if isinstance(e, StepFinished)}
