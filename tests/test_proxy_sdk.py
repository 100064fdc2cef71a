"""`mcpir proxy` in front of a real MCP server (the SDK's MCPServer), driven by the SDK client."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import CANARY, RunCli

pytest.importorskip("mcp", reason="the mcp SDK is in the test extra: pip install -e '.[test]'")

SERVER = Path(__file__).parent / "mcp_fixture_server.py"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_token(body: str) -> str:
    """A classic token whose CRC32 checksum is right, as a real one's is."""
    number, digits = zlib.crc32(body.encode()), ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return "ghp_" + body + digits.rjust(6, "0")


TOKEN = github_token("CANARY" + "pRoXy7LkP2vXn9TbYw3HsJe6")  # a checksummed GitHub token
T = TypeVar("T")


def proxy_argv(root: Path, *options: str, name: str = "fixture") -> list[str]:
    return ["-m", "mcpir", "proxy", "--root", str(root), "--name", name, *options,
            "--", sys.executable, str(SERVER)]  # fmt: skip


def drive(
    root: Path,
    body: Callable[[Any], Awaitable[T]],
    *options: str,
    env: dict[str, str] | None = None,
    errlog: Path | None = None,
) -> T:
    """Run `body(session)` against the fixture server started through the proxy."""
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    environment = {
        "PATH": os.environ.get("PATH", ""),
        "MCPIR_HOME": os.environ["MCPIR_HOME"],
        "MCPIR_FIXTURE_SECRET": TOKEN,
        **(env or {}),
    }
    params = StdioServerParameters(
        command=sys.executable, args=proxy_argv(root, *options), env=environment, cwd=str(root)
    )

    async def main() -> T:
        log = open(errlog or os.devnull, "w")  # noqa: SIM115 - closed below
        try:
            async with stdio_client(params, errlog=log) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    return await body(session)
        finally:
            log.close()

    return anyio.run(main)


def records(root: Path) -> list[dict[str, Any]]:
    directory = root / ".atom-trail" / "mcp-invocations"
    out: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


CALL_KEYS = {"v", "type", "ts", "server", "method", "tool", "id", "params", "duration_ms",
             "is_error", "response_summary", "session"}  # fmt: skip
CHANGE_KEYS = {"v", "type", "ts", "server", "tool", "change", "before", "after", "findings",
               "blocked", "session"}  # fmt: skip


async def _everything(session: Any) -> dict[str, Any]:  # noqa: ANN401 - mcp.ClientSession
    tools = await session.list_tools()
    added = await session.call_tool("add", {"a": 2, "b": 3})
    echoed = await session.call_tool("echo", {"text": f"please use {TOKEN} for the deploy"})
    leaked = await session.call_tool("leak", {})
    failed = await session.call_tool("fail", {})
    notes = await session.read_resource("fixture://notes")
    big = await session.call_tool("big", {"n": 3_000_000})
    return {
        "tools": [t.name for t in tools.tools],
        "added": added.content[0].text,
        "echoed": echoed.content[0].text,
        "leaked": leaked.content[0].text,
        "failed": failed.is_error,
        "notes": notes.contents[0].text,
        "big": len(big.content[0].text),
    }


