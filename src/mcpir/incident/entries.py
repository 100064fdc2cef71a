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
from typing import Any, ClassVar, Self

from mcpir.incident.outcomes import (
    Codec,
    Introduced,
    RecordedFinding,
    TokenOutcome,
    findings_of,
    legacy_introduced,
    legacy_tokens,
    lines,
    rows,
    text,
)

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


class Record(Codec):
    """A journal record kind: its fields, and `type` naming it on disk."""

    KIND: ClassVar[str]

    def to_record(self) -> dict[str, Any]:
        return {"type": self.KIND, **self.encode()}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        return cls.decode(record)


@dataclass(frozen=True)
class StepFinished(Record):
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
        record = super().to_record()
        record["findings"] = [dict(finding.row) for finding in self.findings]
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        notes = lines(record.get("notes"))
        findings = findings_of(record.get("findings"))
        # Journals written before a field existed: their older form, read once, here.
        if "tokens" in record:
            tokens = tuple(t for t in map(TokenOutcome.from_record, rows(record["tokens"])) if t)
        elif "rotate" in (record.get("task"), record.get("step")):
            tokens = legacy_tokens(notes)
        else:
            tokens = ()
        if "introduced" in record:
            found = map(Introduced.from_record, rows(record["introduced"]))
            introduced = tuple(i for i in found if i)
        else:
            introduced = legacy_introduced(findings)
        return cls.decode(record, findings=findings, tokens=tokens, introduced=introduced)


@dataclass(frozen=True)
class StepStarted(Record):
    KIND: ClassVar[str] = STEP_STARTED

    step: str
    ts: str | None = None


@dataclass(frozen=True)
class ProcessStopped(Record):
    KIND: ClassVar[str] = PROCESS

    pid: int | None
    server: str
    command: str
    outcome: str
    ts: str | None = None


@dataclass(frozen=True)
class Investigation(Record):
    """The investigate step's whole report (`investigate.render.as_json`'s shape), kept as it
    was written, with the fields the report reads typed."""

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
    def of(cls, body: Mapping[str, Any]) -> Self:
        return cls.from_record(body)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        body = {k: v for k, v in record.items() if k not in {"type", "ts", "mac"}}
        return cls.decode(record, findings=findings_of(record.get("findings")), body=body)


@dataclass(frozen=True)
class DocumentInputs(Record):
    """What the document step records before it writes: what the journal cannot know alone."""

    KIND: ClassVar[str] = INPUTS

    step: str
    owner: str | None
    checklist: tuple[Mapping[str, Any], ...]
    ts: str | None = None


@dataclass(frozen=True)
class Opened(Record):
    KIND: ClassVar[str] = OPENED

    id: str
    title: str
    home: str | None
    root: str | None
    playbook: Mapping[str, Any] | None
    ts: str | None = None
    # The playbook's steps when it was opened; empty in journals written before they were kept.
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Closed(Record):
    KIND: ClassVar[str] = CLOSED

    reason: str
    by: str
    ts: str | None = None


@dataclass(frozen=True)
class Restored(Record):
    KIND: ClassVar[str] = RESTORED

    change: int | None
    ts: str | None = None


@dataclass(frozen=True)
class ReportEdit(Record):
    """What a person wrote into the post-incident report (`mcpir report edit`)."""

    KIND: ClassVar[str] = REPORT_EDIT

    field: str
    value: str
    by: str = ""
    ts: str | None = None


Entry = (
    StepStarted | StepFinished | ProcessStopped | Investigation | DocumentInputs | Opened | Closed
    | Restored | ReportEdit
)  # fmt: skip
KINDS: tuple[type[Record], ...] = (
    StepStarted, StepFinished, ProcessStopped, Investigation, DocumentInputs, Opened, Closed,
    Restored, ReportEdit,
)  # fmt: skip
_KINDS = {kind.KIND: kind for kind in KINDS}


def step_of(record: Mapping[str, Any]) -> str | None:
    """The step a step's own record belongs to (started, finished, document inputs), or None."""
    kind = record.get("type")
    return text(record.get("step")) if kind in {STEP_STARTED, STEP_FINISHED, INPUTS} else None


def read(records: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """The records this module knows, in journal order; file changes and unknown kinds are
    left to their own readers."""
    out: list[Entry] = []
    for record in records:
        kind = _KINDS.get(text(record.get("type")))
        if kind is not None:
            out.append(kind.from_record(record))  # type: ignore[arg-type]
    return out


def finished(entries: Iterable[Entry]) -> dict[str, StepFinished]:
    """Each step's last result, by step id."""
    return {e.step: e for e in entries if isinstance(e, StepFinished)}
