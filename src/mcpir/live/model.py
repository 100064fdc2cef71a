"""What one live listing of one server gave: its listing, or why there is none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ErrorKind = Literal["not-found", "crashed", "timeout", "auth", "protocol", "refused"]


@dataclass(frozen=True)
class LiveResult:
    """`listing` holds `instructions`, `serverInfo`, `tools`, `prompts`, `resources` and
    `resourceTemplates`, each list the JSON-RPC results' items with every page concatenated.
    `error` is one redacted line; `error_kind` one of `ErrorKind`. `listing` is None whenever
    `error` is set, except for a listing cut at a bound (pages, items, bytes): it is kept, as far
    as it was read, with `error_kind` "protocol" and an error starting "protocol: listing cut"."""

    server: str
    client: str
    transport: str
    listing: dict[str, Any] | None
    error: str | None = None
    error_kind: str | None = None
