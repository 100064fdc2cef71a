"""`mcpir proxy --url` over streamable HTTP: a real SDK server on a local port (with and without
sessions), the SDK's client on the stdio side; records, pins, redaction, --block-changed, and
what passes through (progress, a server's request to the client, cancellation)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.proxy_remote_support import drive, records, server, trail_text
from tests.test_proxy_sdk import CALL_KEYS, TOKEN

pytest.importorskip("mcp", reason="the mcp SDK is in the test extra: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def stateful() -> Iterator[str]:
    with server("http") as url:
        yield url


@pytest.fixture(scope="module")
def stateless() -> Iterator[str]:
    with server("http", "--stateless", "--json") as url:
        yield url


async def _everything(session: Any) -> dict[str, Any]:  # noqa: ANN401 - mcp.ClientSession
    import mcp_types as types

    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    tools = await session.list_tools()
    added = await session.call_tool("add", {"a": 2, "b": 3})
    leaked = await session.call_tool("leak", {})
    counted = await session.call_tool("count", {"n": 3}, progress_callback=on_progress)
    big = await session.call_tool("big", {"n": 2_000_000})
    failed: str | None = None
    try:
        await session.call_tool("slow", {"s": 30}, read_timeout_seconds=1.0)
    except Exception as exc:  # noqa: BLE001 - the SDK's timeout: it cancels the request
        failed = type(exc).__name__
    after = await session.call_tool("echo", {"text": "still here"})
    del types
    return {
        "tools": [t.name for t in tools.tools],
        "added": added.content[0].text,
        "leaked": leaked.content[0].text,
        "counted": counted.content[0].text,
        "progress": progress,
        "big": len(big.content[0].text),
        "timed_out": failed,
        "after": after.content[0].text,
    }


@pytest.mark.parametrize("kind", ["stateful", "stateless"])
def test_relays_and_records_every_exchange(kind: str, request: pytest.FixtureRequest,
                                           tmp_path: Path) -> None:  # fmt: skip
    url = request.getfixturevalue(kind)
    errlog = tmp_path / "stderr.txt"
    seen = drive(tmp_path, url, _everything, errlog=errlog)
    assert seen["tools"] == ["add", "echo", "leak", "big", "count", "ask", "slow", "die",
                             "polled", "replays"]  # fmt: skip
    assert seen["added"] == "5" and seen["counted"] == "counted to 3"
    assert TOKEN in seen["leaked"]  # transparent without --redact-responses
    assert seen["big"] == 2_000_000
    assert seen["timed_out"] is not None and seen["after"] == "still here"
    if kind == "stateful":  # progress rides the POST's event stream; JSON answers carry none
        assert seen["progress"] == [1, 2, 3]

    got = records(tmp_path)
    calls = [r for r in got if r["type"] == "call"]
    assert {"initialize", "tools/list", "tools/call"} <= {r["method"] for r in calls}
    assert all(set(r) == CALL_KEYS for r in calls)
    tools = [r["tool"] for r in calls if r["method"] == "tools/call"]
    assert sorted(tools) == ["add", "big", "count", "echo", "leak", "slow"]
    listing = next(r for r in calls if r["method"] == "tools/list")
    assert listing["response_summary"]["excerpt"].startswith("10 tools: add, echo")
    slow = next(r for r in calls if r["tool"] == "slow")
    assert slow["is_error"] is True  # cancelled: never answered, or answered with an error
    notes = [(r["method"], r["direction"]) for r in got if r["type"] == "notification"]
    assert ("notifications/initialized", "client->server") in notes
    assert ("notifications/cancelled", "client->server") in notes
    if kind == "stateful":
        assert notes.count(("notifications/progress", "server->client")) == 3
    # Pinned on the first listing; no secret anywhere in the trail.
    pin = json.loads((tmp_path / ".atom-trail" / "tool-pins" / "remote.json").read_text())
    assert [t["name"] for t in pin["tools"]] == seen["tools"]
    assert TOKEN not in trail_text(tmp_path) and TOKEN[4:20] not in trail_text(tmp_path)
    assert "Traceback" not in errlog.read_text()


def test_a_request_from_the_server_reaches_the_client(stateful: str, tmp_path: Path) -> None:
    import mcp_types as types

    asked: list[str] = []

    async def elicit(context: Any, params: Any) -> Any:  # noqa: ANN401
        asked.append(params.message)
        return types.ElicitResult(action="accept", content={"name": "Ada"})

    async def body(session: Any) -> str:  # noqa: ANN401
        answer = await session.call_tool("ask", {})
        return str(answer.content[0].text)

    seen = drive(tmp_path, stateful, body, session_options={"elicitation_callback": elicit})
    assert seen == "hello Ada" and asked == ["Your name?"]
    calls = [r for r in records(tmp_path) if r["type"] == "call"]
    assert any(r["method"] == "elicitation/create" for r in calls)


def test_redact_responses_masks_what_the_server_sends(stateful: str, tmp_path: Path) -> None:
    async def body(session: Any) -> str:  # noqa: ANN401
        return str((await session.call_tool("leak", {})).content[0].text)

    seen = drive(tmp_path, stateful, body, "--redact-responses")
    assert TOKEN not in seen and "GITHUB_TOKEN=" in seen and "region=eu" in seen
    assert TOKEN not in trail_text(tmp_path)


def test_block_changed_hides_a_tool_changed_on_the_remote_server(tmp_path: Path) -> None:
    async def listing(session: Any) -> list[str]:  # noqa: ANN401
        return [t.name for t in (await session.list_tools()).tools]

    async def call_add(session: Any) -> str:  # noqa: ANN401
        try:
            return str(await session.call_tool("add", {"a": 1, "b": 1}))
        except Exception as exc:  # noqa: BLE001 - the SDK raises the proxy's JSON-RPC error
            return str(exc)

    with server("http") as url:
        assert "add" in drive(tmp_path, url, listing, "--block-changed")
    with server("http", env={"MCPIR_FIXTURE_RUG": "1"}) as url:
        assert "add" not in drive(tmp_path, url, listing, "--block-changed")
        refused = drive(tmp_path, url, call_add, "--block-changed")
    assert "blocked by mcpir" in refused
    changed = [r for r in records(tmp_path) if r["type"] == "tool_changed"]
    assert changed and changed[0]["tool"] == "add" and changed[0]["blocked"] is True
    assert any(f.startswith("prompt-injection/") for f in changed[0]["findings"])


def _proxy(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "mcpir", "proxy", *args], input=stdin,
                          capture_output=True, timeout=60, check=False)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--url", "http://127.0.0.1:9/mcp", "--", "echo"], "--url and a server command"),
        (["--url", "ftp://example.com/mcp"], "expected an http:// or https:// URL"),
        (["--url", "http://127.0.0.1:9/mcp", "--transport", "ws"], "invalid choice"),
        (["--header", "A: b", "--", "echo"], "--header go with --url"),
        (["--url", "http://127.0.0.1:9/mcp", "--header", "no colon"], "expected 'Name: value'"),
        (["--url", "http://127.0.0.1:9/mcp", "--header", "X-A: 1\r\nX-B: 2"], "line break"),
        (["--url", "http://127.0.0.1:9/mcp", "--header", "Mcp-Session-Id: 1"], "set by the MCP"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args: list[str], said: str, tmp_path: Path) -> None:
    done = _proxy("--root", str(tmp_path), *args)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert said in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / ".atom-trail").exists()


def test_a_header_reference_that_resolves_to_a_line_break_is_refused(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "EVIL": "x\r\nX-Injected: 1"}
    done = subprocess.run(
        [sys.executable, "-m", "mcpir", "proxy", "--root", str(tmp_path), "--url",
         "http://127.0.0.1:9/mcp", "--header", "Authorization: Bearer ${EVIL}"],
        capture_output=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 2 and b"line break" in done.stderr
    assert b"X-Injected" not in done.stderr
