"""Readable output (issue 18): every table has a header row and fits 100 columns off a terminal,
a long cell folds whole inside its column (the JSON keeps every text as it is), counts are
singular or plural as they should be, and scan evidence says what it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcpir.demo.sandbox import Sandbox, build_sandbox
from tests.conftest import RunCli

WIDTH = 100


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    """The demo's fake machine, before any response: every kind of row has something to show."""
    return build_sandbox(tmp_path_factory.mktemp("readable") / "machine")


def _scope(sb: Sandbox) -> tuple[str, ...]:
    return ("--home", str(sb.home), "--root", str(sb.root))


def _fits(text: str) -> None:
    too_long = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not too_long, too_long


def _unfolded(text: str) -> str:
    """The text with every line's leading blanks dropped and lines joined: what a folded cell
    says, whatever its column's width."""
    return "".join(line.strip() for line in text.splitlines())


def test_scan_table_has_a_header_fits_100_columns_and_labels_evidence(
    run_cli: RunCli, sb: Sandbox
) -> None:
    done = run_cli("scan", *_scope(sb))
    assert done.code == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["severity", "rule", "finding"]
    _fits(done.stdout)
    # The secret's evidence is labelled, on its own line under the finding, and so is where.
    secret = next(i for i, line in enumerate(lines) if "hardcoded-secret" in line)
    under = [line.strip() for line in lines[secret + 1 : secret + 4]]
    assert any(line.startswith("evidence: env GITHUB_PERSONAL_ACCESS_TOKEN") for line in under)
    assert "at ~/.claude.json:" in "\n".join(under)
    # Folded, never cut: every message and every place is there whole.
    document = json.loads(run_cli("scan", *_scope(sb), "--format", "json").stdout)
    flat = _unfolded(done.stdout).replace(" ", "")
    for row in document["findings"]:
        assert row["message"].replace(" ", "") in flat
    assert "7 findings in 11 files, 16 servers" in done.stdout


def test_servers_blocks_have_a_header_fit_100_columns_and_count_right(
    run_cli: RunCli, sb: Sandbox
) -> None:
    done = run_cli("servers", *_scope(sb))
    assert done.code == 0, done.stderr
    _fits(done.stdout)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("~/.claude.json  claude-code · user")
    header = ["line", "server", "transport", "state", "command", "or", "url"]
    headers = [i for i, line in enumerate(lines) if line.split() == header]
    headings = [i for i, line in enumerate(lines) if line.startswith(("~/", "./"))]
    assert [i - 1 for i in headers] == headings and len(headings) == 11  # one per file
    # The columns line up from one block to the next.
    assert len({line.index("command or url") for line in lines if line.startswith("line ")}) == 1
    github = next(line for line in lines if line.split()[1:2] == ["github"])
    assert github.split()[2:] == ["stdio", "on", "npx", "-y", "@modelcontextprotocol/server-github"]
    # A long command folds in its column, every word kept.
    rows = json.loads(run_cli("servers", *_scope(sb), "--json").stdout)
    flat = " ".join(done.stdout.split())
    for row in rows:
        assert row["name"] in flat
    assert "16 MCP servers (0 disabled) in 11 config files" in done.stdout


def test_servers_count_one_server_in_one_file(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / ".mcp.json").write_text('{"mcpServers": {"a": {"command": "x"}}}')
    done = run_cli("servers", "--home", tmp_path / "home", "--root", tmp_path / "root")
    assert "1 MCP server (0 disabled) in 1 config file" in done.stdout


def test_a_long_config_path_folds_in_the_servers_heading(run_cli: RunCli, tmp_path: Path) -> None:
    home, deep = tmp_path / "home", tmp_path / "root" / ("nested-directory-" * 8) / "x"
    home.mkdir()
    deep.mkdir(parents=True)
    (deep / ".mcp.json").write_text('{"mcpServers": {"a": {"command": "x"}}}')
    done = run_cli("servers", "--home", home, "--root", tmp_path / "root")
    _fits(done.stdout)
    assert f"./{'nested-directory-' * 8}/x/.mcp.json" in "".join(done.stdout.splitlines())


def test_projects_table_has_a_header_and_fits(run_cli: RunCli, sb: Sandbox) -> None:
    done = run_cli("servers", "--projects", *_scope(sb))
    assert done.stdout.splitlines()[0].split() == [
        "project", "state", "known", "from", "files", "servers"
    ]  # fmt: skip
    _fits(done.stdout)


def test_tokens_list_is_a_table_with_a_header_that_fits(run_cli: RunCli, sb: Sandbox) -> None:
    done = run_cli("tokens", "list", *_scope(sb))
    _fits(done.stdout)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["token", "status", "age", "provider", "read", "by"]
    tokens = json.loads(run_cli("tokens", "list", *_scope(sb), "--json").stdout)
    rows = [line.split() for line in lines[1:] if line.startswith("tok_")]
    assert [row[0] for row in rows] == [token["id"] for token in tokens]
    literal = next(row for row in rows if "literal" in row)
    assert literal[2].endswith("d") and literal[3:] == ["github-classic", "github"]
    assert "at ~/.claude.json:" in done.stdout  # where it is, labelled, under the servers
    assert "exposed (git:" in done.stdout
    assert f"{len(tokens)} tokens (1 literal, 1 prompted; 1 exposed: rotate it)" in done.stdout
    assert "1 token is written into config files" in done.stderr


def test_tokens_list_counts_one_token(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "root").mkdir()
    server = {"command": "x", "env": {"GITHUB_TOKEN": "${input:gh}"}}
    (tmp_path / "root" / ".mcp.json").write_text(json.dumps({"mcpServers": {"a": server}}))
    done = run_cli("tokens", "list", "--home", tmp_path / "home", "--root", tmp_path / "root")
    assert "\n1 token (" in done.stdout, done.stdout


def test_investigate_table_has_a_header_fits_and_labels_evidence(
    run_cli: RunCli, sb: Sandbox
) -> None:
    done = run_cli("investigate", *_scope(sb), "--since", "30d")
    assert done.code == 1, done.stderr
    _fits(done.stdout)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["severity", "time", "finding"]
    document = json.loads(run_cli("investigate", *_scope(sb), "--since", "30d", "--json").stdout)
    flat = _unfolded(done.stdout).replace(" ", "")
    for row in document["findings"]:
        assert row["rule"] in flat and row["message"].replace(" ", "") in flat
        if row.get("evidence"):
            assert ("evidence:" + row["evidence"]).replace(" ", "") in flat
    calls = document["calls"]
    assert f"{calls} tool calls (" in done.stdout
