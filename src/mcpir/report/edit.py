"""`mcpir report edit`: what only a person knows, written into the incident's journal.

An edit is a sealed `report-edit` record: the report is rebuilt from the journal, so every
regeneration keeps it, and the journal shows who wrote what and when. Values are bounded, text
only (no control or bidi character) and redacted like every journal text; fields are from a
fixed set, so an edit cannot overwrite a fact mcpir measured (a step's status, a finding, a
time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mcpir.core.errors import UsageError
from mcpir.incident.entries import ReportEdit
from mcpir.incident.store import Incident
from mcpir.report.sections import HUMAN

MAX_VALUE = 4000
PRIORITIES = ("P1", "P2", "P3")
STATES = ("open", "done", "wontfix")
_ACTION = re.compile(r"[a-z][a-z0-9-]{0,63}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Characters that are not text: C0 controls, DEL, C1 controls, bidi embeddings, overrides and
# isolates, and the line and paragraph separators. A value is shown in terminals and written
# into the document's front matter; such a character there recolours or reorders what a
# reader sees, or makes the block unparseable, so it is refused, not recorded.
# Newlines and tabs stay (lessons run over lines; every output escapes or folds them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
FIELDS = (*HUMAN, "owner", "owner.ACTION", "due.ACTION", "priority.ACTION", "status.ACTION")


@dataclass(frozen=True)
class Edit:
    field: str
    value: str


def parse(pairs: list[str]) -> list[Edit]:
    """`field=value` pairs, each checked; the first bad one is a one-line usage error."""
    out = []
    for pair in pairs:
        field, sep, value = pair.partition("=")
        field = field.strip()
        if not sep or not field:
            raise UsageError(f"--set {pair[:40]!r}: write FIELD=VALUE", hint=_fields())
        out.append(Edit(field, _checked(field, value.strip())))
    if not out:
        raise UsageError("nothing to edit: give --set FIELD=VALUE", hint=_fields())
    return out


def _fields() -> str:
    return "fields: " + ", ".join(FIELDS)


def _checked(field: str, value: str) -> str:
    if len(value) > MAX_VALUE:
        raise UsageError(f"--set {field[:64]!r}: over {MAX_VALUE} characters")
    control = _CONTROL.search(value)
    if control is not None:
        raise UsageError(
            f"--set {field[:64]!r}: holds a control or bidi character "
            f"(U+{ord(control.group()):04X}), not text; nothing recorded"
        )
    if field in HUMAN or field == "owner":
        return value
    kind, _, action = field.partition(".")
    if kind not in ("owner", "due", "priority", "status") or not _ACTION.fullmatch(action):
        raise UsageError(f"--set {field[:64]!r}: no such field", hint=_fields())
    if kind == "due" and not _DATE.fullmatch(value):
        raise UsageError(f"--set {field}: a date as YYYY-MM-DD, not {value[:20]!r}")
    if kind == "priority" and value not in PRIORITIES:
        raise UsageError(f"--set {field}: one of {', '.join(PRIORITIES)}")
    if kind == "status" and value not in STATES:
        raise UsageError(f"--set {field}: one of {', '.join(STATES)}")
    return value


def apply(incident: Incident, edits: list[Edit], by: str) -> list[ReportEdit]:
    """Append the edits to the incident's journal, in one write."""
    records = [ReportEdit(edit.field, edit.value, by).to_record() for edit in edits]
    incident.journal.append_many(records)
    return [ReportEdit.from_record(record) for record in records]
