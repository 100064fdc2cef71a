"""Codex CLI: `~/.codex/sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl` (`$CODEX_HOME` too).

Lines are `{timestamp, type, payload}`. MCP calls appear as `event_msg` payloads
`mcp_tool_call_begin` / `mcp_tool_call_end` (`call_id`, `invocation: {server, tool,
arguments}`, `result`), and as `response_item` `function_call` (name `mcp__<server>__<tool>`,
older `<server>__<tool>`) with a `function_call_output` of the same `call_id`. Each call is
reported once, whichever records the rollout holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mcpir.core.paths import Scopes
from mcpir.investigate.events import Call, Event, Malformed, Message, Origin, parse_ts, text_of
from mcpir.investigate.readers.base import Progress, arguments, client_files, jsonl_events


def _split(name: str) -> tuple[str | None, str]:
    if name.startswith("mcp__"):
        name = name[5:]
    server, sep, tool = name.partition("__")
    return (server, tool) if sep and server and tool else (None, name)


def _result(value: Any) -> tuple[str, bool]:  # noqa: ANN401
    """`{"Ok": {"content": [...], "isError": bool}}`, `{"Err": "..."}` or plain content."""
    if isinstance(value, dict):
        if "Err" in value:
            return text_of(value["Err"]), True
        ok = value.get("Ok", value)
        if isinstance(ok, dict):
            return text_of(ok.get("content", ok)), bool(ok.get("isError") or ok.get("is_error"))
    return text_of(value), False


class Codex:
    name = "codex"

    def files(self, scopes: Scopes) -> list[Path]:
        return client_files(scopes, ".codex", "CODEX_HOME", ("sessions/**/rollout-*.jsonl",))

    def read(self, path: Path, progress: Progress) -> Iterator[Event]:
        session = path.stem.rsplit("-", 5)[-5:]
        session_id = "-".join(session) if len(session) == 5 else path.stem
        begun: dict[str, Call] = {}
        done: set[str] = set()

        def line(number: int, record: dict[str, Any]) -> Iterator[Event]:
            nonlocal session_id
            payload = record.get("payload")
            if not isinstance(payload, dict):
                return
            kind, ptype = record.get("type"), payload.get("type")
            if kind == "session_meta" and payload.get("id"):
                session_id = str(payload["id"])
                return
            origin = Origin(self.name, path, number, session_id, parse_ts(record.get("timestamp")))
            call_id = str(payload.get("call_id") or "")
            if kind == "event_msg" and ptype in {"mcp_tool_call_begin", "mcp_tool_call_end"}:
                invocation = payload.get("invocation")
                if not isinstance(invocation, dict) or not invocation.get("tool"):
                    yield Malformed(origin, f"{ptype} without an invocation")
                    return
                if call_id in done:
                    return
                call = begun.get(call_id) or Call(
                    origin,
                    str(invocation["tool"]),
                    str(invocation.get("server") or "") or None,
                    arguments(invocation.get("arguments")),
                    call_id=call_id or None,
                )
                if ptype == "mcp_tool_call_begin":
                    begun[call_id] = call
                    return
                begun.pop(call_id, None)
                done.add(call_id)
                text, error = _result(payload.get("result"))
                yield Call(
                    call.origin, call.tool, call.server, call.arguments, text, error, call.call_id
                )
            elif kind == "response_item" and ptype == "function_call":
                name = payload.get("name")
                if not isinstance(name, str):
                    yield Malformed(origin, "function_call without a name")
                    return
                if call_id in done or call_id in begun:
                    return
                server, tool = _split(name)
                begun[call_id] = Call(
                    origin, tool, server, arguments(payload.get("arguments")), call_id=call_id
                )
            elif kind == "response_item" and ptype == "function_call_output":
                if call_id in done or call_id not in begun:
                    return
                call = begun.pop(call_id)
                done.add(call_id)
                output = payload.get("output")
                text, error = _result(arguments(output) if isinstance(output, str) else output)
                yield Call(
                    call.origin, call.tool, call.server, call.arguments, text, error, call.call_id
                )
            elif (
                kind == "response_item"
                and ptype == "message"
                and payload.get("role") == ("assistant")
            ):
                text = text_of(payload.get("content"))
                if text:
                    yield Message(origin, text)

        yield from jsonl_events(path, self.name, progress, line)
        yield from begun.values()


READER = Codex()
