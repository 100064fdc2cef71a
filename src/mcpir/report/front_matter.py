"""The report's front matter: what a person may fill in, at the top of the Markdown document.

Written from the journal every time the document is; read back only when the person asks
(`mcpir report edit ID --from-document`), then journalled as `report-edit` records like any
`--set`. A document in a repository may have been written by anyone, so it is never read on
its own: regeneration compares its front matter with the journal and, when a person's edits
are not recorded yet, keeps that file aside rather than writing over them.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from mcpir.core.errors import UsageError
from mcpir.report.edit import Edit, parse

FENCE = "---"
MAX_BYTES = 1024 * 1024  # a report is kilobytes; a planted one may not be
ACTION_FIELDS = ("owner", "due", "priority", "status")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # a link planted as the document is not followed
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # nor a FIFO waited on


def values(doc: dict[str, Any]) -> dict[str, str]:
    """The editable fields as `report edit` names them, with the document's current values."""
    out = {
        "summary": doc.get("summary_text") or "",
        "impact": (doc.get("impact") or {}).get("text") or "",
        "root_cause": doc.get("root_cause_text") or "",
        "lessons": doc.get("lessons") or "",
        "owner": str(doc.get("owner") or ""),
    }
    for item in doc.get("action_items") or ():
        for field in ACTION_FIELDS:
            out[f"{field}.{item['id']}"] = str(item.get(field) or "")
    return out


def render(doc: dict[str, Any]) -> list[str]:
    """The block, in YAML that is also JSON per value: every string is quoted and escaped."""
    fields = values(doc)
    lines = [
        FENCE,
        f"atom: {json.dumps(doc['atom'])}",
        f"# Fill in the fields below, then: mcpir report edit {doc['atom']} --from-document",
    ]
    keys = ("summary", "impact", "root_cause", "lessons", "owner")
    lines += [f"{key}: {_quoted(fields[key])}" for key in keys]
    lines.append("actions:")
    for item in doc.get("action_items") or ():
        ident = item["id"]
        parts = ", ".join(
            f"{field}: {_quoted(fields[field + '.' + ident])}" for field in ACTION_FIELDS
        )
        lines.append(f"  {ident}: {{{parts}}}")
    return [*lines, FENCE, ""]


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar that is plain ASCII: a bidi override, a C1 control, DEL or a
    line separator a value holds is written as its `\\uXXXX` escape, never raw, so it can
    neither reorder a reader's terminal nor make the block unparseable."""
    return json.dumps(value, ensure_ascii=True)


class UnparseableError(UsageError):
    """The document has a front-matter block, and it does not read as a mapping: what a person
    wrote there is kept aside before a rewrite (`report.kept_aside`), not lost."""


def read(path: Path) -> dict[str, str]:
    """The front matter of the document at `path`, flattened to `report edit` fields; a
    one-line error for a link, a non-file, an oversized file or a block that does not parse."""
    from mcpir.core.documents import DocumentError, parse_yaml

    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        # The type is checked on the descriptor before it is read as a file: a directory
        # opens, then fails in fdopen() with an errno, not a usage error.
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            raise UsageError(f"{path}: not a regular file under 1 MiB; not read")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            text = handle.read(MAX_BYTES + 1).decode("utf-8", "replace")
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE or FENCE not in (x.strip() for x in lines[1:]):
        raise UsageError(f"{path}: no front matter (a block between --- lines at the top)")
    end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == FENCE)
    try:
        data = parse_yaml("\n".join(lines[1:end])).data
    except DocumentError as exc:
        raise UnparseableError(f"{path}: front matter: {exc}") from None
    if not isinstance(data, dict):
        raise UnparseableError(f"{path}: front matter is not a mapping")
    out = {k: str(v) for k, v in data.items() if k not in ("atom", "actions") and v is not None}
    actions = data.get("actions")
    for ident, fields in actions.items() if isinstance(actions, dict) else ():
        for field, value in fields.items() if isinstance(fields, dict) else ():
            if value is not None:
                out[f"{field}.{ident}"] = str(value)
    return out


def changes(doc: dict[str, Any], found: dict[str, str]) -> list[Edit]:
    """What the person changed: each field whose value differs from the document's, checked
    like `--set` (an unknown field or a bad date is refused before anything is written)."""
    current = values(doc)
    # An emptied field is left as it was: front matter records what a person wrote, and
    # `--set FIELD=` is the way to clear one.
    pairs = [f"{k}={v}" for k, v in found.items() if v.strip() and current.get(k, "") != v.strip()]
    return parse(pairs) if pairs else []
