"""How long work tells whoever waits how far it got, without knowing who that is.

The library reports; `output.progress` draws bars on a terminal, `output.respond_view` the
steps of a response, and a test or `--json` passes `SILENT`. Counts are increments so that a
reader deep in a loop can report the bytes it just read without knowing what the others read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Progress(Protocol):
    def started(self, what: str, total: int | None) -> None:
        """A phase begins: `what` it does, and how many units it has (None: not known)."""
        ...

    def advanced(self, count: int) -> None:
        """`count` more units of the current phase are done."""
        ...

    def step(self, text: str) -> None:
        """A note on the current phase that is not a count."""
        ...

    def finished(self) -> None:
        """The work is over (also after an error): whatever was drawn is taken away."""
        ...

    def outcome(self, status: str, summary: str, details: Sequence[str], body: str) -> None:
        """A unit of the work ended (a playbook step): its status word, a one-line summary,
        the lines a person must read, and a block shown as it is (a planned diff)."""
        ...


class NoProgress:
    def started(self, what: str, total: int | None) -> None:
        pass

    def advanced(self, count: int) -> None:
        pass

    def step(self, text: str) -> None:
        pass

    def finished(self) -> None:
        pass

    def outcome(self, status: str, summary: str, details: Sequence[str], body: str) -> None:
        pass


SILENT: Progress = NoProgress()
