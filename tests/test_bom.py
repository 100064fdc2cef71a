"""The AI-BOM: `servers --format cyclonedx` validated by cyclonedx-python-lib's own schema
validator, purls per launcher, names of env variables and headers but never their values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.bom.cyclonedx import render, validate
from mcpir.bom.purls import launched
from tests.conftest import CANARY, FIXTURES, RunCli

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("command", "args", "purl", "pinned"),
    [
        ("npx", ("-y", "@modelcontextprotocol/server-github@1.2.3"),
         "pkg:npm/%40modelcontextprotocol/server-github@1.2.3", True),
        ("npx", ("-y", "server-everything"), "pkg:npm/server-everything", False),
        ("npx", ("-y", "server-everything@latest"), "pkg:npm/server-everything", False),
        ("uvx", ("Mcp_Server_Fetch==2025.1.2",), "pkg:pypi/mcp-server-fetch@2025.1.2", True),
        ("uvx", ("mcp-server-git[extra]>=1",), "pkg:pypi/mcp-server-git", False),
        ("docker", ("run", "-i", "--rm", f"ghcr.io/github/github-mcp-server@{DIGEST}"),
         f"pkg:docker/github/github-mcp-server@{DIGEST.replace(':', '%3A')}"
         "?repository_url=ghcr.io", True),
        ("docker", ("run", "-i", "mcp/fetch:1.0"), "pkg:docker/mcp/fetch@1.0", False),
    ],
)  # fmt: skip
def test_purl_per_launcher(command: str, args: tuple[str, ...], purl: str, pinned: bool) -> None:
    found = launched(command, args)
    assert found is not None
    assert found.purl.replace("sha256:", "sha256%3A") == purl.replace("sha256:", "sha256%3A")
    assert found.pinned is pinned


@pytest.mark.parametrize("command", ["node", "python", None, "/usr/bin/my-server"])
def test_no_purl_for_a_plain_program(command: str | None) -> None:
    assert launched(command, ("server.js",)) is None


def _row(name: str, **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    row: dict[str, Any] = {
        "client": "cursor", "scope": "user", "path": "/h/.cursor/mcp.json", "line": 3,
        "name": name, "transport": "stdio", "command": "npx",
        "args": ["-y", f"{name}@1.0.0"], "url": None, "env_keys": ["API_KEY"],
        "header_keys": [], "enabled": True,
    }  # fmt: skip
    row.update(extra)
    return row


def test_servers_packages_and_findings_in_one_valid_document() -> None:
    rows = [
        _row("a"),
        _row("b"),  # same package as a: one component, two services depend on it
        _row("remote", transport="http", url="https://mcp.example.com/mcp", command=None),
        {"client": "cursor", "scope": "user", "path": "/h/x.json", "error": "malformed"},
    ]
    rows[1]["args"] = ["-y", "a@1.0.0"]
    rows[2]["args"], rows[2]["header_keys"] = [], ["Authorization"]
    findings: list[dict[str, Any]] = [
        {"rule": "hardcoded-secret", "severity": "high", "message": "a token", "path":
         "/h/.cursor/mcp.json", "line": 3, "client": "cursor", "server": "a", "tool": None,
         "evidence": "ghp_…(sha256:1a2b)"},
        {"rule": "parse-error", "severity": "medium", "message": "malformed", "path": "/h/x.json",
         "line": None, "client": "cursor", "server": None, "tool": None, "evidence": None},
    ]  # fmt: skip
    text = render(rows, findings, properties={"host": "box"})
    assert validate(text) is None
    document = json.loads(text)
    assert document["specVersion"] == "1.6"
    services = {s["name"]: s for s in document["services"]}
    assert set(services) == {"a", "b", "remote"}
    assert services["remote"]["endpoints"] == ["https://mcp.example.com/mcp"]
    props = {(p["name"], p["value"]) for p in services["remote"]["properties"]}
    assert ("mcpir:header-name", "Authorization") in props
    assert ("mcpir:transport", "http") in props
    assert [c["purl"] for c in document["components"] if c["type"] == "library"] == [
        "pkg:npm/a@1.0.0"
    ]
    depends = {d["ref"]: d.get("dependsOn", []) for d in document["dependencies"]}
    package = next(c["bom-ref"] for c in document["components"] if c["type"] == "library")
    assert depends[services["a"]["bom-ref"]] == depends[services["b"]["bom-ref"]] == [package]
    by_id = {v["id"]: v for v in document["vulnerabilities"]}
    assert by_id["hardcoded-secret"]["affects"] == [{"ref": services["a"]["bom-ref"]}]
    assert by_id["hardcoded-secret"]["ratings"][0]["severity"] == "high"
    file_ref = by_id["parse-error"]["affects"][0]["ref"]
    assert any(c["bom-ref"] == file_ref and c["type"] == "file" for c in document["components"])


def test_the_validator_rejects_a_broken_document() -> None:
    text = render([_row("a")])
    broken = json.loads(text)
    broken["services"][0]["endpoints"] = "not a list"
    assert validate(json.dumps(broken)) is not None


def test_servers_format_cyclonedx_end_to_end(run_cli: RunCli) -> None:
    home = FIXTURES / "homes" / "linux"
    result = run_cli("servers", "--home", home, "--root", FIXTURES / "project", "--format",
                     "cyclonedx")  # fmt: skip
    assert validate(result.stdout) is None
    assert CANARY not in result.stdout  # env and header values never reach the BOM
    document = json.loads(result.stdout)
    listed = json.loads(run_cli("servers", "--home", home, "--root", FIXTURES / "project",
                                "--json").stdout)  # fmt: skip
    assert len(document["services"]) == len([row for row in listed if "name" in row])
    purls = [c["purl"] for c in document["components"] if "purl" in c]
    assert any(p.startswith("pkg:npm/") for p in purls)
    assert any(p.startswith("pkg:docker/") for p in purls)
    assert document["vulnerabilities"]  # the fixture holds hardcoded tokens: scan findings
    assert result.code == 1  # as `servers`: one project file is malformed


def test_json_and_format_disagree(run_cli: RunCli) -> None:
    result = run_cli("servers", "--json", "--format", "cyclonedx", "--home", FIXTURES / "empty")
    assert result.code == 2 and "disagree" in result.stderr


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=60, deadline=None)
@given(name=_text, command=st.one_of(st.none(), _text), args=st.lists(_text, max_size=5),
       url=st.one_of(st.none(), _text), env=st.lists(_text, max_size=3))  # fmt: skip
def test_any_record_makes_a_valid_document(
    name: str, command: str | None, args: list[str], url: str | None, env: list[str]
) -> None:
    row = _row(name, command=command, args=args, url=url, env_keys=env,
               transport="http" if url else "stdio")  # fmt: skip
    finding = {"rule": name or "r", "severity": "low", "message": name, "path": "/p",
               "line": 1, "server": name, "client": "cursor"}  # fmt: skip
    assert validate(render([row], [finding])) is None


def test_no_cyclonedx_for_projects(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("servers", "--projects", "--format", "cyclonedx", "--home", tmp_path)
    assert result.code == 2
