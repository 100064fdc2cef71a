"""Accepted findings, like gitleaks' baseline: `mcp-baseline.json`, safe to commit.

`mcpir scan --update-baseline` records the fingerprint (`scan/fingerprint.py`) of every finding
the scan reports; `mcpir scan --baseline FILE` then reports only findings whose fingerprint is
not in FILE, and counts the others as suppressed. The file:

    {
      "kind": "accepted-findings",
      "version": 2,
      "findings": [
        {"client": "claude-code", "evidence": "sha256:<32 hex>", "rule": "unpinned-package",
         "server": "diagrams", "tool": null},
        ...
      ]
    }

sorted by rule, client, server, tool, evidence; no path, no line, no secret (evidence is a
hash). An entry no finding matches any more is stale: harmless, counted, and pruned by the
next `--update-baseline`.

What a server looked like (the server inventory a version-1 `mcp-baseline.json` held) is
`scan/inventory.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.core.errors import UsageError
from mcpir.scan import stored
from mcpir.scan.fingerprint import EVIDENCE_HEX, EVIDENCE_PREFIX, Fingerprint
from mcpir.scan.inventory import (
    Inventory,
    server_entry,  # audit/semantic.py reads it from here
)

FILENAME = "mcp-baseline.json"
OPTION = "--baseline"
_EVIDENCE = re.compile(re.escape(EVIDENCE_PREFIX) + f"[0-9a-f]{{{EVIDENCE_HEX}}}")


@dataclass(frozen=True)
class Accepted:
    """The accepted findings of one file."""

    path: Path
    fingerprints: frozenset[Fingerprint]


def parse(data: Mapping[str, Any], path: Path) -> Accepted:
    found: set[Fingerprint] = set()
    for number, item in enumerate(stored.entries(data, "findings", OPTION, path), 1):
        where = f"{stored.where(OPTION, path)}: findings entry {number}"
        rule = stored.text_field(item, "rule", where, optional=False)
        evidence = stored.text_field(item, "evidence", where, optional=False)
        assert rule is not None and evidence is not None  # noqa: S101 - not optional
        if not _EVIDENCE.fullmatch(evidence):
            raise UsageError(f"{where}: 'evidence' is not {EVIDENCE_PREFIX}<{EVIDENCE_HEX} hex>")
        found.add(
            Fingerprint(
                rule=rule,
                client=stored.text_field(item, "client", where, optional=True),
                server=stored.text_field(item, "server", where, optional=True),
                tool=stored.text_field(item, "tool", where, optional=True),
                evidence=evidence,
            )
        )
    return Accepted(path, frozenset(found))


def load(path: Path, *, for_update: bool = False) -> Accepted | Inventory | None:
    """What `--baseline FILE` names: accepted findings, or a version-1 `mcp-baseline.json`
    (a server inventory, read as `--drift` reads it: `--update-baseline` replaces it, and the
    caller says so); None: no such file, which `--update-baseline` writes afresh."""
    from mcpir.scan import inventory

    readers: dict[stored.Kind, Any] = {
        stored.Kind.ACCEPTED: lambda data: parse(data, path),
        stored.Kind.LEGACY: lambda data: inventory.parse_legacy(data, path, OPTION),
    }
    return stored.load(path, OPTION, for_update=for_update, readers=readers,
                       noun="accepted findings", title="baseline of accepted findings",
                       other=(stored.Kind.INVENTORY, "a server inventory", "--drift"))  # fmt: skip


def document(fingerprints: Iterable[Fingerprint]) -> dict[str, Any]:
    rows = [
        {
            "rule": item.rule,
            "client": item.client,
            "server": item.server,
            "tool": item.tool,
            "evidence": item.evidence,
        }
        for item in sorted(set(fingerprints), key=Fingerprint.sort_key)
    ]
    return {"kind": stored.Kind.ACCEPTED.value, "version": stored.VERSION, "findings": rows}


__all__ = ["FILENAME", "OPTION", "Accepted", "document", "load", "parse", "server_entry"]
