"""`mcpir investigate` on transcripts written from each client's documented record shapes."""

from __future__ import annotations

import json
import os
import pkgutil
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

import mcpir.investigate.detectors as detectors_package
import mcpir.investigate.readers as readers_package
from mcpir.config.project import Policy
from mcpir.core.errors import UsageError
from mcpir.core.paths import Scopes
from mcpir.investigate import InvestigateRequest, investigate, parse_since
from mcpir.investigate.detectors import DETECTORS
from mcpir.investigate.detectors.base import Context
from mcpir.investigate.events import Call, Event, Malformed, Message, ToolChange
from mcpir.investigate.readers import (
    READERS,
    claude_code,
    claude_desktop,
    codex,
    gemini,
    invocations,
)
from mcpir.investigate.readers.base import Reader
from tests.conftest import CANARY, FIXTURES, RunCli

TRANSCRIPTS = FIXTURES / "transcripts"
HOME, ROOT = TRANSCRIPTS / "home", TRANSCRIPTS / "root"
INCIDENT = HOME / ".claude/projects/-home-dev-app/5b1e0f2a-9c3d-4e5f-8a7b-6c5d4e3f2a1b.jsonl"
BURST = HOME / ".claude/projects/-home-dev-app/7c2d1e0f-aaaa-4bbb-8ccc-dddddddddddd.jsonl"
PROXY_LOG = ROOT / ".atom-trail/mcp-invocations/2026-11-22.jsonl"
SINCE = "2026-11-15"
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _run(
    run_cli: RunCli, *extra: str | Path, home: Path = HOME, root: Path = ROOT
) -> dict[str, Any]:
    result = run_cli("investigate", "--home", home, "--root", root, "--json", *extra)
    assert result.code in {0, 1}, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    assert CANARY not in result.stdout + result.stderr
    return document


