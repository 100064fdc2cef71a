"""opencode: the `mcp` section of `opencode.json` / `opencode.jsonc` (JSONC), wherever it loads one.

Where opencode reads its config (anomalyco/opencode `packages/opencode/src/config/config.ts`,
`paths.ts`; opencode.ai/docs/config):

- the global dir, `$XDG_CONFIG_HOME/opencode` or `~/.config/opencode` on every OS (xdg-basedir):
  `config.json`, `opencode.json`, `opencode.jsonc`;
- `~/.opencode/` and every `.opencode/` dir of the project, and `$OPENCODE_CONFIG_DIR`:
  `opencode.json`, `opencode.jsonc`;
- the file `$OPENCODE_CONFIG` names;
- `opencode.json` / `opencode.jsonc` found up from the working directory to the worktree root;
- the managed dir: `/etc/opencode`, `/Library/Application Support/opencode`,
  `%ProgramData%\\opencode`.

A server is `mcp.<name>` (V1: `{type: "local", command: [argv], environment}` or
`{type: "remote", url, headers}`, off with `"enabled": false`), or `mcp.servers.<name>` (V2:
the same shapes, off with `"disabled": true`, "There is no V2 enabled field",
opencode.ai/v2/docs/mcp-servers). opencode's V1 loader accepts both (`config/v2-compat.ts`):
`enabled`, when present, wins over `disabled`. Containment sets `"enabled": false` on a V1
entry and `"disabled": true` on a V2 one (each also the other key when the entry already has
it), never a key the entry's schema would refuse: V1 entries are `.strict()`.

`command` is the whole argv: its first item is the command, the rest the args, and
`environment` is the env. A command that is not a list of strings makes opencode refuse the
whole file (`ConfigInvalidError`): the file is listed with a one-line error naming the line,
its servers stay listed, and containment leaves it for a person.

A value may say `{env:NAME}` anywhere in the file (`config/variable.ts` substitutes it in the
text before parsing): it is read as the reference `${NAME}`, so the token inventory resolves it
and `externalize` never takes it for a secret, and writes opencode's own `{env:NAME}`. (One
value holding both a reference and a literal secret would be written back with `${NAME}`,
which opencode does not expand; `--dry-run` shows it.) `{file:path}` is not resolved.

Every worktree opencode opened is in the `project` table of its `opencode.db` SQLite database
(`discovery.opencode_projects`): each is read as a project. For `investigate`, not yet read:
sessions are kept under `~/.local/share/opencode/` (`storage/` JSON parts, or that database);
MCP tools appear as `<server>_<tool>`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mcpir.core import documents
from mcpir.core.documents import Document, KeyPath
from mcpir.core.model import ConfigFile, Server
from mcpir.core.paths import Scopes
from mcpir.discovery.client import Client, DisableKind, DisableMethod, Entry
from mcpir.discovery.disabling import JsonEdits, Source
from mcpir.discovery.opencode_projects import recorded_projects

_NAMES = ("opencode.json", "opencode.jsonc")
_TIMEOUT_KEYS = ("startup", "catalog", "execution")
_ENV_REFERENCE = re.compile(r"\{env:([^}]+)\}")  # config/variable.ts: `/\{env:([^}]+)\}/g`


def _direct_server(value: Mapping[str, Any]) -> bool:
    """opencode's `isDirectServer`: an object that is a server, not an envelope (`servers`) or a
    global `timeout`, even when a server is literally named `servers` or `timeout`."""
    return any(
        key in value and (value[key] is None or not isinstance(value[key], Mapping))
        for key in ("type", "enabled")
    )


def definitions(data: Any) -> Iterator[tuple[KeyPath, Any]]:  # noqa: ANN401
    """(keys, raw) for every server definition under `mcp`, as opencode's loader sees them."""
    mcp = data.get("mcp") if isinstance(data, Mapping) else None
    if not isinstance(mcp, Mapping):
        return
    nested = mcp.get("servers")
    envelope = isinstance(nested, Mapping) and not _direct_server(nested)
    timeout = mcp.get("timeout")
    global_timeout = (
        isinstance(timeout, Mapping)
        and not _direct_server(timeout)
        and (not timeout or any(key in timeout for key in _TIMEOUT_KEYS))
    )
    for name, raw in mcp.items():
        if (name == "servers" and envelope) or (name == "timeout" and global_timeout):
            continue
        yield ("mcp", str(name)), raw
    if envelope and isinstance(nested, Mapping):
        for name, raw in nested.items():
            yield ("mcp", "servers", str(name)), raw


def _enabled(raw: Mapping[str, Any]) -> bool:
    enabled, disabled = raw.get("enabled"), raw.get("disabled")
    if isinstance(enabled, bool):
        return enabled
    return not (isinstance(disabled, bool) and disabled)


