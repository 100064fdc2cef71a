"""What the proxy does with `tools/list` and `tools/call`: compare with the pin, log changes,
and with `--block-changed` hide (and refuse) tools added or changed since approval."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcpir.errors import McpirError
from mcpir.proxy.pins import PinStore, ToolChange

BLOCKED_CODE = -32602  # what MCP servers answer for an unknown tool


@dataclass
class ToolGuard:
    name: str
    pins: PinStore | None
    block: bool
    changed: Callable[[ToolChange, bool, float], None]  # logs a tool_changed record
    warn: Callable[[str], None]
    pin: list[Any] | None = None  # the pinned tools (redacted), once read
    pin_read: bool = False
    pages: list[Any] = field(default_factory=list)  # a paginated tools/list being collected
    blocked: set[str] = field(default_factory=set)
    logged: set[tuple[str, str, str | None]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)  # both relay threads list

    def load_blocked(self) -> None:
        """With --block-changed: what an earlier session saw and nobody approved stays hidden."""
        from mcpir.proxy.pins import unapproved

        if self.pins is None:
            return
        try:
            pin, waiting = self.pins.load(self.name), self.pins.pending(self.name)
        except McpirError as exc:
            self.warn(exc.message)
            return
        self.pin, self.pin_read = (pin["tools"] if pin else None), True
        if pin is not None and waiting is not None:
            self.blocked = unapproved(pin["tools"], waiting["tools"])

    def refusal(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """The error answer to a tools/call of a blocked tool, or None to let it through."""
        if not self.block or message.get("method") != "tools/call":
            return None
        params = message.get("params")
        tool = params.get("name") if isinstance(params, dict) else None
        if not isinstance(tool, str) or tool not in self.blocked:
            return None
        text = (
            f"tool {tool!r} is blocked by mcpir: its definition changed since it was approved; "
            f"review it, then run `mcpir pins approve {self.name}`"
        )
        error = {"code": BLOCKED_CODE, "message": text}
        return {"jsonrpc": "2.0", "id": message.get("id"), "error": error}

    def listed(self, params: Any, message: dict[str, Any]) -> dict[str, Any] | None:  # noqa: ANN401
        """Compare a tools/list page with the pin; the filtered response when tools are hidden."""
        with self.lock:
            return self._listed(params, message)

    def _listed(self, params: Any, message: dict[str, Any]) -> dict[str, Any] | None:  # noqa: ANN401
        from mcpir.proxy.pins import is_tool, redact_definition, unapproved

        result = message.get("result")
        tools = result.get("tools") if isinstance(result, dict) else None
        if self.pins is None or not isinstance(result, dict) or not isinstance(tools, list):
            return None
        page = [redact_definition(t) for t in tools]
        try:
            if not (isinstance(params, dict) and params.get("cursor")):
                # A new listing: read the pin again, as `mcpir pins approve` may have changed it.
                loaded = self.pins.load(self.name)
                self.pin, self.pin_read = (loaded["tools"] if loaded else None), True
                self.pages, self.blocked = [], set()
        except (OSError, McpirError) as exc:
            why = getattr(exc, "message", None) or exc
            if not self.block:
                self.warn(f"tool pins for {self.name}: {why}")
                return None
            # Nothing to compare with: with --block-changed, hide rather than guess.
            self.warn(f"tool pins for {self.name}: {why}; every tool is hidden until it is fixed")
            self.blocked |= {str(t["name"]) for t in page if is_tool(t)}
            return message | {"result": result | {"tools": []}}
        try:
            self.pages += page
            if not result.get("nextCursor"):  # a nameless entry cannot be called: not pinned
                self._settle(self.pins, [t for t in self.pages if is_tool(t)])
        except (OSError, McpirError) as exc:  # a pin not written (disk full): still compared
            self.warn(f"tool pins for {self.name}: {getattr(exc, 'message', None) or exc}")
        if not self.block or self.pin is None:
            return None
        # Refused at once, not only when the list's last page has been seen.
        self.blocked |= unapproved(self.pin, [t for t in page if is_tool(t)])
        hide = self.blocked
        if not hide:
            return None
        shown = [t for t, r in zip(tools, page, strict=True)
                 if not (is_tool(r) and r["name"] in hide)]  # fmt: skip
        return message | {"result": result | {"tools": shown}}

    def _settle(self, pins: PinStore, tools: list[Any]) -> None:
        """A whole list: pin it if it is the first, else log what differs from the pin."""
        from mcpir.proxy.pins import differences, unapproved

        if self.pin is None:
            if pins.pin_first(self.name, tools):
                self.pin = tools
                return
            loaded = pins.load(self.name)  # another proxy pinned it first
            self.pin = loaded["tools"] if loaded else tools
        changes = differences(self.pin, tools)
        self.blocked = unapproved(self.pin, tools) if self.block else set()
        if not changes:
            pins.clear_pending(self.name)
            return
        waiting = pins.pending(self.name)
        if waiting is None or waiting["tools"] != tools:
            pins.set_pending(self.name, tools)
        epoch = time.time()
        for change in changes:
            mark = (change.tool, change.change, change.after)
            if mark not in self.logged:  # once per session
                self.logged.add(mark)
                self.changed(change, self.block and change.change != "removed", epoch)
            if change.findings:  # the injection signs matter now, not only in the log
                self.warn(f"{self.name}: tool {change.tool!r} {change.change}; injection "
                          "signs: " + ", ".join(change.findings))  # fmt: skip
