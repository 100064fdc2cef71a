"""The rules in force when each change was made.

A careful auditor judges a change by the policy its author worked under: someone authorized
then stays authorized after leaving the list, and someone added later was not authorized
before. So every change is judged by `.mcpir.toml` `[audit]` and CODEOWNERS as committed at
its first parent. Two exceptions keep that honest:

- a parent whose rules name no one (the policy came later) falls back to the current rules;
- rules written by an unauthorized change authorize no one: while they stand, changes are
  judged by the rules that judged that change, so granting yourself rights is not a way in.

Cost: one `git cat-file --batch-check` resolves every parent's policy files, and one
`--batch` reads the few distinct blobs among them.
"""

from __future__ import annotations

from collections.abc import Iterable

from mcpir.audit import governance
from mcpir.audit.git import Repo, cat_blobs
from mcpir.audit.history import Commit, RawChange
from mcpir.config.codeowners import LOCATIONS

Key = tuple[str | None, ...]  # one blob (or None) per governance path


def resolve(repo: Repo, specs: list[str]) -> dict[str, str | None]:
    """`<rev>:<path>` -> the blob it names, or None when there is no such file."""
    if not specs:
        return {}
    process = repo.popen("cat-file", "--batch-check=%(objectname) %(objecttype)")
    out, _ = process.communicate(("\n".join(specs) + "\n").encode())
    found: dict[str, str | None] = {}
    for spec, line in zip(specs, out.decode(errors="replace").splitlines(), strict=False):
        sha, _, kind = line.partition(" ")
        found[spec] = sha if kind.strip() == "blob" else None
    return found


class RulesInTime:
    def __init__(self, repo: Repo, current: governance.Rules) -> None:
        self.repo, self.current = repo, current
        self._keys: dict[str, Key] = {}  # parent commit -> its governance blobs
        self._blobs: dict[str, bytes | str] = {}
        self._rules: dict[Key, governance.Rules] = {}
        # (path, blob) written by an unauthorized change -> (that commit, the rules it faced)
        self._distrusted: dict[tuple[str, str], tuple[str, governance.Rules]] = {}

    def prepare(self, commits: Iterable[Commit]) -> None:
        parents = list(dict.fromkeys(c.parents[0] for c in commits if c.parents))
        specs = [f"{parent}:{path}" for parent in parents for path in governance.PATHS]
        named = resolve(self.repo, specs)
        for parent in parents:
            self._keys[parent] = tuple(named.get(f"{parent}:{path}") for path in governance.PATHS)
        self._blobs = cat_blobs(self.repo, {s for k in self._keys.values() for s in k if s})

    def _at(self, key: Key) -> governance.Rules:
        if key not in self._rules:
            policy, *owners = (self._blobs.get(sha) if sha else None for sha in key)
            found = next(  # the first CODEOWNERS GitHub would read
                ((data, rel) for data, rel in zip(owners, LOCATIONS, strict=True) if data),
                (None, None),
            )
            self._rules[key] = governance.Rules(
                governance.audit_policy(policy), governance.owners(*found)
            )
        return self._rules[key]

    def before(self, commit: Commit) -> tuple[governance.Rules, list[str]]:
        """The rules that judge a change `commit` made, and a note when they are not simply
        the ones committed at its parent."""
        key = self._keys.get(commit.parents[0]) if commit.parents else None
        if key is None:
            return self.current, []
        for path, sha in zip(governance.PATHS, key, strict=True):
            distrusted = self._distrusted.get((path, sha)) if sha else None
            if distrusted is not None:
                by, rules = distrusted
                return rules, [
                    f"the rules at the time came from an unauthorized change ({by[:12]}) to "
                    f"{path}: judged by the rules before it"
                ]
        rules = self._at(key)
        return (rules, []) if rules.names_anyone else (self.current, [])

    def distrust(self, commit: Commit, raw: RawChange, judged_by: governance.Rules) -> None:
        """An unauthorized change to a policy file: what it wrote authorizes no one more."""
        if raw.new_blob:
            self._distrusted[(raw.path, raw.new_blob)] = (commit.sha, judged_by)
