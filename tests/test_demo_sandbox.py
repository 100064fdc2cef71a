"""The demo sandbox: a realistic fake machine that discovery reads, built without leaving `base`."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mcpir.config.project import load_policy
from mcpir.core.errors import McpirError
from mcpir.core.paths import Scopes
from mcpir.core.secret import fingerprint
from mcpir.demo.sandbox import Sandbox, build_sandbox
from mcpir.discovery import discover
from mcpir.injection.detector import is_poisoned
from mcpir.secrets import find_secrets

# Written down here, not imported from the builder: a wrong path or key in a planted file must
# fail this test rather than move the expectation with it.
EXPECTED = {
    "~/.claude.json": {"github", "linear", "postgres-dev"},
    "~/.cursor/mcp.json": {"context7", "sentry"},
    "~/.config/Code/User/settings.json": {"playwright"},
    "~/.config/Claude/claude_desktop_config.json": {"fetch", "filesystem"},
    "~/.codex/config.toml": {"docs"},
    "~/.codeium/windsurf/mcp_config.json": {"sequential-thinking"},
    "~/.gemini/settings.json": {"atlassian"},
    "~/.continue/config.yaml": {"sqlite"},
    "./.mcp.json": {"changelog", "memory", "mermaid-diagrams"},
    "./.vscode/mcp.json": {"stripe"},
    "./.cursor/mcp.json": {"payments-db"},
}


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    return build_sandbox(tmp_path_factory.mktemp("demo") / "machine")


def _git(sb: Sandbox, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    done = subprocess.run(
        ["git", "-C", str(sb.root), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def _claude_token(sb: Sandbox) -> str:
    data = json.loads((sb.home / ".claude.json").read_text(encoding="utf-8"))
    token = data["mcpServers"]["github"]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"]
    assert isinstance(token, str)
    return token


def test_builds_fast_in_an_empty_directory(tmp_path: Path) -> None:
    start = time.perf_counter()
    sb = build_sandbox(tmp_path / "machine")
    assert time.perf_counter() - start < 2
    assert sb.home == sb.base / "home" / "alex"
    assert sb.root == sb.home / "src" / "payments-api"
    assert 4 <= len(sb.story) <= 9
    assert all(line and "\n" not in line for line in sb.story)


def test_discovery_finds_every_planted_server(sb: Sandbox) -> None:
    scopes = Scopes(home=sb.home, root=sb.root)
    files = discover(scopes)
    assert [f.path for f in files if f.error] == []
    found = {scopes.display(f.path): {s.name for s in f.servers} for f in files}
    assert found == EXPECTED
    assert len(found) >= 8
    poisoned = next(s for f in files for s in f.servers if s.name == sb.planted["poisoned_server"])
    assert str(poisoned.path) == sb.planted["poisoned_config"]
    assert poisoned.description == sb.planted["poisoned_description"]
    assert is_poisoned(poisoned.description)


def test_token_is_checksum_valid_and_only_in_claude_json(sb: Sandbox) -> None:
    token = _claude_token(sb)
    assert token.startswith("ghp_")
    hits = find_secrets(token, "GITHUB_PERSONAL_ACCESS_TOKEN")
    assert [(h.provider, h.confidence) for h in hits] == [("github-classic", "high")]
    assert fingerprint(token) == sb.planted["leaked_token_fingerprint"]
    assert token not in "\n".join(sb.story) and token not in repr(sb.planted)
    holders = [
        path
        for path in sb.base.rglob("*")
        if path.is_file() and token.encode() in path.read_bytes()
    ]
    assert holders == [sb.home / ".claude.json"]


def test_the_linear_key_is_only_in_zshenv_and_the_config_refers_to_it(sb: Sandbox) -> None:
    from mcpir.demo.sandbox import linear_key

    key = linear_key()
    assert key.startswith("lin_api_") and len(key) == 48
    assert key != linear_key(7)
    holders = [p for p in sb.base.rglob("*") if p.is_file() and key.encode() in p.read_bytes()]
    assert holders == [sb.home / ".zshenv"]
    data = json.loads((sb.home / ".claude.json").read_text(encoding="utf-8"))
    assert data["mcpServers"]["linear"] == {
        "type": "http",
        "url": sb.planted["remote_url"],
        "headers": {"Authorization": "Bearer ${LINEAR_API_KEY}"},
    }
    assert key not in "\n".join(sb.story) and key not in repr(sb.planted)


def test_file_modes_and_encoding(sb: Sandbox) -> None:
    for path in sb.base.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(sb.base).parts:
            private = {sb.home / ".claude.json", sb.home / ".zshenv"}  # a token, a key
            expected = 0o600 if path in private else 0o644
            assert path.stat().st_mode & 0o777 == expected, path
            path.read_text(encoding="utf-8")


def test_git_history_has_the_unauthorized_commit_merged_into_main(sb: Sandbox) -> None:
    log = _git(sb, "log", "--format=%H|%an <%ae>|%cn|%P|%s", "main").splitlines()
    assert len(log) == 5
    merge, unauthorized, removed, added, first = (line.split("|") for line in log)
    assert merge[0] == sb.planted["merge_commit"]
    assert merge[1] == "Alex Moreau <alex@payments.example>"
    assert merge[3].split() == [removed[0], unauthorized[0]]  # --no-ff: two parents
    assert (added[0], removed[0]) == (
        sb.planted["leaked_token_added_in"],
        sb.planted["leaked_token_removed_in"],
    )
    assert unauthorized[0] == sb.planted["unauthorized_commit"]
    assert unauthorized[1] == sb.planted["unauthorized_author"]
    assert first[1] == "Alex Moreau <alex@payments.example>"
    changed = _git(sb, "show", "--name-only", "--format=", unauthorized[0]).split()
    assert changed == [".mcp.json"]
    assert "/.mcp.json          @alex" in (sb.root / "CODEOWNERS").read_text(encoding="utf-8")
    assert _git(sb, "status", "--porcelain") == ""
    assert _git(sb, "branch", "--show-current").strip() == "main"
    load_policy(sb.root)  # the committed .mcpir.toml is a valid policy


def test_audit_flags_exactly_the_planted_change(sb: Sandbox) -> None:
    from mcpir.audit.run import AuditRequest, run_audit

    report = run_audit(AuditRequest(sb.root))
    assert [c.commit for c in report.unauthorized] == [sb.planted["unauthorized_commit"]]
    change = report.unauthorized[0]
    assert f"{change.author} <{change.author_email}>" == sb.planted["unauthorized_author"]
    assert change.reached.merge == sb.planted["merge_commit"]
    assert change.reached.via == "pull-request"
    assert [(d.server, d.change) for d in change.diff] == [(sb.planted["poisoned_server"], "added")]
    assert "prompt-injection" in {f.rule_id for f in change.findings}
    assert len(report.changes) > 1  # Alex's own changes pass
    [secret] = report.secrets  # the token Alex committed and took out the next commit
    assert secret.fingerprint == sb.planted["leaked_token_fingerprint"]
    assert secret.path == ".cursor/mcp.json"
    assert secret.added_in == sb.planted["leaked_token_added_in"]
    assert secret.removed_in == sb.planted["leaked_token_removed_in"]


def test_same_seed_same_machine(sb: Sandbox, tmp_path: Path) -> None:
    again = build_sandbox(tmp_path / "again")
    same = ("unauthorized_commit", "merge_commit", "leaked_token_fingerprint", "session_id")
    assert {k: again.planted[k] for k in same} == {k: sb.planted[k] for k in same}
    other = build_sandbox(tmp_path / "other", seed=7)
    assert other.planted["leaked_token_fingerprint"] != sb.planted["leaked_token_fingerprint"]


def _transcript(sb: Sandbox) -> list[dict[str, Any]]:
    path = Path(sb.planted["transcript"])
    # Claude Code's rule: every character outside [A-Za-z0-9] becomes "-" (not only "/").
    slug = re.sub(r"[^A-Za-z0-9]", "-", str(sb.root))
    assert path.parent == sb.home / ".claude" / "projects" / slug
    assert path.name == f"{sb.planted['session_id']}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_transcript_shows_cross_tool_exfiltration(sb: Sandbox) -> None:
    lines = _transcript(sb)
    assert 10 <= len(lines) <= 20
    now = datetime.now(UTC)
    parent = None
    for line in lines:
        assert {"type", "uuid", "parentUuid", "sessionId", "cwd", "timestamp", "message"} <= set(
            line
        )
        assert line["parentUuid"] == parent and line["sessionId"] == sb.planted["session_id"]
        assert line["cwd"] == str(sb.root)
        when = datetime.fromisoformat(line["timestamp"])
        assert now - timedelta(days=2) < when < now
        parent = line["uuid"]
    calls = [
        (index, block)
        for index, line in enumerate(lines)
        if line["type"] == "assistant"
        for block in line["message"]["content"]
        if block["type"] == "tool_use"
    ]
    names = [block["name"] for _, block in calls]
    assert names == [
        "mcp__github__get_file_contents",
        "mcp__github__get_file_contents",
        "mcp__mermaid-diagrams__render_diagram",
        "Bash",
    ]
    for index, block in calls:
        result = lines[index + 1]["message"]["content"][0]
        assert result["type"] == "tool_result" and result["tool_use_id"] == block["id"]
    read_index, read = calls[1]
    _, exfil = calls[2]
    assert read["input"]["path"] == sb.planted["exfiltrated_file"]
    assert exfil["id"] == sb.planted["exfiltration_tool_use_id"]
    source = (sb.root / sb.planted["exfiltrated_file"]).read_text(encoding="utf-8")
    answer = lines[read_index + 1]["message"]["content"][0]["content"][0]["text"]
    assert json.loads(answer)["content"] == source
    assert source in exfil["input"]["source"]
    assert sb.planted["canary"] in exfil["input"]["diagram"]


def test_nothing_written_outside_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_home = tmp_path / "real-home"
    real_home.mkdir()
    monkeypatch.setenv("HOME", str(real_home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(real_home / ".config"))
    monkeypatch.chdir(tmp_path)
    build_sandbox(tmp_path / "machine")
    assert list(real_home.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["machine", "real-home"]


def test_refuses_a_non_empty_base(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(McpirError, match="not an empty directory"):
        build_sandbox(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_missing_git_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(McpirError, match="git is needed") as raised:
        build_sandbox(tmp_path / "machine")
    assert raised.value.hint == "apt-get install git"
    assert not (tmp_path / "machine").exists()


# What each follow-up may exit with, as documented (README, `mcpir COMMAND --help`): never a
# usage error, a failure, or "command not found".
DOCUMENTED = {
    "servers": {0, 1},
    "audit": {0, 1},
    "investigate": {0, 1},
    "posture": {0, 1},
    "report": {0},
    "restore": {0, 1},
    "close": {0},
    "respond": {0, 1},
    "scan": {1},  # `scan --live` finds what the `changelog` server advertises
}
TAKES_HOME = {"servers", "audit", "investigate", "posture", "respond", "scan"}


def _printed_follow_ups(stdout: str) -> list[str]:
    """The indented lines of the demo's "try next" block, as printed."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("try next"))
    block = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        if line.startswith("  "):
            block.append(line.strip())
    return block


