"""The posture checklist's `flows` item: is there a full chain (untrusted input → private
data → out) in some client? From listings and the catalog only: offline, no transcript read,
fast enough for `posture`. A contained machine's servers are judged as they would return."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mcpir.core.model import ConfigFile
from mcpir.core.words import plural
from mcpir.flows.graph import analyze

_SHOW = 5


def _some(names: list[str]) -> str:
    more = f" and {len(names) - _SHOW} more" if len(names) > _SHOW else ""
    return ", ".join(names[:_SHOW]) + more


def verdict(configs: Sequence[ConfigFile], root: Path | None) -> tuple[str, str, str]:
    """(status, evidence, fix): `fail` on a full chain, `unknown` when none is found but some
    server nothing describes could close one, else `pass`."""
    enabled = any(s.enabled for c in configs for s in c.servers)
    state = ""
    if not enabled and any(c.servers for c in configs):
        state = " (every server disabled now; judged as they would return)"
    report = analyze(configs, root=root, include_disabled=not enabled)
    if report.chains:
        per_client: dict[str, list[str]] = {}
        for flow in report.chains:
            per_client.setdefault(flow.client, []).append(flow.path)
        shown = [f"{client}: {plural(len(paths), 'full chain')}, e.g. {paths[0]}"
                 for client, paths in per_client.items()]  # fmt: skip
        fix = "split these servers across clients or drop the ones not needed; see `mcpir flows`"
        return "fail", "; ".join(shown) + state, fix
    unknown = [f"{s.name} ({s.client})" for s in report.unknown()]
    if unknown:
        evidence = (
            "no full chain among the servers described; not described (no listing or catalog "
            f"entry): {_some(unknown)}{state}"
        )
        return "unknown", evidence, "list them with `mcpir scan --live`, then `mcpir flows`"
    pairs = plural(len(report.flows), "private → out pair")
    return (
        "pass",
        f"{plural(len(report.servers), 'server')} described; no full chain, {pairs}" + state,
        "",
    )
