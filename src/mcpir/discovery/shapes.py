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
        return tuple([_text(v) for v in value])
    return (_text(value),)


def _secrets(value: Any) -> dict[str, Secret]:  # noqa: ANN401
    # `type(…) is dict` first: most values are plain dicts or absent, and an ABC's
    # isinstance costs as much as the rest of a server's shape.
    if value is None or type(value) is not dict and not isinstance(value, Mapping):
        return {}
    return {str(k): Secret("" if v is None else _text(v)) for k, v in value.items()}


def _str_or_none(value: Any) -> str | None:  # noqa: ANN401
    return value if isinstance(value, str) and value else None


def _transport(
    raw: Mapping[str, Any], client: Client, url: str | None, http_url: bool
) -> Transport:
    declared = raw.get("type")
    if declared is None and isinstance(raw.get("transport"), Mapping):
        declared = raw["transport"].get("type")
    elif declared is None:
        declared = raw.get("transport")
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


def build_server(
    entry: Entry,
    client: Client,
    scope: Scope,
    path: Path,
    line: int | None,
    *,
    project: Path | None = None,
) -> Server:
    raw = entry.raw
    command: Any = raw.get("command")
    args: Any = raw.get("args")
    env: Any = raw.get("env")
    if isinstance(command, Mapping):  # Zed's older form: "command": {"path", "args", "env"}
        args = command.get("args", args)
        env = command.get("env", env)
        command = command.get("path")
    url = _str_or_none(raw.get("url")) or _str_or_none(raw.get("serverUrl"))
    http_url = _str_or_none(raw.get("httpUrl"))
    headers: Any = raw.get("headers") or raw.get("http_headers")
    options = raw.get("requestOptions")
    if headers is None and isinstance(options, Mapping):
        headers = options.get("headers")
    bearer_var = _str_or_none(raw.get("bearer_token_env_var"))  # Codex: token read from env
    if bearer_var:
        extra = headers if isinstance(headers, Mapping) else {}
        headers = {"Authorization": f"Bearer ${{{bearer_var}}}", **extra}
    return Server(
        name=entry.name,
        client=client.name,
        scope=entry.scope or scope,
        transport=_transport(raw, client, url or http_url, http_url is not None),
        location=Location(path, line),
        command=_str_or_none(command),
        args=_strings(args),
        env=_secrets(env),
        url=http_url or url,
        headers=_secrets(headers),
        enabled=_enabled(raw, client, entry),
        cwd=_str_or_none(raw.get("cwd")),
        description=_str_or_none(raw.get("description")),
        keys=entry.keys,
        project=project,
    )
