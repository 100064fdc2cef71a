"""`mcpir flows` end to end: the demo's github → mermaid-diagrams flow (possible from its
listing and the catalog alone, observed in its transcript), exit codes, JSON and SARIF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcpir.demo.listing import keep_listing
from mcpir.demo.sandbox import Sandbox, build_sandbox
from tests.conftest import RunCli


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return build_sandbox(tmp_path_factory.mktemp("flows") / "machine")


def _scope(sb: Sandbox) -> list[str | Path]:
    return ["--home", sb.home, "--root", sb.root]


def _pair(document: dict[str, object]) -> dict[str, object]:
    flows = document["flows"]
    assert isinstance(flows, list)
    [pair] = [f for f in flows if f["kind"] == "pair" and f["path"] == "github → mermaid-diagrams"]
    assert isinstance(pair, dict)
    return pair


def test_the_demo_flow_is_possible_before_and_observed_in_the_incident(
    machine: Sandbox, run_cli: RunCli
) -> None:
    keep_listing(machine)  # sealed with this test's key, as the demo's own run keeps it
    before = run_cli("flows", "--json", "--no-transcripts", "--client", "claude-code",
                     *_scope(machine))  # fmt: skip
    assert before.code == 1, before.stderr  # a full chain: github's issues → its files → out
    pair = _pair(json.loads(before.stdout))
    assert pair["observed"] == []
    sink = pair["roles"][1]  # type: ignore[index]
    assert "render_diagram" in sink["tools"]
    assert {e["source"] for e in sink["evidence"]} >= {"annotation", "listing"}
    after = run_cli("flows", "--json", *_scope(machine))
    assert after.code == 1
    document = json.loads(after.stdout)
    observed = _pair(document)["observed"]
    assert isinstance(observed, list)
    [seen] = observed
    assert seen["session"] == machine.planted["session_id"]
    assert seen["line"] == 7 and seen["from"] == "github.get_file_contents"
    assert seen["to"] == "mermaid-diagrams.render_diagram"
    assert document["flows"][0]["observed"], "observed flows come first"
    # Each client's flows are its own: no flow joins servers of two clients.
    configured = {(s["client"], s["server"]) for s in document["servers"]}
    for flow in document["flows"]:
        assert all((flow["client"], role["server"]) in configured for role in flow["roles"])
    assert "CANARY" not in after.stdout and machine.planted["canary"] not in after.stdout


def test_table_sarif_and_exit_codes(machine: Sandbox, run_cli: RunCli, tmp_path: Path) -> None:
    table = run_cli("flows", "--client", "claude-code", *_scope(machine))
    assert table.code == 1
    assert "OBSERVED" in table.stdout and "github (get_file_contents" in table.stdout
    # The sandbox's remote `linear` has no listing until the demo's story pins it: unknown too.
    unknown = next(line for line in table.stdout.splitlines() if "unknown (no listing" in line)
    assert {"changelog", "linear"} <= set(unknown.split(": ")[-1].split(", "))
    out = tmp_path / "flows.sarif"
    sarif = run_cli("flows", "--format", "sarif", "-o", out, "--exit-zero", *_scope(machine))
    assert sarif.code == 0 and sarif.stdout == ""
    document = json.loads(out.read_text())
    results = document["runs"][0]["results"]
    listed = json.loads(run_cli("flows", "--json", *_scope(machine)).stdout)["flows"]
    assert len(results) == len(listed)  # one result per flow
    assert {r["ruleId"] for r in results} == {"flows/full-chain", "flows/private-to-out"}
    bad = run_cli("flows", "--client", "no-such-client", *_scope(machine))
    assert bad.code == 2 and bad.stderr.count("\n") == 1
    clash = run_cli("flows", "--no-transcripts", "--since", "7d", *_scope(machine))
    assert clash.code == 2


def test_no_server_no_flow_exit_zero(tmp_path: Path, run_cli: RunCli) -> None:
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    root.mkdir()
    fs = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21"]}
    (home / ".claude.json").write_text(json.dumps({"mcpServers": {"fs": fs}}))
    done = run_cli("flows", "--json", "--home", home, "--root", root, "--only-root")
    assert done.code == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["flows"] == [] and document["summary"]["servers"] == 1
