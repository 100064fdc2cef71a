"""Kiro, opencode, Amazon Q and Antigravity: every place they read MCP servers from, against a
golden listing, and hostile files each given one line.

Regenerate after an intended change with
`MCPIR_UPDATE_GOLDEN=1 pytest tests/test_discovery_peers.py` and read the diff before committing.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from mcpir import edits
from mcpir.core.documents import MAX_BYTES, MAX_DEPTH, load
from mcpir.core.model import Format
from mcpir.core.paths import Scopes
from mcpir.discovery import discover
from mcpir.discovery.bounded import LIMIT
from mcpir.discovery.clients import opencode
from mcpir.discovery.disabling import load as load_source
from mcpir.discovery.listing import list_servers, listing_rows
from tests.conftest import CANARY, FIXTURES, RunCli

PEERS = FIXTURES / "homes" / "peers"
GOLDEN = FIXTURES / "golden" / "peers.json"
NEW = {"kiro", "opencode", "amazonq", "antigravity"}


def _rows(home: Path, root: Path | None) -> list[dict[str, Any]]:
    rows = listing_rows(list_servers(Scopes(home, root)))
    for row in rows:
        row["path"] = Path(row["path"]).relative_to(FIXTURES).as_posix()
        # Which project a row belongs to is the project discovery's to check, with its goldens.
        row.pop("project", None)
    return rows


def test_peers_home_and_project_against_golden() -> None:
    rows = _rows(PEERS, PEERS / "project")
    text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("MCPIR_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), f"output differs from {GOLDEN}"
    assert {row["client"] for row in rows} == NEW
    assert CANARY not in text


def test_each_client_reads_the_shape_it_documents() -> None:
    rows = {row["name"]: row for row in _rows(PEERS, PEERS / "project")}
    # opencode: argv split into command and args; `environment` is the env.
    everything = rows["oc-everything"]
    assert everything["command"] == "npx" and everything["transport"] == "stdio"
    assert everything["args"] == ["-y", "@modelcontextprotocol/server-everything"]
    assert everything["env_keys"] == ["EVERYTHING_TOKEN"]
    assert rows["oc-context7"]["header_keys"] == ["CONTEXT7_API_KEY"]
    # V1 `enabled`, V2 `disabled`, and an override that only switches a remote default on.
    assert not rows["oc-sentry"]["enabled"] and not rows["oc2-linear"]["enabled"]
    assert rows["oc2-filesystem"]["enabled"] and rows["oc-jira"]["enabled"]
    assert "timeout" not in rows  # V2's global `mcp.timeout` is no server
    # Kiro: the settings file, the power section in it, an agent, an installed power.
    assert rows["power-stripe-stripe"]["path"].endswith(".kiro/settings/mcp.json")
    assert rows["postgres"]["env_keys"] == ["DATABASE_URL"] and not rows["kiro-off"]["enabled"]
    # Antigravity's `serverUrl` is streamable HTTP; the editor's `mcp.servers` is read too.
    assert rows["ag-context7"]["transport"] == "http" and not rows["ag-off"]["enabled"]
    assert rows["ag-editor-playwright"]["path"].endswith("Antigravity/User/settings.json")
    assert rows["q-github"]["transport"] == "http" and not rows["q-off"]["enabled"]


def test_environment_variables_and_managed_dirs(tmp_path: Path) -> None:
    """$XDG_CONFIG_HOME, $OPENCODE_CONFIG_DIR and the file $OPENCODE_CONFIG names are read for
    the real home only; the managed dirs under the system root."""
    server = {"mcp": {"x": {"type": "local", "command": ["true"]}}}
    places = {
        "xdg/opencode/opencode.json": "XDG_CONFIG_HOME",
        "dir/opencode.jsonc": "OPENCODE_CONFIG_DIR",
        "elsewhere/team-opencode.json": "OPENCODE_CONFIG",
        "root/etc/opencode/opencode.json": None,
        "root/Library/Application Support/opencode/opencode.jsonc": None,
    }
    for rel in places:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(json.dumps(server))
    environ = {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "OPENCODE_CONFIG_DIR": str(tmp_path / "dir"),
        "OPENCODE_CONFIG": str(tmp_path / "elsewhere/team-opencode.json"),
    }
    home = tmp_path / "home"
    home.mkdir()
    scopes = Scopes(home, None, system_root=tmp_path / "root", environ=environ)
    found = {(str(c.path.relative_to(tmp_path)), c.scope.value) for c in discover(scopes)}
    assert found == {
        ("xdg/opencode/opencode.json", "user"),
        ("dir/opencode.jsonc", "user"),
        ("elsewhere/team-opencode.json", "user"),
        ("root/etc/opencode/opencode.json", "system"),
        ("root/Library/Application Support/opencode/opencode.jsonc", "system"),
    }
    # A sandboxed run (an explicit --home) reads none of the variables.
    sandboxed = discover(Scopes(home, None, system_root=tmp_path / "root"))
    assert {c.scope.value for c in sandboxed} == {"system"}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"type": "local", "command": "npx -y server-everything"}, "command is a str"),
        ({"type": "local", "command": ["npx", 7]}, "command is not a non-empty list of strings"),
        ({"type": "local", "command": []}, "command is not a non-empty list of strings"),
        ("npx server", "mcp.bad is a str, where opencode wants an object"),
    ],
)
def test_opencode_command_that_is_not_argv_is_one_line(
    run_cli: RunCli, tmp_path: Path, entry: object, expected: str
) -> None:
    config = tmp_path / ".config" / "opencode" / "opencode.jsonc"
    config.parent.mkdir(parents=True)
    good = {"type": "local", "command": ["uvx", "good-mcp"]}
    config.write_text(
        '{\n  // team config\n  "mcp": {\n    "good": ' + json.dumps(good) + ',\n'
        '    "bad": ' + json.dumps(entry) + "\n  }\n}\n"
    )  # fmt: skip
    result = run_cli("servers", "--home", tmp_path, "--root", FIXTURES / "empty", "--json")
    assert result.code == 1 and "Traceback" not in result.stderr
    rows = json.loads(result.stdout)
    errors = [row for row in rows if "error" in row]
    assert len(errors) == 1 and "\n" not in errors[0]["error"]
    assert errors[0]["error"].startswith("line 5: mcp.bad") and expected in errors[0]["error"]
    assert "opencode refuses the whole file" in errors[0]["error"]
    assert "good" in {row.get("name") for row in rows}  # the rest is still listed
    table = run_cli("servers", "--home", tmp_path, "--root", FIXTURES / "empty")
    assert table.code == 1 and "refuses the whole file" in table.stdout + table.stderr


def test_huge_or_deeply_nested_opencode_jsonc_is_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    huge, deep = tmp_path / "huge", tmp_path / "deep"
    for home in (huge, deep):
        (home / ".config" / "opencode").mkdir(parents=True)
    filler = "// " + "x" * 1000 + "\n"
    (huge / ".config/opencode/opencode.jsonc").write_text(
        '{"mcp": {}}\n' + filler * (MAX_BYTES // len(filler) + 1)
    )
    nested = '{"a": ' * (MAX_DEPTH * 40) + "1" + "}" * (MAX_DEPTH * 40)
    (deep / ".config/opencode/opencode.jsonc").write_text('// deep\n{"mcp": ' + nested + "}")
    for home, reason in ((huge, "too large"), (deep, "nested deeper than")):
        result = run_cli("servers", "--home", home, "--root", FIXTURES / "empty", "--json")
        assert result.code == 1 and "Traceback" not in result.stderr
        [row] = json.loads(result.stdout)
        assert row["client"] == "opencode" and reason in row["error"], row
        assert "\n" not in row["error"]


def test_ten_thousand_agents_are_bounded(run_cli: RunCli, tmp_path: Path) -> None:
    agents = tmp_path / ".kiro" / "agents"
    agents.mkdir(parents=True)
    for number in range(10_000):
        server = {"command": "npx", "args": [f"agent-{number}"]}
        (agents / f"a{number:05}.json").write_text(
            json.dumps({"prompt": "p", "mcpServers": {f"s{number}": server}})
        )
    started = time.perf_counter()
    result = run_cli("servers", "--home", tmp_path, "--root", FIXTURES / "empty", "--json")
    elapsed = time.perf_counter() - started
    assert result.code == 1 and "Traceback" not in result.stderr
    rows = json.loads(result.stdout)
    servers = [row for row in rows if "name" in row]
    [error] = [row for row in rows if "error" in row]
    assert len(servers) == LIMIT and servers[-1]["name"] == f"s{LIMIT - 1}"
    assert error["path"] == str(agents) and "\n" not in error["error"]
    assert error["error"] == (
        f"10,000 files here match *.json: only the first {LIMIT:,} were read; "
        "the other 9,000 are neither listed nor contained: check them by hand"
    )
    assert elapsed < 60  # linear, and a few seconds on a loaded 2-core machine


def test_containment_leaves_the_agents_past_the_bound_to_a_person(tmp_path: Path) -> None:
    from mcpir.containment.plan import plan_containment

    agents = tmp_path / ".aws" / "amazonq" / "cli-agents"
    agents.mkdir(parents=True)
    for number in range(LIMIT + 2):
        data = {"prompt": "p", "mcpServers": {f"s{number}": {"command": "x"}}}
        (agents / f"a{number:05}.json").write_text(json.dumps(data))
    plan = plan_containment(discover(Scopes(tmp_path, None)))
    assert len(plan.changes) == LIMIT
    assert [note for note in plan.notes if "the other 2 are neither" in note]


def test_a_server_named_servers_is_a_server_not_an_envelope(tmp_path: Path) -> None:
    path = tmp_path / "opencode.json"
    path.write_text(json.dumps({"mcp": {"servers": {"type": "local", "command": ["s"]}}}))
    doc = load(path, Format.JSON)
    entries = list(opencode.extract(doc, path))
    assert [(e.name, e.keys) for e in entries] == [("servers", ("mcp", "servers"))]


@pytest.mark.parametrize(
    ("entry", "v2", "expected"),
    [
        ({"type": "local", "command": ["a"]}, False, {"enabled": False}),
        ({"type": "local", "command": ["a"], "disabled": False}, False,
         {"enabled": False, "disabled": True}),
        ({"type": "local", "command": ["a"]}, True, {"disabled": True}),
        ({"type": "local", "command": ["a"], "enabled": True}, True,
         {"enabled": False, "disabled": True}),
    ],
)  # fmt: skip
def test_opencode_switch_matches_each_entrys_schema(
    tmp_path: Path, entry: dict[str, object], v2: bool, expected: dict[str, bool]
) -> None:
    mcp = {"servers": {"x": entry}} if v2 else {"x": entry}
    path = tmp_path / "opencode.jsonc"
    path.write_text("// kept\n" + json.dumps({"mcp": mcp}, indent=2))
    [config] = [c for c in discover(Scopes(tmp_path, tmp_path)) if c.path == path]
    source = load_source(path, Format.JSON)
    text, _ = opencode.disable_in_config(source, list(config.servers), edits)
    assert text.startswith("// kept\n")
    after = json.loads(text.split("\n", 1)[1])["mcp"]
    after = after["servers"]["x"] if v2 else after["x"]
    assert {k: after[k] for k in ("enabled", "disabled") if k in after} == expected


def test_fixture_is_linux_layout_with_a_project(tmp_path: Path) -> None:
    """The fixture home holds one file per place; a copy lists the same servers."""
    copy = tmp_path / "peers"
    shutil.copytree(PEERS, copy)
    names = {row["name"] for row in _rows(PEERS, PEERS / "project")}
    files = discover(Scopes(copy, copy / "project"))
    assert {s.name for c in files for s in c.servers} == names
    assert not [c for c in files if c.error]


def test_opencode_env_references_are_references_not_secrets(run_cli: RunCli) -> None:
    servers = {s.name: s for c in discover(Scopes(PEERS, PEERS / "project")) for s in c.servers}
    assert servers["oc-context7"].headers["CONTEXT7_API_KEY"].reveal() == "${CONTEXT7_API_KEY}"
    search = servers["oc2-project-search"].headers["Authorization"].reveal()
    assert search == "Bearer ${SEARCH_TOKEN}"
    listed = run_cli("tokens", "list", "--json", "--home", PEERS, "--root", PEERS / "project")
    literal = [
        where
        for token in json.loads(listed.stdout)
        for where in token["locations"]
        if "opencode" in where
    ]
    # Only the real literal in `environment`, never a `{env:NAME}`.
    assert literal == [f"{PEERS / '.config/opencode/opencode.jsonc'}:12"], literal


def test_the_bound_counts_per_globbed_directory_renamed_copies_included() -> None:
    from mcpir.core.model import ConfigFile, Scope
    from mcpir.discovery.bounded import at_most
    from mcpir.discovery.clients.kiro import AGENTS, POWERS

    def kiro(rel: str) -> ConfigFile:
        return ConfigFile("kiro", Scope.USER, Path("/h") / rel, Format.JSON)

    files = [
        kiro(".kiro/powers/installed/a/mcp.json"),
        kiro(".kiro/powers/installed/b/mcp.json.mcpir-disabled"),
        kiro(".kiro/agents/x.json"),
        kiro(".kiro/settings/mcp.json"),  # no glob: never counted
        ConfigFile("amazonq", Scope.USER, Path("/h/.kiro/agents/y.json"), Format.JSON),
    ]
    kept = at_most(files, "kiro", (AGENTS, POWERS), limit=1)
    assert [str(c.path) for c in kept] == [
        "/h/.kiro/powers/installed/a/mcp.json",
        "/h/.kiro/agents/x.json",
        "/h/.kiro/settings/mcp.json",
        "/h/.kiro/agents/y.json",
        "/h/.kiro/powers/installed",
    ]
    assert kept[-1].error is not None and kept[-1].error.startswith("2 files here match */mcp.json")
