"""Write action/constraints.txt: the exact versions `action.yml` installs mcpir with (`pip -c`),
the closure of pyproject.toml's runtime dependencies as installed in this (tested) venv.

Run it in the project's venv after a dependency changes: `python scripts/action-constraints.py`.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# The exact versions action.yml installs mcpir with (pip install -c): the closure of
# pyproject.toml's runtime dependencies as tested. Regenerate: python scripts/action-constraints.py
"""


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [Requirement(raw) for raw in project["dependencies"]]
    pinned: dict[str, str] = {}
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            raise SystemExit(
                f"{req.name} is not installed here: pip install -e '.[test]'"
            ) from None
        key = _key(dist.metadata["Name"])
        extras = set(req.extras)
        if key in pinned and not extras:
            continue
        pinned[key] = dist.version
        for raw in dist.requires or []:
            sub = Requirement(raw)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras | {""}):
                todo.append(Requirement(str(sub).split(";")[0]))
    return pinned


def main() -> None:
    lines = [f"{name}=={version}" for name, version in sorted(closure().items())]
    (ROOT / "action" / "constraints.txt").write_text(HEADER + "\n".join(lines) + "\n")
    print(f"{len(lines)} pins written to action/constraints.txt")


if __name__ == "__main__":
    main()
