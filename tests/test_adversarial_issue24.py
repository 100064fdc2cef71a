"""Red team on issue 24: `servers --all-users` on a hostile fake root, `org merge` of crafted
result files, `org repos` against a GitHub that answers badly, `mcpir action` with a crafted
event file and job summary. Each test is one problem found, and what it must do now."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mcpir.discovery import all_users
from tests.conftest import RunCli

CANARY = "ghp_" + "Zq8RtY3uWx5vB7nM1kL9pO2iU4yT6rE0wQ3s"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# --- org merge: a crafted result file ---------------------------------------------------------


def _hostile_result(path: Path) -> None:
    nested = {"deep": [{"token": CANARY}], CANARY: 1}
    doc = {
        "kind": "mcpir-result", "version": 1,
        "repository": "acme/[docs](https://evil.example)\n\x1b[31m",
        "commit": "c" * 40, "event": "schedule",
        "servers": [{"client": "claude-code", "name": f"s {CANARY}", "transport": "stdio",
                     "path": ".mcp.json", "line": 1, "command": f"npx {CANARY}",
                     "args": ["--token", CANARY], "env_keys": ["T"], "extra": nested,
                     "url": f"https://u:{CANARY}@h.example/"}],
        "findings": [{"rule": "hardcoded-secret", "severity": "high", "message": f"m {CANARY}",
                      "path": "a\n" + CANARY, "line": 2, "server": "s",
                      "evidence": f"token={CANARY}", "tool": "\\[x\\](https://evil.example)"}],
        "audit": {"unauthorized": [{"commit": "c", "author": f"eve {CANARY}", "path": "x",
                                    "status": "added"}],
                  "secrets": [{"provider": "github", "fingerprint": CANARY, "path": "x",
                               "added_in": "c"}]},
        "posture": None, "errors": [f"e {CANARY}"],
    }  # fmt: skip
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize("fmt", ["markdown", "json", "sarif", "cyclonedx"])
def test_org_merge_redacts_every_text_of_a_crafted_result(
    run_cli: RunCli, tmp_path: Path, fmt: str
) -> None:
    # Found: `--format json` passed server names, commands, args, messages, evidence and
    # fingerprints through unredacted (the other formats redacted on the way out).
    _hostile_result(tmp_path / "r.json")
    result = run_cli("org", "merge", tmp_path / "r.json", "--format", fmt, "--exit-zero")
    assert result.code == 0, result.stderr
    assert CANARY[4:20] not in result.stdout + result.stderr


def test_org_merge_markdown_makes_no_link_from_a_name(run_cli: RunCli, tmp_path: Path) -> None:
    # Found: `[text](url)` in a repository name or a finding rendered as a live link (or an
    # image) in the job summary; a backslash before the bracket undid an escape.
    _hostile_result(tmp_path / "r.json")
    result = run_cli("org", "merge", tmp_path / "r.json", "--exit-zero")
    text = result.stdout
    assert "evil.example" in text
    for line in text.splitlines():
        where = line.find("](https://evil")
        if where >= 0:
            before = line[:where]
            backslashes = len(before) - len(before.rstrip("\\"))
            assert backslashes % 2 == 1, line  # the bracket is escaped, not a backslash


# --- servers --all-users: a hostile fake root ---------------------------------------------------


@pytest.fixture
def fake_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="mcpir-rt24-"))
    (root / "etc").mkdir()
    (root / "home" / "alice").mkdir(parents=True)
    (root / ".claude.json").write_text('{"mcpServers": {"top": {"command": "x"}}}')
    yield root
    subprocess.run(["rm", "-rf", str(root)], check=False)  # noqa: S603, S607


def test_all_users_passwd_with_a_nul_byte_does_not_crash(run_cli: RunCli, fake_root: Path) -> None:
    # Found: a home holding a NUL byte raised ValueError out of `lstat`: a traceback, and the
    # whole fleet's inventory lost for one line of /etc/passwd.
    (fake_root / "etc" / "passwd").write_bytes(
        b"nul:x:1003:1003::/home/a\x00b:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n"
    )
    result = run_cli("servers", "--all-users", "--json", "--system-root", fake_root)
    assert result.code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    json.loads(result.stdout)


@pytest.mark.parametrize("home", ["/.", "//", "/home/.."])
def test_all_users_a_home_spelled_as_the_root_is_not_read(
    run_cli: RunCli, fake_root: Path, home: str
) -> None:
    # Found: `/` was refused as a home, `/.` was not: the whole root read as one user's home.
    (fake_root / "etc" / "passwd").write_text(f"odd:x:1004:1004::{home}:/bin/sh\n")
    result = run_cli("servers", "--all-users", "--json", "--system-root", fake_root)
    assert "top" not in {row.get("name") for row in json.loads(result.stdout)}


def test_all_users_says_when_homes_were_left_out(
    monkeypatch: pytest.MonkeyPatch, fake_root: Path
) -> None:
    # Found: past MAX_HOMES the rest (the /home directories, listed after /etc/passwd) were
    # dropped silently: an inventory that looked complete.
    monkeypatch.setattr(all_users, "MAX_HOMES", 3)
    lines = [f"u{i}:x:{2000 + i}:100::/home/u{i}:/bin/sh" for i in range(5)]
    (fake_root / "etc" / "passwd").write_text("\n".join(lines) + "\n")
    found = all_users.homes(fake_root)
    assert any(h.error and "the rest not read" in h.error for h in found)


@pytest.mark.skipif(not IS_ROOT, reason="dropping to a home owner's ids needs root")
def test_all_users_reads_a_home_without_roots_supplementary_groups(tmp_path: Path) -> None:
    # Found: the owner's uid and gid were taken, but root's supplementary groups kept (wheel
    # and admin on macOS, root on Linux): a link or hard link planted in a home opened any file
    # those groups may read.
    tmp_path.chmod(0o755)
    secret = tmp_path / "group-root.json"
    secret.write_text('{"mcpServers": {"leaked": {"command": "x"}}}')
    secret.chmod(0o640)
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, 54321, 54321)
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from mcpir.discovery.all_users import _as_owner, _home\n"
        "os.setgroups([0])\n"
        f"home = _home('u', Path({str(home)!r}), '/')\n"
        "with _as_owner(home):\n"
        "    try:\n"
        f"        open({str(secret)!r}).read(); print('READ')\n"
        "    except PermissionError:\n"
        "        print('DENIED')\n"
        "print(os.getgroups() == [0] and os.geteuid() == 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)  # fmt: skip  # noqa: S603
    assert done.stdout.split() == ["DENIED", "True"], done.stderr


# --- org repos: a GitHub that answers badly --------------------------------------------------


Answer = Callable[[str, str], tuple[int, bytes, dict[str, str]]]


@pytest.fixture
def api() -> Iterator[Callable[[Answer], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                base = f"http://{self.headers.get('Host')}"
                status, body, headers = answer(base, self.path)
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _repo(base: str, n: int) -> dict[str, object]:
    return {"id": n, "name": f"r{n}", "full_name": f"acme/r{n}", "private": False,
            "archived": False, "fork": False, "default_branch": "main",
            "url": f"{base}/repos/acme/r{n}", "owner": {"login": "acme"}}  # fmt: skip


ANSWERS: dict[str, Answer] = {
    "403": lambda b, p: (403, json.dumps({"message": f"denied {CANARY}"}).encode(), {}),
    "404": lambda b, p: (404, b'{"message": "Not Found"}', {}),
    "not json": lambda b, p: (200, b'{"not json', {}),
    "html": lambda b, p: (200, b"<html>a proxy</html>", {"Content-Type": "text/html"}),
    "an object": lambda b, p: (200, b'{"message": "x"}', {}),
    "retry-after": lambda b, p: (403, b'{"message": "slow down"}', {"Retry-After": "99999999"}),
}


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_org_repos_a_bad_answer_is_one_line(
    api: Callable[[Answer], str], run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    # Found: 403 and 404 on the organization, an answer not JSON or not a list: each a
    # traceback (the 403 one carrying GitHub's message unredacted); a 403 with Retry-After
    # not taken as a secondary limit unless its message said so.
    monkeypatch.setenv("GITHUB_TOKEN", "x")
    url = api(ANSWERS[case])
    result = run_cli("org", "repos", "--org", "acme", "--api-url", url, "--json",
                     "--max-wait", "5", "--no-progress")  # fmt: skip
    assert result.code in (2, 3), result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert CANARY[4:20] not in result.stdout + result.stderr
    if case == "retry-after":
        assert "--max-wait" in result.stderr


def test_org_repos_a_listing_going_round_stops(
    api: Callable[[Answer], str], run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found: a server answering the same full page for every page number was read 1,000 times
    # (100,000 repositories, then a tree call for each); a bad tree answer was a traceback.
    def answer(base: str, path: str) -> tuple[int, bytes, dict[str, str]]:
        if "/git/trees/" in path:
            return 200, b"[]", {}
        return 200, json.dumps([_repo(base, n) for n in range(100)]).encode(), {}

    monkeypatch.setenv("GITHUB_TOKEN", "x")
    url = api(answer)
    result = run_cli("org", "repos", "--org", "acme", "--api-url", url, "--json",
                     "--no-progress")  # fmt: skip
    document = json.loads(result.stdout)
    assert result.code == 1, result.stderr
    assert document["listed"] == 100
    assert document["api_calls"] <= 110
    assert len(document["unreachable"]) == 100


# --- mcpir action: a crafted event file and job summary ----------------------------------------


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".mcp.json").write_text('{"mcpServers": {"s": {"command": "npx", "args": ["p"]}}}')
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_EVENT_PATH", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return repo


def test_action_event_file_that_is_a_fifo_does_not_hang(
    run_cli: RunCli, repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found: a FIFO named by GITHUB_EVENT_PATH blocked the job until its timeout.
    fifo = tmp_path / "event"
    os.mkfifo(fifo)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(fifo))
    result = run_cli("action", "--root", repository, "--event", "pull_request",
                     "--fail-on", "never")  # fmt: skip
    assert result.code == 2
    assert "not a regular file" in result.stderr


def test_action_summary_is_never_written_through_a_symlink(
    run_cli: RunCli, repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found: a link planted at $GITHUB_STEP_SUMMARY was followed: the summary appended to
    # whatever file it named. Now: not written, said, exit 3; a directory is no traceback.
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    link = tmp_path / "summary.md"
    link.symlink_to(victim)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(link))
    result = run_cli("action", "--root", repository, "--fail-on", "never")
    assert result.code == 3
    assert "job summary" in result.stderr and "not written" in result.stderr
    assert victim.read_text() == "untouched\n"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))
    result = run_cli("action", "--root", repository, "--fail-on", "never")
    assert result.code == 3 and "Traceback" not in result.stderr
