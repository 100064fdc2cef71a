"""Secrets ever committed to a config: the commit that added each one and the one that removed it.

Followed per file lineage (a rename carries its secrets along), oldest commit first. Values
are never kept: a secret is its fingerprint from the moment it is found.
"""

from __future__ import annotations

from mcpir.audit.history import Commit, RawChange
from mcpir.audit.model import HistorySecret
from mcpir.audit.semantic import Version


class SecretTracker:
    def __init__(self) -> None:
        self._lineage: dict[str, str] = {}  # current path -> the path its history started at
        self._open: dict[tuple[str, str], HistorySecret] = {}  # (fingerprint, lineage)
        self.found: list[HistorySecret] = []

    def _origin(self, path: str) -> str:
        return self._lineage.get(path, path)

    def see(
        self, commit: Commit, change: RawChange, before: Version, after: Version,
        others: list[Version],
    ) -> None:  # fmt: skip
        origin = self._origin(change.old_path or change.path)
        if change.status in "RC" and change.old_path:
            self._lineage[change.path] = origin
        added = after.secrets.keys() - before.secrets.keys()
        removed = before.secrets.keys() - after.secrets.keys()
        if change.status == "merge":
            # What another parent brought is that parent's commits' doing, not the merge's.
            for other in others:
                added -= other.secrets.keys()
            removed = set()
        for fp in sorted(added):
            entry = self._open.get((fp, origin))
            if entry is None:
                entry = HistorySecret(fp, after.secrets[fp].provider, change.path, commit.sha,
                                      commit.author_id)  # fmt: skip
                self._open[(fp, origin)] = entry
                self.found.append(entry)
            else:  # back again after a removal: it is in the file after all
                entry.removed_in = None
        for fp in sorted(removed):
            entry = self._open.get((fp, origin))
            if entry is None:  # committed before the audited range (--since)
                entry = HistorySecret(fp, before.secrets[fp].provider, change.old_path or
                                      change.path, None, None)  # fmt: skip
                self._open[(fp, origin)] = entry
                self.found.append(entry)
            entry.removed_in = commit.sha
