"""What a playbook task is: something that runs one step and says plainly what happened."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from mcpir.config.project import Policy
from mcpir.core.model import Finding
from mcpir.core.paths import Scopes
from mcpir.core.progress import SILENT, Progress
from mcpir.incident.entries import Introduced, StepFinished, TokenOutcome
from mcpir.incident.store import Incident
from mcpir.playbook.model import Step
from mcpir.workspace import Workspace


class Status(enum.StrEnum):
    CHANGED = "changed"  # the task changed something
    OK = "ok"  # nothing needed changing
    SKIPPED = "skipped"  # not run: not selected, or approval not given
    ATTENTION = "attention"  # ran, but a person must look at something
    FAILED = "failed"  # could not finish; state kept for a re-run
    UNAVAILABLE = "unavailable"  # this mcpir has no such task yet


@dataclass
class TaskContext:
    scopes: Scopes
    policy: Policy
    step: Step
    incident: Incident | None  # None during --dry-run: nothing is recorded
    dry_run: bool = False
    yes: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)  # command-line overrides
    say: Callable[[str], None] = lambda line: None
    # The run's progress (the engine's): a task that counts its own work (investigate, the
    # bytes it reads) reports it here, and a view draws it under the step's header.
    progress: Progress = SILENT
    # One per run, shared by its steps (the engine passes it); a context made for one task
    # alone gets its own.
    workspace: Workspace = field(default=None, repr=False)  # type: ignore[assignment]
    # What earlier steps of this incident found, as typed records: this run's results and,
    # on --resume, the journal's.
    earlier: Mapping[str, StepFinished] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.workspace is None:
            self.workspace = Workspace(self.scopes, self.policy)

    def param(self, name: str, default: Any = None) -> Any:  # noqa: ANN401
        return self.options.get(name, self.step.params.get(name, default))


@dataclass
class StepResult:
    status: Status
    summary: str
    actions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    tokens: list[TokenOutcome] = field(default_factory=list)  # rotate: where each token stands
    introduced: list[Introduced] = field(default_factory=list)  # audit: how changes got in
    diff: str = ""  # --dry-run: the planned changes

    def finished(self, step: Step) -> StepFinished:
        """This result as the journal records it."""
        from mcpir.core.rows import finding_row
        from mcpir.incident.entries import RecordedFinding

        return StepFinished(
            step=step.id,
            task=step.task,
            status=self.status.value,
            summary=self.summary,
            actions=tuple(self.actions),
            notes=tuple(self.notes),
            findings=tuple(RecordedFinding.from_row(finding_row(f)) for f in self.findings),
            tokens=tuple(self.tokens),
            introduced=tuple(self.introduced),
        )


class Task(Protocol):
    name: str

    def run(self, ctx: TaskContext) -> StepResult: ...
