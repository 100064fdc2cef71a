"""How a technique rule reports an act: once per clause and family, after the phrase rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcpir.injection.hits import technique

if TYPE_CHECKING:
    from mcpir.injection.clauses import Clause
    from mcpir.injection.reading import Reading

# Families that report one act under different names: a secret read to be sent out is one hit.
_DATA = frozenset({"exfiltration", "sensitive source", "forced call"})


def add(scan: Reading, key: str, severity: str, clause: Clause, *detail: object) -> None:
    """One hit per act: a phrase rule that already reported this clause's act keeps its more
    precise message."""
    family = technique(key.partition(":")[0])
    for hit in scan.hits:
        if hit.severity != "low" and clause.start <= hit.pos < clause.end:
            other = technique(hit.kind)
            if other == family or {other, family} <= _DATA:
                return
    scan.add(key, severity, clause.start, clause.end, *detail)
