"""OAuth tokens AI clients keep themselves, listed from fixture homes without reading a value:
Claude Code's `.credentials.json` (key names only), its macOS Keychain item (looked up by name),
VS Code's secret storage (the keys of a real SQLite `state.vscdb`); bounded and link-safe; the
rotate step names the client's own sign-out."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcpir.core.paths import Scopes
from mcpir.tokens.client_held import MAX_BYTES, MAX_ENTRIES, held
from tests.conftest import RunCli

ACCESS = "sk-ant-oat01-CANARYclientHELD0000000000000000000001"
REFRESH = "sk-ant-ort01-CANARYclientHELD0000000000000000000002"
MCP_TOKEN = "lin_oauth_CANARYclientHELD000000000000000000003"
VSCODE_SECRET = "CANARYvscodeSECRETvalue0000000000000000000004"
SECRETS = (ACCESS, REFRESH, MCP_TOKEN, VSCODE_SECRET)
VSCODE_KEY = 'secret://{"isDynamicAuthProvider":true,"authProviderId":"https://auth.example.com","clientId":"c1"}'  # noqa: E501


def _credentials(home: Path) -> Path:
    (home / ".claude").mkdir(parents=True, exist_ok=True)
    path = home / ".claude" / ".credentials.json"
    path.write_text(json.dumps({
        "claudeAiOauth": {"accessToken": ACCESS, "refreshToken": REFRESH, "expiresAt": 1},
        "mcpOAuth": {"linear|9f2c": {"serverName": "linear", "accessToken": MCP_TOKEN}},
    }))  # fmt: skip
    path.chmod(0o600)
    return path


def _vscode(home: Path) -> Path:
    directory = home / ".config" / "Code" / "User" / "globalStorage"
    directory.mkdir(parents=True)
    db = directory / "state.vscdb"
    with sqlite3.connect(db) as connection:
        connection.execute(
            "CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)"
        )
        connection.executemany("INSERT INTO ItemTable VALUES (?, ?)", [
            (VSCODE_KEY, VSCODE_SECRET.encode()),
            ('secret://{"extensionId":"other.ext","key":"apiKey"}', b"not an MCP sign-in"),
            ("workbench.panel.width", b"300"),
        ])  # fmt: skip
    connection.close()
    return db


def _sandbox(home: Path) -> Scopes:
    return Scopes(home=home, root=None)


def _list(run_cli: RunCli, home: Path, root: Path, *extra: str) -> str:
    root.mkdir(exist_ok=True)
    result = run_cli("tokens", "list", "--home", home, "--root", root, *extra)
    assert "Traceback" not in result.stderr
    for value in SECRETS:
        assert value not in result.stdout + result.stderr
    return result.stdout


def test_claude_codes_credentials_file_is_listed_by_key_names(
    run_cli: RunCli, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    _credentials(home)
    rows = [r for r in json.loads(_list(run_cli, home, tmp_path / "p", "--json"))
            if r["store"].startswith("client:")]  # fmt: skip
    assert {r["store"] for r in rows} == {"client:claude-code"} and len(rows) == 2
    assert all(r["provider"] == "oauth" and r["status"] == "keyring" for r in rows)
    by_server = {tuple(r["servers"]): r for r in rows}
    linear = by_server[("linear",)]["locations"][0]
    assert linear.startswith("~/.claude/.credentials.json: mcpOAuth linear|9f2c (value not read")
    assert "`/mcp`" in linear and "Clear authentication" in linear
    assert "`/logout`" in by_server[()]["locations"][0]
    table = _list(run_cli, home, tmp_path / "p")
    assert "oauth" in table and "linear" in table


def test_vscode_secret_storage_entries_are_listed_from_their_keys(
    run_cli: RunCli, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    _vscode(home)
    rows = [r for r in json.loads(_list(run_cli, home, tmp_path / "p", "--json"))
            if r["store"] == "client:vscode"]  # fmt: skip
    assert len(rows) == 1, rows  # the other extension's secret is no MCP sign-in
    where = rows[0]["locations"][0]
    assert "globalStorage/state.vscdb: secret storage entry for https://auth.example.com" in where
    assert "Sign Out" in where and "Remove Dynamic Authentication Providers" in where


def test_links_leaving_the_home_and_oversized_or_malformed_files_are_not_read(
    tmp_path: Path,
) -> None:
    outside, home = tmp_path / "outside", tmp_path / "home"
    real = _credentials(outside)
    (home / ".claude").mkdir(parents=True)
    link = home / ".claude" / ".credentials.json"
    link.symlink_to(real)
    assert held(_sandbox(home)) == []
    (home / ".claude").rename(home / "moved")  # a link to a file inside the home is fine
    (home / ".claude").mkdir()
    inside = _credentials(home / "elsewhere")
    link.symlink_to(inside)
    assert len(held(_sandbox(home))) == 2
    link.unlink()
    link.write_text('{"mcpOAuth": {"a|1": "' + "x" * MAX_BYTES + '"}}')
    assert held(_sandbox(home)) == []
    link.write_text("[" * 100_000 + "]" * 100_000)
    assert held(_sandbox(home)) == []
    link.write_text(json.dumps({"mcpOAuth": {f"s{i}|h": {} for i in range(MAX_ENTRIES * 3)}}))
    assert len(held(_sandbox(home))) == MAX_ENTRIES
    link.write_text(json.dumps({"mcpOAuth": {"evil\x1b[2J\nname|h": {}, "x" * 5000: {}}}))
    listed = held(_sandbox(home))
    assert [t.servers for t in listed] == [("evil?[2J?name",), ("x" * 100,)]
    assert all(len(t.locations[0]) < 400 and "\x1b" not in t.locations[0] for t in listed)


def test_the_keychain_item_is_looked_up_by_name_on_macos_only(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def found(argv: list[str]) -> int:
        calls.append(argv)
        return 0

    own = Scopes(home=tmp_path, root=None, environ={"HOME": str(tmp_path)})
    tokens = held(own, system="darwin", run=found)
    assert calls == [["security", "find-generic-password", "-s", "Claude Code-credentials"]]
    assert [t.store for t in tokens] == ["client:claude-code-keychain"]
    assert "macOS Keychain item 'Claude Code-credentials'" in tokens[0].locations[0]
    assert "`/logout`" in tokens[0].locations[0]
    assert held(own, system="darwin", run=lambda argv: 44) == []  # no such item
    assert held(own, system="linux", run=found) == [] and len(calls) == 1
    assert held(_sandbox(tmp_path), system="darwin", run=found) == [] and len(calls) == 1


def test_the_rotate_step_names_the_clients_sign_out(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    _credentials(home)
    _vscode(home)
    root.mkdir()
    result = run_cli("respond", "--yes", "--json", "--home", home, "--root", root)
    assert "Traceback" not in result.stderr
    rotate = next(s for s in json.loads(result.stdout)["steps"] if s["id"] == "rotate")
    notes = [n for n in rotate["notes"] if "not by mcpir" in n]
    assert len(notes) == 3, rotate
    assert any("held by claude-code" in n and "Clear authentication" in n for n in notes)
    assert any("held by vscode" in n and "Sign Out" in n for n in notes)
    assert "none is rotated" in rotate["summary"]
    for value in SECRETS:
        assert value not in result.stdout
    incident = json.loads(result.stdout)["incident"]
    shown = run_cli("report", incident, "--format", "json")
    states = [
        t["state"] for t in json.loads(shown.stdout)["tokens"] if "not by mcpir" in t["detail"]
    ]
    assert states == ["pending"] * 3


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                    max_leaves=30))  # fmt: skip
def test_any_json_in_the_credentials_file_lists_without_values(
    tmp_path_factory: pytest.TempPathFactory, data: object
) -> None:
    home = tmp_path_factory.mktemp("home")
    (home / ".claude").mkdir()
    document = {"mcpOAuth": data, "claudeAiOauth": data} if isinstance(data, dict) else data
    (home / ".claude" / ".credentials.json").write_text(json.dumps(document))
    tokens = held(_sandbox(home))
    assert len(tokens) <= MAX_ENTRIES + 1
    for token in tokens:
        assert token.provider == "oauth" and token.store == "client:claude-code"
        for value in data.values() if isinstance(data, dict) else ():
            if isinstance(value, str) and len(value) > 8:
                assert value not in " ".join(token.locations)
