"""The invocation log: one JSON object per line in `<log-dir>/YYYY-MM-DD.jsonl` (UTC date).

Each record is appended with a single `write` on a file opened `O_APPEND` (mode 0600), so many
proxies can log to the same file at once without tearing each other's lines. Everything in a
record goes through `mcpir.core.redact` first; long strings are cut after redaction, keys are kept.
Any record can be written, whatever a peer sent: a lone surrogate is written as its escape,
NaN and Infinity (which Python's json reads, but which are not JSON) as strings.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import stat
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mcpir.core.redact import (
    names_a_secret,
    pair_name,
    redact_args,
    redact_keyed,
    redact_text,
    redact_value,
)
from mcpir.proxy.framing import escape_surrogates

VERSION = 1
STRING_LIMIT = 256  # characters of a parameter string kept in a record
EXCERPT_LIMIT = 200
_PRE_CUT = 4096  # redaction runs on at most this much of a string (it is cut further after)
_LIST_LIMIT = 100
_DEPTH_LIMIT = 32
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BATCH_BYTES = 1 << 20
# A cheap superset of what `redact_text` can match (a token is a run of 15+ token characters; a
# credential in context follows one of these words or marks): text without any of them is
# safe as it is, and most parameters are such text. A test checks the superset.
_MAYBE_SECRET = re.compile(
    r"[A-Za-z0-9_\-/+=.~]{14}|-----BEGIN|bearer|basic|token|bot|://|[?&;@]|secret|pass|pw|key|"
    r"credential|cookie|auth|-p[\"']",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`redact_text`, skipped for text that cannot hold what it masks."""
    return redact_text(text) if _MAYBE_SECRET.search(text) else text


_clock: tuple[int, str] = (-1, "")  # (second, its text): replaced whole, so thread-safe


def timestamp(epoch: float) -> str:
    """`2026-11-26T06:00:00.123Z`."""
    global _clock
    seconds = int(epoch)
    millis = int((epoch - seconds) * 1000)
    second, text = _clock
    if second != seconds:  # one strftime a second, not one a record
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _clock = (seconds, text)
    return f"{text}.{millis:03d}Z"


def cut(text: str, limit: int, dropped: int = 0) -> str:
    """`text` shortened to `limit` characters, saying how much was left out (with `dropped`
    characters already cut before)."""
    if len(text) <= limit and not dropped:
        return text
    return f"{text[:limit]}…(+{max(0, len(text) - limit) + dropped} chars)"


def _safe_string(value: str, key: str | None, limit: int) -> str:
    if key is not None and names_a_secret(key):
        return cut(redact_keyed(value, key), limit)
    # A secret straddling the first cut is whole inside the pre-cut window, and what redaction
    # cannot see (past the window) is dropped by the second cut.
    return cut(redact(value[:_PRE_CUT]), limit, max(0, len(value) - _PRE_CUT))


def safe_value(  # noqa: ANN401 - any JSON value
    value: Any, key: str | None = None, limit: int = STRING_LIMIT, depth: int = 0
) -> Any:
    """A JSON value made safe to store: secrets masked (as `redact_value` does), strings cut."""
    if isinstance(value, str):
        return _safe_string(value, key, limit)
    if depth >= _DEPTH_LIMIT:
        return "…(nested too deep)"
    if isinstance(value, Mapping):
        named = pair_name(value)
        return {
            redact(str(k)): safe_value(v, named if named and k == "value" else str(k), limit,
                                       depth + 1)
            for k, v in value.items()
        }  # fmt: skip
    if isinstance(value, int | float) and not isinstance(value, bool) and key is not None:
        return redact_value(value, key)
    if isinstance(value, list):
        items = value[:_LIST_LIMIT]
        if items and all(isinstance(v, str) for v in items):
            # A command line: the value after `--token` is masked as redact_args does.
            masked = redact_args([v[:_PRE_CUT] for v in items])
            out: list[Any] = [
                cut(m, limit, max(0, len(v) - _PRE_CUT)) for m, v in zip(masked, items, strict=True)
            ]
        else:
            out = [safe_value(v, key, limit, depth + 1) for v in items]
        if len(value) > _LIST_LIMIT:
            out.append(f"…(+{len(value) - _LIST_LIMIT} items)")
        return out
    return value


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    return _safe_string(" ".join(text[:_PRE_CUT].split()), None, limit)