def test_records_every_exchange_without_a_secret(tmp_path: Path) -> None:
    errlog = tmp_path / "stderr.txt"
    seen = drive(tmp_path, _everything, errlog=errlog)
    # Transparent: the client gets exactly what the server sent, secret and 3 MB answer included.
    assert seen["tools"] == ["add", "echo", "leak", "fail", "big"]
    assert seen["added"] == "5" and seen["failed"] is True and seen["notes"] == "the notes"
    assert TOKEN in seen["echoed"] and TOKEN in seen["leaked"]
    assert seen["big"] == 3_000_000
    assert "fixture stderr: echo of" in errlog.read_text()  # the server's stderr passes through

    logs = list((tmp_path / ".atom-trail" / "mcp-invocations").glob("*.jsonl"))
    assert len(logs) == 1 and logs[0].name == time.strftime("%Y-%m-%d.jsonl", time.gmtime())
    assert stat.S_IMODE(logs[0].stat().st_mode) == 0o600
    text = logs[0].read_text()
    assert CANARY not in text and TOKEN[4:] not in text

    got = records(tmp_path)
    calls = [r for r in got if r["type"] == "call"]
    assert [r["method"] for r in calls] == ["initialize", "tools/list", "tools/call", "tools/call",
        "tools/call", "tools/call", "resources/read", "tools/call"]  # fmt: skip
    assert all(set(r) == CALL_KEYS and r["v"] == 1 and r["server"] == "fixture" for r in calls)
    assert len({r["session"] for r in got}) == 1
    assert [r["tool"] for r in calls[2:6]] == ["add", "echo", "leak", "fail"]
    assert calls[2]["params"] == {"name": "add", "arguments": {"a": 2, "b": 3}}
    assert calls[2]["response_summary"]["excerpt"] == "5"
    assert calls[2]["response_summary"]["content_types"] == ["text"]
    assert "ghp_…(sha256:" in calls[3]["params"]["arguments"]["text"]  # redacted, keys kept
    assert "ghp_…(sha256:" in calls[4]["response_summary"]["excerpt"]
    assert calls[5]["is_error"] is True and not any(r["is_error"] for r in calls[:5])
    assert calls[6]["response_summary"]["excerpt"] == "the notes"
    assert calls[7]["response_summary"]["bytes"] > 3_000_000
    assert len(calls[7]["response_summary"]["excerpt"]) < 300
    assert calls[1]["response_summary"]["excerpt"] == "5 tools: add, echo, leak, fail, big"
    assert all(isinstance(r["duration_ms"], float) and r["duration_ms"] >= 0 for r in calls)
    assert all(r["ts"].endswith("Z") and len(r["ts"]) == 24 for r in got)
    notes = [r for r in got if r["type"] == "notification"]
    assert notes and notes[0]["method"] == "notifications/initialized"
    assert notes[0]["direction"] == "client->server"


def test_redact_responses_masks_secrets_before_the_client_sees_them(tmp_path: Path) -> None:
    async def body(session: Any) -> tuple[str, str, str]:  # noqa: ANN401
        leaked = await session.call_tool("leak", {})
        echoed = await session.call_tool("echo", {"text": f"x {TOKEN} y"})
        added = await session.call_tool("add", {"a": 1, "b": 1})
        return leaked.content[0].text, echoed.content[0].text, added.content[0].text

    leaked, echoed, added = drive(tmp_path, body, "--redact-responses")
    assert CANARY not in leaked and CANARY not in echoed
    assert leaked.startswith("deploy config: GITHUB_TOKEN=ghp_…(sha256:")
    assert leaked.endswith(" region=eu-west-1")  # everything else kept
    assert echoed.startswith("x ghp_…(sha256:") and echoed.endswith(" y")
    assert added == "2"
    assert CANARY not in json.dumps(records(tmp_path))


def _list(session: Any) -> Any:  # noqa: ANN401
    return session.list_tools()


def _pins(root: Path) -> Path:
    return root / ".atom-trail" / "tool-pins"


def test_first_list_is_pinned_and_a_rug_pull_is_logged(tmp_path: Path, run_cli: RunCli) -> None:
    drive(tmp_path, _list)
    pin = json.loads((_pins(tmp_path) / "fixture.json").read_text())
    assert pin["version"] == 1 and pin["server"] == "fixture" and pin["approved"]
    assert [t["name"] for t in pin["tools"]] == ["add", "echo", "leak", "fail", "big"]
    assert pin["tools"][0]["inputSchema"]["properties"]["a"]["type"] == "integer"
    assert stat.S_IMODE((_pins(tmp_path) / "fixture.json").stat().st_mode) == 0o600
    assert not [r for r in records(tmp_path) if r["type"] == "tool_changed"]

    errlog = tmp_path / "stderr.txt"
    listed = drive(tmp_path, _list, env={"MCPIR_FIXTURE_RUG": "1"}, errlog=errlog)
    assert "add" in [t.name for t in listed.tools]  # logged, not blocked
    changed = [r for r in records(tmp_path) if r["type"] == "tool_changed"]
    assert len(changed) == 1 and set(changed[0]) == CHANGE_KEYS
    record = changed[0]
    assert record["tool"] == "add" and record["change"] == "changed" and not record["blocked"]
    assert record["before"] == "Add two numbers and return the sum."
    assert "<IMPORTANT>" in record["after"] and "~/.ssh/id_rsa" in record["after"]
    assert record["findings"] and all(f.startswith("prompt-injection/") for f in record["findings"])
    assert "injection signs" in errlog.read_text()
    assert json.loads((_pins(tmp_path) / "fixture.json").read_text()) == pin  # pin unchanged

    listing = run_cli("pins", "list", "--root", tmp_path, "--json")
    assert listing.code == 1
    assert json.loads(listing.stdout)[0]["pending"][0]["change"] == "changed"
    shown = run_cli("pins", "show", "fixture", "--root", tmp_path)
    assert shown.code == 1 and "<IMPORTANT>" in shown.stdout and "approve" in shown.stdout


