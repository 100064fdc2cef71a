"""Remote servers over plain `http://` beyond this machine: anyone on the path reads and edits."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from mcpir.core.model import Finding, Server, Severity, Transport
from mcpir.scan.checks.base import Check, Rule, ScanContext, finding

RULE = Rule(
    "plain-http",
    "Remote MCP server over plain HTTP",
    Severity.MEDIUM,
    "Tool calls, results and credentials sent over `http://` can be read and rewritten by "
    "anyone on the network path, including the tool descriptions the model obeys. Use "
    "`https://` for every server that is not on this machine.",
)
_LOCAL_NAMES = frozenset({"localhost", "host.docker.internal", "host.containers.internal"})


def is_local(host: str) -> bool:
    host = host.lower().strip("[]")
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Called for every server of every config: most have nothing here and return at once,
# without a generator.
def check(server: Server, ctx: ScanContext) -> Sequence[Finding]:
    if server.transport is Transport.STDIO or not server.url:
        return ()
    return list(_check(server))


def _check(server: Server) -> Iterator[Finding]:
    if not server.url:
        return
    try:
        parts = urlsplit(server.url.strip())
        host = parts.hostname or ""
    except ValueError:
        return
    if parts.scheme.lower() != "http" or is_local(host):
        return
    with_credentials = any(
        name.lower() in {"authorization", "proxy-authorization"} or "key" in name.lower()
        for name in server.headers
    )
    if with_credentials:
        message = f"{server.url} is plain HTTP and carries credentials in headers"
        yield finding(RULE, server, message, evidence=server.url, severity=Severity.HIGH)
    else:
        yield finding(RULE, server, f"{server.url} is plain HTTP", evidence=server.url)


CHECK = Check(
    RULE,
    on_server=check,
    good=(
        {"type": "http", "url": "https://mcp.example.com/mcp"},
        {"type": "sse", "url": "http://localhost:3001/sse"},
        {"type": "http", "url": "http://127.0.0.1:8765/mcp"},
        {"type": "http", "url": "http://[::1]:8080/mcp"},
        {"type": "sse", "url": "http://host.docker.internal:9000/sse"},
    ),
    bad=(
        {"type": "http", "url": "http://mcp.example.com/mcp"},
        {"type": "sse", "url": "http://10.0.0.5:3001/sse"},
        {"url": "http://bookapi:8080/mcp", "headers": {"Authorization": "Bearer ${TOKEN}"}},
    ),
)