def response_summary(method: str, message: Mapping[str, Any], size: int) -> dict[str, Any]:
    """Content types, size in bytes and a short redacted excerpt of one response."""
    types: list[str] = []
    text = ""
    error = message.get("error")
    result = message.get("result")
    if isinstance(error, Mapping):
        text = f"error {error.get('code')}: {error.get('message')}"
    elif isinstance(result, Mapping):
        content = result.get("content")
        contents = result.get("contents")
        if isinstance(content, list):  # tools/call, prompts
            for item in content:
                if isinstance(item, Mapping):
                    types.append(str(item.get("type")))
                    if not text and isinstance(item.get("text"), str):
                        text = item["text"]
        elif isinstance(contents, list):  # resources/read
            for item in contents:
                if isinstance(item, Mapping):
                    kind = item.get("mimeType") or ("blob" if "blob" in item else "text")
                    types.append(str(kind))
                    if not text and isinstance(item.get("text"), str):
                        text = item["text"]
        elif isinstance(result.get("tools"), list):
            names = [str(t.get("name")) for t in result["tools"] if isinstance(t, Mapping)]
            text = f"{len(names)} tools: {', '.join(names)}"
        if not text and not types:
            text = _json_text(result)
        if not text and isinstance(result.get("structuredContent"), Mapping):
            text = _json_text(result["structuredContent"])
    return {"content_types": list(dict.fromkeys(types)), "bytes": size, "excerpt": excerpt(text)}


def _json_text(value: Any) -> str:  # noqa: ANN401 - any JSON value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)[:_PRE_CUT]
    except (ValueError, RecursionError):  # nested past what json.dumps recurses
        return "…(nested too deep)"


def _finite(value: Any) -> Any:  # noqa: ANN401 - any JSON value
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def record_line(record: Mapping[str, Any]) -> bytes:
    """One line of UTF-8 JSON (RFC 8259: no NaN) for any record; never raises."""
    try:
        try:
            text = json.dumps(record, ensure_ascii=False, allow_nan=False, default=str)
        except ValueError:  # NaN or Infinity somewhere
            text = json.dumps(_finite(record), ensure_ascii=False, allow_nan=False, default=str)
    except Exception as exc:  # noqa: BLE001 - a record that cannot be written still leaves a trace
        kept = {k: record.get(k) for k in ("v", "type", "ts", "server", "method", "session")}
        kept["unwritable"] = f"{type(exc).__name__}: the record could not be written whole"
        text = json.dumps({k: v for k, v in kept.items() if isinstance(v, str | int)})
    text += "\n"
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate (`"\\udead"` read from a peer)
        return escape_surrogates(text).encode()


def is_error(message: Mapping[str, Any]) -> bool:
    if "error" in message:
        return True
    result = message.get("result")
    return isinstance(result, Mapping) and result.get("isError") is True


class RecordWriter:
    """Appends records to the day's file: whole records, as many as fit in one `os.write`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fd: int | None = None
        self._dir_fd: int | None = None
        self._day = ""
        self._lock = threading.Lock()
        self.failed: str | None = None  # why the last write failed, for one warning

    def _open(self, epoch: float) -> int:
        day = time.strftime("%Y-%m-%d", time.gmtime(epoch))
        if self._fd is not None and day == self._day:
            return self._fd
        self.close()
        if self._dir_fd is None:
            # The directory as it was when first used: a link swapped in later is not followed.
            self._dir_fd = os.open(self.directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        # Non-blocking: a FIFO planted under the day's name would hang the writer in open().
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW | _NONBLOCK
        fd = os.open(f"{day}.jsonl", flags, 0o600, dir_fd=self._dir_fd)
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise OSError(errno.EINVAL, f"{day}.jsonl is not a regular file")
        os.set_blocking(fd, True)
        try:
            if mode & 0o077:
                os.fchmod(fd, 0o600)
        except OSError:
            pass  # not our file to chmod; it is still only appended to
        self._fd, self._day = fd, day
        return fd

    def check(self) -> str | None:
        """Open the day's file now; why it cannot be, or None."""
        with self._lock:
            try:
                self._open(time.time())
            except OSError as exc:
                self.failed = str(exc)
                return self.failed
        return None

    def write(self, record: dict[str, Any]) -> str | None:
        return self.write_many([record])

    def write_many(self, records: list[dict[str, Any]]) -> str | None:
        """Whole records, as many as fit in one `write` (never a record split across two);
        why they could not all be written, or None. Never raises."""
        lines = [record_line(r) for r in records]
        with self._lock:
            try:
                fd = self._open(time.time())
                start = 0
                while start < len(lines):
                    end, size = start + 1, len(lines[start])
                    while end < len(lines) and size + len(lines[end]) <= _BATCH_BYTES:
                        size += len(lines[end])
                        end += 1
                    view = memoryview(b"".join(lines[start:end]))
                    while view:  # one write unless a signal splits it
                        view = view[os.write(fd, view) :]
                    start = end
            except Exception as exc:  # noqa: BLE001 - the caller says so; the logger goes on
                self.failed = str(exc) if isinstance(exc, OSError) else type(exc).__name__
                return self.failed
        return None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def shut(self) -> None:
        """Close the day's file and the directory."""
        self.close()
        if self._dir_fd is not None:
            os.close(self._dir_fd)
            self._dir_fd = None
