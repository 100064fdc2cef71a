"""The ATOM incident document: built from the journal, rendered as Markdown and JSON."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any

from mcpir.core.fileio import atomic_write_text
from mcpir.incident.store import Incident


class Format(enum.StrEnum):
    MD = "md"
    JSON = "json"


def render(document: dict[str, Any], fmt: Format) -> str:
    from mcpir.report import markdown

    if fmt is Format.MD:
        return markdown.render(document)
    if fmt is Format.JSON:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    raise AssertionError(f"no renderer for {fmt}")  # pragma: no cover - every Format has one


def paths(incident: Incident) -> dict[Format, Path]:
    return {fmt: incident.directory / f"{incident.id}.{fmt.value}" for fmt in Format}


def write(incident: Incident, document: dict[str, Any]) -> dict[Format, Path]:
    """Both files, atomically, private (they name paths and fingerprints of this machine)."""
    written = paths(incident)
    for fmt, path in written.items():
        if path.is_symlink():
            from mcpir.core.errors import UsageError

            raise UsageError(f"{path} is a symbolic link; mcpir will not write through it")
        atomic_write_text(path, render(document, fmt), mode=0o600)
    return written
