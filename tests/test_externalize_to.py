"""`mcpir tokens externalize --to op://VAULT/ITEM|vault://MOUNT/PATH`: written-out secrets move
into the team's vault (one field per name), every value read back before any file changes; the
config gets the reference and its server is started by `mcpir run --only NAME`, which reads it;
`mcpir restore` gives the file back byte for byte. A name the vault already uses for another
value is never overwritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CANARY, RunCli
from tests.vault_doubles import VaultDouble, install_fake_op, op_item, path_with

PRINT_ENV = "import os, sys; sys.stdout.write(os.environ.get(sys.argv[1], '<unset>'))"


@pytest.fixture
def vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[VaultDouble]:
    with VaultDouble(token=f"hvs.{uuid.uuid4().hex}") as double:
        monkeypatch.setenv("VAULT_ADDR", double.url)
        monkeypatch.setenv("VAULT_TOKEN", double.token)
        yield double


def project(tmp_path: Path, value: str) -> tuple[Path, Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    config = root / ".mcp.json"
    servers = {"mcpServers": {"github": {
        "command": sys.executable, "args": ["-c", PRINT_ENV, "GITHUB_TOKEN"],
        "env": {"GITHUB_TOKEN": value},
    }}}  # fmt: skip
    config.write_text(json.dumps(servers, indent=2), encoding="utf-8")
    return home, root, config


def externalize(run_cli: RunCli, home: Path, root: Path, to: str, *more: str) -> Any:  # noqa: ANN401
    done = run_cli("tokens", "externalize", "--to", to, "--home", home, "--root", root, *more)
    assert CANARY not in done.stdout + done.stderr
    return done


def start(config: Path, env: dict[str, str]) -> str:
    """Start the server as its client would, from the rewritten config."""
    server = json.loads(config.read_text(encoding="utf-8"))["mcpServers"]["github"]
    assert server["command"] == "mcpir"
    done = subprocess.run(
        [sys.executable, "-m", "mcpir", *server["args"]],
        capture_output=True, text=True, check=False, timeout=60,
        env={**os.environ, **env, **server["env"]},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_secrets_move_into_vault_and_the_server_still_gets_them(
    run_cli: RunCli, tmp_path: Path, vault: VaultDouble
) -> None:
    value = f"{CANARY}{uuid.uuid4().hex}"
    home, root, config = project(tmp_path, value)
    before = config.read_bytes()
    preview = externalize(run_cli, home, root, "vault://secret/mcp", "--dry-run")
    assert preview.code == 0 and vault.secrets == {} and config.read_bytes() == before
    done = externalize(run_cli, home, root, "vault://secret/mcp", "--yes", "--json")
    assert done.code == 0, done.stderr
    assert vault.secrets[("secret", "mcp")] == [{"GITHUB_TOKEN": value}]
    server = json.loads(config.read_text(encoding="utf-8"))["mcpServers"]["github"]
    assert server["env"] == {"GITHUB_TOKEN": "vault://secret/mcp#GITHUB_TOKEN"}
    assert server["args"][:4] == ["run", "--only", "GITHUB_TOKEN", "--"]
    assert value not in config.read_text(encoding="utf-8")
    assert start(config, {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.token}) == value
    incident = json.loads(done.stdout)["incident"]
    undone = run_cli("restore", "--root", root, incident)
    assert undone.code == 0, undone.stderr
    assert config.read_bytes() == before


def test_secrets_move_into_a_1password_item_as_new_fields(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = f"{CANARY}{uuid.uuid4().hex}"
    home, root, config = project(tmp_path, value)
    items, log = install_fake_op(tmp_path / "bin", [op_item("Dev", "mcp", notes="kept")])
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    done = externalize(run_cli, home, root, "op://Dev/mcp", "--yes")
    assert done.code == 0, done.stderr
    fields = json.loads(items.read_text(encoding="utf-8"))["items"][0]["fields"]
    assert {f["label"]: f["value"] for f in fields} == {"notes": "kept", "GITHUB_TOKEN": value}
    assert value not in log.read_text(encoding="utf-8")  # never on op's argv
    server = json.loads(config.read_text(encoding="utf-8"))["mcpServers"]["github"]
    assert server["env"] == {"GITHUB_TOKEN": "op://Dev/mcp/GITHUB_TOKEN"}
    assert start(config, {"PATH": path_with(tmp_path / "bin")}) == value


def test_a_name_the_vault_uses_for_another_value_is_not_overwritten(
    run_cli: RunCli, tmp_path: Path, vault: VaultDouble
) -> None:
    value, theirs = f"{CANARY}{uuid.uuid4().hex}", f"{CANARY}theirs{uuid.uuid4().hex}"
    vault.secrets[("secret", "mcp")] = [{"GITHUB_TOKEN": theirs}]
    home, root, config = project(tmp_path, value)
    done = externalize(run_cli, home, root, "vault://secret/mcp", "--yes")
    assert done.code == 0, done.stderr
    assert vault.secrets[("secret", "mcp")][-1] == {"GITHUB_TOKEN": theirs, "GITHUB_TOKEN_2": value}
    server = json.loads(config.read_text(encoding="utf-8"))["mcpServers"]["github"]
    # The variable keeps its name; the reference names the vault key that was free.
    assert server["env"] == {"GITHUB_TOKEN": "vault://secret/mcp#GITHUB_TOKEN_2"}
    assert start(config, {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.token}) == value


def test_a_vault_that_refuses_changes_no_file(
    run_cli: RunCli, tmp_path: Path, vault: VaultDouble
) -> None:
    value = f"{CANARY}{uuid.uuid4().hex}"
    home, root, config = project(tmp_path, value)
    before = config.read_bytes()
    vault.read_only = True
    done = externalize(run_cli, home, root, "vault://secret/mcp", "--yes")
    assert done.code == 3 and "no config was changed" in done.stderr
    assert config.read_bytes() == before
    bad = externalize(run_cli, home, root, "vault://secret/../sys", "--yes")
    assert bad.code == 2 and bad.stderr.count("\n") == 1
