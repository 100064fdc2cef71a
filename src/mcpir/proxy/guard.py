"""What the proxy does with `tools/list` and `tools/call`: compare with the pin, log changes,
and with `--block-changed` hide (and refuse) tools added or changed since approval.

A listing that cannot be examined (its `tools` are not a list, or the comparison fails)
counts as changed: it is logged (a `tool_changed` record, change "unexamined"), and with
`--block-changed` the client gets no tools and every call is refused until a listing can be
examined again. Entries that are not named tools are hidden and logged the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcpir.core.errors import McpirError
from mcpir.proxy.pins import PinStore, ToolChange

BLOCKED_CODE = -32602  # what MCP servers answer for an unknown tool


@dataclass
class ToolGuard:
    name: str
    pins: PinStore | None
    block: bool
    changed: Callable[[ToolChange, bool, float], None]  # logs a tool_changed record
    warn: Callable[[str], None]
    unexamined: Callable[[str, bool, float], None]  # logs that a listing was not examined
    pin: list[Any] | None = None  # the pinned tools (redacted), once read
    pin_read: bool = False
    pages: list[Any] = field(default_factory=list)  # a paginated tools/list being collected
    blocked: set[str] = field(default_factory=set)
    blind: bool = False  # the last listing could not be examined: every call is refused
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
        from mcpir.proxy.records import redact

        if not self.block or message.get("method") != "tools/call":
            return None
        params = message.get("params")
        tool = params.get("name") if isinstance(params, dict) else None
        if self.blind:
            text = (
                f"tool {tool!r} is blocked by mcpir: the server's last tools/list could not be "
                "examined; list the tools again once the server answers one mcpir can read"
            )
        # Pins hold definitions masked, names too: a tool named like a token is blocked masked.
        elif isinstance(tool, str) and (tool in self.blocked or redact(tool) in self.blocked):
            text = (
                f"tool {tool!r} is blocked by mcpir: its definition changed since it was "
                f"approved; review it, then run `mcpir pins approve {self.name}`"
            )
        else:
            return None
        error = {"code": BLOCKED_CODE, "message": text}
        return {"jsonrpc": "2.0", "id": message.get("id"), "error": error}

    def listed(self, params: Any, message: dict[str, Any]) -> dict[str, Any] | None:  # noqa: ANN401
        """Compare a tools/list page with the pin; the filtered response when tools are hidden."""
        with self.lock:
            try:
                return self._listed(params, message)
            except Exception as exc:  # noqa: BLE001 - what was not compared counts as changed
                return self._unexamined(message, f"{type(exc).__name__} while comparing it")

    def _listed(self, params: Any, message: dict[str, Any]) -> dict[str, Any] | None:  # noqa: ANN401
        from mcpir.proxy.pins import is_tool, redact_definition, unapproved

        result = message.get("result")
        # No pins at all, or no tools to take (an error answer): nothing reaches a client.
        if self.pins is None or not isinstance(result, dict) or "tools" not in result:
            return None
        tools = result["tools"]
        if not isinstance(tools, list):
            return self._unexamined(message, "its tools are not a list")
        page = [redact_definition(t) for t in tools]
        try:
            if not (isinstance(params, dict) and params.get("cursor")):
                # A new listing: read the pin again, as `mcpir pins approve` may have changed it.
                loaded = self.pins.load(self.name)
                self.pin, self.pin_read = (loaded["tools"] if loaded else None), True
                self.pages, self.blocked, self.blind = [], set(), False
        except (OSError, McpirError) as exc:
            why = getattr(exc, "message", None) or exc
            if not self.block:
                self.warn(f"tool pins for {self.name}: {why}")
                return None
            # Nothing to compare with: with --block-changed, hide rather than guess.
            self.warn(f"tool pins for {self.name}: {why}; every tool is hidden until it is fixed")
            self.blocked |= {str(t["name"]) for t in page if is_tool(t)}
            return message | {"result": result | {"tools": []}}
        odd = sum(not is_tool(r) for r in page)
        if odd:  # a nameless entry cannot be called: not pinned, and not shown when blocking
            self._report(f"{odd} of its entries are not named tools", "they are hidden")
        try:
            self.pages += page
            if not result.get("nextCursor"):
                self._settle(self.pins, [t for t in self.pages if is_tool(t)])
        except (OSError, McpirError) as exc:  # a pin not written (disk full): still compared
            self.warn(f"tool pins for {self.name}: {getattr(exc, 'message', None) or exc}")
        if not self.block:
            return None
        if self.pin is not None:
            # Refused at once, not only when the list's last page has been seen.
            self.blocked |= unapproved(self.pin, [t for t in page if is_tool(t)])
        hide = self.blocked
        if not hide and not odd:
            return None
        shown = [t for t, r in zip(tools, page, strict=True)
                 if is_tool(r) and r["name"] not in hide]  # fmt: skip
        return message | {"result": result | {"tools": shown}}

    def _report(self, why: str, blocked: str) -> None:
        """Log (once a session) and say that part of a listing was not examined."""
        if ("", "unexamined", why) not in self.logged:
            self.logged.add(("", "unexamined", why))
            self.unexamined(why, self.block, time.time())
        done = blocked if self.block else "relayed as it is, unexamined"
        self.warn(f"{self.name}: a tools/list answer could not be examined ({why}); {done}")

    def _unexamined(self, message: dict[str, Any], why: str) -> dict[str, Any] | None:
        """A listing that was not compared with the pin: with --block-changed the client gets
        no tools, and every call is refused until a listing is examined."""
        self._report(why, "every tool is hidden and every call refused until one can be")
        if not self.block:
            return None
        self.blind, self.pages = True, []
        result = message.get("result")
        return message | {"result": (result if isinstance(result, dict) else {}) | {"tools": []}}

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
