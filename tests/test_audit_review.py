"""`mcpir audit` edges found in review: symlinks in history, odd `--since` values, a detached
HEAD with an unusual default branch, names with control characters, and each change judged by
the rules in force when it was made."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import RunCli
from tests.test_audit import (
    ALEX,
    BOB,
    DIAGRAMS,
    EVE,
    MEMORY,
    POLICY,
    GitRepo,
    audit_json,
    servers,
)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "project")


def _by_commit(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["commit"]: c for c in doc["changes"]}


def test_a_symlink_replaced_by_a_config_is_audited_not_skipped(
    run_cli: RunCli, repo: GitRepo
) -> None:
    repo.commit("start", DOTmcpirDOTtoml=POLICY, realDOTjson=servers(memory=MEMORY))
    (repo.root / ".mcp.json").symlink_to("real.json")
    linked = repo.commit("link", ALEX)
    (repo.root / ".mcp.json").unlink()
    evil = {"command": "npx", "args": ["-y", "evil-mcp"]}
    replaced = repo.commit("replace", EVE, DOTmcpDOTjson=servers(evil=evil))
    code, doc = audit_json(run_cli, repo.root)
    assert code == 1
    changes = _by_commit(doc)
    bad = changes[replaced]
    assert bad["authorized"] is False and bad["status"] == "type-changed"
    assert [(d["server"], d["change"]) for d in bad["diff"]] == [("evil", "added")]
    assert {f["rule"] for f in bad["findings"]} == {"unpinned-package"}
    link = changes[linked]
    assert link["authorized"] is True and link["diff"] == []
    assert any("a symlink to 'real.json'" in note for note in link["notes"])


def test_a_config_turned_into_a_symlink_is_judged(run_cli: RunCli, repo: GitRepo) -> None:
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=MEMORY))
    (repo.root / ".mcp.json").unlink()
    (repo.root / ".mcp.json").symlink_to("/tmp/elsewhere.json")  # noqa: S108
    swapped = repo.commit("swap", EVE)
    code, doc = audit_json(run_cli, repo.root)
    assert code == 1
    change = _by_commit(doc)[swapped]
    assert change["authorized"] is False
    assert any("a symlink to '/tmp/elsewhere.json'" in n for n in change["notes"])


@pytest.mark.parametrize("since", ["", "99999999999d", "9999999w", " ", "7 d x"])
def test_since_out_of_range_or_empty_is_one_line_exit_2(
    run_cli: RunCli, repo: GitRepo, since: str
) -> None:
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=MEMORY))
    result = run_cli("audit", "--repo", repo.root, "--json", "--since", since)
    assert result.code == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "--since" in result.stderr


def test_a_detached_head_on_an_unusual_default_branch(run_cli: RunCli, repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "trunk")
    repo.git("branch", "-q", "-D", "main", check=False)
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=MEMORY))
    repo.commit("more", ALEX, DOTmcpDOTjson=servers(memory=MEMORY, diagrams=DIAGRAMS))
    repo.git("checkout", "-q", "--detach", "HEAD")
    code, doc = audit_json(run_cli, repo.root)
    assert code == 0
    assert doc["default_branch"] == "refs/heads/trunk"
    table = run_cli("audit", "--repo", repo.root, "--home", repo.root)
    assert "pushed to trunk" in table.stdout and "pushed to HEAD" not in table.stdout


def test_a_remote_default_branch_is_used_when_origin_head_is_missing(
    run_cli: RunCli, repo: GitRepo, tmp_path: Path
) -> None:
    repo.git("checkout", "-q", "-b", "develop")
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=MEMORY))
    clone = GitRepo(tmp_path / "clone")
    clone.git("remote", "add", "upstream", str(repo.root))
    clone.git("fetch", "-q", "upstream")
    clone.git("remote", "set-head", "upstream", "develop")
    clone.git("checkout", "-q", "--detach", "upstream/develop")
    _, doc = audit_json(run_cli, clone.root)
    assert doc["default_branch"] == "refs/remotes/upstream/develop"


def test_a_newline_in_a_path_cannot_forge_a_table_row(run_cli: RunCli, repo: GitRepo) -> None:
    repo.commit("start", DOTmcpirDOTtoml=POLICY)
    forged = "x\nok     0000000000  2026-01-01  Alex <alex@corp.example>  y"
    repo.write(f"{forged}/.mcp.json", servers(memory=MEMORY))
    repo.commit("odd", EVE)
    result = run_cli("audit", "--repo", repo.root, "--home", repo.root)
    assert result.code == 1
    rows = [line for line in result.stdout.splitlines() if line[:1] not in (" ", "")]
    assert rows[0].startswith("verdict ")  # the header, then one row per change
    assert len([r for r in rows if r.startswith(("ok", "medium", "high"))]) == 2
    assert "x\\nok" in result.stdout


def test_each_change_is_judged_by_the_rules_of_its_time(run_cli: RunCli, repo: GitRepo) -> None:
    both = '[audit]\nauthorized = ["alex@corp.example", "bob@corp.example"]\n'
    repo.commit("start", DOTmcpirDOTtoml=both, DOTmcpDOTjson=servers(memory=MEMORY))
    by_bob = repo.commit("bob", BOB, DOTmcpDOTjson=servers(memory=MEMORY, diagrams=DIAGRAMS))
    early_eve = repo.commit("eve", EVE, DOTcursor__mcpDOTjson=servers(memory=MEMORY))
    # Bob leaves, Eve joins: an authorized change of the policy.
    repo.commit("people", ALEX, DOTmcpirDOTtoml=POLICY.replace('"]', '", "eve@elsewhere.example"]'))
    late_eve = repo.commit("eve2", EVE, DOTcursor__mcpDOTjson=servers(diagrams=DIAGRAMS))
    late_bob = repo.commit("bob2", BOB, DOTmcpDOTjson=servers(memory=MEMORY))
    code, doc = audit_json(run_cli, repo.root)
    assert code == 1
    changes = _by_commit(doc)
    assert changes[by_bob]["authorized"] is True  # allowed then, though no longer listed
    assert any("rules at the time" in n for n in changes[by_bob]["notes"])
    assert changes[early_eve]["authorized"] is False  # not yet allowed then
    assert changes[late_eve]["authorized"] is True
    assert changes[late_bob]["authorized"] is False


def test_rules_an_unauthorized_change_wrote_authorize_nobody(
    run_cli: RunCli, repo: GitRepo
) -> None:
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=MEMORY))
    grab = repo.commit("grab", EVE, DOTmcpirDOTtoml=POLICY.replace('"]', '", "*"]'))
    evil = {"command": "npx", "args": ["-y", "evil-mcp"]}
    use = repo.commit("use", EVE, DOTmcpDOTjson=servers(memory=MEMORY, evil=evil))
    repo.commit("undo", ALEX, DOTmcpirDOTtoml=POLICY)
    code, doc = audit_json(run_cli, repo.root)
    assert code == 1
    changes = _by_commit(doc)
    assert changes[grab]["authorized"] is False
    assert changes[use]["authorized"] is False
    assert any(grab[:12] in n for n in changes[use]["notes"])


def test_the_journal_of_a_respond_holds_no_committed_secret(
    run_cli: RunCli, repo: GitRepo, tmp_path: Path
) -> None:
    from tests.test_audit import _token

    token = _token()
    with_token = dict(MEMORY, env={"GITHUB_TOKEN": token}, args=["-y", "x@1", "--key", token])
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=with_token))
    repo.commit("drop", EVE, DOTmcpDOTjson=servers(memory=MEMORY))
    home = tmp_path / "home"
    home.mkdir()
    result = run_cli("respond", "--only", "audit", "--yes", "--root", repo.root, "--home", home,
                     "--json", "--title", "t")  # fmt: skip
    assert result.code == 1, result.stderr
    json.loads(result.stdout)
    written = "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (repo.root / ".atom-trail").rglob("*")
        if p.is_file()
    )
    assert "secret-in-history" in written
    assert token[4:] not in written + result.stdout + result.stderr


def test_the_task_keeps_each_note_on_one_line(tmp_path: Path) -> None:
    from mcpir.config.project import parse_policy
    from mcpir.core.paths import Scopes
    from mcpir.playbook.model import Step
    from mcpir.playbook.tasks.audit import TASK
    from mcpir.playbook.tasks.base import TaskContext

    repo = GitRepo(tmp_path / "project")
    repo.commit("start", DOTmcpirDOTtoml=POLICY)
    repo.write("a\n      ! forged note/.mcp.json", servers(memory=MEMORY))
    repo.commit("odd", EVE)
    policy = parse_policy(POLICY, repo.root / ".mcpir.toml")
    step = Step("audit", "Audit git history", "audit")
    ctx = TaskContext(Scopes(home=repo.root.parent, root=repo.root), policy, step, None)
    result = TASK.run(ctx)
    assert result.notes and all("\n" not in note for note in result.notes)
    assert any("a\\n      ! forged" in note for note in result.notes)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_since_is_a_timestamp_or_a_usage_error(text: str) -> None:
    from mcpir.audit.run import parse_since
    from mcpir.core.errors import UsageError

    try:
        parse_since(text)
    except UsageError as exc:
        assert "--since" in exc.message


def test_a_huge_blob_in_history_is_named_by_its_size_not_read(
    run_cli: RunCli, repo: GitRepo
) -> None:
    from mcpir.audit.git import cat_blobs, open_repo

    repo.commit("start", DOTmcpirDOTtoml=POLICY)
    repo.commit("big", EVE, DOTmcpDOTjson=b"{" + b" " * (6 * 1024 * 1024) + b"}")
    blob = repo.git("rev-parse", "HEAD:.mcp.json")
    small = repo.git("rev-parse", "HEAD:.mcpir.toml")
    found = cat_blobs(open_repo(repo.root), [blob, small, "0" * 39 + "1"])
    assert found[blob] == "too large: 6291458 bytes (limit 5 MiB)"
    assert found[small] == POLICY.encode()
    assert "missing" in str(found["0" * 39 + "1"])
    code, doc = audit_json(run_cli, repo.root)
    assert code == 1
    assert [s["reason"] for s in doc["skipped"]] == ["too large: 6291458 bytes (limit 5 MiB)"]


def test_must_rotate_reads_as_prose_in_every_format(
    run_cli: RunCli, repo: GitRepo, tmp_path: Path
) -> None:
    """Redaction masks a value after "token": the advice must not be masked as one."""
    from tests.test_audit import _token

    token = _token()
    with_token = dict(MEMORY, env={"GITHUB_TOKEN": token})
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=with_token))
    home = tmp_path / "home"
    home.mkdir()
    (home / ".claude.json").write_text(servers(gh=with_token), encoding="utf-8")
    for fmt in ("table", "sarif"):
        shown = run_cli("audit", "--repo", repo.root, "--format", fmt, "--home", home)
        assert "token inventory; rotate it" in shown.stdout, fmt
        assert token[4:] not in shown.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository another owner")
def test_a_repository_owned_by_someone_else_gets_a_hint(run_cli: RunCli, repo: GitRepo) -> None:
    repo.commit("start", DOTmcpirDOTtoml=POLICY)
    for path in [repo.root, *repo.root.rglob("*")]:
        os.lchown(path, 4321, 4321)
    result = run_cli("audit", "--repo", repo.root, "--json")
    assert result.code == 2 and result.stdout == ""
    assert "owned by another user" in result.stderr and "safe.directory" in result.stderr


def test_a_token_pasted_into_the_policy_or_codeowners_is_masked(
    run_cli: RunCli, repo: GitRepo
) -> None:
    from tests.test_audit import _token

    token = _token()
    policy = POLICY.replace('"]', f'", "{token}"]')
    repo.commit("start", DOTmcpirDOTtoml=policy, CODEOWNERS=f"/{token}/ alex@corp.example\n")
    for fmt in ("json", "table", "sarif"):
        result = run_cli("audit", "--repo", repo.root, "--format", fmt, "--home", repo.root)
        assert result.code in (0, 1), result.stderr
        assert token[4:] not in result.stdout + result.stderr, fmt


def test_a_worktree_of_a_shallow_clone_marks_the_boundary(
    run_cli: RunCli, repo: GitRepo, tmp_path: Path
) -> None:
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=MEMORY))
    repo.commit("more", ALEX, DOTmcpDOTjson=servers(memory=MEMORY, diagrams=DIAGRAMS))
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
                   env=repo.env, check=True)  # fmt: skip
    subprocess.run(["git", "-C", str(clone), "worktree", "add", "-q", str(tmp_path / "wt")],
                   env=repo.env, check=True, capture_output=True)  # fmt: skip
    _, doc = audit_json(run_cli, tmp_path / "wt")
    assert any("shallow clone" in w for w in doc["warnings"])
    assert doc["changes"] and all(any("boundary" in n for n in c["notes"]) for c in doc["changes"])


def test_a_submodule_at_a_config_path_is_judged_not_read(run_cli: RunCli, repo: GitRepo) -> None:
    repo.commit("start", DOTmcpirDOTtoml=POLICY)
    sha = "1" * 40
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sha},.mcp.json")
    repo.git("commit", "-q", "-m", "submodule", who=EVE)
    linked = repo.git("rev-parse", "HEAD")
    code, doc = audit_json(run_cli, repo.root)
    assert code == 1
    change = _by_commit(doc)[linked]
    assert change["authorized"] is False
    assert any(f"a submodule (commit {sha[:12]})" in n for n in change["notes"])


def test_names_that_are_not_utf8_come_out_as_escapes_in_every_format(
    run_cli: RunCli, repo: GitRepo
) -> None:
    import os as _os

    repo.commit("start", DOTmcpirDOTtoml=POLICY)
    odd = _os.fsdecode(b"dir\xff")
    repo.write(f"{odd}/.mcp.json", servers(memory=MEMORY))
    repo.commit("odd", EVE)
    for fmt in ("json", "table", "sarif"):
        result = run_cli("audit", "--repo", repo.root, "--format", fmt, "--home", repo.root)
        assert result.code == 1, result.stderr
        assert "Traceback" not in result.stderr
        result.stdout.encode("utf-8")  # no lone surrogate: valid UTF-8 once written
        assert "dir\\xff/.mcp.json" in result.stdout.replace("\\\\", "\\"), fmt
