"""Cline, Roo Code and Kilo Code task logs (`ui_messages.json`), from cline/cline's ClineMessage
shape, in the VS Code-family user dirs of the macOS, Linux and Windows layouts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.core.paths import Scopes
from mcpir.investigate.events import Call, Event, Malformed, Message
from mcpir.investigate.readers import READERS, cline
from tests.conftest import CANARY, FIXTURES, RunCli

HOME = FIXTURES / "transcripts" / "vscode-home"
TASKS = "User/globalStorage/saoudrizwan.claude-dev/tasks"
CLINE_TASK = HOME / ".config/Code" / TASKS / "1795514400000/ui_messages.json"
ROO_TASK = next(HOME.glob("Library/Application Support/Code - Insiders/User/*/*/tasks/*/*"))


def _events(reader: cline.VscodeTasks, path: Path) -> list[Event]:
    return list(reader.read(path, lambda n: None))


def test_registered_and_found_in_every_layout() -> None:
    assert {cline.CLINE, cline.ROO, cline.KILO} <= set(READERS)
    scopes = Scopes(home=HOME, root=None)
    found = {r.name: [p.relative_to(HOME).parts[0] for p in r.files(scopes)]
             for r in (cline.CLINE, cline.ROO, cline.KILO)}  # fmt: skip
    assert found == {
        "cline": [".config", ".config", ".config"],  # Code, VSCodium, Windsurf (Linux)
        "roo": [".vscode-server", "Library"],  # a remote (SSH) window; Insiders (macOS)
        "kilo": ["AppData"],  # Cursor (Windows)
    }


def test_calls_results_and_malformed_messages() -> None:
    events = _events(cline.CLINE, CLINE_TASK)
    calls = [e for e in events if isinstance(e, Call)]
    assert [(c.server, c.tool) for c in calls] == [
        ("github", "get_file_contents"),
        ("diagrams", "render_diagram"),  # auto-approved: a `say`
        ("github", "resources/read"),
    ]
    first = calls[0]
    assert first.arguments == {"owner": "acme", "repo": "payments", "path": "config/signing.yaml"}
    assert first.result is not None and "sk_sig_7Qm2" in first.result and not first.is_error
    assert first.origin.session == "1795514400000"
    assert first.origin.ts is not None
    assert first.origin.ts.isoformat() == "2026-11-24T10:00:03+00:00"
    assert calls[2].is_error and calls[2].arguments == {"uri": "repo://acme/payments/README.md"}
    assert "delete_repo" not in {c.tool for c in calls}  # a partial message is no call
    reasons = [e.reason for e in events if isinstance(e, Malformed)]
    assert reasons == [
        "message 9: not a JSON object",
        "message 10: use_mcp_server text is not a JSON object",
        "message 11: use_mcp_server without a serverName",
        "message 12: use_mcp_tool without a toolName",
    ]
    said = [e.text for e in events if isinstance(e, Message)]
    assert said[0].startswith("I'll read") and said[-1].startswith("Done")


def test_pretty_printed_file_has_real_lines_and_a_denied_call_has_no_result() -> None:
    calls = [e for e in _events(cline.ROO, ROO_TASK) if isinstance(e, Call)]
    assert [(c.tool, c.result) for c in calls] == [("get_forecast", "Sunny, 21C"),
                                                   ("get_alerts", None)]  # fmt: skip
    text = ROO_TASK.read_text().splitlines()
    for call in calls:
        assert f'"ts": {int(call.origin.ts.timestamp() * 1000)}' in text[call.origin.line - 1]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'[{"ts":1,"say":"text","text":"\xff"}]', "not UTF-8"),
        (b'{"messages": []}', "not a JSON array of messages"),
        (b"[{", "not JSON"),
    ],
)
def test_bad_files_are_one_malformed_event(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "t1" / "ui_messages.json"
    path.parent.mkdir()
    path.write_bytes(content)
    assert [(type(e).__name__, getattr(e, "reason", "")) for e in _events(cline.CLINE, path)] == [
        ("Malformed", reason)
    ]


def test_a_linked_tasks_dir_leaving_home_is_not_read(tmp_path: Path) -> None:
    home, outside = tmp_path / "home", tmp_path / "outside"
    (outside / "t1").mkdir(parents=True)
    (outside / "t1" / "ui_messages.json").write_text("[]")
    storage = home / ".config/Code/User/globalStorage/saoudrizwan.claude-dev"
    storage.mkdir(parents=True)
    os.symlink(outside, storage / "tasks")
    assert cline.CLINE.files(Scopes(home=home, root=None)) == []


def test_cli_finds_the_planted_cross_tool_flow(run_cli: RunCli) -> None:
    result = run_cli("investigate", "--home", HOME, "--root", FIXTURES / "empty", "--since",
                     "2026-11-01", "--json")  # fmt: skip
    assert result.code == 1, result.stderr
    document = json.loads(result.stdout)
    assert {s["source"]: s["calls"] for s in document["sources"]} == {
        "cline": 3, "roo": 3, "kilo": 1,
    }  # fmt: skip
    flows = [f for f in document["findings"] if f["rule"] == "investigate/cross-tool-flow"]
    assert len(flows) == 1 and flows[0]["severity"] == "high"
    assert flows[0]["session"] == "1795514400000" and flows[0]["time"] == "2026-11-24T10:00:06Z"
    assert "sk_sig_7Qm2" not in result.stdout + result.stderr
    assert CANARY not in result.stdout + result.stderr
    (secret,) = [f for f in document["findings"] if f["rule"] == "investigate/secret-in-call"]
    assert (secret["session"], secret["client"], secret["tool"]) == (
        "kilo-task-1", "kilo", "create_entities",
    )  # fmt: skip
    assert document["malformed"]["count"] == 6


@settings(max_examples=150, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["ts", "type", "ask", "say", "text", "partial"]), inner, max_size=5),
    max_leaves=20,
))  # fmt: skip
def test_any_json_never_raises(document: object) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "ui_messages.json"
        path.write_text(json.dumps(document))
        for event in _events(cline.CLINE, path):
            assert isinstance(event, Call | Message | Malformed)
