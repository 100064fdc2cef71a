"""`mcpir wrap` / `unwrap` on real config files: journalled, idempotent, byte-exact undo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CANARY, RunCli

KEY = "sk-proj-CANARYwrapKEY000000000000000000001"
FILES = {
    ".mcp.json": f"""{{
  "mcpServers": {{
    "github": {{
      "command": "npx",
      "args": [
        "-y",
        "@modelcontextprotocol/server-github@2025.4.8"
      ],
      "env": {{ "GITHUB_PERSONAL_ACCESS_TOKEN": "${{GITHUB_TOKEN}}" }}
    }},
    "db": {{"command": "uvx", "args": ["mcp-server-postgres", "--api-key", "{KEY}"]}},
    "plain": {{"command": "simple-mcp"}},
    "remote": {{"type": "http", "url": "https://mcp.example.com/mcp"}}
  }}
}}
""",
    ".vscode/mcp.json": """// workspace servers
{
  "servers": {
    "fs": { "type": "stdio", "command": "node", "args": ["server.js"], },  // trailing comma
  },
}
""",
    ".codex/config.toml": """# codex settings
model = "o3"

[mcp_servers.docs]
command = "docs-mcp"
args = ["--port", "0"]  # keep
""",
}
STDIO = {"github", "db", "plain", "fs", "docs"}


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return home, root


def _contents(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in FILES}


def _servers(run_cli: RunCli, home: Path, root: Path) -> dict[str, dict[str, Any]]:
    listed = run_cli("servers", "--home", home, "--root", root, "--json")
    return {s["name"]: s for s in json.loads(listed.stdout)}


def test_plan_then_wrap_then_unwrap_byte_exact(tree: tuple[Path, Path], run_cli: RunCli) -> None:
    home, root = tree
    original = _contents(root)
    where = ("--home", home, "--root", root)

    shown = run_cli("wrap", "--all", *where)
    assert shown.code == 1 and "pass --yes" in shown.stderr
    assert '"proxy", "--name", "github", "--", "npx"' in shown.stdout  # the diff
    assert CANARY not in shown.stdout + shown.stderr
    assert "remote" in shown.stdout and "not wrapped" in shown.stdout
    assert _contents(root) == original  # nothing written without --yes

    done = run_cli("wrap", "--all", "--yes", *where)
    assert done.code == 0, done.stderr
    assert "mcpir restore" in done.stderr and CANARY not in done.stdout + done.stderr
    servers = _servers(run_cli, home, root)
    for name in STDIO:
        assert servers[name]["command"] == "mcpir"
        assert servers[name]["args"][:4] == ["proxy", "--name", name, "--"]
    package = "@modelcontextprotocol/server-github@2025.4.8"
    assert servers["github"]["args"][4:] == ["npx", "-y", package]
    assert servers["plain"]["args"][4:] == ["simple-mcp"]
    assert servers["remote"]["url"] == "https://mcp.example.com/mcp"
    wrapped = _contents(root)
    toml = wrapped[".codex/config.toml"].decode()
    assert toml.startswith('# codex settings\nmodel = "o3"\n') and "# keep" in toml
    assert b"// trailing comma" in wrapped[".vscode/mcp.json"]

    again = run_cli("wrap", "--all", "--yes", *where, "--json")
    assert again.code == 0 and _contents(root) == wrapped  # idempotent
    report = json.loads(again.stdout)
    assert report["applied"] is False
    assert {s["server"]: s["status"] for s in report["servers"]} == {
        **dict.fromkeys(STDIO, "already"),
        "remote": "remote",
    }

    undone = run_cli("unwrap", "--all", "--yes", *where)
    assert undone.code == 0, undone.stderr
    assert _contents(root) == original


def test_restore_undoes_a_wrap(tree: tuple[Path, Path], run_cli: RunCli) -> None:
    home, root = tree
    original = _contents(root)
    assert run_cli("wrap", "github", "fs", "--yes", "--home", home, "--root", root).code == 0
    servers = _servers(run_cli, home, root)
    assert servers["github"]["command"] == "mcpir" and servers["db"]["command"] == "uvx"
    # A change set, not an incident: restored when named (here by a prefix only it has).
    assert run_cli("restore", "ATOM-CHG-", "--root", root).code == 0
    assert _contents(root) == original


def test_unwrap_after_other_edits_gives_the_command_back(
    tree: tuple[Path, Path], run_cli: RunCli
) -> None:
    home, root = tree
    where = ("--home", home, "--root", root)
    assert run_cli("wrap", "github", "docs", "--yes", *where).code == 0
    mcp = root / ".mcp.json"
    mcp.write_text(mcp.read_text().replace('"simple-mcp"', '"simple-mcp-2"'))
    assert run_cli("unwrap", "--all", "--yes", *where).code == 0
    servers = _servers(run_cli, home, root)
    assert servers["github"]["command"] == "npx"
    assert servers["github"]["args"] == ["-y", "@modelcontextprotocol/server-github@2025.4.8"]
    assert servers["plain"]["command"] == "simple-mcp-2"  # the user's edit is kept
    assert (root / ".codex/config.toml").read_bytes() == FILES[".codex/config.toml"].encode()


def test_bad_usage(tree: tuple[Path, Path], run_cli: RunCli) -> None:
    home, root = tree
    where = ("--home", home, "--root", root)
    assert run_cli("wrap", *where).code == 2
    assert run_cli("wrap", "github", "--all", *where).code == 2
    missing = run_cli("wrap", "nope", *where)
    assert missing.code == 2 and "no server named nope" in missing.stderr
    assert run_cli("unwrap", "github", *where).code == 0  # not wrapped: nothing to do


def test_wrap_and_unwrap_with_mcpir_run_around_or_inside(tmp_path: Path, run_cli: RunCli) -> None:
    """`tokens externalize` launches servers through `mcpir run … -- CMD`: wrap goes around it,
    and unwrap finds the proxy inside one (externalize after wrap) and gives back the rest."""
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    text = """{"mcpServers": {
  "ran": {"command": "mcpir", "args": ["run", "--only", "GH", "--", "npx", "gh-mcp"]},
  "inner": {"command": "mcpir", "args": ["run", "--only", "DB", "--", "mcpir", "proxy",
            "--name", "inner", "--", "uvx", "db-mcp", "--", "x"]},
  "-dash": {"command": "dash-mcp"}
}}
"""
    (root / ".mcp.json").write_text(text)
    where = ("--home", home, "--root", root)
    assert run_cli("wrap", "--yes", *where, "--", "ran", "-dash").code == 0
    servers = _servers(run_cli, home, root)
    assert servers["ran"]["args"] == ["proxy", "--name", "ran", "--", "mcpir", "run", "--only",
                                      "GH", "--", "npx", "gh-mcp"]  # fmt: skip
    assert servers["-dash"]["args"] == ["proxy", "--name=-dash", "--", "dash-mcp"]
    again = json.loads(run_cli("wrap", "--all", "--json", *where).stdout)
    assert {s["server"]: s["status"] for s in again["servers"]} == dict.fromkeys(
        ["ran", "inner", "-dash"], "already"
    )
    undone = run_cli("unwrap", "--all", "--yes", "--json", *where)
    assert undone.code == 0, undone.stderr
    report = json.loads(undone.stdout)  # nothing but JSON on stdout
    assert report["applied"] is True and report["failures"] == []
    servers = _servers(run_cli, home, root)
    assert servers["ran"]["args"] == ["run", "--only", "GH", "--", "npx", "gh-mcp"]
    assert servers["inner"]["command"] == "mcpir"
    assert servers["inner"]["args"] == ["run", "--only", "DB", "--", "uvx", "db-mcp", "--", "x"]
    assert servers["-dash"]["command"] == "dash-mcp" and servers["-dash"]["args"] == []


def test_the_proxy_reads_the_name_wrap_writes_for_a_dash_name(tmp_path: Path) -> None:
    from mcpir.proxy.entry import parser
    from mcpir.proxy.wrap import wrapped_args

    options = parser().parse_args(wrapped_args("-h", "cmd", ["--name", "x"])[1:])
    assert options.name == "-h" and options.command == ["--", "cmd", "--name", "x"]


def test_a_file_changed_after_the_plan_leaves_no_empty_incident(tree: tuple[Path, Path]) -> None:
    from mcpir.cli.options import resolve_scopes
    from mcpir.discovery import discover
    from mcpir.incident.journal import JournalConflict
    from mcpir.proxy import wrap

    home, root = tree
    scopes = resolve_scopes(home, root, None)
    result = wrap.plan(discover(scopes, ()), {"github"}, unwrap=False, root=root)
    assert result.changes
    mcp = root / ".mcp.json"
    mcp.write_text(mcp.read_text().replace("simple-mcp", "simple-mcp-2"))  # the user, meanwhile
    with pytest.raises(JournalConflict):
        wrap.apply(result, root, {})
    incidents = root / ".atom-trail" / "incidents"
    assert not incidents.exists() or not any(incidents.iterdir())


_WORD = st.text(st.sampled_from("ab-_/.="), min_size=1, max_size=6) | st.sampled_from(
    ["--", "-h", "--name", "proxy", "run", "mcpir", "--only", "python", "-m"]
)


@settings(max_examples=400)
@given(_WORD, _WORD.filter(lambda w: not w.startswith("-")), st.lists(_WORD, max_size=6),
       st.booleans())  # fmt: skip
def test_unwrap_reads_back_every_command_line_wrap_writes(
    name: str, command: str, args: list[str], in_run: bool
) -> None:
    from mcpir.edits.server_entry import WRAPPER as PROXY
    from mcpir.proxy.wrap import proxied, wrapped_args

    line = [PROXY, *wrapped_args(name, command, args)]
    launcher = ["mcpir", "run", "--only", "X", "--"] if in_run else []
    assert proxied([*launcher, *line]) == (launcher, [command, *args])


def test_the_forms_of_the_proxy_command_line_are_recognised() -> None:
    from mcpir.proxy.wrap import proxied

    assert proxied(["python3", "-m", "mcpir", "proxy", "--", "c", "a"]) == ([], ["c", "a"])
    assert proxied(["/usr/bin/python3", "-m", "mcpir.proxy", "--name", "s", "c"]) == ([], ["c"])
    assert proxied(["/opt/bin/mcpir", "proxy", "--block-changed", "--root", "r", "--", "c"]) == (
        [],
        ["c"],
    )
    assert proxied(["mcpir", "run", "--", "c"]) is None
    assert proxied(["python", "server.py"]) is None
    assert proxied(["mcpir", "proxy", "--name", "s", "--"]) is None  # nothing to give back


def test_unwrap_asks_nothing_of_a_file_it_cannot_edit_when_nothing_is_wrapped(
    tmp_path: Path, run_cli: RunCli
) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    (home / ".continue").mkdir(parents=True)
    root.mkdir()
    config = "mcpServers:\n  - name: plain\n    command: npx\n    args: [plain-mcp]\n"
    wrapped = "mcpServers:\n  - name: hand\n    command: mcpir\n    args: [proxy, --, x]\n"
    (home / ".continue" / "config.yaml").write_text(config)
    where = ("--home", home, "--root", root)
    done = run_cli("unwrap", "--all", "--json", *where)
    assert done.code == 0 and json.loads(done.stdout)["servers"][0]["status"] == "already"
    (home / ".continue" / "config.yaml").write_text(wrapped)  # wrapped by hand: say so
    asked = run_cli("unwrap", "--all", "--json", *where)
    assert asked.code == 1 and json.loads(asked.stdout)["servers"][0]["status"] == "skipped"


def test_json_reports_show_no_secret_from_the_args(
    tree: tuple[Path, Path], run_cli: RunCli
) -> None:
    home, root = tree
    where = ("--home", home, "--root", root, "--json")
    for args in (("wrap", "--all"), ("wrap", "--all", "--yes"), ("unwrap", "--all")):
        result = run_cli(*args, *where)
        report = json.loads(result.stdout)
        assert "db" in {s["server"] for s in report["servers"]}
        assert CANARY not in result.stdout + result.stderr, args
