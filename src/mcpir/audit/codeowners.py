"""CODEOWNERS: who owns a path (GitHub's rules: gitignore-style patterns, the last match wins)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Where GitHub looks, in its order.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<user>[^@+]+)@users\.noreply\.github\.com$", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    pattern: str
    regex: re.Pattern[str]
    owners: tuple[str, ...]


def _regex(pattern: str) -> re.Pattern[str]:
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
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
    suffix = "/.*" if directory else "(?:/.*)?"
    return re.compile(prefix + "".join(out) + suffix)


@dataclass(frozen=True)
class CodeOwners:
    path: Path | None
    rules: tuple[Rule, ...] = ()

    def owners(self, path: str) -> tuple[str, ...]:
        for rule in reversed(self.rules):
            if rule.regex.fullmatch(path):
                return rule.owners
        return ()

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


def parse(text: str, path: Path | None = None) -> CodeOwners:
    rules = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        pattern, *owners = line.split()
        try:
            rules.append(Rule(pattern, _regex(pattern), tuple(owners)))
        except re.error:
            continue  # GitHub ignores a line it cannot read, and so do we
    return CodeOwners(path, tuple(rules))


def load(root: Path | None) -> CodeOwners:
    """The working tree's CODEOWNERS (the reviewed, current one), or none."""
    if root is None:
        return CodeOwners(None)
    from mcpir.discovery.documents import DocumentError, read_text

    for rel in LOCATIONS:
        path = root / rel
        if path.is_file():
            try:
                return parse(read_text(path), path)
            except DocumentError:
                return CodeOwners(path)
    return CodeOwners(None)
