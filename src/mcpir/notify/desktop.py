"""A desktop notification through `notify-send` (libnotify), where there is one."""

from __future__ import annotations

import shutil
import subprocess
from typing import ClassVar

from mcpir.notify.base import NotifyError, Reminder, Resolution, Say
from mcpir.notify.config import NotifyConfig

TIMEOUT = 10


class Desktop:
    name: ClassVar[str] = "desktop"

    def __init__(self, program: str | None) -> None:
        self.program = program

    def unavailable(self) -> str | None:
        return None if self.program else "notify-send is not installed"

    def remind(self, reminder: Reminder) -> str:
        if self.program is None:
            raise NotifyError("notify-send is not installed")
        urgency = "critical" if reminder.state == "overdue" else "normal"
        body = "\n".join(reminder.lines()[1:])
        command = [
            self.program, "--app-name=mcpir", f"--urgency={urgency}", "--", reminder.title, body,
        ]  # fmt: skip
        try:
            done = subprocess.run(  # noqa: S603 - fixed program, arguments are redacted text
                command, capture_output=True, text=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise NotifyError(f"notify-send failed: {exc}") from None
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise NotifyError(f"notify-send exited {done.returncode}: {why}")
        return "notification shown"

    def resolve(self, resolution: Resolution) -> str | None:
        return None  # a notification cannot be withdrawn; nothing is left open


def make(config: NotifyConfig, say: Say) -> Desktop:
    return Desktop(shutil.which("notify-send"))
