"""Reading what each peer sends: requests paired with their answers by id (as the MCP SDKs
pair them), each call, notification and malformed line recorded, and the messages the proxy
must change (`--block-changed`, `--redact-responses`) rewritten."""

from __future__ import annotations

import json
import time
from typing import Any

from mcpir.proxy.framing import Parsed, id_key, kind_of, loose_id, parse_line
from mcpir.proxy.session import EARLY_LIMIT, Pending, Session, encode


class Pairing(Session):
    def _messages(
        self, direction: str, line: bytes, epoch: float
    ) -> tuple[Parsed, list[dict[str, Any]]]:
        parsed = parse_line(line)
        if parsed.note is not None:  # read, but not as it is: what the client reads is kept
            self._malformed(direction, line, parsed.note, epoch)
        if parsed.error is not None:
            self._malformed(direction, line, parsed.error, epoch)
            return parsed, []
        if parsed.blank:
            return parsed, []
        value = parsed.value
        return parsed, list(value) if isinstance(value, list) else [value]

    def from_client(self, line: bytes, started: float, epoch: float) -> bytes | None:
        """Record what the client sent; the bytes to send on (None: nothing)."""
        parsed, messages = self._messages("client->server", line, epoch)
        kept: list[dict[str, Any]] = []
        for message in messages:
            kind = kind_of(message)
            if kind == "request":
                if self._refused(message, started, epoch):
                    continue
                self._remember("c", message, started, epoch)
            elif kind == "notification":
                self._notification("client->server", message, epoch)
            elif kind == "response":
                self._answered("s", message, len(line), started)
            else:
                self._malformed("client->server", line, "not a JSON-RPC message", epoch)
            kept.append(message)
        if len(kept) == len(messages):
            return line
        if not kept:
            return None
        return encode(kept if isinstance(parsed.value, list) else kept[0])

    def from_server(self, line: bytes, ended: float, epoch: float) -> bytes:
        """Record what the server sent; the bytes the client gets (rewritten if it must be)."""
        parsed, messages = self._messages("server->client", line, epoch)
        if parsed.error is not None and self.config.redact_responses:
            return redacted_line(line)  # a client may log what it cannot parse
        changed = False
        out: list[dict[str, Any]] = []
        for message in messages:
            kind = kind_of(message)
            if kind == "response":
                pending = self._answered("c", message, len(line), ended)
                if pending is not None:
                    listing, params = pending.method == "tools/list", pending.params
                else:  # when blocking, an answer to no request is no way around the check
                    listing, params = self.config.block_changed and _holds_tools(message), None
                if listing:
                    filtered = self.guard.listed(params, message)
                    if filtered is not None:
                        message, changed = filtered, True
            elif kind == "request":
                self._remember("s", message, ended, epoch)
            elif kind == "notification":
                self._notification("server->client", message, epoch)
            else:
                self._malformed("server->client", line, "not a JSON-RPC message", epoch)
            if self.config.redact_responses:
                from mcpir.proxy.sanitize import redact_json, redact_message

                masked = redact_message(message) if kind != "invalid" else redact_json(message)
                masked = None if masked is message else masked
                if masked is not None:
                    message, changed = masked, True
            out.append(message)
        if not changed:
            return line
        return encode(out if isinstance(parsed.value, list) else out[0])

    def _remember(self, side: str, message: dict[str, Any], started: float, epoch: float) -> None:
        key = id_key(message.get("id"))
        if key is None:
            return
        params = message.get("params")
        tool = None
        if message["method"] == "tools/call" and isinstance(params, dict):
            tool = str(params.get("name")) if params.get("name") is not None else None
        pending = Pending(message["method"], message["id"], params, epoch, started, tool)
        with self.lock:
            stopped = self.halted is not None and side == "c"
            early = self.early.pop((side, key), None) if self.early else None
            if early is None and self.early and (loose := loose_id(message["id"])) is not None:
                early = self.early.pop((side, ("int", loose)), None)
            if early is None and not stopped:
                self.pending[(side, key)] = pending
        if stopped:  # relayed as the relay stopped: answered here, as the pending ones were
            self._stopped_answer(message["id"])
            return
        if early is not None:
            reply, size, ended = early
            self._call(pending, reply, size, max(ended, started))
            if side == "c" and pending.method == "tools/list":
                self.guard.listed(pending.params, reply)  # already relayed: compared, not hidden

    def _answered(
        self, side: str, message: dict[str, Any], size: int, ended: float
    ) -> Pending | None:
        key = id_key(message.get("id"))
        if key is None:
            self._unmatched(side, message)
            return None
        stale = None
        with self.lock:
            pending = self.pending.pop((side, key), None)
            loose = loose_id(message["id"]) if pending is None else None
            if loose is not None:
                # The TypeScript SDK pairs by Number(id): "1" and 1.0 answer request 1, for
                # the client and so for the proxy.
                key = ("int", loose)
                pending = self.pending.pop((side, key), None)
            if pending is None:
                self.early[(side, key)] = (message, size, ended)
                if len(self.early) > EARLY_LIMIT:  # answers to nothing: do not keep them all
                    oldest = next(iter(self.early))
                    stale = (oldest[0], self.early.pop(oldest)[0])
        if pending is None:
            if stale is not None:
                self._unmatched(*stale)
            return None
        self._call(pending, message, size, ended)
        return pending

    def _unmatched(self, side: str, message: dict[str, Any]) -> None:
        direction = "server->client" if side == "c" else "client->server"
        line = json.dumps({"id": message.get("id")}).encode()
        self._malformed(direction, line, "a response to no pending request", time.time())

    def _refused(self, message: dict[str, Any], started: float, epoch: float) -> bool:
        reply = self.guard.refusal(message)
        if reply is None:
            return False
        self.to_client(encode(reply))
        params = message.get("params")
        tool = str(params.get("name")) if isinstance(params, dict) else None
        pending = Pending("tools/call", message.get("id"), params, epoch, started, tool)
        self._call(pending, reply, 0, time.monotonic())
        return True


def _holds_tools(message: dict[str, Any]) -> bool:
    result = message.get("result")
    return isinstance(result, dict) and "tools" in result


def redacted_line(line: bytes) -> bytes:
    """A line that is not a JSON-RPC message, with the secrets in its text masked."""
    from mcpir.proxy.sanitize import redact_string

    text = line.decode("utf-8", "replace")
    masked = redact_string(text)
    return line if masked == text else masked.encode("utf-8")
