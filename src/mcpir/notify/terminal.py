"""Terminal and log: the reminder on stderr (or the scheduler's log), and appended to
`reminders.log` in mcpir's data dir (0600), so a reminder seen by nobody is still on record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from mcpir.core.fileio import append_lines, private_dirs
from mcpir.core.paths import data_dir
from mcpir.notify.base import Reminder, Resolution, Say
from mcpir.notify.config import NotifyConfig

LOG = "reminders.log"


class Terminal:
    name: ClassVar[str] = "terminal"

    def __init__(self, say: Say) -> None:
        self.say = say

    def unavailable(self) -> str | None:
        return None

    def _log(self, lines: list[str]) -> None:
        path = data_dir() / LOG
        private_dirs(path.parent)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        append_lines(path, [f"{stamp} {line}\n" for line in lines])

    def remind(self, reminder: Reminder) -> str:
        lines = reminder.lines()
        for line in lines:
            self.say(line)
        self._log(lines)
        return f"shown, and logged to {data_dir() / LOG}"

    def resolve(self, resolution: Resolution) -> str | None:
        self.say(resolution.text())
        self._log([resolution.text()])
        return "shown"


def make(config: NotifyConfig, say: Say) -> Terminal:
    return Terminal(say)
