"""Gemini CLI: `~/.gemini/tmp/<project hash>/chats/session-<ts>-<id>.json`, one JSON document.

`messages[]`; model turns (`type: "gemini"`) carry `toolCalls[] {id, name, args, result,
status, timestamp}`. MCP tools are named bare or `<server>__<tool>`; a bare name that is not a
Gemini built-in is matched against the servers configured in `~/.gemini/settings.json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mcpir.core.paths import Scopes
from mcpir.investigate.events import Call, Event, Malformed, Message, Origin, parse_ts, text_of
from mcpir.investigate.readers.base import Progress, regular_files

MAX_BYTES = 256 << 20
SETTINGS_MAX = 5 << 20  # the discovery's cap on a config file
BUILTIN = frozenset(
    {
        "read_file",
        "read_many_files",
        "write_file",
        "replace",
        "edit",
        "glob",
        "grep",
        "search_file_content",
        "list_directory",
        "run_shell_command",
        "web_fetch",
        "google_web_search",
        "save_memory",
        "write_todos",
    }
)


def _servers(home: Path) -> list[str]:
    # Only a regular file inside the home, of a settings file's size: never /dev/zero via a link.
    found = regular_files(home / ".gemini", ("settings.json",), home)
    try:
        if not found or found[0].stat().st_size > SETTINGS_MAX:
            return []
        data = json.loads(found[0].read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    return sorted(servers) if isinstance(servers, dict) else []


def _result(value: Any) -> str | None:  # noqa: ANN401
    """`result` is a list of parts; a `functionResponse` part's `response` is the answer."""
    if value is None:
        return None
    parts = value if isinstance(value, list) else [value]
    texts = []
    for part in parts:
        response = part.get("functionResponse") if isinstance(part, dict) else None
        texts.append(text_of(response.get("response") if isinstance(response, dict) else part))
    return "\n".join(text for text in texts if text)


class Gemini:
    name = "gemini"

    def __init__(self) -> None:
        self._configured: list[str] = []

    def files(self, scopes: Scopes) -> list[Path]:
        self._configured = _servers(scopes.home)
        base = scopes.home / ".gemini"
        return regular_files(base, ("tmp/*/chats/session-*.json",), scopes.home)

    def _server(self, name: str) -> tuple[str | None, str]:
        server, sep, tool = name.partition("__")
        if sep and server and tool:
            return server, tool
        if name in BUILTIN:
            return None, name
        # One configured server: the tool is its. Several: say which could have answered.
        return (self._configured[0] if len(self._configured) == 1 else "unknown-mcp"), name

    def read(self, path: Path, progress: Progress) -> Iterator[Event]:
        size = path.stat().st_size
        progress(size)
        if size > MAX_BYTES:
            yield Malformed(Origin(self.name, path, 1), f"over {MAX_BYTES >> 20} MiB; skipped")
            return
        raw = path.read_bytes()
        try:
            document = json.loads(raw)
        except (ValueError, RecursionError):
            yield Malformed(Origin(self.name, path, 1), "not JSON")
            return
        messages = document.get("messages") if isinstance(document, dict) else None
        if not isinstance(messages, list):
            yield Malformed(Origin(self.name, path, 1), "no messages[] list")
            return
        session = str(document.get("sessionId") or path.stem)
        text = raw.decode("utf-8", "replace")
        cursor = _Lines(text)
        for message in messages:
            if not isinstance(message, dict):
                continue
            ts = parse_ts(message.get("timestamp"))
            line = cursor.find(str(message.get("id") or ""))
            origin = Origin(self.name, path, line, session, ts)
            if message.get("type") in {"gemini", "model"}:
                said = text_of(message.get("content"))
                if said:
                    yield Message(origin, said)
            for call in message.get("toolCalls") or ():
                if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                    yield Malformed(origin, "toolCall without a name")
                    continue
                where = Origin(
                    self.name,
                    path,
                    cursor.find(str(call.get("id") or call["name"])),
                    session,
                    parse_ts(call.get("timestamp")) or ts,
                )
                server, tool = self._server(call["name"])
                yield Call(
                    where,
                    tool,
                    server,
                    call.get("args"),
                    _result(call.get("result")),
                    call.get("status") in {"error", "cancelled"},
                    str(call.get("id") or "") or None,
                )


class _Lines:
    """Line numbers of successive needles in a JSON document (which has no line records)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def find(self, needle: str) -> int:
        if needle:
            found = self.text.find(json.dumps(needle), self.pos)
            if found >= 0:
                self.line += self.text.count("\n", self.pos, found)
                self.pos = found
        return self.line


READER = Gemini()
