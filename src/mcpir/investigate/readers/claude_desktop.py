"""Claude Desktop's MCP logs: `mcp.log` and `mcp-server-<name>.log` (chats live server-side).

macOS `~/Library/Logs/Claude/`, Windows `%APPDATA%\\Claude\\logs\\`, Linux (unofficial)
`~/.config/Claude/logs/`. Lines look like
`2026-11-25T10:00:00.000Z [github] [info] Message from client: {"method":"tools/call",…}`;
a call is linked to the server's answer by JSON-RPC id. Other log lines are not calls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from mcpir.core.paths import Scopes
from mcpir.investigate.events import Call, Event, Malformed, Origin, parse_ts, text_of
from mcpir.investigate.readers.base import Progress, bounded_lines, regular_files

DIRS = (
    ("Library", "Logs", "Claude"),
    ("AppData", "Roaming", "Claude", "logs"),
    (".config", "Claude", "logs"),
)
_LINE = re.compile(
    r"^(?P<ts>\S+)\s+\[(?P<server>[^\]]+)\]\s+\[\w+\]\s+Message from (?P<who>client|server):\s*"
    r"(?P<body>\{.*\})\s*$"
)


class ClaudeDesktop:
    name = "claude-desktop"

    def files(self, scopes: Scopes) -> list[Path]:
        found: list[Path] = []
        for parts in DIRS:
            base = scopes.home.joinpath(*parts)
            found += regular_files(base, ("mcp.log", "mcp-server-*.log"), scopes.home)
        return sorted(set(found))

    def read(self, path: Path, progress: Progress) -> Iterator[Event]:
        pending: dict[tuple[str, str], Call] = {}
        done = 0
        with path.open("rb") as handle:
            for number, raw, size in bounded_lines(handle):
                done += size
                if done >= 1 << 20:
                    progress(done)
                    done = 0
                if raw is None or b"Message from" not in raw:
                    continue
                line = raw.decode("utf-8", "replace")
                match = _LINE.match(line)
                if match is None:
                    continue
                origin = Origin(self.name, path, number, path.name, parse_ts(match["ts"]))
                try:
                    body = json.loads(match["body"])
                except (ValueError, RecursionError):
                    yield Malformed(origin, "JSON-RPC message is not JSON")
                    continue
                if not isinstance(body, dict):
                    yield Malformed(origin, "JSON-RPC message is not an object")
                    continue
                key = (match["server"], json.dumps(body.get("id")))
                if match["who"] == "client" and body.get("method") == "tools/call":
                    params = body.get("params") if isinstance(body.get("params"), dict) else {}
                    assert isinstance(params, dict)  # noqa: S101 - for mypy
                    pending[key] = Call(
                        origin,
                        str(params.get("name") or "?"),
                        match["server"],
                        params.get("arguments"),
                        call_id=key[1],
                    )
                elif match["who"] == "server" and key in pending:
                    call = pending.pop(key)
                    result = body.get("result")
                    error = "error" in body or (
                        isinstance(result, dict) and bool(result.get("isError"))
                    )
                    text = text_of(result.get("content") if isinstance(result, dict) else result)
                    yield Call(
                        call.origin,
                        call.tool,
                        call.server,
                        call.arguments,
                        text or text_of(body.get("error")),
                        error,
                        call.call_id,
                    )
        if done:
            progress(done)
        yield from pending.values()


READER = ClaudeDesktop()
