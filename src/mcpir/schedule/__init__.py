"""The daily rotation check, run by mcpir's own scheduler or by the OS's.

- `jobs.daily_check`: the check itself (`tokens status --notify`, remembered in a run log);
- `scheduler`: APScheduler 3.11 with its jobs in SQLite in mcpir's data dir (they survive a
  restart; runs missed while the machine was off are coalesced into one);
- `installers`: a systemd user timer, a cron line or a launchd agent running the check daily.

APScheduler and SQLAlchemy are imported inside the functions that use them.
"""

from __future__ import annotations

JOB_ID = "mcpir-daily-check"
STORE_FILE = "schedule.sqlite"
RUNS_FILE = "schedule-runs.jsonl"
DEFAULT_AT = "09:00"