def test_every_printed_follow_up_runs_as_printed_from_a_fresh_shell(tmp_path: Path) -> None:
    """Each command the demo prints is run exactly as printed: split as a shell splits it, from
    another directory, with only the printed export and an empty HOME (no PATH: the printed
    mcpir is an absolute path). Each exits with a documented code, and nothing outside the
    sandbox is read from a user's home or written."""
    script = Path(sys.executable).parent / "mcpir"  # this venv's console script, as installed
    mcpir = [str(script)] if script.is_file() else [sys.executable, "-m", "mcpir"]
    base, home, cwd = tmp_path / "demo", tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    cwd.mkdir()
    fresh = {"HOME": str(home)}
    if "PYTHONPATH" in os.environ:  # the source tree under test, when it is not installed
        fresh["PYTHONPATH"] = os.environ["PYTHONPATH"]
    demo = subprocess.run([*mcpir, "demo", "--dir", str(base)], cwd=cwd, env=fresh,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    sandbox = base.resolve()
    printed = _printed_follow_ups(demo.stdout)
    env = dict(fresh)
    ran: list[str] = []
    for line in printed:
        words = shlex.split(line)
        if words[:1] == ["export"]:
            name, _, value = words[1].partition("=")
            env[name] = value
            assert Path(value).is_relative_to(sandbox), line
            continue
        if words[:2] == ["rm", "-rf"]:
            assert words[2:] == [str(sandbox)], line
            continue
        assert Path(words[0]).is_absolute(), f"needs PATH: {line}"
        command = next(word for word in words if word in DOCUMENTED)
        # Every command names the sandbox, so nothing of the user's own is read.
        assert str(sandbox / "home" / "alex" / "src" / "payments-api") in words, line
        if command in TAKES_HOME:
            assert words[words.index("--home") + 1] == str(sandbox / "home" / "alex"), line
        done = subprocess.run(words, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        assert done.returncode in DOCUMENTED[command], (line, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        ran.append(command)
    assert set(ran) == set(DOCUMENTED), ran  # the incident's restore and close included
    assert "MCPIR_HOME" in env
    # Nothing outside the sandbox: the empty home, the directory they ran in, the temp dir.
    assert list(home.rglob("*")) == [] and list(cwd.rglob("*")) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo", "elsewhere", "home"]


def test_scan_live_finds_the_changelog_servers_poison_and_leaves_nothing_running(
    sb: Sandbox, tmp_path: Path
) -> None:
    """The demo's printed `scan --live` command, against a built sandbox: the poisoned
    description and the poisoned default are found, each naming its field, and the server it
    started is gone afterwards."""
    import psutil

    env = {**os.environ, "MCPIR_HOME": str(tmp_path / "state")}
    argv = [sys.executable, "-m", "mcpir", "scan", "--live", "--server", "changelog", "--yes"]
    argv += ["--home", str(sb.home), "--root", str(sb.root), "--json"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    found = {
        (f["rule"], f["tool"])
        for f in json.loads(done.stdout)["findings"]
        if f["server"] == sb.planted["live_server"]
    }
    assert ("prompt-injection", "draft_release_notes") in found
    assert ("prompt-injection", "draft_release_notes.inputSchema.properties.style.default") in found
    left = []
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
        except psutil.Error:  # pragma: no cover - gone meanwhile
            continue
        if "changelog_server.py" in cmdline and proc.info["cwd"] == str(sb.root):
            left.append(proc.pid)
    assert left == []
