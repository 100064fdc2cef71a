"""The trees every command looks at: the user's home, the project root, the system root."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def default_home() -> Path:
    return Path.home()


def data_dir() -> Path:
    """Where mcpir keeps its own state (token inventory, scheduler store); `MCPIR_HOME` wins."""
    override = os.environ.get("MCPIR_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_data_path("mcpir")


def cache_dir() -> Path:
    """Derived data mcpir can always rebuild, such as validated playbooks."""
    override = os.environ.get("MCPIR_HOME")
    if override:
        return Path(override).expanduser() / "cache"
    import platformdirs

    return platformdirs.user_cache_path("mcpir")


def default_root(cwd: Path | None = None) -> Path:
    """The git top-level of the working directory, else the working directory itself."""
    start = (cwd or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


@dataclass(frozen=True)
class Scopes:
    """Where to look. `environ` enables the clients' own directory variables (`CODEX_HOME`…).

    Besides `root`, whose whole tree is walked, discovery reads the projects the clients
    recorded (Claude Code's `projects`, VS Code's workspaceStorage, Codex's `[projects]`…) at
    their top level. `projects` is None until discovery collects them from the clients' saved
    state (`discovery.projects`); a tuple is the readable roots already collected, read as they
    are. `only_root` reads none of them (`--only-root`).
    """

    home: Path
    root: Path | None
    system_root: Path | None = None
    environ: Mapping[str, str] | None = None
    projects: tuple[Path, ...] | None = None
    only_root: bool = False

    @classmethod
    def resolve(
        cls,
        home: Path | None,
        root: Path | None,
        system_root: Path | None = None,
        only_root: bool = False,
    ) -> Scopes:
        """Defaults for the options a user left out.

        An explicit `--home` is a sandbox (another machine's disk, a demo): discovery then
        stays inside it, with no system files and no environment variables of this machine.
        """
        real = home is None
        if system_root is None and real:
            system_root = Path(os.path.abspath(os.sep))
        return cls(
            home=default_home() if home is None else home,
            root=default_root() if root is None else root,
            system_root=system_root,
            environ=os.environ if real else None,
            only_root=only_root,
        )

    @property
    def sandboxed(self) -> bool:
        """Whether the home is not this machine's own (an explicit `--home`, the demo, a
        test): then nothing of this machine outside it is read, recorded projects included."""
        return self.environ is None

    def display_location(self, location: str) -> str:
        """A token or finding location (`path:line`, `.env:path:VAR`, `env:VAR`, `keyring:NAME`)
        with its path shortened as `display` does."""
        if location.startswith(("env:", "keyring:")):
            return location
        if location.startswith(".env:"):
            path, _, var = location.removeprefix(".env:").rpartition(":")
            return f"{self.display(Path(path))} {var}"
        path, colon, line = location.rpartition(":")
        if colon and line.isdigit():
            return f"{self.display(Path(path))}:{line}"
        return self.display(Path(location))

    def display(self, path: Path) -> str:
        """`./…` under the project root, `~/…` under the home, else the absolute path."""
        for base, label in ((self.root, "."), (self.home, "~")):
            if base is not None and path.is_relative_to(base):
                return f"{label}/{path.relative_to(base).as_posix()}"
        return path.as_posix()
