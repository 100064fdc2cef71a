"""`mcpir org repos` and `mcpir org merge` against the local GitHub API double: pagination,
rate-limit headers (waited out, never run into), a repository without access, an empty one,
a truncated tree, code search, GitHub Enterprise's `--api-url`; merged reports in every
format, hostile result files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mcpir.bom.cyclonedx import validate
from mcpir.org.repos import config_patterns, holds_config, search_queries
from mcpir.org.results import document
from tests.conftest import RunCli
from tests.github_double import GitHubDouble

ORG = "acme"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubDouble]:
    double = GitHubDouble().start()
    monkeypatch.setenv("GITHUB_TOKEN", double.issue("sweeper"))
    monkeypatch.delenv("GITHUB_API_URL", raising=False)
    data = double.org
    names = [f"r{n:03}" for n in range(230)]  # three pages of 100
    data.add_org(ORG, names)
    data.trees.update({f"{ORG}/{n}": ["README.md", "src/main.py"] for n in names})
    data.trees[f"{ORG}/r001"] = ["README.md", ".mcp.json"]
    data.trees[f"{ORG}/r150"] = ["services/api/.cursor/mcp.json", "x.py"]
    data.trees[f"{ORG}/r229"] = [".vscode/mcp.json"]
    data.trees[f"{ORG}/r100"] = ["team.code-workspace"]
    data.no_access.add(f"{ORG}/r002")
    data.empty.add(f"{ORG}/r003")
    data.truncated.add(f"{ORG}/r004")
    data.archived.add(f"{ORG}/r005")
    data.trees[f"{ORG}/r005"] = [".mcp.json"]  # archived: left out unless asked
    yield double
    double.stop()


def _repos(result: Any) -> list[str]:  # noqa: ANN401
    return [row["repository"] for row in result["repositories"]]


def test_trees_select_pages_and_reports_the_unreadable(github: GitHubDouble,
                                                       run_cli: RunCli) -> None:  # fmt: skip
    result = run_cli("org", "repos", "--org", ORG, "--api-url", github.url, "--json")
    document = json.loads(result.stdout)
    assert result.code == 1  # r002 could not be read, and it says so
    assert _repos(document) == [f"{ORG}/r001", f"{ORG}/r004", f"{ORG}/r100", f"{ORG}/r150",
                                f"{ORG}/r229"]  # fmt: skip
    assert document["listed"] == 229  # 230, the archived one aside
    assert document["unreachable"] == [{"repository": f"{ORG}/r002", "error": "HTTP 404 Not Found"}]
    truncated = next(r for r in document["repositories"] if r["repository"].endswith("r004"))
    assert "truncated" in truncated["note"]
    assert document["matrix"]["include"][0] == {"repository": f"{ORG}/r001", "ref": "main"}
    pages = [c for c in github.org.calls if c == f"GET /orgs/{ORG}/repos"]
    assert len(pages) == 3
    assert "listing" in result.stderr or "repositories" in result.stderr  # progress is shown


def test_rate_limit_is_waited_out_not_run_into(github: GitHubDouble, run_cli: RunCli) -> None:
    github.org.remaining = 2  # two calls left in this window's budget
    github.org.window = 1.5
    result = run_cli("org", "repos", "--org", ORG, "--api-url", github.url, "--select", "all",
                     "--json")  # fmt: skip
    assert result.code == 0, result.stderr
    assert len(_repos(json.loads(result.stdout))) == 229
    assert github.org.refused == 0  # mcpir waited for the reset instead of meeting a 403
    assert "rate limit reached: waiting" in result.stderr


def test_secondary_rate_limit_retry_after(github: GitHubDouble, run_cli: RunCli) -> None:
    github.org.secondary_once.add(f"/orgs/{ORG}/repos")
    result = run_cli("org", "repos", "--org", ORG, "--api-url", github.url, "--select", "all",
                     "--json")  # fmt: skip
    assert result.code == 0 and "secondary rate limit" in result.stderr


def test_a_spent_wait_budget_is_exit_3(github: GitHubDouble, run_cli: RunCli) -> None:
    github.org.remaining, github.org.window = 1, 60
    result = run_cli("org", "repos", "--org", ORG, "--api-url", github.url, "--max-wait", "5",
                     "--no-progress")  # fmt: skip
    assert result.code == 3 and result.stderr.startswith("mcpir: error: GitHub")
    assert result.stderr.count("\n") == 1


def test_code_search_select(github: GitHubDouble, run_cli: RunCli) -> None:
    github.org.indexed = {f"{ORG}/r001", f"{ORG}/r150"}  # GitHub indexed only these
    result = run_cli("org", "repos", "--org", ORG, "--api-url", github.url, "--select",
                     "search", "--json")  # fmt: skip
    assert result.code == 0
    assert _repos(json.loads(result.stdout)) == [f"{ORG}/r001", f"{ORG}/r150"]
    searches = [c for c in github.org.calls if c == "GET /search/code"]
    assert len(searches) == len(search_queries(ORG)) < 20  # one per file name, not per repo


def test_enterprise_api_url_and_bad_credentials(
    github: GitHubDouble, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", github.url)  # what a GHES runner sets
    assert run_cli("org", "repos", "--org", ORG, "--select", "all").code == 0
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_" + "x" * 36)
    result = run_cli("org", "repos", "--org", ORG, "--select", "all")
    assert result.code == 2 and "bad credentials" in result.stderr
    assert "x" * 36 not in result.stderr


@pytest.mark.parametrize("args", [("--org", "a/b"), ("--org", ORG, "--select", "some"),
                                  ("--org", ORG, "--api-url", "ftp://x")])  # fmt: skip
def test_repos_bad_usage(run_cli: RunCli, args: tuple[str, ...]) -> None:
    result = run_cli("org", "repos", *args)
    assert result.code == 2 and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("path", "held"),
    [(".mcp.json", True), ("a/b/.cursor/mcp.json", True), ("x.code-workspace", True),
     ("mcp.json", False), ("src/.cursor/mcp.json.bak", False), ("README.md", False)],
)  # fmt: skip
def test_holds_config(path: str, held: bool) -> None:
    assert holds_config(path, config_patterns()) is held


def _result(repo: str, **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    server = {"client": "claude-code", "scope": "project", "path": ".mcp.json", "line": 2,
              "name": "gh", "transport": "stdio", "command": "npx",
              "args": ["-y", "@modelcontextprotocol/server-github@1.0.0"], "url": None,
              "env_keys": ["GITHUB_TOKEN"], "header_keys": [], "enabled": True}  # fmt: skip
    finding = {"rule": "unpinned-package", "severity": "medium", "message": "not pinned",
               "path": ".mcp.json", "line": 2, "client": "claude-code", "server": "gh",
               "tool": None, "evidence": None}  # fmt: skip
    audit = {"changes": [{"commit": "a" * 40, "author": "eve <e@x>", "path": ".mcp.json",
                          "status": "modified", "authorized": False},
                         {"commit": "b" * 40, "author": "ann <a@x>", "path": ".mcp.json",
                          "status": "added", "authorized": True}],
             "secrets": [{"fingerprint": "sha256:1a2b3c4d5e6f", "provider": "github",
                          "path": ".mcp.json", "added_in": "c" * 40,
                          "must_rotate": True}]}  # fmt: skip
    base = document(repo, "d" * 40, "push", servers=[server], findings=[finding], audit=audit,
                    posture=None)  # fmt: skip
    base.update(extra)
    return base


@pytest.fixture
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    for n, repo in enumerate((f"{ORG}/api", f"{ORG}/web")):
        (folder / f"mcpir-{n}").mkdir(parents=True)
        (folder / f"mcpir-{n}" / "result.json").write_text(json.dumps(_result(repo)))
    clean = document(f"{ORG}/docs", None, "schedule", servers=[], findings=[], audit=None,
                     posture=[{"id": "x", "status": "pass"}])  # fmt: skip
    (folder / "docs.json").write_text(json.dumps(clean))
    return folder


def test_merge_json_names_each_repository(results: Path, run_cli: RunCli) -> None:
    merged = run_cli("org", "merge", results, "--json")
    assert merged.code == 1  # findings, an unauthorized change, a committed secret
    data = json.loads(merged.stdout)
    assert [r["repository"] for r in data["repositories"]] == [f"{ORG}/api", f"{ORG}/docs",
                                                               f"{ORG}/web"]  # fmt: skip
    docs = data["repositories"][1]
    assert docs["unauthorized_changes"] is None and docs["posture_failed"] == 0  # not run ≠ 0
    assert [c["repository"] for c in data["unauthorized_changes"]] == [f"{ORG}/api", f"{ORG}/web"]
    assert all(c["commit"] == "a" * 40 for c in data["unauthorized_changes"])  # authorized: out
    assert len(data["secrets"]) == 2 and len(data["servers"]) == 2
    assert run_cli("org", "merge", results, "--exit-zero").code == 0


def test_merge_markdown_sarif_cyclonedx(results: Path, run_cli: RunCli) -> None:
    markdown = run_cli("org", "merge", results).stdout
    assert "| acme/api | 1 | 1 | 1 | 1 | not run |" in markdown
    assert "## Secrets ever committed" in markdown and "| acme/docs | 0 | 0 | not run |" in markdown
    sarif = json.loads(run_cli("org", "merge", results, "--format", "sarif").stdout)
    runs = {run["automationDetails"]["id"]: run for run in sarif["runs"]}
    assert set(runs) == {f"mcpir/org/{ORG}/api/", f"mcpir/org/{ORG}/docs/", f"mcpir/org/{ORG}/web/"}
    rules = sorted(r["ruleId"] for r in runs[f"mcpir/org/{ORG}/api/"]["results"])
    assert rules == ["audit/secret-in-history", "audit/unauthorized-change", "unpinned-package"]
    location = runs[f"mcpir/org/{ORG}/api/"]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == ".mcp.json"
    from sarif_pydantic import Sarif

    Sarif.model_validate(sarif)
    bom = run_cli("org", "merge", results, "--format", "cyclonedx").stdout
    assert validate(bom) is None
    services = json.loads(bom)["services"]
    assert sorted(p["value"] for s in services for p in s["properties"]
                  if p["name"] == "mcpir:repository") == [f"{ORG}/api", f"{ORG}/web"]  # fmt: skip


def test_merge_hostile_results(tmp_path: Path, results: Path, run_cli: RunCli) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "deep.json").write_text("[" * 5000 + "]" * 5000)
    (bad / "other.json").write_text(json.dumps({"kind": "something-else"}))
    (bad / "rows.json").write_text(json.dumps(_result("x/y", servers="not a list")))
    (bad / "huge.json").write_bytes(b" " * (33 << 20))
    (bad / "link.json").symlink_to(results / "docs.json")
    token = "ghp_" + "A" * 36
    (bad / "leak.json").write_text(json.dumps(_result(f"{ORG}/leak", errors=[f"saw {token}"])))
    merged = run_cli("org", "merge", results, bad, "--json")
    data = json.loads(merged.stdout)
    why = {Path(item["path"]).name: item["error"] for item in data["unreadable"]}
    assert set(why) == {"deep.json", "other.json", "rows.json", "huge.json", "link.json"}
    assert "too large" in why["huge.json"] and "not an mcpir result" in why["other.json"]
    assert token not in merged.stdout + merged.stderr
    assert merged.code == 1 and merged.stderr.count("mcpir: warning:") == 5


def test_merge_usage(tmp_path: Path, run_cli: RunCli) -> None:
    assert run_cli("org", "merge", tmp_path / "nope").code == 2
    assert run_cli("org", "merge", tmp_path).code == 2  # nothing found in it
    assert run_cli("org", "merge", tmp_path, "--format", "xml").code == 2