def test_block_changed_hides_changed_tools_until_approved(tmp_path: Path, run_cli: RunCli) -> None:
    from mcp.shared.exceptions import MCPError

    drive(tmp_path, _list)
    rug = {"MCPIR_FIXTURE_RUG": "1", "MCPIR_FIXTURE_EXTRA": "1"}

    async def blocked(session: Any) -> tuple[list[str], str, str]:  # noqa: ANN401
        names = [t.name for t in (await session.list_tools()).tools]
        with pytest.raises(MCPError) as refused:
            await session.call_tool("add", {"a": 1, "b": 2})
        echoed = await session.call_tool("echo", {"text": "still works"})
        return names, str(refused.value), echoed.content[0].text

    names, refusal, echoed = drive(tmp_path, blocked, "--block-changed", env=rug)
    assert names == ["echo", "leak", "fail", "big"]
    assert "blocked by mcpir" in refusal and "mcpir pins approve fixture" in refusal
    assert echoed == "still works"
    changed = {r["tool"]: r for r in records(tmp_path) if r["type"] == "tool_changed"}
    assert changed["add"]["blocked"] and changed["extra"]["blocked"]
    assert changed["extra"]["change"] == "added" and changed["extra"]["before"] is None
    refused = [r for r in records(tmp_path) if r["type"] == "call" and r["tool"] == "add"]
    assert refused[-1]["is_error"] and "blocked" in refused[-1]["response_summary"]["excerpt"]

    # A client that calls without listing first is refused too: the unapproved list was kept.
    async def call_only(session: Any) -> str:  # noqa: ANN401
        with pytest.raises(MCPError) as refused:
            await session.call_tool("add", {"a": 1, "b": 2})
        return str(refused.value)

    assert "blocked by mcpir" in drive(tmp_path, call_only, "--block-changed", env=rug)

    approved = run_cli("pins", "approve", "fixture", "--root", tmp_path)
    assert approved.code == 0 and "add (changed)" in approved.stdout
    assert "extra (added)" in approved.stdout

    async def after(session: Any) -> tuple[list[str], str]:  # noqa: ANN401
        names = [t.name for t in (await session.list_tools()).tools]
        added = await session.call_tool("add", {"a": 1, "b": 2})
        return names, added.content[0].text

    before = len(records(tmp_path))
    names, added = drive(tmp_path, after, "--block-changed", env=rug)
    assert "add" in names and "extra" in names and added == "3"
    assert not [r for r in records(tmp_path)[before:] if r["type"] == "tool_changed"]
    assert run_cli("pins", "list", "--root", tmp_path).code == 0


def test_log_dir_option_and_unwritable_root(tmp_path: Path) -> None:
    logs = tmp_path / "elsewhere"
    drive(tmp_path, _list, "--log-dir", str(logs))
    lines = [json.loads(x) for p in logs.glob("*.jsonl") for x in p.read_text().splitlines()]
    assert [r["method"] for r in lines if r["type"] == "call"] == ["initialize", "tools/list"]
    assert not (tmp_path / ".atom-trail" / "mcp-invocations" / "x").exists()
    # A tree the proxy cannot write to (here `.atom-trail` is a file): the server still runs,
    # and the records go to mcpir's own data directory.
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / ".atom-trail").write_text("not a directory")
    errlog = tmp_path / "err.txt"
    assert drive(blocked, _list, errlog=errlog).tools
    assert "cannot write under" in errlog.read_text()
    fallback = Path(os.environ["MCPIR_HOME"]) / ".atom-trail" / "mcp-invocations"
    assert any(fallback.glob("*.jsonl"))
