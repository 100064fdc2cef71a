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


def kept_aside(incident: Incident, document: dict[str, Any]) -> Path | None:
    """Before the Markdown is written again: a person's front-matter edits that are not in the
    journal yet are never written over; that file is kept as `<id>.md.edited` (0600) and its
    path returned, for `mcpir report edit ID --from-document PATH`.

    A front matter that cannot be read as fields (a YAML error, a value `--set` would refuse,
    such as a bad date) is kept too: it holds what a person wrote, which a rewrite would lose.
    A document with no front matter at all was written by an older mcpir, and one that is not
    a regular file under 1 MiB is not ours to read: neither is kept. The copy is redacted like
    every file mcpir writes: a token pasted into the front matter is masked there as well."""
    from mcpir.core.errors import UsageError
    from mcpir.core.redact import redact_text
    from mcpir.report import front_matter

    path = paths(incident)[Format.MD]
    if not path.is_file() or path.is_symlink():
        return None
    try:
        found: dict[str, str] | None = front_matter.read(path)
    except front_matter.UnparseableError:
        found = None  # a person's edit YAML cannot read is still a person's edit
    except UsageError:  # no front matter (an older mcpir wrote it) or not ours to read
        return None
    try:
        unrecorded = found is None or bool(front_matter.changes(document, found))
    except UsageError:  # a field or value `--set` refuses (a bad date): kept, not lost
        unrecorded = True
    if not unrecorded:
        return None
    aside = path.with_name(path.name + ".edited")
    if aside.is_symlink():
        raise UsageError(f"{aside} is a symbolic link; mcpir will not write through it")
    text = path.read_text(encoding="utf-8", errors="replace")
    atomic_write_text(aside, redact_text(text), mode=0o600)
    return aside


def write(incident: Incident, document: dict[str, Any]) -> dict[Format, Path]:
    """Both files, atomically, private (they name paths and fingerprints of this machine)."""
    written = paths(incident)
    for fmt, path in written.items():
        if path.is_symlink():
            from mcpir.core.errors import UsageError

            raise UsageError(f"{path} is a symbolic link; mcpir will not write through it")
        atomic_write_text(path, render(document, fmt), mode=0o600)
    return written
