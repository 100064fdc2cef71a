"""Every client's files, in each OS layout, against golden expectations.

Regenerate after an intended change with
`MCPIR_UPDATE_GOLDEN=1 pytest tests/test_discovery_golden.py` and read the diff before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from mcpir.core.paths import Scopes
from mcpir.discovery.listing import list_servers, listing_rows
from tests.conftest import FIXTURES

GOLDEN = FIXTURES / "golden"
EMPTY = FIXTURES / "empty"


def _rows(home: Path, root: Path | None) -> list[dict[str, Any]]:
    """The rows for one home and one project alone: the projects a fixture home's clients
    recorded are tests/test_projects.py's, and every row of `root` names it as its project."""
    rows = listing_rows(list_servers(Scopes(home, root, only_root=True)))
    for row in rows:
        row["path"] = Path(row["path"]).relative_to(FIXTURES).as_posix()
        if root is not None and row["scope"] == "project":
            assert row.pop("project") == str(root), row
    return rows


def _check(name: str, rows: list[dict[str, Any]]) -> None:
    golden = GOLDEN / f"{name}.json"
    text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("MCPIR_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{name}: output differs from {golden}"


@pytest.mark.parametrize("layout", ["linux", "macos", "windows"])
def test_user_scope_per_os_layout(layout: str) -> None:
    _check(f"home-{layout}", _rows(FIXTURES / "homes" / layout, None))


def test_project_scope() -> None:
    _check("project", _rows(EMPTY, FIXTURES / "project"))


def test_every_client_is_found_in_the_linux_home() -> None:
    from mcpir.discovery.clients import CLIENTS

    found = {row["client"] for row in _rows(FIXTURES / "homes" / "linux", None)}
    assert found == {client.name for client in CLIENTS}


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.stem)
def test_each_line_points_at_its_server(golden: Path) -> None:
    for row in json.loads(golden.read_text(encoding="utf-8")):
        if "error" in row:
            continue
        lines = (FIXTURES / row["path"]).read_text(encoding="utf-8-sig").splitlines()
        text = lines[row["line"] - 1]
        # A desktop extension's server is its manifest's `mcp_config` block.
        expected = '"mcp_config"' if row["path"].endswith("manifest.json") else row["name"]
        assert expected in text or json.dumps(expected) in text, (row, text)
