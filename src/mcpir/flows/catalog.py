"""The catalog of well-known servers (`catalog.json`, next to this module): which package,
image or host a server runs, and what each of its tools can do, for the release written down.

It is the third source of evidence, after a tool's annotations and listing: most servers are
never listed on the machine being investigated, but `npx -y @modelcontextprotocol/server-github`
says which tools the model had.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from mcpir.core.model import Server
from mcpir.flows.model import Capability, Confidence, Evidence, Source


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    version: str  # the release the tool list was written for
    written_for: str
    npm: tuple[str, ...]
    pypi: tuple[str, ...]
    docker: tuple[str, ...]
    hosts: tuple[str, ...]
    tools: Mapping[str, tuple[Capability, ...]]  # every tool the entry knows, with none or more
    read_only_flags: tuple[str, ...] = ()  # `--read-only`: the server drops its writing tools
    read_only_env: tuple[str, ...] = ()  # the same, as an environment variable set to 1/true


@dataclass(frozen=True)
class Match:
    entry: Entry
    runs: str | None  # the version the server's config runs, when it names one
    read_only: bool = False  # started with the entry's read-only flag or variable

    @property
    def confidence(self) -> Confidence:
        """High for the release the entry was written for; medium for any other (tools come
        and go between releases), or for a server that names no release at all."""
        return Confidence.HIGH if self.runs == self.entry.version else Confidence.MEDIUM

    @property
    def detail(self) -> str:
        """`github@2025.4.8`, and what the config runs when that is another release."""
        entry = f"{self.entry.id}@{self.entry.version}"
        if self.runs != self.entry.version:
            entry += f", config runs {self.runs or 'no pinned version'}"
        return entry + (", read-only" if self.read_only else "")

    def evidence(self, tool: str) -> list[Evidence]:
        return [
            Evidence(capability, Source.CATALOG, self.confidence, self.detail)
            for capability in self.entry.tools.get(tool, ())
            if not (self.read_only and capability in _WRITES)
        ]


_WRITES = frozenset({Capability.SENDS, Capability.DESTRUCTIVE})


def _strings(value: Any) -> tuple[str, ...]:  # noqa: ANN401 - a JSON value
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _entry(raw: Mapping[str, Any]) -> Entry:
    match = raw.get("match") or {}
    tools: dict[str, list[Capability]] = {name: [] for name in _strings(raw.get("none"))}
    for capability, names in (raw.get("tools") or {}).items():
        for name in _strings(names):
            tools.setdefault(name, []).append(Capability(capability))
    return Entry(
        id=str(raw["id"]),
        title=str(raw["title"]),
        version=str(raw["version"]),
        written_for=str(raw["written_for"]),
        npm=_strings(match.get("npm")),
        pypi=_strings(match.get("pypi")),
        docker=_strings(match.get("docker")),
        hosts=_strings(match.get("hosts")),
        tools={name: tuple(caps) for name, caps in tools.items()},
        read_only_flags=_strings((raw.get("read_only") or {}).get("flags")),
        read_only_env=_strings((raw.get("read_only") or {}).get("env")),
    )


@functools.cache
def entries() -> tuple[Entry, ...]:
    text = resources.files("mcpir.flows").joinpath("catalog.json").read_text(encoding="utf-8")
    return tuple(_entry(raw) for raw in json.loads(text)["servers"])


def _read_only(entry: Entry, server: Server, words: list[str]) -> bool:
    """The entry's read-only flag on the command line, or its variable set to 1 or true in
    the config's env or as `docker run -e NAME=1`."""
    from mcpir.launchers.commands import argv

    on = {"1", "true", "yes"}
    every = words or argv(server)
    if any(flag in every for flag in entry.read_only_flags):
        return True
    for name in entry.read_only_env:
        value = server.env.get(name)
        if value is not None and value.reveal().strip().lower() in on:
            return True
        if any(w.lower() in {f"{name.lower()}={v}" for v in on} for w in every):
            return True
    return False


def match(server: Server) -> Match | None:
    """The catalog entry for what `server` runs (a package, an image, a remote host)."""
    found = _match(server)
    if found is None or not (found.entry.read_only_flags or found.entry.read_only_env):
        return found
    return Match(found.entry, found.runs, _read_only(found.entry, server, []))


def _match(server: Server) -> Match | None:
    from mcpir.launchers.commands import container_run
    from mcpir.launchers.images import parse_image
    from mcpir.launchers.packages import package_run

    if server.url:
        host = (urlsplit(server.url).hostname or "").lower()
        for entry in entries():
            if host in entry.hosts:
                return Match(entry, None)
        return None
    package = package_run(server)
    if package is not None:
        for entry in entries():
            names = entry.npm if package.ecosystem == "npm" else entry.pypi
            if package.name in names:
                return Match(entry, package.version)
        return None
    container = container_run(server)
    if container is not None and container.image:
        image = parse_image(container.image)
        repository = image.repository.removeprefix("docker.io/").removeprefix("index.docker.io/")
        repository = repository.removeprefix("library/")
        for entry in entries():
            if repository in entry.docker:
                return Match(entry, image.tag if image.tag != "latest" else None)
    return None
