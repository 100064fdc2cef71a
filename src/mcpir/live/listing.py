"""`initialize`, then every page of each list the server's capabilities announce, bounded."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_PAGES = 100  # over all four lists
MAX_ITEMS = 10_000
MAX_BYTES = 8 * 1024 * 1024

# (capability, method, result key, listing key)
LISTS = (
    ("tools", "tools/list", "tools", "tools"),
    ("prompts", "prompts/list", "prompts", "prompts"),
    ("resources", "resources/list", "resources", "resources"),
    ("resources", "resources/templates/list", "resourceTemplates", "resourceTemplates"),
)


class TooLarge(Exception):
    """A listing over a bound: what was read so far is kept."""


@dataclass
class Listing:
    data: dict[str, Any] = field(
        default_factory=lambda: {
            "instructions": None,
            "serverInfo": {},
            "tools": [],
            "prompts": [],
            "resources": [],
            "resourceTemplates": [],
        }
    )
    pages: int = 0
    items: int = 0
    size: int = 0

    def add(self, key: str, items: list[Any]) -> None:
        self.pages += 1
        self.size += len(json.dumps(items, ensure_ascii=False).encode("utf-8"))
        room = MAX_ITEMS - self.items
        self.data[key].extend(items[: max(room, 0)])
        self.items += len(items)
        if self.items > MAX_ITEMS:
            raise TooLarge(f"listing cut at {MAX_ITEMS} items")
        if self.size > MAX_BYTES:
            raise TooLarge(f"listing cut at {MAX_BYTES // (1024 * 1024)} MiB")


def _request(method: str, cursor: str | None) -> Any:  # noqa: ANN401
    import mcp_types as types

    params = types.PaginatedRequestParams(cursor=cursor) if cursor is not None else None
    request = {
        "tools/list": types.ListToolsRequest,
        "prompts/list": types.ListPromptsRequest,
        "resources/list": types.ListResourcesRequest,
        "resources/templates/list": types.ListResourceTemplatesRequest,
    }[method]
    return request(params=params)


async def list_session(session: Any, listing: Listing) -> None:  # noqa: ANN401
    """Fill `listing` from an entered `ClientSession`; raises `TooLarge` past a bound."""
    from pydantic import TypeAdapter

    raw = TypeAdapter(dict[str, Any])
    result = await session.initialize()
    listing.data["instructions"] = result.instructions
    listing.data["serverInfo"] = result.server_info.model_dump(
        by_alias=True, mode="json", exclude_none=True
    )
    capabilities = result.capabilities.model_dump(by_alias=True, mode="json", exclude_none=True)
    for capability, method, result_key, key in LISTS:
        if capabilities.get(capability) is None:
            continue
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            if listing.pages >= MAX_PAGES:
                raise TooLarge(f"listing cut at {MAX_PAGES} pages")
            page = await session.send_request(_request(method, cursor), raw)
            items = page.get(result_key)
            listing.add(key, items if isinstance(items, list) else [])
            cursor = page.get("nextCursor")
            if not isinstance(cursor, str) or not cursor or cursor in seen:
                break  # the last page, or a server that loops over its cursors
            seen.add(cursor)
