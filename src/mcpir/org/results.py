"""One repository's result, as the action writes it (`mcpir action --results FILE`) and as
`org merge` reads it back: servers, scan findings, the audit's unauthorized changes and
secrets ever committed, the posture checklist. Paths are relative to the repository.

A result file comes back from an artifact another job uploaded: it is read bounded (size,
depth) and its shape checked field by field; a file that is not one is listed with why, never
merged, and every text in it is redacted again before it is shown.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcpir.core.redact import redact_text

KIND = "mcpir-result"
VERSION = 1
MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 32
MAX_ROWS = 100_000  # per list in one result


@dataclass(frozen=True)
class Result:
    repository: str
    commit: str | None
    event: str | None
    servers: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    unauthorized: list[dict[str, Any]]
    secrets: list[dict[str, Any]]
    audit_ran: bool
    posture: list[dict[str, Any]] | None
    errors: list[str] = field(default_factory=list)


def document(
    repository: str,
    commit: str | None,
    event: str | None,
    *,
    servers: Sequence[dict[str, Any]],
    findings: Sequence[dict[str, Any]],
    audit: dict[str, Any] | None,
    posture: Sequence[dict[str, Any]] | None,
    errors: Sequence[str] = (),
) -> dict[str, Any]:
    """The result file's JSON (`audit`: the audit's JSON document, None when it did not run)."""
    return {
        "kind": KIND,
        "version": VERSION,
        "repository": redact_text(repository),
        "commit": commit,
        "event": event,
        "servers": list(servers),
        "findings": list(findings),
        "audit": None if audit is None else {
            "unauthorized": [c for c in audit.get("changes", []) if not c.get("authorized")],
            "secrets": list(audit.get("secrets", [])),
        },
        "posture": None if posture is None else list(posture),
        "errors": [redact_text(e) for e in errors],
    }  # fmt: skip


class NotAResult(Exception):
    pass


def _depth(value: Any, limit: int = MAX_DEPTH) -> bool:  # noqa: ANN401
    """Whether no container in `value` sits deeper than `limit` (scalars are not walked)."""
    stack = [(value, 0)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


# The fields the reports read, each brought to the shape they read it in: a text (or None), a
# line number, a list of names. Anything else a row holds is passed through to JSON as it is.
_LISTS = frozenset({"args", "env_keys", "header_keys"})
_TEXTS = frozenset({"rule", "severity", "message", "path", "server", "client", "tool",
                    "evidence", "name", "transport", "command", "url", "scope", "project",
                    "commit", "author", "status", "provider", "fingerprint", "added_in", "user",
                    "repository", "id", "title"})  # fmt: skip


@functools.lru_cache(maxsize=1 << 16)
def _redacted(text: str) -> str:
    # Cached: an organization's rows repeat clients, paths, rules and commands.
    return redact_text(text)


def _scrubbed(value: Any) -> Any:  # noqa: ANN401
    """`value` with every text in it redacted, however it nests (read bounded: MAX_DEPTH)."""
    if isinstance(value, str):
        return _redacted(value)
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    if isinstance(value, dict):
        return {_redacted(str(key)): _scrubbed(item) for key, item in value.items()}
    return value


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in _TEXTS and value is not None and not isinstance(value, str):
            value = json.dumps(value)[:500] if isinstance(value, (list, dict)) else str(value)
        elif key == "line" and (isinstance(value, bool) or not isinstance(value, int)):
            value = None
        elif key in _LISTS:
            value = [v if isinstance(v, str) else json.dumps(v)[:500]
                     for v in (value if isinstance(value, list) else [])]  # fmt: skip
        elif key == "enabled":
            value = value if isinstance(value, bool) else True
        # Redacted again: the artifact came from another job, and JSON shows it as it is.
        out[_redacted(str(key))] = _scrubbed(value)
    return out


def _rows(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise NotAResult(f"`{key}` is not a list of records")
    if len(value) > MAX_ROWS:
        raise NotAResult(f"`{key}` holds {len(value):,} records (limit {MAX_ROWS:,})")
    return [_clean(row) for row in value]


def _text(value: Any) -> str | None:  # noqa: ANN401
    return None if value is None else redact_text(str(value))[:200]


def parse(data: Any) -> Result:  # noqa: ANN401
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise NotAResult(f'not an mcpir result (no "kind": "{KIND}")')
    if data.get("version") != VERSION:
        raise NotAResult(f"result version {_text(data.get('version'))}, not {VERSION}")
    repository = data.get("repository")
    if not isinstance(repository, str) or not repository:
        raise NotAResult("no repository named")
    audit = data.get("audit")
    if audit is not None and not isinstance(audit, dict):
        raise NotAResult("`audit` is not a record")
    posture = data.get("posture")
    errors = data.get("errors") or []
    if not isinstance(errors, list):
        raise NotAResult("`errors` is not a list")
    return Result(
        repository=redact_text(repository)[:200],
        commit=_text(data.get("commit")),
        event=_text(data.get("event")),
        servers=_rows(data, "servers"),
        findings=_rows(data, "findings"),
        unauthorized=_rows(audit or {}, "unauthorized"),
        secrets=_rows(audit or {}, "secrets"),
        audit_ran=audit is not None,
        posture=None if posture is None else _rows(data, "posture"),
        errors=[redact_text(str(e))[:500] for e in errors[:100]],
    )


def read(path: Path) -> Result:
    """One result file, bounded; `NotAResult` (one line) for anything else."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError as exc:
        raise NotAResult(f"unreadable: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise NotAResult("not a regular file")
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise NotAResult(f"too large (limit {MAX_BYTES >> 20} MiB)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotAResult(f"not JSON: {str(exc).splitlines()[0][:200]}") from None
    except RecursionError:
        raise NotAResult("nested too deep") from None
    if not _depth(data):
        raise NotAResult(f"nested deeper than {MAX_DEPTH} levels")
    return parse(data)
