"""The daily check: every token against the rotation policy, reminders through the notifiers.

`daily_check` is what the scheduler's job calls (by its textual reference, so the job in the
SQLite store needs nothing pickled but names and strings) and what `mcpir schedule run --once`
runs for the systemd, cron and launchd installers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcpir.core.fileio import append_jsonl, json_records, jsonl_lines, private_dirs
from mcpir.core.paths import Scopes, data_dir
from mcpir.schedule import RUNS_FILE

JOB_FUNC = "mcpir.schedule.jobs:daily_check"


def _say(line: str) -> None:
    print(line, flush=True)  # the scheduler's own output: journald, cron mail, a terminal


def daily_check(home: str | None = None, root: str | None = None) -> dict[str, Any]:
    """Check every token, send the reminders that are due; append the outcome to the run log."""
    from mcpir.config.project import Policy, load_policy
    from mcpir.config.rotation import load_user_config
    from mcpir.notify import load_notify, notifiers
    from mcpir.notify.reminders import run_reminders
    from mcpir.tokens.status import check
    from mcpir.workspace import Workspace

    started = datetime.now(UTC)
    scopes = Scopes.resolve(Path(home) if home else None, Path(root) if root else None)
    outcome: dict[str, Any] = {"at": started.isoformat(timespec="seconds"), "ok": True}
    try:
        policy = load_policy(scopes.root) if scopes.root is not None else None
        # As `tokens status` judges: aged from the oldest evidence, exposed until rotated.
        workspace = Workspace(scopes, policy or Policy())
        result = check(
            scopes, policy, configs=workspace.configs(), tokens=workspace.tokens_with_evidence()
        )
        channels = notifiers(load_notify(load_user_config()), _say)
        report = run_reminders(result.aged, scopes, channels)
        outcome |= {
            "tokens": len(result.aged),
            "overdue": result.overdue,
            "exposed": result.exposed,
            "due_soon": sum(s.state == "due-soon" for s in result.aged),
            "reminded": sum(d.ok for d in report.reminded),
            "resolved": sum(d.ok for d in report.resolved),
            "failed": [f"{d.channel}: {d.detail}" for d in report.failed],
            # A channel that cannot work here (no GitHub token…) sends nothing, every day:
            # on record, so `schedule list` and the timer's log show why no reminder came.
            "skipped": [f"{name}: {why}" for name, why in report.unavailable.items()],
        }
        outcome["ok"] = not report.failed
    except Exception as exc:  # noqa: BLE001 - a scheduler job must record, not die silently
        from mcpir.core.redact import redact_text

        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        outcome |= {"ok": False, "error": redact_text(str(message))}
    outcome["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 3)
    _record(outcome)
    return outcome


def _record(outcome: dict[str, Any]) -> None:
    from mcpir.core.errors import EXIT_STEP_FAILED, McpirError

    path = data_dir() / RUNS_FILE
    try:
        private_dirs(path.parent)
        append_jsonl(path, [outcome], sort_keys=True)
    except OSError as exc:
        error = McpirError(
            f"{path}: cannot record the daily check: {exc.strerror or exc}",
            hint="make mcpir's data dir writable, or set MCPIR_HOME",
        )
        error.exit_code = EXIT_STEP_FAILED
        raise error from None


def runs(limit: int = 10) -> list[dict[str, Any]]:
    """The last `limit` recorded runs, newest last."""
    try:
        lines = jsonl_lines((data_dir() / RUNS_FILE).read_text(encoding="utf-8"))
    except OSError:
        return []
    return json_records(lines[-limit:])
