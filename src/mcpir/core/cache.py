"""mcpir's own caches: one versioned JSON file each in the cache directory, never trusted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.core.fileio import atomic_write_text
from mcpir.core.paths import cache_dir


@dataclass(frozen=True)
class JsonCache:
    """A table of entries kept as `{"version": version, field: {key: entry}}` in the file
    `name` of the cache directory. Gone, damaged or of another version, it reads as empty (the
    work is done again); a write that fails is skipped (the next run does the work again).
    Nested deeper than the JSON parser recurses (a planted `[[[[…`), it is damaged too."""

    name: str
    version: int
    field: str

    @property
    def path(self) -> Path:
        return cache_dir() / self.name

    def load(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(doc, dict) or doc.get("version") != self.version:
            return {}
        entries = doc.get(self.field)
        return entries if isinstance(entries, dict) else {}

    def save(self, entries: dict[str, Any]) -> None:
        text = json.dumps({"version": self.version, self.field: entries}) + "\n"
        try:
            atomic_write_text(self.path, text, 0o600)
        except OSError:
            pass  # a read-only cache directory
