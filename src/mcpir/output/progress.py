"""Progress drawn on stderr, so that stdout stays clean for --json and SARIF."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any


class _Bar:
    def outcome(self, status: str, summary: str, details: Sequence[str], body: str) -> None:
        """A bar has no place for results: whoever shows them does so once it is gone."""


class LineBar(_Bar):
    """One line redrawn in place: a bar when the total is known, else a running count."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.what = ""
        self.done = 0
        self.total: int | None = None
        self.shown = False

    def started(self, what: str, total: int | None) -> None:
        self.what, self.total, self.done = what, total, 0
        self._draw()

    def advanced(self, count: int) -> None:
        self.done += count
        self._draw()

    def step(self, text: str) -> None:
        self.what = text
        self._draw()

    def finished(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self.shown = False

    def _draw(self) -> None:
        if self.total:
            filled = int(20 * self.done / self.total)
            text = f"[{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.total} {self.what}"
        else:
            text = f"{self.what}: {self.done} {self.unit}"
        sys.stderr.write(f"\r\x1b[2K{text}")
        sys.stderr.flush()
        self.shown = True


class ByteBar(_Bar):
    """A rich bar counting bytes with the time left, gone once finished."""

    def __init__(self) -> None:
        self.what = ""
        self.progress: Any = None  # rich is loaded only when something is drawn
        self.task: Any = None

    def started(self, what: str, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self.finished()
        self.progress = RichProgress("{task.description}", BarColumn(), DownloadColumn(),
                                     TimeRemainingColumn(), console=Console(file=sys.stderr),
                                     transient=True)  # fmt: skip
        self.progress.start()
        self.task = self.progress.add_task(what, total=total)

    def advanced(self, count: int) -> None:
        if self.progress is not None:
            self.progress.advance(self.task, count)

    def step(self, text: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task, description=text)

    def finished(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
