"""The audit's parts on their own: config paths, --since, parsers (fuzzed), the task.
(CODEOWNERS, which the audit shares with posture: tests/test_codeowners.py.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcpir.audit.history import parse_log
from mcpir.audit.paths import excluded, is_config, project_patterns
from mcpir.audit.run import parse_since
from mcpir.audit.semantic import parse_version
from mcpir.config.project import Policy, parse_policy
from mcpir.core.errors import UsageError
from mcpir.core.paths import Scopes
from mcpir.playbook.model import Step
from mcpir.playbook.tasks.base import Status, TaskContext
from tests.test_audit import ALEX, EVE, INJECTED, MEMORY, POLICY, GitRepo, servers

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_config_paths_are_exactly_what_discoverys_project_walk_finds(tmp_path: Path) -> None:
    from mcpir.discovery.walk import project_files

    rels = [
        ".mcp.json", "a/b/.mcp.json", ".vscode/mcp.json", ".vscode/settings.json",
        ".cursor/mcp.json", ".gemini/settings.json", ".codex/config.toml", ".zed/settings.json",
        ".roo/mcp.json", ".kilocode/mcp.json", ".junie/mcp/mcp.json", "mcp-servers.json",
        ".claude/mcp-servers.json", ".continue/mcpServers/a.yaml", ".continue/mcpServers/b.json",
        "settings.json", "mcp.json", "config.toml", "x.mcp.json", ".continue/config.yaml",
        "src/app.py", ".github/mcp.json", "node_modules/pkg/.mcp.json",
    ]  # fmt: skip
    for rel in rels:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    patterns = [(rel, rel) for rel in project_patterns()]
    walked = {p.relative_to(tmp_path).as_posix() for _, p in project_files(tmp_path, patterns)}
    mine = {rel for rel in rels if is_config(rel) and not excluded(rel, ())}
    assert mine == walked
    assert excluded("vendor/x/.mcp.json", ("vendor",)) and not excluded(".mcp.json", ("vendor",))


def test_since_accepts_dates_and_spans_and_refuses_the_rest() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert parse_since("7d", now) == "2026-11-19T12:00:00+00:00"
    assert parse_since("12h", now) == "2026-11-26T00:00:00+00:00"
    assert parse_since("2026-11-01") == "2026-11-01T00:00:00+00:00"
    assert parse_since("2026-11-01T09:30+02:00") == "2026-11-01T09:30:00+02:00"
    for bad in ("yesterday", "7 days", "-1d", ""):
        with pytest.raises(UsageError):
            parse_since(bad)


def test_audit_policy_defaults_and_types() -> None:
    assert Policy().audit.authorized == () and not Policy().audit.require_signed
    policy = parse_policy(POLICY + "require_review = true\n", Path(".mcpir.toml"))
    assert policy.audit.authorized == ("alex@corp.example",) and policy.audit.require_review
    from mcpir.core.errors import PolicyError

    with pytest.raises(PolicyError, match="must be true or false"):
        parse_policy('[audit]\nrequire_signed = "yes"\n', Path(".mcpir.toml"))
    with pytest.raises(PolicyError, match="unknown key audit.authorised"):
        parse_policy("[audit]\nauthorised = []\n", Path(".mcpir.toml"))


@FUZZ
@given(st.sampled_from(sorted(project_patterns())), st.binary(max_size=400))
def test_any_old_blob_parses_to_servers_or_a_reason(pattern: str, raw: bytes) -> None:
    path = pattern.replace("*", "x")
    version = parse_version(raw, path, Path("/repo"))
    assert version.error is None or "\n" not in version.error


@FUZZ
@given(st.lists(st.sampled_from(["\x1e", "\0", "\n", ":", "abc", " ", "100644", "M", "R100"])))
def test_log_parser_returns_commits_or_a_value_error(parts: list[str]) -> None:
    try:
        parse_log("".join(parts))
    except (ValueError, StopIteration):
        pass


def _context(root: Path, policy: Policy, dry_run: bool = False) -> TaskContext:
    step = Step("audit", "Audit git history", "audit")
    return TaskContext(Scopes(home=root.parent, root=root), policy, step, None, dry_run=dry_run)


def test_the_playbook_task_reports_the_unauthorized_change(tmp_path: Path) -> None:
    from mcpir.playbook.tasks import TASKS

    repo = GitRepo(tmp_path / "project")
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=MEMORY))
    poisoned = {"command": "npx", "args": ["-y", "diagrams@latest"], "description": INJECTED}
    bad = repo.commit("add", EVE, DOTmcpDOTjson=servers(memory=MEMORY, diagrams=poisoned))
    policy = parse_policy(POLICY, repo.root / ".mcpir.toml")
    result = TASKS["audit"].run(_context(repo.root, policy))
    assert result.status is Status.ATTENTION
    assert "1 unauthorized" in result.summary
    rules = [f.rule_id for f in result.findings]
    assert rules[0] == "audit/unauthorized-change"
    assert {"prompt-injection", "unpinned-package"} <= set(rules)
    top = result.findings[0]
    assert top.severity.label == "high" and bad[:12] in top.message
    assert any(bad[:12] in note and "Eve Mallory" in note for note in result.notes)
    assert TASKS["audit"].run(_context(repo.root, policy, dry_run=True)).status is Status.ATTENTION


def test_the_task_skips_a_root_without_git_and_is_ok_on_clean_history(tmp_path: Path) -> None:
    from mcpir.playbook.tasks.audit import TASK

    plain = tmp_path / "plain"
    plain.mkdir()
    skipped = TASK.run(_context(plain, Policy()))
    assert skipped.status is Status.SKIPPED and "not a git repository" in skipped.summary
    repo = GitRepo(tmp_path / "project")
    repo.commit("start", ALEX, DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=MEMORY))
    clean = TASK.run(_context(repo.root, parse_policy(POLICY, repo.root / ".mcpir.toml")))
    assert clean.status is Status.OK and clean.findings == []
    assert clean.summary.startswith("2 changes to MCP configs in 1 commit: 0 unauthorized")


def test_a_secret_never_reaches_the_task_result(tmp_path: Path) -> None:
    from mcpir.core.secret import fingerprint
    from mcpir.playbook.tasks.audit import TASK
    from tests.test_audit import _token

    token = _token()
    repo = GitRepo(tmp_path / "project")
    repo.commit("start", DOTmcpirDOTtoml=POLICY,
                DOTmcpDOTjson=servers(gh=dict(MEMORY, env={"GITHUB_TOKEN": token})))  # fmt: skip
    repo.commit("drop", ALEX, DOTmcpDOTjson=servers(memory=MEMORY))
    result = TASK.run(_context(repo.root, parse_policy(POLICY, repo.root / ".mcpir.toml")))
    text = json.dumps([result.summary, result.notes, [repr(f) for f in result.findings]])
    assert token not in text and fingerprint(token) in text
    assert [f.rule_id for f in result.findings] == ["audit/secret-in-history"]


@FUZZ
@given(st.binary(max_size=300), st.binary(max_size=300))
def test_policy_diffs_of_any_blobs_never_raise(before: bytes, after: bytes) -> None:
    from mcpir.audit import governance

    for path in governance.PATHS:
        for item in governance.diff(path, before, after):
            json.dumps(item.to_json())
            assert item.describe()


def test_policy_diff_names_who_was_added() -> None:
    from mcpir.audit import governance

    old = b'[scan]\nofficial_images = []\n[audit]\nauthorized = ["a@x"]\n'
    new = b'[audit]\nauthorized = ["a@x", "b@y"]\nrequire_signed = true\n'
    [item] = governance.diff(".mcpir.toml", old, new)
    assert item.fields == {
        "authorized": {"before": ["a@x"], "after": ["a@x", "b@y"], "added": ["b@y"]},
        "require_signed": {"before": False, "after": True},
    }
    assert governance.diff(".mcpir.toml", old, old + b"# comment\n") == []
    assert governance.diff("CODEOWNERS", b"* @a\n", b"# only a comment\n* @a\n") == []
