"""The engine: run a playbook's steps in order, journal each, resume after a crash."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcpir.config.project import Policy
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED, UsageError
from mcpir.core.paths import Scopes
from mcpir.core.progress import SILENT, Progress
from mcpir.incident import entries
from mcpir.incident.entries import StepFinished
from mcpir.incident.store import Incident, find_incident, open_incident, respond_lock
from mcpir.playbook.loader import load_playbook
from mcpir.playbook.model import Playbook, Step
from mcpir.playbook.tasks import TASKS
from mcpir.playbook.tasks.base import Status, StepResult, TaskContext
from mcpir.workspace import Workspace

DONE = {Status.CHANGED.value, Status.OK.value}


@dataclass
class RespondRequest:
    scopes: Scopes
    title: str = "MCP incident"
    playbook: Path | None = None
    dry_run: bool = False
    yes: bool = False
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    start_from: str | None = None
    resume: str | None = None
    incident: str | None = None  # add the selected steps to this open incident
    options: Mapping[str, Any] = field(default_factory=dict)
    confirm: Callable[[Step], bool] | None = None  # asks before a step marked `approval`
    # Each step is a phase: started, what it does as it goes (step), then its outcome.
    progress: Progress = SILENT


@dataclass
class RespondResult:
    playbook: Playbook
    incident: Incident | None
    steps: list[tuple[Step, StepResult]]

    @property
    def exit_code(self) -> int:
        """3 a step failed; 1 a step needs attention; else 0. A run without an incident is a
        preview (`--dry-run`): 0 whatever it shows, unless a step failed."""
        statuses = {result.status for _, result in self.steps}
        if Status.FAILED in statuses:
            return EXIT_STEP_FAILED
        if self.incident is not None and statuses & {Status.ATTENTION, Status.UNAVAILABLE}:
            return EXIT_FINDINGS
        return EXIT_OK


def select(playbook: Playbook, request: RespondRequest) -> list[Step]:
    ids = [step.id for step in playbook.steps]
    named = [*request.only, *request.skip, *([request.start_from] if request.start_from else [])]
    unknown = [name for name in named if name not in ids]
    if unknown:
        raise UsageError(
            f"no step {unknown[0]!r} in {playbook.path.name}", hint=f"steps: {', '.join(ids)}"
        )
    steps = list(playbook.steps)
    if request.start_from:
        steps = steps[ids.index(request.start_from) :]
    if request.only:
        steps = [step for step in steps if step.id in request.only]
    return [step for step in steps if step.id not in request.skip]


def _report(progress: Progress, result: StepResult) -> None:
    progress.outcome(result.status.value, result.summary, result.notes, result.diff)
    progress.finished()


def _run_step(step: Step, ctx: TaskContext, request: RespondRequest) -> StepResult:
    task = TASKS.get(step.task)
    if task is None:
        return StepResult(
            Status.UNAVAILABLE,
            f"task {step.task!r} is not available in this version of mcpir: nothing was done",
        )
    if step.approval and not request.yes and not request.dry_run:
        if request.confirm is None or not request.confirm(step):
            return StepResult(Status.ATTENTION, "not run: this step needs approval (--yes)")
    return task.run(ctx)


def respond(request: RespondRequest, policy: Policy) -> RespondResult:
    root = request.scopes.root
    if root is None:
        raise UsageError("respond needs a project root", hint="pass --root")
    if request.resume and request.incident:
        raise UsageError("--resume and --incident name the incident twice", hint="give one")
    if request.dry_run:
        playbook = load_playbook(request.playbook)
        return _run(playbook, None, select(playbook, request), request, policy, {})
    with respond_lock(root, f"mcpir respond {request.title!r}"):
        existing = request.resume or request.incident
        if existing:
            incident = find_incident(root, existing)
            header = _continuable(incident, request)
            path = request.playbook or Path(header["playbook"]["path"])
            playbook = load_playbook(path)
            # --resume skips what is done; --incident runs what was asked for, again if need be.
            done = entries.finished(entries.read(incident.journal.records()))
            if request.incident:
                done = {k: v for k, v in done.items() if k not in _ids(select(playbook, request))}
        else:
            _refuse_unfinished(root)
            playbook = load_playbook(request.playbook)
            header = {
                "home": str(request.scopes.home),
                "root": str(root),
                "playbook": {"path": str(playbook.path), "sha256": playbook.sha256},
                # What the playbook would run: a step left out is "not run", never "nothing".
                "steps": [step.id for step in playbook.steps],
            }
            incident = open_incident(root, request.title, header)
            done = {}
        return _run(playbook, incident, select(playbook, request), request, policy, done)


def _continuable(incident: Incident, request: RespondRequest) -> dict[str, Any]:
    """The sealed opening of an incident more steps may run in, or a one-line refusal: a
    change set is not an incident, a closed incident takes no more steps, and its steps run
    on the home it was opened for (changes elsewhere would fall outside its bounds)."""
    from mcpir.incident.store import CHANGE

    if incident.kind == CHANGE:
        raise UsageError(
            f"{incident.id} is a change set (wrap, tokens externalize or tokens rotate), not an "
            "incident: playbook steps run in incidents only",
            hint=f"`mcpir restore {incident.id}` undoes it",
        )
    if request.incident and incident.status() == "closed":
        raise UsageError(
            f"incident {incident.id} is closed; steps are added to open incidents only",
            hint="open a new one: mcpir respond --title TEXT",
        )
    header = incident.header()
    playbook = header.get("playbook")
    if not (isinstance(playbook, dict) and isinstance(playbook.get("path"), str)):
        raise UsageError(
            f"{incident.id}: its opening record names no playbook file",
            hint="pass --playbook FILE",
        )
    home = header.get("home")
    here = os.path.realpath(request.scopes.home)
    if isinstance(home, str) and os.path.realpath(home) != here:
        raise UsageError(
            f"{incident.id} was opened for the home {home}, not {request.scopes.home}",
            hint=f"pass --home {home}",
        )
    return header


def _ids(steps: list[Step]) -> set[str]:
    return {step.id for step in steps}


def _refuse_unfinished(root: Path) -> None:
    try:
        latest = find_incident(root, None)
    except UsageError:
        return
    if any(state == "planned" for _, state in latest.journal.changes()):
        raise UsageError(
            f"incident {latest.id} was interrupted in the middle of a change",
            hint=f"finish it first: mcpir respond --resume {latest.id}",
        )


def _run(
    playbook: Playbook,
    incident: Incident | None,
    steps: list[Step],
    request: RespondRequest,
    policy: Policy,
    done: Mapping[str, StepFinished],
) -> RespondResult:
    results: list[tuple[Step, StepResult]] = []
    # Every step sees the same discovery; a change a step applies through it renews it.
    workspace = Workspace(request.scopes, policy)
    earlier = dict(done)  # every finished step, done or not: what later steps read
    progress = request.progress
    for index, step in enumerate(steps, 1):
        progress.started(f"[{index}/{len(steps)}] {step.id}  {step.title}", None)
        previous = done.get(step.id)
        if previous is not None and previous.status in DONE:
            result = StepResult(Status(previous.status), "already done in this incident")
            results.append((step, result))
            _report(progress, result)
            continue
        if incident is not None:
            incident.journal.append(entries.StepStarted(step.id).to_record())
        ctx = TaskContext(
            scopes=request.scopes,
            policy=policy,
            step=step,
            incident=incident,
            dry_run=request.dry_run,
            yes=request.yes,
            options=request.options,
            say=progress.step,
            progress=progress,
            workspace=workspace,
            earlier=dict(earlier),
        )
        result = _run_step(step, ctx, request)
        earlier[step.id] = result.finished(step)
        if incident is not None:
            incident.journal.append(earlier[step.id].to_record())
            incident.write_summary("open")
        results.append((step, result))
        _report(progress, result)
        if result.status is Status.FAILED and step.on_failure == "stop":
            break
    return RespondResult(playbook, incident, results)
