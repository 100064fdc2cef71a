"""Cline, Roo Code and Kilo Code tasks: `<VS Code user dir>/globalStorage/<ext-id>/tasks/<taskId>/
ui_messages.json` (the Cline CLI keeps `~/.cline/data/tasks/<taskId>/` the same way; a remote
window keeps them under `~/.vscode-server/data/User/` and its Cursor/Windsurf equivalents).

The file is one JSON array of `ClineMessage {ts (epoch ms), type: "ask"|"say", ask?, say?,
text?, partial?}` (cline/cline `src/shared/ExtensionMessage.ts`; Roo and Kilo keep the shape).
An MCP call is an `ask` or `say` of `use_mcp_server` whose `text` is the JSON of
`{type: "use_mcp_tool"|"access_mcp_resource", serverName, toolName?, arguments?: <JSON string>,
uri?}`; the answer is the next `say: "mcp_server_response"` (its text starts `Error:` when the
tool failed). `say: "text"` and `"completion_result"` are what the assistant wrote. A partial
message was still streaming when the task stopped: no call was made from it.
`api_conversation_history.json` holds the same calls without times, so it is not read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mcpir.core.paths import Scopes
from mcpir.discovery.client import vscode_user_dirs
from mcpir.investigate.events import Call, Event, Malformed, Message, Origin, parse_ts
from mcpir.investigate.readers.base import Progress, arguments, regular_files

# A task's UI log is read whole (it is one JSON document); bigger ones are reported, not read.
MAX_BYTES = 256 << 20
_SAID = frozenset({"text", "completion_result"})


class VscodeTasks:
    """One extension's tasks in every VS Code-family user dir (and its CLI's data dir)."""

    def __init__(self, name: str, extension: str, cli_dir: str | None = None) -> None:
        self.name = name
        self.extension = extension
        self.cli_dir = cli_dir

    def files(self, scopes: Scopes) -> list[Path]:
        dirs = vscode_user_dirs()  # remote windows' user dirs included
        bases = [f"{d}/globalStorage/{self.extension}" for d in dirs]
        if self.cli_dir:
            bases.append(self.cli_dir)
        found: set[Path] = set()
        for base in bases:
            found.update(
                regular_files(scopes.home / base, ("tasks/*/ui_messages.json",), scopes.home)
            )
        return sorted(found)

    def read(self, path: Path, progress: Progress) -> Iterator[Event]:
        first = Origin(self.name, path, 1, path.parent.name)
        try:
            size = path.stat().st_size
            progress(size)
            if size > MAX_BYTES:
                yield Malformed(first, f"over {MAX_BYTES >> 20} MiB; skipped")
                return
            raw = path.read_bytes()
        except OSError as exc:
            yield Malformed(first, f"unreadable: {exc.strerror or type(exc).__name__}")
            return
        try:
            messages = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            why = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not JSON"
            yield Malformed(first, why)
            return
        if not isinstance(messages, list):
            yield Malformed(first, "not a JSON array of messages")
            return
        yield from self._messages(messages, path, raw.decode("utf-8", "replace"))

    def _messages(self, messages: list[Any], path: Path, text: str) -> Iterator[Event]:
        lines = _Lines(text)
        pending: Call | None = None
        for index, message in enumerate(messages):
            if not isinstance(message, dict):
                yield Malformed(
                    Origin(self.name, path, lines.line, path.parent.name),
                    (f"message {index}: not a JSON object"),
                )
                continue
            ts = message.get("ts")
            origin = Origin(self.name, path, lines.find(ts), path.parent.name, parse_ts(ts))
            kind = message.get("ask") if message.get("type") == "ask" else message.get("say")
            kind = kind if isinstance(kind, str) else None
            body = message.get("text")
            if message.get("partial") is True:
                continue
            if kind == "use_mcp_server":
                if pending is not None:
                    yield pending  # the earlier call got no answer (denied or interrupted)
                pending = None
                call = self._call(origin, body, index)
                if isinstance(call, Malformed):
                    yield call
                else:
                    pending = call
            elif kind == "mcp_server_response" and pending is not None:
                answer = body if isinstance(body, str) else ""
                yield Call(
                    pending.origin,
                    pending.tool,
                    pending.server,
                    pending.arguments,
                    answer,
                    answer.startswith("Error:"),
                    pending.call_id,
                    pending.method,
                )
                pending = None
            elif kind in _SAID and message.get("type") == "say" and isinstance(body, str):
                yield Message(origin, body)
        if pending is not None:
            yield pending

    def _call(self, origin: Origin, body: Any, index: int) -> Call | Malformed:  # noqa: ANN401
        try:
            request = json.loads(body) if isinstance(body, str) else None
        except (ValueError, RecursionError):
            request = None
        if not isinstance(request, dict):
            return Malformed(origin, f"message {index}: use_mcp_server text is not a JSON object")
        server = request.get("serverName")
        if not isinstance(server, str) or not server:
            return Malformed(origin, f"message {index}: use_mcp_server without a serverName")
        call_id = str(origin.ts.timestamp()) if origin.ts else f"message-{index}"
        if request.get("type") == "access_mcp_resource":
            uri = request.get("uri")
            return Call(
                origin, "resources/read", server, {"uri": uri}, None, False, call_id,
                "resources/read",
            )  # fmt: skip
        tool = request.get("toolName")
        if not isinstance(tool, str) or not tool:
            return Malformed(origin, f"message {index}: use_mcp_tool without a toolName")
        return Call(origin, tool, server, arguments(request.get("arguments")), call_id=call_id)


class _Lines:
    """The line of each message's `"ts":` in the file (Cline writes it on one line; a
    pretty-printed copy has many), searched forward so that memory stays one copy."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def find(self, ts: Any) -> int:  # noqa: ANN401
        if isinstance(ts, int | float) and not isinstance(ts, bool):
            for needle in (f'"ts":{json.dumps(ts)}', f'"ts": {json.dumps(ts)}'):
                found = self.text.find(needle, self.pos)
                if found >= 0:
                    self.line += self.text.count("\n", self.pos, found)
                    self.pos = found
                    break
        return self.line


CLINE = VscodeTasks("cline", "saoudrizwan.claude-dev", ".cline/data")
ROO = VscodeTasks("roo", "rooveterinaryinc.roo-cline")
KILO = VscodeTasks("kilo", "kilocode.kilo-code")
