"""`mcpir investigate` on what a 3 a.m. run meets: links out of --home, endless lines, odd
--since values. Each test here failed before its fix."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mcpir.core.paths import Scopes
from mcpir.investigate.events import Malformed
from mcpir.investigate.readers import base, claude_code
from tests.conftest import RunCli

LINE = json.dumps(
    {
        "type": "assistant",
        "sessionId": "s1",
        "timestamp": "2026-11-25T10:00:00Z",
        "message": {
            "content": [{"type": "tool_use", "id": "t1", "name": "mcp__gh__get", "input": {}}]
        },
    }
)


def _outside_session(tmp_path: Path) -> tuple[Path, Path]:
    home, outside = tmp_path / "home", tmp_path / "outside"
    (outside / "proj").mkdir(parents=True)
    (outside / "proj" / "s1.jsonl").write_text(LINE + "\n")
    return home, outside


def test_a_linked_project_dir_leaving_home_is_not_read(tmp_path: Path) -> None:
    home, outside = _outside_session(tmp_path)
    (home / ".claude/projects").mkdir(parents=True)
    os.symlink(outside / "proj", home / ".claude/projects/evil")
    assert claude_code.READER.files(Scopes(home=home, root=None)) == []


def test_a_linked_client_dir_leaving_home_is_not_read(tmp_path: Path) -> None:
    home, outside = _outside_session(tmp_path)
    (outside / "projects").mkdir()
    os.symlink(outside / "proj", outside / "projects" / "p")
    home.mkdir()
    os.symlink(outside, home / ".claude")
    assert claude_code.READER.files(Scopes(home=home, root=None)) == []


def test_a_link_inside_home_is_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "keep/proj").mkdir(parents=True)
    (home / "keep/proj/s1.jsonl").write_text(LINE + "\n")
    (home / ".claude/projects").mkdir(parents=True)
    os.symlink(home / "keep/proj", home / ".claude/projects/p")
    assert len(claude_code.READER.files(Scopes(home=home, root=None))) == 1


def test_an_endless_line_is_skipped_and_the_next_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "MAX_LINE", 64)
    path = tmp_path / "s1.jsonl"
    path.write_text("x" * 1000 + "\n" + "{}\n" + "y" * 200)
    seen: list[int] = []
    items = list(base.jsonl(path, "claude-code", seen.append))
    assert [(i.origin.line, i.reason) for i in items if isinstance(i, Malformed)] == [
        (1, "line over 0 MiB"),
        (3, "line over 0 MiB"),
    ]
    assert [i for i in items if not isinstance(i, Malformed)] == [(2, {})]
    assert sum(seen) == path.stat().st_size


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("2999-01-01", "in the future"),
        ("99999999999d", "too far back"),
        ("999999999w", "too far back"),
        ("\uff12d", "not a duration or a date"),
    ],
)
def test_bad_since_is_one_line_exit_2(
    run_cli: RunCli, tmp_path: Path, since: str, message: str
) -> None:
    result = run_cli("investigate", "--home", tmp_path, "--root", tmp_path, "--since", since)
    assert result.code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_gemini_settings_linked_to_a_device_is_not_read(tmp_path: Path) -> None:
    from mcpir.investigate.readers import gemini

    home = tmp_path / "home"
    (home / ".gemini").mkdir(parents=True)
    os.symlink("/dev/zero", home / ".gemini" / "settings.json")  # would never end
    assert gemini._servers(home) == []
    (home / ".gemini" / "settings.json").unlink()
    (home / ".gemini" / "settings.json").write_text('{"mcpServers": {"weather": {}}}')
    assert gemini._servers(home) == ["weather"]


NESTED = "[" * 100_000 + "]" * 100_000  # parses past Python's recursion limit


def test_json_nested_past_the_recursion_limit_is_malformed_not_a_traceback(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """A server's result (or a torn transcript) nested 100,000 deep made json.loads raise
    RecursionError, which is no ValueError: `mcpir investigate` died with a traceback."""
    project = tmp_path / ".claude/projects/-home-dev-app"
    project.mkdir(parents=True)
    result = {
        "type": "user",
        "sessionId": "s1",
        "timestamp": "2026-11-25T10:00:05Z",
        "message": {
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "content": [{"type": "text", "text": NESTED}],
                }
            ]
        },
    }
    (project / "s1.jsonl").write_text(f"{LINE}\n{json.dumps(result)}\n{NESTED}\n")
    found = run_cli("investigate", "--home", tmp_path, "--root", tmp_path, "--json", "--since", "")
    assert "Traceback" not in found.stderr and found.code in {0, 1}, found.stderr
    document = json.loads(found.stdout)
    assert document["calls"] == 1 and document["malformed"]["count"] == 1


@pytest.mark.parametrize("reader", ["codex", "cline"])
def test_nested_arguments_stay_text(reader: str) -> None:
    from importlib import import_module

    module = import_module(f"mcpir.investigate.readers.{reader}")
    assert module.arguments(NESTED) == NESTED