def _references(value: Any) -> Any:  # noqa: ANN401
    """opencode's `{env:NAME}` as the `${NAME}` every other part of mcpir reads as a reference:
    the token inventory resolves it against the environment instead of taking it for a
    literal secret, and `externalize` leaves it alone."""
    if isinstance(value, str):
        return _ENV_REFERENCE.sub(r"${\1}", value) if "{env:" in value else value
    if isinstance(value, list):
        return [_references(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _references(item) for key, item in value.items()}
    return value


def _as_model(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The entry in the shape every client's servers are read in: argv split into command and
    args, `environment` as env, `{env:NAME}` as `${NAME}`."""
    model = {k: _references(v) for k, v in raw.items() if k != "environment"}
    command = model.get("command")
    if isinstance(command, list):  # anything else is not opencode's shape: the file gets an error
        model["command"], model["args"] = (command[0], command[1:]) if command else (None, [])
    if "environment" in raw:
        model["env"] = _references(raw["environment"])
    return model


def extract(doc: Document, path: Path) -> Iterable[Entry]:
    for keys, raw in definitions(doc.data):
        if isinstance(raw, Mapping):
            yield Entry(str(keys[-1]), _as_model(raw), keys, enabled=_enabled(raw))


def _problem(raw: Any) -> tuple[str, str] | None:  # noqa: ANN401
    """(key, what is wrong) when opencode would refuse this definition, else None."""
    if not isinstance(raw, Mapping):
        return "", f"a {type(raw).__name__}, where opencode wants an object"
    command = raw.get("command")
    if command is None:
        return None
    if not isinstance(command, list):
        return "command", f"a {type(command).__name__}, where opencode wants a list (argv)"
    if not command or not all(isinstance(part, str) for part in command):
        return "command", "not a non-empty list of strings (argv)"
    return None


def _checked(config: ConfigFile) -> ConfigFile:
    try:
        doc = documents.load(config.path, config.format)
    except documents.DocumentError:
        return config
    for keys, raw in definitions(doc.data):
        found = _problem(raw)
        if found is None:
            continue
        key, what = found
        at = (*keys, key) if key else keys
        line = doc.line_of(at) or doc.line_of(keys)
        where = f"line {line}: " if line else ""
        dotted = ".".join(str(k) for k in at)
        error = f"{where}{dotted} is {what}; opencode refuses the whole file"
        return dataclasses.replace(config, error=error)
    return config


def adjust(files: list[ConfigFile], scopes: Scopes) -> list[ConfigFile]:
    """A file opencode would refuse is named with its first bad definition, in one line."""
    return [
        _checked(config) if config.client == "opencode" and not config.error else config
        for config in files
    ]


def disable_in_config(source: Source, servers: list[Server], edits: JsonEdits) -> tuple[str, str]:
    """Each server off by the switch its own schema has: V1 `enabled`, V2 `disabled`."""
    text, used = source.text, set()
    for server in servers:
        node: Any = source.data
        for key in server.keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        v2 = server.keys[:2] == ("mcp", "servers") and len(server.keys) == 3
        has = node if isinstance(node, Mapping) else {}
        if v2 or "disabled" in has:
            text = edits.json_set_member(text, server.keys, "disabled", True)
            used.add('"disabled": true')
        if not v2 or "enabled" in has:
            text = edits.json_set_member(text, server.keys, "enabled", False)
            used.add('"enabled": false')
    return text, " and ".join(sorted(used, reverse=True)) + " on each server"


_SYSTEM_DIRS = ("etc/opencode", "Library/Application Support/opencode", "ProgramData/opencode")

CLIENT = Client(
    name="opencode",
    title="opencode",
    references=("{env:%s}", "{env:%s}"),  # opencode.ai/docs/config: variables, anywhere
    user=(
        ".config/opencode/config.json",
        *(f".config/opencode/{name}" for name in _NAMES),
        *(f".opencode/{name}" for name in _NAMES),
    ),
    project=(*_NAMES, *(f".opencode/{name}" for name in _NAMES)),
    system=tuple(f"{d}/{name}" for d in _SYSTEM_DIRS for name in _NAMES),
    env=(
        ("XDG_CONFIG_HOME", "opencode/config.json"),
        *(("XDG_CONFIG_HOME", f"opencode/{name}") for name in _NAMES),
        *(("OPENCODE_CONFIG_DIR", name) for name in _NAMES),
        ("OPENCODE_CONFIG", ""),  # a file, not a directory
    ),
    extract=extract,
    shared_files=("config.json", *_NAMES),
    disable=DisableMethod(
        DisableKind.FLAG,
        key="enabled",
        value=False,
        note='"disabled": true on V2 `mcp.servers` entries',
    ),
    adjust=adjust,
    editors=dict.fromkeys(("config.json", *_NAMES), disable_in_config),
    # The worktrees of its `project` table (`discovery.opencode_projects`).
    projects=recorded_projects,
)