def _by_rule(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for row in document["findings"]:
        found.setdefault(row["rule"].removeprefix("investigate/"), []).append(row)
    return found


def test_every_planted_pattern_is_found_with_file_line_session_and_time(run_cli: RunCli) -> None:
    document = _run(run_cli, "--since", SINCE)
    found = _by_rule(document)
    assert set(found) == {
        "cross-tool-flow", "secret-in-call", "flagged-server-call", "new-domain",
        "outbound-email", "echoed-instruction", "tool-changed", "volume-anomaly",
    }  # fmt: skip
    for row in document["findings"]:
        assert row["path"] and row["line"] and row["session"] and row["time"], row
    flow = found["cross-tool-flow"]
    assert [(f["path"], f["line"], f["severity"], f["server"]) for f in flow] == [
        (str(INCIDENT), 5, "high", "mermaid")
    ]
    assert "returned by github.get_file_contents" in flow[0]["message"]
    assert flow[0]["evidence"].startswith("e.g. …(sha256:")
    secrets = {(f["line"], f["severity"]) for f in found["secret-in-call"]}
    assert secrets == {(2, "medium"), (8, "high")}
    assert [f["line"] for f in found["echoed-instruction"]] == [7]
    assert [f["server"] for f in found["flagged-server-call"]] == ["mermaid"]
    assert found["outbound-email"][0]["message"].startswith("e-mail address ops@exfil-mail.example")
    assert "evil-diagrams.example" in found["new-domain"][0]["message"]
    changed = found["tool-changed"][0]
    assert (changed["path"], changed["line"], changed["severity"]) == (str(PROXY_LOG), 3, "high")
    assert "1 call to it followed" in changed["message"]
    volume = [f["message"] for f in found["volume-anomaly"]]
    assert any("tool calls on 2026-11-21" in m for m in volume)
    assert any("at 02h UTC" in m for m in volume)


def test_every_source_is_read_and_malformed_lines_are_counted(run_cli: RunCli) -> None:
    document = _run(run_cli, "--since", SINCE)
    sources = {s["source"]: (s["files"], s["calls"]) for s in document["sources"]}
    # Codex logs one call as a function_call and as mcp_tool_call_begin/_end: counted once.
    assert sources == {
        "claude-code": (18, 67), "codex": (1, 2), "gemini": (1, 2), "claude-desktop": (1, 1),
        "mcpir-proxy": (1, 2),
    }  # fmt: skip
    assert document["malformed"] == {
        "count": 6,
        "first": f"{INCIDENT}:12",
        "reason": "not JSON",
    }


def test_table_output_summary_and_malformed_note(run_cli: RunCli) -> None:
    result = run_cli("investigate", "--home", HOME, "--root", ROOT, "--since", SINCE)
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["severity", "time", "finding"]
    # A row is its first line and the indented ones under it (its rule, session and place).
    end = lines.index("")  # the summary follows the table
    starts = [i for i, line in enumerate(lines[:end]) if i and not line[0].isspace()]
    rows = [(lines[i].split()[:2], " ".join(lines[i:j])) for i, j in pairwise([*starts, end])]
    assert (["high", "2026-11-20T02:00:30Z"], True) in [
        (row, "investigate/cross-tool-flow, session" in text) for row, text in rows
    ]
    assert len(rows) == len(_run(run_cli, "--since", SINCE)["findings"])
    assert "session 4242-1795334400" in result.stdout  # whole: no longer cut to 12 characters
    assert "\x1b" not in result.stdout  # not a terminal: no escape code
    assert "74 tool calls (42 since 2026-11-15T00:00:00Z)" in result.stdout
    assert "6 malformed lines skipped (first: ~/.claude/projects/-home-dev-app/" in result.stderr
    assert "reading transcripts" not in result.stdout  # the progress bar never goes to stdout
    assert CANARY not in result.stdout + result.stderr


def test_nothing_found_exits_0(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "root").mkdir()
    result = run_cli(
        "investigate", "--home", tmp_path / "home", "--root", tmp_path / "root", "--since", "7d"
    )
    assert result.code == 0, result.stdout
    assert "0 tool calls" in result.stdout and result.stderr == ""
    # A window after every event: history only, nothing to report.
    assert _run(run_cli, "--since", "2026-11-23")["findings"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", datetime(2026, 11, 19, 6, 0, tzinfo=UTC)),
        ("12h", datetime(2026, 11, 25, 18, 0, tzinfo=UTC)),
        ("2w", datetime(2026, 11, 12, 6, 0, tzinfo=UTC)),
        ("30m", datetime(2026, 11, 26, 5, 30, tzinfo=UTC)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T10:00:00+01:00", datetime(2026, 11, 1, 9, 0, tzinfo=UTC)),
        ("", None),
    ],
)
def test_since_forms(text: str, expected: datetime | None) -> None:
    assert parse_since(text, NOW) == expected


def test_bad_since_is_one_line_exit_2(run_cli: RunCli) -> None:
    with pytest.raises(UsageError):
        parse_since("last tuesday", NOW)
    result = run_cli("investigate", "--home", HOME, "--root", ROOT, "--since", "soon")
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--since 'soon'" in result.stderr


def test_burst_of_calls_right_after_a_config_change(run_cli: RunCli, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(ROOT, root)
    changed = datetime(2026, 11, 21, 8, 59, tzinfo=UTC).timestamp()
    os.utime(root / ".mcp.json", (changed, changed))
    bursts = _by_rule(_run(run_cli, "--since", SINCE, root=root))["burst-after-config-change"]
    assert len(bursts) == 1
    assert bursts[0]["path"] == str(BURST) and bursts[0]["line"] == 2
    assert "30 tool calls within 15 minutes after" in bursts[0]["message"]


class _Recorder:
    def __init__(self) -> None:
        self.total = self.done = 0
        self.stopped = False

    def started(self, what: str, total: int | None) -> None:
        self.total = total or 0

    def advanced(self, count: int) -> None:
        self.done += count

    def step(self, text: str) -> None:
        pass

    def finished(self) -> None:
        self.stopped = True

    def outcome(self, status: str, summary: str, details: Sequence[str], body: str) -> None:
        pass


def test_progress_counts_every_byte() -> None:
    sink = _Recorder()
    scopes = Scopes(home=HOME, root=ROOT)
    investigate(InvestigateRequest(scopes, progress=sink, run_scan=False), Policy())
    files = [p for r in READERS for p in r.files(scopes)]
    assert sink.total == sum(p.stat().st_size for p in files) == sink.done and sink.stopped


def _events(reader: Reader, path: Path) -> list[Event]:
    return list(reader.read(path, lambda n: None))


def test_claude_code_links_results_by_tool_use_id() -> None:
    events = _events(claude_code.READER, INCIDENT)
    calls = [e for e in events if isinstance(e, Call)]
    first = calls[0]
    assert (first.server, first.tool, first.origin.line) == ("github", "get_file_contents", 2)
    assert first.result is not None and "SIGNING_SALT" in first.result
    assert first.origin.session == "5b1e0f2a-9c3d-4e5f-8a7b-6c5d4e3f2a1b"
    bash = [c for c in calls if c.tool == "Bash"]
    assert bash and bash[0].server is None and bash[0].result == "README.md"
    assert [e.origin.line for e in events if isinstance(e, Malformed)] == [12, 13, 16]
    assert any(isinstance(e, Message) and "As instructed" in e.text for e in events)


def test_other_readers() -> None:
    (rollout,) = codex.READER.files(Scopes(home=HOME, root=None))
    calls = [e for e in _events(codex.READER, rollout) if isinstance(e, Call)]
    assert [(c.server, c.tool) for c in calls] == [("docs", "search"), (None, "shell")]
    assert calls[0].arguments == {"query": "webhook retries"} and "exponentially" in str(
        calls[0].result
    )
    assert calls[0].origin.session == "0199a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"
    gem = gemini.Gemini()
    (chat,) = gem.files(Scopes(home=HOME, root=None))
    calls = [e for e in _events(gem, chat) if isinstance(e, Call)]
    assert [(c.server, c.tool, c.result) for c in calls] == [
        ("weather", "get_forecast", "Sunny, 18C"), (None, "read_file", ""),
    ]  # fmt: skip
    assert calls[0].origin.line > 1 and calls[0].origin.session == "gem-4f1c"
    (log,) = claude_desktop.READER.files(Scopes(home=HOME, root=None))
    calls = [e for e in _events(claude_desktop.READER, log) if isinstance(e, Call)]
    assert [(c.server, c.tool, c.origin.line) for c in calls] == [
        ("github", "search_repositories", 2)
    ]
    assert calls[0].result == "acme/app: https://github.com/acme/app"
    events = _events(invocations.READER, PROXY_LOG)
    assert [type(e).__name__ for e in events] == ["Call", "ToolChange", "Call", "Malformed",
                                                  "Malformed"]  # fmt: skip
    change = events[1]
    assert isinstance(change, ToolChange) and change.rules == ("prompt-injection",)


def test_every_reader_and_detector_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(readers_package.__path__)} - {"base"}
    # Every module registers its reader(s); one module may serve several clients (Cline, Roo…).
    assert {type(reader).__module__.rsplit(".", 1)[-1] for reader in READERS} == modules
    names = {reader.name for reader in READERS}
    assert len(names) == len(READERS)
    modules = {m.name for m in pkgutil.iter_modules(detectors_package.__path__)} - {"base"}
    made = {make(Context(since=None)).name for make in DETECTORS}
    assert len(DETECTORS) == len(modules) == len(made)


def test_progress_bar_goes_to_a_terminal_stderr_never_to_stdout() -> None:
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mcpir", "investigate", "--home", str(HOME), "--root",
             str(ROOT), "--since", SINCE, "--json"],
            stdout=subprocess.PIPE, stderr=follower, check=False, timeout=60,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        )  # fmt: skip
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 1
    json.loads(done.stdout)  # stdout is the JSON document alone
    assert b"reading transcripts" in seen and b"malformed lines skipped" in seen
