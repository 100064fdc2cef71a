"""CODEOWNERS, read as GitHub reads it: gitignore-like patterns, the last matching line wins,
and a line with a pattern but no owners leaves its paths unowned.

Differences from gitignore that GitHub documents and that are kept here: no `!` negation, no
`[...]` ranges, and `docs/*` owns the files directly in `docs/` but not deeper ones. A pattern
ending in `/` names a directory: it owns what is below it, never a file of that name.

Used by `mcpir posture` (is every MCP config owned?) and `mcpir audit` (is the author of a
change an owner?).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Where GitHub looks, in its order.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
# `@user`, `@org/team`, or an email address; a line naming anything else is skipped, as GitHub
# skips a line with invalid syntax.
OWNER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9_.-]*)(?:/[A-Za-z0-9_.-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+")
_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<user>[^@+]+)@users\.noreply\.github\.com$", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    line: int
    pattern: str
    owners: tuple[str, ...]
    regex: re.Pattern[str]
    shallow: bool  # `dir/*`: owns direct children only
    directory: bool = False  # `dir/`: owns what is below, not a file named `dir`


def find(root: Path) -> Path | None:
    """The CODEOWNERS GitHub uses: the first of `.github/`, the root, `docs/`."""
    for name in LOCATIONS:
        path = root / name
        if path.is_file():
            return path
    return None


# Hand-written, not pathspec: pathspec implements gitignore, where `docs/*` also covers
# everything below `docs/sub/` (a matched directory takes its contents along), and GitHub's
# CODEOWNERS documents the opposite (direct children only; tests/test_codeowners.py checks
# it). pathspec also honours `!` and `[...]`, which GitHub ignores. Wrapping it to undo both
# would leave as much code as this translation, and less obvious code.
def _translate(pattern: str) -> tuple[re.Pattern[str], bool] | None:
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    if not body:
        return None
    # `docs/*` is shallow; `docs/*/` names directories, and owns all below them.
    shallow = body.endswith("/*") and not body.endswith("**/*") and not pattern.endswith("/")
    out, i = [], 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("/**", i) and i + 3 == len(body):
            out.append("/.*")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "\\" and i + 1 < len(body):
            out.append(re.escape(body[i + 1]))
            i += 2
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + "".join(out)), shallow


def parse(text: str) -> list[Rule]:
    """Every line GitHub would use, in file order; lines it would skip are skipped."""
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        # An inline comment starts at " #"; `\#` keeps a literal hash in a pattern.
        words = re.split(r"\s+", re.split(r"\s#", line, maxsplit=1)[0].strip())
        pattern, owners = words[0], tuple(w for w in words[1:] if w)
        if pattern.startswith("!") or "[" in pattern:
            continue  # not supported by GitHub: the line is ignored there too
        if not all(OWNER.fullmatch(owner) for owner in owners):
            continue
        translated = _translate(pattern)
        if translated is None:
            continue
        regex, shallow = translated
        rules.append(Rule(number, pattern, owners, regex, shallow, pattern.endswith("/")))
    return rules


def _matches(rule: Rule, path: str) -> bool:
    if rule.regex.fullmatch(path):
        return not rule.directory
    if rule.shallow:
        return False
    # A pattern that names a directory owns everything below it.
    parts = path.split("/")
    return any(rule.regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts)))


def owner_of(rules: Sequence[Rule], path: str) -> Rule | None:
    """The rule that decides `path` (relative, `/`-separated): the last one that matches."""
    for rule in reversed(rules):
        if _matches(rule, path):
            return rule
    return None


@dataclass(frozen=True)
class CodeOwners:
    """One CODEOWNERS file (`path` None: there is none, or it came from git history)."""

    path: Path | None
    rules: tuple[Rule, ...] = ()

    @classmethod
    def read(cls, text: str, path: Path | None = None) -> CodeOwners:
        return cls(path, tuple(parse(text)))

    def owners(self, path: str) -> tuple[str, ...]:
        rule = owner_of(self.rules, path)
        return rule.owners if rule is not None else ()

    def owns(self, path: str, email: str) -> bool:
        """Whether the author with this email is an owner of `path`: listed by email, or by
        a GitHub handle whose no-reply address it is (teams cannot be resolved offline)."""
        email = email.strip().lower()
        handle = _NOREPLY.match(email)
        for owner in self.owners(path):
            owner = owner.lower()
            if owner == email:
                return True
            if handle and owner == "@" + handle["user"].lower():
                return True
        return False


def load(root: Path | None) -> CodeOwners:
    """The working tree's CODEOWNERS (the reviewed, current one), or none."""
    path = find(root) if root is not None else None
    if path is None:
        return CodeOwners(None)
    from mcpir.core.documents import DocumentError, read_text

    try:
        return CodeOwners.read(read_text(path), path)
    except DocumentError:
        return CodeOwners(path)
