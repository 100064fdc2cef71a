"""Step 1, *contain*: disable every MCP server on the machine and in the repository, at once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mcpir.containment.plan import Plan, plan_containment
from mcpir.core.model import ConfigFile
from mcpir.core.paths import Scopes
from mcpir.core.words import plural
from mcpir.incident.entries import ProcessStopped
from mcpir.incident.journal import Change, JournalConflict, PlannedChange
from mcpir.playbook.tasks.base import Status, StepResult, TaskContext

if TYPE_CHECKING:
    from mcpir.flows import FlowReport


def _diff(change: PlannedChange) -> str:
    import difflib

    if change.op == "rename":
        assert change.target is not None  # noqa: S101 - every rename has one
        return f"rename {change.path}\n    -> {change.target}\n"
    before = (change.before or b"").decode("utf-8", "replace").splitlines(keepends=True)
    after = (change.data or b"").decode("utf-8", "replace").splitlines(keepends=True)
    label = "/dev/null" if change.op == "create" else str(change.path)
    return "".join(difflib.unified_diff(before, after, label, str(change.path)))


def _projects(files: list[ConfigFile], changes: Iterable[PlannedChange | Change]) -> list[Path]:
    """The projects whose files these changes touch (`--root` and those clients recorded)."""
    owner = {config.path: config.project for config in files if config.project is not None}
    return sorted({owner[c.path] for c in changes if c.path in owner})


def _out_of_reach(scopes: Scopes, limit: int = 10) -> list[str]:
    """Recorded projects on a disk, a machine or a home not reachable from here: what they
    run was not contained, and the responder should know where to run mcpir next. Said, not
    counted as needing attention: a remote window VS Code once opened stays recorded."""
    if scopes.only_root:
        return []
    from mcpir.discovery.clients import CLIENTS
    from mcpir.discovery.projects import ProjectState, collect

    far = [p for p in collect(scopes, CLIENTS).projects if p.state is ProjectState.UNREACHABLE]
    notes = [f"not contained, out of reach: {p.recorded} ({p.reason})" for p in far[:limit]]
    if len(far) > limit:
        notes.append(f"and {len(far) - limit} more out of reach: mcpir servers --projects")
    return notes


def _flows(files: list[ConfigFile], ctx: TaskContext) -> FlowReport:
    """The flows the enabled servers make possible, from listings and the catalog only:
    containment is the first step and must stay fast, so no transcript is read here."""
    from mcpir.flows import analyze

    return analyze(files, root=ctx.scopes.root)


class Contain:
    name = "contain"

    def run(self, ctx: TaskContext) -> StepResult:
        from mcpir.containment import processes
        from mcpir.core.redact import redact_diff

        actions: list[str] = []
        if ctx.incident is not None:
            actions += ctx.incident.journal.recover()
        files = ctx.workspace.configs()
        possible = _flows(files, ctx)
        plan: Plan = plan_containment(files)
        enabled = [s for config in files for s in config.servers if s.enabled]
        projects = _projects(files, plan.changes)
        across = f" across {plural(len(projects), 'project')}" if projects else ""
        far = _out_of_reach(ctx.scopes)
        kill = ctx.param("kill", False) is True  # a string "false" in a playbook is not a yes
        # Processes belong to this machine: a --home that is not this user's home (another
        # disk, the demo's sandbox) has none, and killing ours for it would be wrong.
        here = ctx.scopes.environ is not None or ctx.scopes.home.resolve() == Path.home().resolve()
        running = processes.matching(enabled) if here else []
        if ctx.dry_run:
            verb = "would stop" if kill else "running"
            notes = plan.notes + [f"{verb}: pid {p.pid} ({p.server}) {p.command}" for p in running]
            notes += far
            chains = f"; would break {plural(len(possible.chains), 'full chain')}"
            return StepResult(
                Status.CHANGED if plan.changes else Status.OK,
                f"would disable {plural(len(enabled), 'server')} in "
                f"{plural(len(plan.changes), 'file')}{across}"
                f"{chains if plan.changes and possible.chains else ''}",
                notes=notes,
                diff=redact_diff("".join(_diff(change) for change in plan.changes)),
            )
        assert ctx.incident is not None  # noqa: S101 - only a dry run has no incident
        journal = ctx.incident.journal
        try:
            # Restore accepts a change only inside the incident's home and root, or inside a
            # project a sealed record named before it: name them now, before any change.
            journal.record_projects(projects, ctx.step.id)
            applied = ctx.workspace.apply_all(journal, plan.changes, ctx.step.id)
        except (JournalConflict, OSError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            return StepResult(
                Status.FAILED, f"containment stopped: {message}", actions=actions, notes=plan.notes
            )
        disabled = 0
        for change in applied:
            disabled += len(change.servers)
            where = ctx.scopes.display(change.path)
            line = f"{where}: {change.summary} ({', '.join(change.servers)})"
            actions.append(line)
            ctx.say(line)
        for process in running:
            if kill:
                outcome = processes.stop(process)
                stopped = ProcessStopped(process.pid, process.server, process.command, outcome)
                journal.append(stopped.to_record())
                line = f"pid {process.pid} ({process.server}): {outcome}"
                actions.append(line)
                ctx.say(line)
            else:
                plan.notes.append(
                    f"still running: pid {process.pid} ({process.server}) {process.command} "
                    "(re-run with --kill to stop it)"
                )
        failed = journal.failures
        from mcpir.flows import record

        # What could leave before, and which chains are gone: the document's flow graph.
        left = _flows(ctx.workspace.configs(), ctx)
        journal.append(record.record(possible, left, ctx.step.id))
        if applied:
            plan.notes.append("restart your AI clients: they read MCP config only at start")
        still = len(enabled) - disabled
        touched = _projects(files, applied)
        summary = f"disabled {plural(disabled, 'server')} in {plural(len(applied), 'file')}"
        if touched:
            summary += f" across {plural(len(touched), 'project')}"
        if still > 0:
            summary += f"; {still} still enabled (see below)"
        elif not applied:
            summary = "no enabled MCP server left to disable"
        summary += record.summary(possible, left)
        if failed:
            # Every other file is contained; these are kept in the journal for --resume.
            notes = failed + plan.notes + far
            return StepResult(Status.FAILED, summary, actions=actions, notes=notes)
        status = Status.CHANGED if applied else Status.OK
        if still > 0 or any(not note.startswith("restart") for note in plan.notes):
            status = Status.ATTENTION  # a managed file, a running process, an unreadable config
        return StepResult(status, summary, actions=actions, notes=plan.notes + far)


TASK = Contain()
