"""Which transcripts and invocation logs show a token, and which tools it was sent to.

Read with investigate's readers (the same files `mcpir investigate` reads, with the same link
and size limits), matched by fingerprint: each string a call carries, each run of token
characters in it (`mcpir.investigate.values` finds values the same way) and the fingerprints
the proxy log writes in place of values.

Reading every transcript is the slow part of an investigation, so what each file showed is
remembered in mcpir's cache, keyed by its size and mtime and by the fingerprints asked about:
a later run reads only the files that changed (an active session), unless a new token is
asked about. Fingerprints, dates and tool names only: no value is kept. A tool's name is the
server's choice (`mcp__evil__<a token>`, a megabyte of it): it is kept as
`tokens.evidence.named` makes it (secrets masked, one line, 128 characters at most), at most
`MAX_SENT` of them per token and file, and a cached one not so is not evidence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.cache import JsonCache
from mcpir.core.paths import Scopes
from mcpir.core.secret import fingerprint
from mcpir.tokens.evidence import Witness, may_keep, named

if TYPE_CHECKING:
    from mcpir.investigate.readers.base import Reader

# By the file's path: what it showed, for its size and mtime and the fingerprints asked about.
# Version 2: tool names made safe (version 1 kept them raw, a secret in one included).
CACHE = JsonCache("evidence-transcripts.json", version=2, field="files")
MAX_SENT = 32  # tools one token is recorded as sent to, per file: the first ones
RESULT_LIMIT = 256 << 10  # as `secret-in-call` reads results: where a leaked key would sit
_WHOLE = (4, 512)  # a string this long may be a token on its own (`"auth": "<token>"`)
# The proxy log writes each secret it redacts as its fingerprint.
_FINGERPRINT = re.compile(r"sha256:[0-9a-f]{12}")
# investigate's token shape, without its test of randomness: the fingerprints asked about are
# the test here, and judging every word's entropy cost three quarters of the time.
# A base64 value keeps its padding; `NAME=value` still splits into two runs.
_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-.+/]{11,200}={0,2}")
_EDGES = ".-_/=+@"

# fingerprint -> {"on": first ISO date shown, "sent": {server.tool: first ISO date sent}}
Hits = dict[str, dict[str, Any]]


def shown_in_transcripts(scopes: Scopes, wanted: set[str]) -> list[Witness]:
    """`transcript:<path>` (dated by the first event that shows it) for each token in
    `wanted` a transcript shows, and `sent-to:<server>.<tool>` for each tool it was sent to."""
    from mcpir.investigate.readers import READERS

    if not wanted:
        return []
    asked = hashlib.sha256("\n".join(sorted(wanted)).encode()).hexdigest()
    cache = CACHE.load()
    changed = False
    seen: list[Witness] = []
    for reader in READERS:
        for path in reader.files(scopes):
            try:
                stat = path.stat()
            except OSError:
                continue
            key = str(path)
            entry = cache.get(key)
            fresh = (
                isinstance(entry, dict)
                and entry.get("size") == stat.st_size
                and entry.get("mtime_ns") == stat.st_mtime_ns
                and entry.get("asked") == asked
                and isinstance(entry.get("hits"), dict)
            )
            if not fresh:
                modified = datetime.fromtimestamp(stat.st_mtime, UTC).date()
                entry = {
                    "size": stat.st_size,
                    "mtime_ns": stat.st_mtime_ns,
                    "asked": asked,
                    "hits": _read(reader, path, wanted, modified),
                }
                cache.pop(key, None)
                cache[key] = entry
                changed = True
            assert isinstance(entry, dict)  # noqa: S101 - fresh, or made just above
            seen.extend(_witnesses(path, entry["hits"], wanted))
    if changed:  # files deleted since are forgotten; their evidence is kept in the inventory
        CACHE.save({key: entry for key, entry in cache.items() if Path(key).exists()})
    return seen


def _read(reader: Reader, path: Path, wanted: set[str], modified: date) -> Hits:
    from mcpir.investigate.events import Call, Message
    from mcpir.investigate.values import strings

    hits: Hits = {}

    def note(found: Iterable[str], day: date, sent: str | None) -> None:
        on = day.isoformat()
        for fp in found:
            hit = hits.setdefault(fp, {"on": on, "sent": {}})
            hit["on"] = min(hit["on"], on)
            if sent is not None and (sent in hit["sent"] or len(hit["sent"]) < MAX_SENT):
                hit["sent"][sent] = min(hit["sent"].get(sent, on), on)

    try:
        for event in reader.read(path, lambda size: None):
            # An event without a time is no older than the file's last change.
            day = event.origin.ts.date() if event.origin.ts is not None else modified
            if isinstance(event, Call):
                if event.arguments is not None:
                    sent = (fp for _, text in strings(event.arguments) for fp in _fps(text))
                    shown = {fp for fp in sent if fp in wanted}
                    if shown:  # named only then: masking a long name is not free
                        tool = f"{event.server}.{event.tool}" if event.server else event.tool
                        note(shown, day, named(tool))
                if event.result:
                    note(_fps(event.result[:RESULT_LIMIT]) & wanted, day, None)
            elif isinstance(event, Message):
                note(_fps(event.text) & wanted, day, None)
    except OSError:
        pass  # unreadable, or gone since it was listed: what was read so far still counts
    return hits


def _fps(text: str) -> set[str]:
    runs = set(_RUN.findall(text))
    runs |= {run.strip(_EDGES) for run in runs}
    found = {fingerprint(run) for run in runs}
    whole = text.strip()
    if _WHOLE[0] <= len(whole) <= _WHOLE[1]:
        found.add(fingerprint(whole))
    if "sha256:" in text:
        found.update(_FINGERPRINT.findall(text))
    return found


def _witnesses(path: Path, hits: object, wanted: set[str]) -> list[Witness]:
    out: list[Witness] = []
    if not isinstance(hits, dict):
        return out
    for fp, hit in hits.items():
        if fp not in wanted or not isinstance(hit, dict):
            continue
        sent = hit.get("sent")
        dated = [(f"transcript:{path}", hit.get("on"))]
        dated += (
            [(f"sent-to:{label}", on) for label, on in sent.items() if isinstance(label, str)]
            if isinstance(sent, dict)
            else []
        )
        for source, on in dated:
            if not may_keep(source):  # a cache written by hand, or by an older mcpir
                continue
            try:
                out.append(Witness(fp, source, date.fromisoformat(str(on))))
            except ValueError:
                continue
    return out
