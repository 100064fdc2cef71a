"""mcpir's own scheduler: APScheduler 3.11, its job kept in SQLite in the user data dir.

The daily job is added once and then left alone: restarting `mcpir schedule run` keeps the
stored next run time, so the runs missed while it was down are found at start and coalesced
into one (`coalesce=True`). `misfire_grace_time` is a week: a run up to a week late still
happens; and since the last missed daily run is never more than a day old, a check runs once
after any downtime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.errors import McpirError, UsageError
from mcpir.core.fileio import private_dirs
from mcpir.core.paths import data_dir
from mcpir.schedule import DEFAULT_AT, JOB_ID, STORE_FILE
from mcpir.schedule.jobs import JOB_FUNC

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler  # type: ignore[import-untyped]

MISFIRE_GRACE = 7 * 24 * 3600
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": MISFIRE_GRACE, "max_instances": 1}
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_at(at: str) -> tuple[int, int]:
    match = _AT.match(at)
    if match is None:
        raise UsageError(f"--at {at!r}: expected HH:MM, e.g. {DEFAULT_AT}")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class JobSpec:
    at: str = DEFAULT_AT
    home: str | None = None
    root: str | None = None

    @property
    def kwargs(self) -> dict[str, Any]:
        return {"home": self.home, "root": self.root}


def store_path() -> Path:
    return data_dir() / STORE_FILE


class StoreError(McpirError):
    """`schedule.sqlite` cannot be opened or written: one line and a hint, not a traceback."""


def _store_error(path: Path, why: object) -> StoreError:
    return StoreError(
        f"{path}: job store unusable: {why}",
        hint="move it aside, and `mcpir schedule run` adds the daily job again; "
        "or set MCPIR_HOME to a writable directory",
    )


def check_store(path: Path) -> None:
    """Open the store as SQLite before APScheduler does: a damaged or unreadable file would
    otherwise surface as a SQLAlchemy traceback from inside the scheduler."""
    import sqlite3

    try:
        private_dirs(path.parent)
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA schema_version").fetchone()  # reads the header
        finally:
            connection.close()
    except (OSError, sqlite3.Error) as exc:
        raise _store_error(path, exc) from None


def build(kind: str = "blocking", path: Path | None = None) -> BaseScheduler:
    """A scheduler (blocking or background) whose job store is `schedule.sqlite`."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # type: ignore[import-untyped]

    path = path or store_path()
    check_store(path)
    store = SQLAlchemyJobStore(url=f"sqlite:///{path}")
    options: dict[str, Any] = {"jobstores": {"default": store}, "job_defaults": JOB_DEFAULTS}
    if kind == "blocking":
        from apscheduler.schedulers.blocking import BlockingScheduler  # type: ignore[import-untyped]

        return BlockingScheduler(**options)
    from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

    return BackgroundScheduler(**options)


def ensure_daily_job(scheduler: BaseScheduler, spec: JobSpec) -> str:
    """Add the daily job, or bring a stored one up to date; an unchanged job is left alone so
    its stored next run time (and any run missed since) survives. Call on a started scheduler."""
    from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

    hour, minute = parse_at(spec.at)
    trigger = CronTrigger(hour=hour, minute=minute)
    job = scheduler.get_job(JOB_ID)
    if job is None:
        scheduler.add_job(
            JOB_FUNC, trigger, id=JOB_ID, name="mcpir daily token check", kwargs=spec.kwargs
        )
        return "added"
    if job.kwargs != spec.kwargs or str(job.trigger) != str(trigger):
        scheduler.modify_job(JOB_ID, kwargs=spec.kwargs)
        scheduler.reschedule_job(JOB_ID, trigger=trigger)
        return "updated"
    return "kept"


def run_forever(spec: JobSpec, say: Any = print) -> None:  # noqa: ANN401
    """`mcpir schedule run`: block, running the daily check, until SIGINT/SIGTERM."""
    import signal

    from apscheduler.events import EVENT_SCHEDULER_STARTED  # type: ignore[import-untyped]

    scheduler = build("blocking")

    def started(_event: object) -> None:
        what = ensure_daily_job(scheduler, spec)
        job = scheduler.get_job(JOB_ID)
        when = job.next_run_time.isoformat() if job and job.next_run_time else "never"
        say(f"daily check {what}; next run {when}; store {store_path()}")

    def stop(_signum: int, _frame: object) -> None:
        scheduler.shutdown(wait=False)

    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    signal.signal(signal.SIGTERM, stop)
    try:
        _start(scheduler)
    except (KeyboardInterrupt, SystemExit):
        if scheduler.running:
            scheduler.shutdown(wait=False)


def _start(scheduler: BaseScheduler, **options: Any) -> None:  # noqa: ANN401
    """Start, turning the store's database errors (read-only file system, a file locked or
    damaged after `check_store`) into one line."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        scheduler.start(**options)
    except SQLAlchemyError as exc:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        why = getattr(exc, "orig", None) or exc
        raise _store_error(store_path(), why) from None


@dataclass(frozen=True)
class JobInfo:
    id: str
    name: str
    trigger: str
    next_run: datetime | None
    kwargs: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "trigger": self.trigger,
            "next_run": self.next_run.isoformat() if self.next_run else None,
            "kwargs": self.kwargs,
        }


def list_jobs(path: Path | None = None) -> list[JobInfo]:
    """The jobs in the store, read through a paused scheduler (nothing runs)."""
    path = path or store_path()
    if not path.exists():
        return []
    scheduler = build("background", path)
    _start(scheduler, paused=True)
    try:
        return [
            JobInfo(job.id, job.name, str(job.trigger), job.next_run_time, dict(job.kwargs))
            for job in scheduler.get_jobs()
        ]
    finally:
        scheduler.shutdown(wait=False)
