"""The few types every part of mcpir shares: config files, servers, findings."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mcpir.core.redact import redact_text
from mcpir.core.secret import Secret

# Where a definition sits inside its file (`("mcpServers", "github")`).
KeyPath = tuple[str | int, ...]


class Scope(enum.StrEnum):
    """Where a definition applies.

    `local` is Claude Code's per-project entry kept in the user's `~/.claude.json`;
    `system` is an administrator's managed file outside the home directory.
    """

    USER = "user"
    PROJECT = "project"
    LOCAL = "local"
    SYSTEM = "system"


class Transport(enum.StrEnum):
    STDIO = "stdio"
    HTTP = "http"
    SSE = "sse"


class Format(enum.StrEnum):
    JSON = "json"
    JSONC = "jsonc"
    TOML = "toml"
    YAML = "yaml"


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


@dataclass(frozen=True, order=True, init=False)
class Location:
    path: Path
    line: int | None = None

    def __init__(self, path: Path, line: int | None = None) -> None:
        self.__dict__.update(path=path, line=line)

    @classmethod
    def found_later(
        cls, path: Path, find: Callable[[KeyPath], int | None], keys: KeyPath
    ) -> Location:
        """A location whose line is `find(keys)`, looked up when first read (and kept).

        Discovery places every server of every config; finding a line costs more than the rest
        of a server, and a scan shows the lines of the few it reports. Equality, order, hash,
        `replace` and every output read `line` as an attribute, so they see a plain one."""
        location = cls.__new__(cls)
        location.__dict__.update(path=path, _find=(find, keys))
        return location

    if not TYPE_CHECKING:  # `line` stays a plain `int | None` to the type checker

        def __getattr__(self, name: str) -> object:
            # Only reached for `line` of a location `found_later` (see the `delattr` below).
            found = self.__dict__.get("_find")
            if name != "line" or found is None:
                raise AttributeError(name)
            find, keys = found
            line = self.__dict__["line"] = find(keys)
            self.__dict__.pop("_find", None)
            return line

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


# A class attribute `line` (the dataclass default) would answer before `__getattr__` does;
# every instance has its own or finds it later.
delattr(Location, "line")


# Built for every server of every config: a frozen dataclass's own `__init__` sets each of
# the 15 fields through `object.__setattr__`, twice the cost of filling `__dict__` in one call
# (measured on `benchmarks/secrets.py`). It stays a frozen dataclass otherwise (eq, `replace`,
# `fields`); tests/test_model_init.py keeps this `__init__` in step with the fields.
@dataclass(frozen=True, repr=False, init=False)
class Server:
    """One MCP server definition, as a client would launch or connect to it.

    `env` and `headers` values are `Secret`s: they are what a server can read, and a repr
    of a server must never show them. `args` and `url` stay plain for the checks that read
    them; every output path sends them through `redact`.
    """

    name: str
    client: str
    scope: Scope
    transport: Transport
    location: Location
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, Secret] = field(default_factory=dict)
    url: str | None = None
    headers: Mapping[str, Secret] = field(default_factory=dict)
    enabled: bool = True
    cwd: str | None = None
    description: str | None = None
    # Where the definition sits inside its file (`("mcpServers", "github")`): what an edit targets.
    keys: tuple[str | int, ...] = ()
    # The project root a project-scope definition belongs to: `--root` or a project a client
    # recorded. None for user, local and system definitions.
    project: Path | None = None

    def __init__(
        self,
        name: str,
        client: str,
        scope: Scope,
        transport: Transport,
        location: Location,
        command: str | None = None,
        args: tuple[str, ...] = (),
        env: Mapping[str, Secret] | None = None,
        url: str | None = None,
        headers: Mapping[str, Secret] | None = None,
        enabled: bool = True,
        cwd: str | None = None,
        description: str | None = None,
        keys: tuple[str | int, ...] = (),
        project: Path | None = None,
    ) -> None:
        # A new dict each when absent, as `field(default_factory=dict)` gave.
        self.__dict__.update(
            name=name,
            client=client,
            scope=scope,
            transport=transport,
            location=location,
            command=command,
            args=args,
            env={} if env is None else env,
            url=url,
            headers={} if headers is None else headers,
            enabled=enabled,
            cwd=cwd,
            description=description,
            keys=keys,
            project=project,
        )

    @property
    def path(self) -> Path:
        return self.location.path

    @property
    def line(self) -> int | None:
        return self.location.line

    def __repr__(self) -> str:
        target = self.url if self.transport is not Transport.STDIO else self.command
        return redact_text(
            f"Server({self.client}/{self.scope}/{self.name!r}, {self.transport}, {target!r}, "
            f"env={sorted(self.env)}, headers={sorted(self.headers)}, at {self.location})"
        )


@dataclass(frozen=True)
class ConfigFile:
    """A file that defines MCP servers for one client, or that failed to load (`error`)."""

    client: str
    scope: Scope
    path: Path
    format: Format
    servers: tuple[Server, ...] = ()
    error: str | None = None
    project: Path | None = None  # as `Server.project`


@dataclass(frozen=True)
class Finding:
    """What a check, an audit or an investigation reports. `evidence` is stored redacted."""

    rule_id: str
    severity: Severity
    message: str
    location: Location
    server: str | None = None
    tool: str | None = None
    evidence: str | None = None
    client: str | None = None
    # SHA-256 of the whole text the finding judged, when `evidence` is only an excerpt of it (a
    # description): an accepted finding then stays accepted for that text alone. Never the text.
    judged: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.evidence is not None:
            object.__setattr__(self, "evidence", redact_text(self.evidence))
        object.__setattr__(self, "message", redact_text(self.message))


@dataclass(frozen=True)
class Tool:
    """A tool definition as a server advertises it (`tools/list`), or one of its parameters.

    `name` is `tool` for the tool itself and `tool.param` for a parameter's description.
    """

    name: str
    description: str
    location: Location
    server: str | None = None
