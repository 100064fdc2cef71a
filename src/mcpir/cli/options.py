"""The options every command shares, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from mcpir.core.paths import Scopes

if TYPE_CHECKING:
    from mcpir.incident.store import Incident

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="User scope to inspect (default: $HOME).", show_default=False),
]
RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Project scope (default: git top-level of the cwd, else the cwd).",
        show_default=False,
    ),
]
OnlyRootOption = Annotated[
    bool,
    typer.Option(
        "--only-root",
        help="Only the project at --root: not the projects the clients recorded "
        "(Claude Code, VS Code, Cursor, Windsurf, Codex…).",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Machine output on stdout, and nothing else on stdout.")
]
IncidentHomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Act only on an incident opened for this home (the one `respond --home` named; "
        "default: any).",
        show_default=False,
    ),
]
ExitZeroOption = Annotated[
    bool,
    typer.Option(
        "--exit-zero",
        help="Exit 0 even when something is found (a report, like ruff's and gitleaks'); "
        "bad usage still exits 2.",
    ),
]
SystemRootOption = Annotated[
    Path | None,
    typer.Option(
        "--system-root",
        help="Where administrators' managed files live (default: / when --home is not given).",
        show_default=False,
    ),
]


def existing_dir(path: Path, option: str) -> Path:
    path = path.expanduser()
    if not path.is_dir():
        raise UsageError(f"{option} {path}: no such directory")
    return path.absolute()


def findings_exit(found: bool, exit_zero: bool) -> int:
    """1 when something was found, unless `--exit-zero` asked for a report only."""
    return EXIT_FINDINGS if found and not exit_zero else EXIT_OK


def opened_for(incident: Incident, home: Path | None) -> None:
    """`--home` on restore, close and report: the incident must be one opened for that home
    (a sandbox, another machine's disk), as its sealed opening record says; otherwise one
    line, exit 2, before anything is written. No `--home`: any incident here."""
    if home is None:
        return
    import os

    recorded = incident.header().get("home")
    if not isinstance(recorded, str):
        raise UsageError(f"{incident.id} records no home to match --home", hint="leave --home out")
    if os.path.realpath(recorded) != os.path.realpath(home):
        raise UsageError(
            f"{incident.id} was opened for the home {recorded}, not {home}",
            hint=f"pass --home {recorded}, or name the incident (`mcpir report --list`)",
        )


def resolve_scopes(
    home: Path | None, root: Path | None, system_root: Path | None, only_root: bool = False
) -> Scopes:
    """Check the directories a user named, then fill in the defaults. Every project the
    clients recorded is read besides `--root`, unless `only_root`."""
    return Scopes.resolve(
        existing_dir(home, "--home") if home is not None else None,
        existing_dir(root, "--root") if root is not None else None,
        existing_dir(system_root, "--system-root") if system_root is not None else None,
        only_root=only_root,
    )


def incident_root(incident: str | None, root: Path | None) -> Path:
    """The project `restore`, `report`, `close` and `respond --resume` act in: `--root` when
    given, else the cwd's project, unless `incident` names one that lives elsewhere: mcpir's
    index of incidents finds it from any directory, its journal's seal re-checked there, and
    stderr says where it lives. A lookup that fails raises before anything is written."""
    scopes = resolve_scopes(None, root, None)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    if root is not None or incident is None:
        return scopes.root
    from mcpir.incident.index import locate
    from mcpir.incident.store import CHANGE

    found = locate(incident, scopes.root)
    if found is None:
        return scopes.root
    from mcpir.output.respond_view import say

    where = found.directory.parent.parent.parent
    what = "change set" if found.kind == CHANGE else "incident"
    say(f"{what} {found.id} lives in {where}", err=True)
    return where
