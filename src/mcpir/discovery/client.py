"""What a client module declares: where its files live, how to read servers, how to disable one."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.documents import Document, KeyPath
from mcpir.core.model import ConfigFile, Scope, Transport
from mcpir.core.paths import Scopes

if TYPE_CHECKING:
    from mcpir.discovery.disabling import Editor, Elsewhere, Plugins
    from mcpir.discovery.projects import ProjectSource

# How containment leaves things, so discovery still lists contained servers (as disabled) and
# their tokens stay in the inventory: a renamed MCP-only file, a server section moved aside.
CONTAINED_SUFFIX = ".mcpir-disabled"
ASIDE = "-disabled-by-mcpir"


class DisableKind(enum.StrEnum):
    FLAG = "flag"  # a boolean on the server entry: `disabled: true`, `enabled = false`
    LIST = "list"  # the server's name in a list kept elsewhere (Claude Code, Gemini CLI)
    REMOVE = "remove"  # no native switch: remove the entry, or move an MCP-only file aside


@dataclass(frozen=True)
class DisableMethod:
    """How containment turns a server off the way the client itself would."""

    kind: DisableKind
    key: str | None = None
    value: bool | None = None
    note: str = ""


# One per server of every config: filled in one call, as `Server` is (`core.model`), not
# field by field through `object.__setattr__`.
@dataclass(frozen=True, init=False)
class Entry:
    """One server definition found in a document, before normalisation."""

    name: str
    raw: Mapping[str, Any]
    keys: KeyPath
    scope: Scope | None = None
    enabled: bool | None = None

    def __init__(
        self,
        name: str,
        raw: Mapping[str, Any],
        keys: KeyPath,
        scope: Scope | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.__dict__.update(name=name, raw=raw, keys=keys, scope=scope, enabled=enabled)


Extractor = Callable[[Document, Path], Iterable[Entry]]
Adjuster = Callable[[list[ConfigFile], Scopes], list[ConfigFile]]


def _mapping_entries(data: Any, keys: KeyPath) -> Iterable[Entry]:  # noqa: ANN401
    node = data
    for key in keys:
        if not isinstance(node, Mapping) or not isinstance(key, str):
            return
        node = node.get(key)
    if isinstance(node, Mapping):
        for name, raw in node.items():
            # `type(…) is dict` first: an ABC isinstance per server halves this loop's speed.
            if type(raw) is dict or isinstance(raw, Mapping):
                yield Entry(str(name), raw, (*keys, str(name)))


def servers_under(*paths: KeyPath) -> Extractor:
    """Extractor for the common shape `{"mcpServers": {name: {...}}}`, at any of `paths`."""

    def extract(doc: Document, path: Path) -> Iterable[Entry]:
        for keys in paths:
            yield from _mapping_entries(doc.data, keys)

    return extract


mcp_servers = servers_under(("mcpServers",), ("servers",))


@dataclass(frozen=True)
class Client:
    """A client's discovery rules. Paths are relative to the home, the project tree or `/`.

    A `*` in a path is a glob over one path segment.
    """

    name: str
    title: str
    disable: DisableMethod
    user: tuple[str, ...] = ()
    project: tuple[str, ...] = ()
    system: tuple[str, ...] = ()
    # (environment variable naming a directory, file inside it): used for the real home only.
    env: tuple[tuple[str, str], ...] = ()
    extract: Extractor = mcp_servers
    url_transport: Transport = Transport.HTTP
    # Files that also hold the user's other settings: containment patches, never renames.
    shared_files: tuple[str, ...] = field(default=())
    adjust: Adjuster | None = None
    # How the client reads a variable of its own environment, in (env values, header values),
    # `%s` standing for the name: only documented syntaxes. None: it documents none, so mcpir
    # wraps the server in `mcpir run` for env values and leaves header secrets to a person.
    references: tuple[str, str | None] | None = None
    # How containment switches servers off where `disable`'s flag, a rename or a section moved
    # aside is not what the client reads (see `disabling`): an editor per shared file name, a
    # switch kept in another file, the plugins servers come from.
    editors: Mapping[str, Editor] = field(default_factory=dict, hash=False)
    elsewhere: Elsewhere | None = None
    plugins: Plugins | None = None
    # Where the client records the projects a user opened (`discovery.projects`): each is read
    # for its project files, as `--root` is.
    projects: ProjectSource | None = None


VSCODE_FAMILY = ("Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf")


def app_dirs(app: str) -> tuple[str, ...]:
    """An application's config dir under each OS layout: macOS, Linux (XDG), Windows."""
    return (
        f"Library/Application Support/{app}",
        f".config/{app}",
        f"AppData/Roaming/{app}",
    )


# A remote window (SSH, WSL, a dev container) runs the editor's server on the machine the project
# is on, with a user dir of its own: extensions there (Cline, Roo…) keep their MCP settings in it.
REMOTE_SERVER_DIRS = {
    "Code": ".vscode-server",
    "Code - Insiders": ".vscode-server-insiders",
    "VSCodium": ".vscodium-server",
    "Cursor": ".cursor-server",
    "Windsurf": ".windsurf-server",
}


def vscode_user_dirs(products: Iterable[str] = VSCODE_FAMILY) -> tuple[str, ...]:
    products = tuple(products)
    local = tuple(f"{base}/User" for product in products for base in app_dirs(product))
    remote = tuple(
        f"{REMOTE_SERVER_DIRS[product]}/data/User"
        for product in products
        if product in REMOTE_SERVER_DIRS
    )
    return local + remote
