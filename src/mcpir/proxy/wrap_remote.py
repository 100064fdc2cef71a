"""`mcpir wrap` / `unwrap` for remote servers: a URL entry becomes a stdio entry that runs
`mcpir proxy --name NAME --url URL [--transport sse] [--header-env K=VAR]…`, and back.

Headers never go on the command line, where any process can read them: each value moves, as
the client wrote it (a `${VAR}` reference stays one), into the entry's `env` under
`MCPIR_HEADER_<NAME>`, and the proxy is told only the variable's name (`--header-env`). Not
`--header 'K: ${VAR}'`: a client that expands `${…}` in args would put the value on the
command line after all. A URL holding a credential (a token in its query) is not wrapped.

Only JSON and JSONC entries are rewritten (the whole entry is replaced, the rest of the file
kept byte for byte); `unwrap` rebuilds the URL entry, or gives back the journal's bytes when
the file is as `wrap` left it (`wrap._as_before_wrap`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from mcpir.core.model import ConfigFile, Server, Transport
from mcpir.edits.server_entry import JSON_FORMATS
from mcpir.launchers.mcpir import url_proxy

__all__ = ["url_proxy"]  # read back here by unwrap, and by scan's inventory

URL_KEYS = ("url", "serverUrl", "httpUrl")
_HEADER_KEYS = ("headers", "http_headers")
_DROPPED = frozenset({*URL_KEYS, *_HEADER_KEYS, "type", "transport"})
ENV_PREFIX = "MCPIR_HEADER_"


def env_name(header: str) -> str:
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", header.upper())


def not_wrappable(config: ConfigFile, server: Server, entry: Any) -> str | None:  # noqa: ANN401
    """Why this remote server's entry is not rewritten (None: it can be)."""
    from mcpir.core.redact import redact_text

    if config.format not in JSON_FORMATS:
        return f"a remote server in a {config.format} file; only JSON entries are rewritten"
    if not isinstance(entry, Mapping):
        return "its entry is not an object"
    url = server.url or ""
    if not url.startswith(("http://", "https://")) or "${" in url:
        return "its URL is not a plain http(s) URL (a reference, or another scheme)"
    parts = urlsplit(url)
    if redact_text(url) != url or parts.username is not None or parts.password is not None:
        return "its URL holds a credential, which a command line would show to every process"
    if "requestOptions" in entry or "bearer_token_env_var" in entry:
        return "its headers are kept where mcpir does not rewrite them"
    headers: Any = next((entry[k] for k in _HEADER_KEYS if k in entry), {})
    if not isinstance(headers, Mapping) or not all(isinstance(v, str) for v in headers.values()):
        return "its headers are not a mapping of strings"
    env = entry.get("env", {})
    if not isinstance(env, Mapping):
        return "its env is not a mapping"
    refused = _proxy_refuses(url, headers)
    if refused is not None:
        return refused
    named: set[str] = set()
    for header, value in headers.items():
        name = env_name(str(header))
        if name in named:  # X-Api-Key and X_API_KEY: one variable would carry both values
            return f"two of its headers would both be passed as {name}"
        named.add(name)
        if name in env and env[name] != value:
            return f"its env already sets {name}"
    return None


def _proxy_refuses(url: str, headers: Mapping[str, str]) -> str | None:
    """What `mcpir proxy --url` itself would refuse to start with: a wrapped entry must run."""
    from mcpir.core.errors import UsageError
    from mcpir.proxy.remote_config import _TOKEN, check_url, split_header

    try:
        check_url(url, "http")
        for header, value in headers.items():
            if not _TOKEN.fullmatch(str(header)):
                raise UsageError("a header name is not an HTTP token")
            split_header(f"{header}: {value}")  # one the transport sets, a line break, a NUL
            if "${" not in value and not value.isascii():
                raise UsageError(f"the value of {header} is not ASCII")
    except UsageError as exc:
        return f"the proxy would refuse it: {exc.message}"
    return None


def wrapped_entry(server: Server, entry: Mapping[str, Any], launcher: list[str]) -> dict[str, Any]:
    """The stdio entry that runs the proxy in front of this remote server."""
    from mcpir.proxy.wrap import name_args

    headers: Mapping[str, str] = next((entry[k] for k in _HEADER_KEYS if k in entry), {})
    env = dict(entry.get("env", {}))
    args = [*launcher[1:], "proxy", *name_args(server.name), "--url", str(server.url)]
    if server.transport is Transport.SSE:
        args += ["--transport", "sse"]
    for header, value in headers.items():
        env[env_name(str(header))] = value
        args += ["--header-env", f"{header}={env_name(str(header))}"]
    out: dict[str, Any] = {"type": "stdio"} if "type" in entry else {}
    out |= {"command": launcher[0], "args": args}
    if env:
        out["env"] = env
    return out | {k: v for k, v in entry.items() if k not in _DROPPED and k not in out}


def unwrapped_entry(server: Server, entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """The remote entry a wrapped one stands for; None when it is not one wrap wrote."""
    command, args = entry.get("command"), entry.get("args", [])
    if not isinstance(command, str) or not isinstance(args, list):
        return None
    found = url_proxy([command, *[str(a) for a in args]])
    if found is None:
        return None
    env = dict(entry.get("env", {})) if isinstance(entry.get("env"), Mapping) else {}
    headers = {header: env.pop(variable, "") for header, variable in found["headers"].items()}
    key = "url"
    if server.client == "windsurf":
        key = "serverUrl"
    elif server.client == "gemini" and found["transport"] == "http":
        key = "httpUrl"
    out: dict[str, Any] = {"type": found["transport"]} if "type" in entry else {}
    out[key] = found["url"]
    if headers:
        out["headers"] = headers
    if env:
        out["env"] = env
    skipped = {"type", "command", "args", "env"}
    return out | {k: v for k, v in entry.items() if k not in skipped and k not in out}
