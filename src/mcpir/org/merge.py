"""`mcpir org merge`: every repository's result in one report, each record naming its
repository: servers, findings, unauthorized changes, secrets ever committed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcpir.core.redact import redact_text
from mcpir.org.results import NotAResult, Result, read

MAX_FILES = 100_000  # result files taken from the directories named


@dataclass
class Merged:
    results: list[Result] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)

    def rows(self, key: str) -> list[dict[str, Any]]:
        """Every result's records of `key`, each with `repository` first."""
        return [
            {"repository": result.repository, **row}
            for result in self.results
            for row in getattr(result, key)
        ]

    @property
    def attention(self) -> bool:
        """Findings, an unauthorized change or a committed secret anywhere, or a result
        that could not be read: the org is not known to be clean."""
        return bool(self.unreadable) or any(
            r.findings or r.unauthorized or r.secrets or r.errors for r in self.results
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "repositories": [
                {
                    "repository": r.repository,
                    "commit": r.commit,
                    "event": r.event,
                    "servers": len(r.servers),
                    "findings": len(r.findings),
                    "unauthorized_changes": len(r.unauthorized) if r.audit_ran else None,
                    "secrets_committed": len(r.secrets) if r.audit_ran else None,
                    "posture_failed": None
                    if r.posture is None
                    else sum(1 for item in r.posture if item.get("status") == "fail"),
                    "errors": r.errors,
                }
                for r in self.results
            ],
            "servers": self.rows("servers"),
            "findings": self.rows("findings"),
            "unauthorized_changes": self.rows("unauthorized"),
            "secrets": self.rows("secrets"),
            "unreadable": [
                {"path": redact_text(str(path)), "error": redact_text(why)}
                for path, why in self.unreadable
            ],
        }


def _files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and every `*.json` below a directory named (an artifact download puts
    each repository's in a folder of its own); links are not followed into directories."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for directory, dirs, files in os.walk(path):
                dirs.sort()
                found += [
                    Path(directory) / name for name in sorted(files) if name.endswith(".json")
                ]
                if len(found) > MAX_FILES:
                    break
        else:
            found.append(path)
    return found[:MAX_FILES]


def merge(paths: Sequence[Path]) -> Merged:
    merged = Merged()
    seen: dict[str, int] = {}
    for path in _files(paths):
        try:
            result = read(path)
        except NotAResult as exc:
            merged.unreadable.append((path, str(exc)))
            continue
        if result.repository in seen:  # a re-run uploaded twice: the last one read wins
            merged.results[seen[result.repository]] = result
            continue
        seen[result.repository] = len(merged.results)
        merged.results.append(result)
    merged.results.sort(key=lambda r: r.repository)
    return merged
