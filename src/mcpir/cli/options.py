"""The options every command shares, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mcpir.core.errors import UsageError
from mcpir.core.paths import Scopes

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
JsonOption = Annotated[
    bool, typer.Option("--json", help="Machine output on stdout, and nothing else on stdout.")
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


def resolve_scopes(home: Path | None, root: Path | None, system_root: Path | None) -> Scopes:
    """Check the directories a user named, then fill in the defaults."""
    return Scopes.resolve(
        existing_dir(home, "--home") if home is not None else None,
        existing_dir(root, "--root") if root is not None else None,
        existing_dir(system_root, "--system-root") if system_root is not None else None,
    )
