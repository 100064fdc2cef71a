"""The tools a server advertised, as this machine's mcpir kept them: the latest live listing
(`mcpir scan --live`) or else the proxy's pin. Only files this machine sealed are read: a
listing a commit brought is not evidence of what the server says."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.core.errors import McpirError

MAX_TOOLS = 2000  # of one listing: more is a hostile server, and the rest is left unread
MAX_LISTING_BYTES = 16 * 1024 * 1024  # of a kept listing's file


@dataclass(frozen=True)
class Listed:
    tools: tuple[Mapping[str, Any], ...]
    source: str  # "live listing 2026-12-01T10:00:00Z" | "pinned listing"


class Listings:
    """The kept listings of one project (its `.atom-trail`), read once each."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.warnings: list[str] = []
        self._kept: tuple[bool, bool] | None = None

    def _where(self) -> tuple[bool, bool]:
        """Whether any live listing, any pin is kept: most projects have neither, and the
        contain step asks for every server twice."""
        if self._kept is None:
            from mcpir.incident.store import TRAIL
            from mcpir.proxy.listings_store import DIRECTORY

            assert self.root is not None  # noqa: S101 - checked by the caller
            trail = self.root / TRAIL
            self._kept = ((trail / DIRECTORY).is_dir(), (trail / "tool-pins").exists())
        return self._kept

    def of(self, server: str, client: str) -> Listed | None:
        if self.root is None:
            return None
        live_kept, pins_kept = self._where()
        if not live_kept:
            return self._pinned(server) if pins_kept else None
        from mcpir.proxy.listings_store import ListingStore
        from mcpir.proxy.pins import is_tool

        store = ListingStore(self.root)
        try:
            size = os.lstat(store.path(server, client)).st_size
            # A planted file is parsed before its seal is checked: 1 GB was minutes and
            # gigabytes, twice in the contain step. mcpir keeps a few megabytes at most.
            if size > MAX_LISTING_BYTES:
                self.warnings.append(f"{server}: its kept listing is over 16 MiB; not read")
            live = store.latest(server, client) if size <= MAX_LISTING_BYTES else None
        except FileNotFoundError:
            live = None
        except OSError as exc:  # a name too long for a file name: no listing can be kept
            self.warnings.append(f"{server}: its listing cannot be read ({exc.strerror})")
            live = None
        if live is not None and live.get("sealed") and isinstance(live.get("listing"), Mapping):
            tools = live["listing"].get("tools")
            if isinstance(tools, list):
                kept = tuple(t for t in tools[:MAX_TOOLS] if is_tool(t))
                return Listed(kept, f"live listing {live.get('listed', '')}".strip())
        return self._pinned(server) if pins_kept else None

    def _pinned(self, server: str) -> Listed | None:
        from mcpir.incident.store import TRAIL
        from mcpir.proxy.pins import PinStore

        assert self.root is not None  # noqa: S101 - checked by the caller
        store = PinStore(self.root / TRAIL / "tool-pins", root=self.root)
        try:
            pin = store.load(server)
        except McpirError as exc:  # a planted link, a damaged file: said, not read
            self.warnings.append(exc.message)
            return None
        except OSError as exc:  # a name too long for a file name
            self.warnings.append(f"{server}: its pin cannot be read ({exc.strerror})")
            return None
        if pin is None or pin.get("unsealed"):
            return None
        return Listed(tuple(pin["tools"][:MAX_TOOLS]), "pinned listing")
