"""Turning a client's raw server entry into the one `Server` type every command uses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mcpir.core.model import Location, Scope, Server, Transport
from mcpir.core.secret import Secret
from mcpir.discovery.client import Client, DisableKind, Entry

_TRANSPORTS = {
    "stdio": Transport.STDIO,
    "local": Transport.STDIO,
    "http": Transport.HTTP,
    "streamablehttp": Transport.HTTP,
    "streamable-http": Transport.HTTP,
    "streamable_http": Transport.HTTP,
    "remote": Transport.HTTP,
    "sse": Transport.SSE,
}


_STR = {str}


def _text(value: Any) -> str:  # noqa: ANN401
    if isinstance(value, str):
        return value
    try:
        # YAML and TOML read dates, times, bytes and sets that JSON has no form for.
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # e.g. a YAML mapping whose key is a date
        return str(value)


def _strings(value: Any) -> tuple[str, ...]:  # noqa: ANN401
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple([v if type(v) is str else _text(v) for v in value])
    return (_text(value),)


def _secrets(value: Any) -> dict[str, Secret]:  # noqa: ANN401
    # `type(…) is dict` first: most values are plain dicts or absent, and an ABC's
    # isinstance costs as much as the rest of a server's shape.
    if value is None or type(value) is not dict and not isinstance(value, Mapping):
        return {}
    return {
        k if type(k) is str else str(k): Secret(
            v if type(v) is str else "" if v is None else _text(v)
        )
        for k, v in value.items()
    }


def _str_or_none(value: Any) -> str | None:  # noqa: ANN401
    return value if isinstance(value, str) and value else None


def _mapping(value: Any) -> bool:  # noqa: ANN401
    # Most values are strings or absent: an ABC's isinstance on them costs a call into `abc`.
    return value is not None and type(value) is not str and isinstance(value, Mapping)


def _transport(
    raw: Mapping[str, Any], client: Client, url: str | None, http_url: bool
) -> Transport:
    declared: Any = raw.get("type")
    if declared is None:
        declared = raw.get("transport")
        if _mapping(declared):
            declared = declared.get("type")
    if isinstance(declared, str) and declared.lower() in _TRANSPORTS:
        return _TRANSPORTS[declared.lower()]
    if url and not _str_or_none(raw.get("command")):
        return Transport.HTTP if http_url else client.url_transport
    return Transport.STDIO


def _enabled(raw: Mapping[str, Any], client: Client, entry: Entry) -> bool:
    if entry.enabled is not None:
        return entry.enabled
    method = client.disable
    if method.kind is DisableKind.FLAG and method.key is not None and method.key in raw:
        return bool(raw[method.key] != method.value)
    return True


# Keys a local server's entry seldom has, each needing more than a lookup: with none of them
# (and `command` a string or absent) the entry is a local server, built in `_local`.
_REMOTE_KEYS = frozenset(
    {"url", "serverUrl", "httpUrl", "headers", "http_headers", "requestOptions",
     "bearer_token_env_var", "transport"}
)  # fmt: skip


def _words(args: Any) -> tuple[str, ...]:  # noqa: ANN401
    if type(args) is list and set(map(type, args)) <= _STR:
        return tuple(args)
    return _strings(args)


def _local(
    entry: Entry, client: Client, scope: Scope, location: Location, project: Path | None
) -> Server:
    """`build_server` for an entry with no `_REMOTE_KEYS` and a string `command` or none: what
    the general path gives it (no url, no headers, stdio unless `type` says otherwise)."""
    raw = entry.raw
    get = raw.get
    command: str | None = get("command")
    env: Any = get("env")
    cwd: Any = get("cwd")
    description: Any = get("description")
    # Positional, in the fields' order: keywords cost a dict per server.
    return Server(
        entry.name,
        client.name,
        entry.scope or scope,
        _transport(raw, client, None, False) if "type" in raw else Transport.STDIO,
        location,
        command or None,
        _words(get("args")),
        _secrets(env) if env is not None else {},
        None,  # url
        {},  # headers
        True
        if entry.enabled is None and client.disable.kind is not DisableKind.FLAG
        else _enabled(raw, client, entry),
        cwd if cwd and isinstance(cwd, str) else None,
        description if description and isinstance(description, str) else None,
        entry.keys,
        project,
    )


def build_server(
    entry: Entry,
    client: Client,
    scope: Scope,
    path: Path,
    line: int | None,
    *,
    project: Path | None = None,
) -> Server:
    return server_at(entry, client, scope, Location(path, line), project)


def server_at(
    entry: Entry, client: Client, scope: Scope, location: Location, project: Path | None = None
) -> Server:
    """`build_server` at a location already made (`Location.found_later`, say)."""
    # This runs for every server of every config: the common shapes take the fewest calls (a
    # local server's entry `_local`; strings, a list, a dict); anything else goes through the
    # same helpers as before.
    raw = entry.raw
    if type(raw) is dict and _REMOTE_KEYS.isdisjoint(raw):
        named = raw.get("command")
        if named is None or type(named) is str:
            return _local(entry, client, scope, location, project)
    get = raw.get
    command: Any = get("command")
    args: Any = get("args")
    env: Any = get("env")
    if command is not None and type(command) is not str and _mapping(command):
        # Zed's older form: "command": {"path", "args", "env"}
        args = command.get("args", args)
        env = command.get("env", env)
        command = command.get("path")
    url = get("url")
    if not (url and isinstance(url, str)):
        url = _str_or_none(get("serverUrl"))
    http_url = get("httpUrl")
    if not (http_url and isinstance(http_url, str)):
        http_url = None
    headers: Any = get("headers") or get("http_headers")
    if headers is None:
        options: Any = get("requestOptions")
        if _mapping(options):
            headers = options.get("headers")
    bearer_var = _str_or_none(get("bearer_token_env_var"))  # Codex: token read from env
    if bearer_var:
        extra = headers if isinstance(headers, Mapping) else {}
        headers = {"Authorization": f"Bearer ${{{bearer_var}}}", **extra}
    words = _words(args)
    return Server(
        name=entry.name,
        client=client.name,
        scope=entry.scope or scope,
        transport=_transport(raw, client, url or http_url, http_url is not None),
        location=location,
        command=command if command and isinstance(command, str) else None,
        args=words,
        env=_secrets(env) if env is not None else {},
        url=http_url or url,
        headers=_secrets(headers) if headers is not None else {},
        enabled=True
        if entry.enabled is None and client.disable.kind is not DisableKind.FLAG
        else _enabled(raw, client, entry),
        cwd=_str_or_none(get("cwd")),
        description=_str_or_none(get("description")),
        keys=entry.keys,
        project=project,
    )
