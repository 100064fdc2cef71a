"""What `mcpir wrap` writes in front of `proxy`: a command the client that reads the file can run.

A client starts a server in its own environment, not in the shell that ran `mcpir wrap`: a
desktop client does not see the shell's PATH (nor an activated virtualenv), and a teammate
who gets the repository's `.mcp.json` through git has their own install. So:

- a user's own files (user and local scope) get the mcpir running now, by absolute path: its
  console script, else `<absolute python> -m mcpir` (as `schedule install` writes it);
- files shared through git (project scope) get what every teammate can run: `mcpir` when it is
  on PATH here, or what `--command` says (`uvx mcpir`). With neither, they are refused: a bare
  `mcpir` that no client can find stops every server it launches, silently.

`unwrap` recognises every one of these forms (`wrap.proxied`), so `--command` must end in
`mcpir` (or `-m mcpir`).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mcpir.launchers.mcpir import PROGRAM, names_mcpir

USER, SHARED = "user", "shared"  # which files a launcher is written into


def running() -> tuple[str, ...]:
    """The mcpir running now, by absolute path: the console script this process was started
    as, else this interpreter with `-m mcpir`."""
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if script and names_mcpir(script) and os.path.isfile(script) and os.access(script, os.X_OK):
        return (script,)
    return (os.path.abspath(sys.executable or "python3"), "-m", PROGRAM)


def shown(words: tuple[str, ...] | list[str]) -> str:
    """A command as a shell would take it (quoted where needed)."""
    return shlex.join(words)


@dataclass(frozen=True)
class Launchers:
    """What launches the proxy in each kind of file, and why; `shared` None: refused."""

    user: tuple[str, ...]
    shared: tuple[str, ...] | None
    why: str  # why `shared` is what it is, or why project files are refused

    def of(self, shared: bool) -> tuple[str, ...] | None:
        return self.shared if shared else self.user


def resolve(command: str | None, which: Callable[[str], str | None] = shutil.which) -> Launchers:
    """The launchers for this run. `command` is `--command` as typed; raises UsageError when it
    is not a command line `unwrap` could recognise."""
    user = running()
    if command is not None:
        return Launchers(user, parse_command(command), "as --command says")  # may be `mcpir`
    found = which(PROGRAM)
    if found is not None:
        return Launchers(user, (PROGRAM,), f"`{PROGRAM}` is on PATH here ({found})")
    return Launchers(user, None, f"`{PROGRAM}` is not on PATH here (this one is {shown(user)})")


def parse_command(command: str) -> tuple[str, ...]:
    from mcpir.core.errors import UsageError
    from mcpir.launchers.mcpir import proxied

    hint = "say how your teammates run mcpir, e.g. --command 'uvx mcpir' or --command mcpir"
    try:
        words = tuple(shlex.split(command))
    except ValueError as exc:
        raise UsageError(f"--command {command!r}: {exc}", hint=hint) from None
    if not words:
        raise UsageError("--command is empty", hint=hint)
    # Whatever it is, `unwrap` (and posture, investigate) must read it back as the proxy.
    if proxied([*words, "proxy", "--", "server"]) != ([], ["server"]):
        raise UsageError(f"--command {command!r} does not end in `mcpir` (or `-m mcpir`): "
                         "`mcpir unwrap` could not recognise it", hint=hint)  # fmt: skip
    return words


def refusal(launchers: Launchers) -> str:
    """Why a file shared through git is not wrapped (the outcome's reason)."""
    return (
        f"shared through git, and {launchers.why}: your teammates' clients could not start it; "
        "pass --command to say how they run mcpir (--command 'uvx mcpir', or --command mcpir "
        "when it is on everyone's PATH)"
    )


def notes(
    launchers: Launchers,
    written: Mapping[str, list[Path]],
    display: Callable[[Path], str],
    applied: bool = True,
) -> list[str]:
    """One warning per kind of file wrap writes a launcher into: what it wrote (or, when not
    `applied`, would write), and why."""
    wrote = "wrote" if applied else "would write"
    lines = []
    user = written.get(USER, [])
    if user:
        lines.append(
            f"{wrote} `{shown(launchers.user)}` into {_files(user, display)}: the mcpir running "
            "now, by its absolute path, since a client started from the desktop does not see "
            "your shell's PATH; if you move or remove it, run `mcpir unwrap --all --yes` first"
        )
    shared = written.get(SHARED, [])
    if shared and launchers.shared is not None:
        files = _files(shared, display)
        head = f"{wrote} `{shown(launchers.shared)}` into {files}, shared through git"
        if launchers.shared == (PROGRAM,):
            lines.append(
                f"{head}: {launchers.why}, and every teammate needs it on theirs, or their clients "
                "cannot start these servers (--command says how they run mcpir instead, e.g. "
                "--command 'uvx mcpir')"
            )
        else:
            lines.append(
                f"{head}, {launchers.why}: every teammate's client starts these servers that way"
            )
    return lines


def _files(paths: list[Path], display: Callable[[Path], str]) -> str:
    shown_paths = sorted({display(path) for path in paths})
    head = ", ".join(shown_paths[:3])
    more = len(shown_paths) - 3
    return head + (f" and {more} more" if more > 0 else "")
