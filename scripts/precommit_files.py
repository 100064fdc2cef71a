"""The `files` pattern of the pre-commit hook, derived from discovery's own project patterns.

Every file discovery reads in a repository (each client's `project` paths, at any depth, and
the `<name>.mcpir-disabled[.N]` copies containment leaves) is a file `mcpir scan` must see when
it is committed. The pattern in `.pre-commit-hooks.yaml` is written from those patterns here,
never by hand:

    python scripts/precommit_files.py          # print the pattern
    python scripts/precommit_files.py --write  # rewrite `files:` in .pre-commit-hooks.yaml
    python scripts/precommit_files.py --check  # exit 1 when the hook's pattern is out of date

tests/test_environment.py runs the check, and matches every client's project pattern against
the hook's regex.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HOOKS = Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml"
INDENT = "    "
# `files: >-` and its folded lines, up to the next key of the hook.
_FILES = re.compile(r"(?m)^(?P<key>  files: >-\n)(?P<body>(?:    .*\n)+)")


def project_patterns() -> list[str]:
    """Every client's project-scope path (`.mcp.json`, `.vscode/settings.json`, …)."""
    from mcpir.discovery.clients import CLIENTS

    return sorted({rel for client in CLIENTS for rel in client.project})


def alternative(rel: str) -> str:
    """One project pattern as a regex: a `*` is any name within one path segment."""
    return "[^/]*".join(re.escape(part) for part in rel.split("*"))


def files_regex() -> str:
    """The hook's `files` regex, one alternative a line (verbose mode ignores the spaces and
    newlines YAML's folding leaves). pre-commit searches it in each staged path."""
    from mcpir.discovery.client import CONTAINED_SUFFIX

    lines = ["(?x)(^|/)("]
    patterns = [alternative(rel) for rel in project_patterns()]
    lines += [f"  {pattern}|" for pattern in patterns[:-1]]
    lines.append(f"  {patterns[-1]}")
    # What containment renamed aside is still read by discovery (and still committed, maybe).
    lines.append(f")({re.escape(CONTAINED_SUFFIX)}(\\.[0-9]+)?)?$")
    return "\n".join(lines)


def hook_text(current: str) -> str:
    """`.pre-commit-hooks.yaml` with its `files:` written from `files_regex()`."""
    body = "".join(f"{INDENT}{line}\n" for line in files_regex().splitlines())
    found = _FILES.search(current)
    if found is None:
        raise SystemExit(f"{HOOKS}: no `  files: >-` block to rewrite")
    return current[: found.start("body")] + body + current[found.end("body") :]


def main(argv: list[str]) -> int:
    current = HOOKS.read_text(encoding="utf-8")
    if argv == ["--write"]:
        HOOKS.write_text(hook_text(current), encoding="utf-8")
        return 0
    if argv == ["--check"]:
        if hook_text(current) != current:
            print(f"{HOOKS.name}: `files` is out of date: run {__file__} --write", file=sys.stderr)
            return 1
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(files_regex())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
