"""Where each token lives: `tokens list --json` gives its `store` (`literal`, `env`, `op`,
`vault`, `prompted`, `keyring:<backend>`), and `posture` fails on tokens stored unencrypted."""

from __future__ import annotations

import io
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from mcpir.tokens import store
from tests.conftest import CANARY, RunCli
from tests.test_headless_keyring import cryptfile  # noqa: F401 - a fixture

SERVERS: dict[str, Any] = {
    "mcpServers": {
        "written": {"command": "a", "env": {"API_TOKEN": f"{CANARY}lit{uuid.uuid4().hex}"}},
        "env": {"command": "b", "env": {"GH_TOKEN": "${STORES_TEST_TOKEN}"}},
        "op": {"command": "c", "env": {"GH_TOKEN": "op://Dev/github/token"}},
        "vault": {"command": "d", "env": {"GH_TOKEN": "vault://secret/mcp/github#token"}},
        "prompted": {"command": "e", "env": {"GH_TOKEN": "${input:gh}"}},
    }
}


def listed(run_cli: RunCli, tmp_path: Path) -> list[dict[str, Any]]:
    (tmp_path / "home").mkdir(exist_ok=True)
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    (root / ".mcp.json").write_text(json.dumps(SERVERS), encoding="utf-8")
    done = run_cli("tokens", "list", "--json", "--home", tmp_path / "home", "--root", root)
    assert done.code == 0, done.stderr
    assert CANARY not in done.stdout
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def by_server(rows: list[dict[str, Any]]) -> dict[str, str]:
    return {server: row["store"] for row in rows for server in row["servers"]}


def test_every_store_is_named(run_cli: RunCli, tmp_path: Path) -> None:
    # --home sandboxes the run: `${VAR}` resolves against the project's .env only.
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / ".env").write_text(f"STORES_TEST_TOKEN={CANARY}dotenv\n")
    stores = by_server(listed(run_cli, tmp_path))
    assert stores == {
        "written": "literal",
        "env": "env",
        "op": "op",
        "vault": "vault",
        "prompted": "prompted",
    }


def test_a_keyring_token_names_its_backend(
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    cryptfile: Path,  # noqa: F811
) -> None:
    name = f"STORES_{uuid.uuid4().hex.upper()}"
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{CANARY}kr{uuid.uuid4().hex}"))
    assert run_cli("tokens", "add", name, "--from-stdin").code == 0
    done = run_cli("tokens", "list", "--json")  # this machine: the keyring is read
    rows = [row for row in json.loads(done.stdout) if f"keyring:{name}" in row["locations"]]
    assert [row["store"] for row in rows] == ["keyring:cryptfile"]
    store.remove(name)


def test_posture_fails_on_tokens_stored_unencrypted(run_cli: RunCli, tmp_path: Path) -> None:
    listed(run_cli, tmp_path)
    done = run_cli("posture", "--json", "--home", tmp_path / "home", "--root", tmp_path / "project")
    items = {item["id"]: item for item in json.loads(done.stdout)}
    item = items["secrets-at-rest"]
    assert item["status"] == "fail" and "1 tokens stored unencrypted" in item["evidence"]
    assert "literal" in item["evidence"] and CANARY not in done.stdout


def test_posture_passes_when_every_token_is_a_reference(run_cli: RunCli, tmp_path: Path) -> None:
    servers = {"mcpServers": {k: v for k, v in SERVERS["mcpServers"].items() if k != "written"}}
    root, home = tmp_path / "project", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    (root / ".mcp.json").write_text(json.dumps(servers), encoding="utf-8")
    done = run_cli("posture", "--json", "--home", home, "--root", root)
    items = {item["id"]: item for item in json.loads(done.stdout)}
    assert items["secrets-at-rest"]["status"] == "pass", items["secrets-at-rest"]
