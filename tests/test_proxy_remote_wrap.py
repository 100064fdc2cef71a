"""`mcpir wrap` / `unwrap` for remote servers: a URL entry becomes `mcpir proxy --url …` (headers
as environment references, never values on the command line), journalled, undone byte for
byte; what cannot be wrapped is reported with the reason; the wrapped entry really runs."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli
from tests.proxy_remote_support import records, server, trail_text

LITERAL = "sk-proj-CANARYremoteWRAP0000000000000001"
CONFIG = f"""{{
  // project servers
  "mcpServers": {{
    "local": {{"command": "simple-mcp"}},
    "remote": {{
      "type": "http",
      "url": "https://mcp.example.com/mcp",
      "headers": {{"Authorization": "Bearer ${{GH_TOKEN}}", "X-Api-Key": "{LITERAL}"}},
      "description": "kept"
    }},
    "events": {{"type": "sse", "url": "https://mcp.example.com/sse"}},
    "leaky": {{"type": "http", "url": "https://mcp.example.com/mcp?access_token=ghp_CANARY0123456789abcdefghijklmnopqrstu"}}
  }}
}}
"""
COMMAND = f"{sys.executable} -m mcpir"


def _tree(tmp_path: Path, text: str = CONFIG) -> tuple[Path, Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    config = root / ".mcp.json"
    config.write_text(text)
    return home, root, config


def _entries(config: Path) -> dict[str, Any]:
    from mcpir.core.documents import parse_json

    return dict(parse_json(config.read_text()).data["mcpServers"])


def test_wrap_then_unwrap_a_remote_server_byte_exact(tmp_path: Path, run_cli: RunCli) -> None:
    home, root, config = _tree(tmp_path)
    where = ("--home", home, "--root", root, "--command", COMMAND)
    done = run_cli("wrap", "--all", "--yes", *where, "--json")
    assert done.code == 0, done.stderr  # everything that can be wrapped is: exit 0
    statuses = {s["server"]: s for s in json.loads(done.stdout)["servers"]}
    assert statuses["remote"]["status"] == "wrap" and statuses["events"]["status"] == "wrap"
    assert statuses["leaky"]["status"] == "remote"
    assert "credential" in statuses["leaky"]["reason"]
    assert LITERAL not in done.stdout + done.stderr and "CANARY" not in done.stdout + done.stderr

    entries = _entries(config)
    remote = entries["remote"]
    assert remote["type"] == "stdio" and remote["description"] == "kept"
    words = [remote["command"], *remote["args"]]
    assert shlex.join(words[:3]) == COMMAND
    assert words[3:] == ["proxy", "--name", "remote", "--url", "https://mcp.example.com/mcp",
                         "--header-env", "Authorization=MCPIR_HEADER_AUTHORIZATION",
                         "--header-env", "X-Api-Key=MCPIR_HEADER_X_API_KEY"]  # fmt: skip
    assert LITERAL not in json.dumps(remote["args"]) and "${" not in json.dumps(remote["args"])
    assert remote["env"] == {"MCPIR_HEADER_AUTHORIZATION": "Bearer ${GH_TOKEN}",
                             "MCPIR_HEADER_X_API_KEY": LITERAL}  # fmt: skip
    assert entries["events"]["args"][-2:] == ["--transport", "sse"]
    assert "// project servers" in config.read_text()  # the rest of the file kept

    again = run_cli("wrap", "--all", "--yes", *where)
    assert again.code == 0  # nothing left to do
    undone = run_cli("unwrap", "--all", "--yes", "--home", home, "--root", root)
    assert undone.code == 0, undone.stderr
    assert config.read_text() == CONFIG


def test_unwrap_rebuilds_the_remote_entry_after_other_edits(
    tmp_path: Path, run_cli: RunCli
) -> None:
    home, root, config = _tree(tmp_path)
    where = ("--home", home, "--root", root)
    assert run_cli("wrap", "remote", "--yes", *where, "--command", COMMAND).code == 0
    config.write_text(config.read_text().replace("// project servers", "// edited since"))
    assert run_cli("unwrap", "--all", "--yes", *where).code == 0
    remote = _entries(config)["remote"]
    assert remote == {"type": "http", "url": "https://mcp.example.com/mcp",
                      "headers": {"Authorization": "Bearer ${GH_TOKEN}", "X-Api-Key": LITERAL},
                      "description": "kept"}  # fmt: skip


def test_what_cannot_be_wrapped_is_reported(tmp_path: Path, run_cli: RunCli) -> None:
    home, root, _ = _tree(tmp_path)
    codex = root / ".codex" / "config.toml"
    codex.parent.mkdir()
    codex.write_text('[mcp_servers.docs]\nurl = "https://docs.example.com/mcp"\n')
    where = ("--home", home, "--root", root, "--command", COMMAND)
    named = run_cli("wrap", "leaky", "--yes", *where)
    assert named.code == 1  # asked for by name and not wrapped: needs you
    done = run_cli("wrap", "--all", "--yes", *where, "--json")
    assert done.code == 0, done.stderr
    statuses = {s["server"]: s for s in json.loads(done.stdout)["servers"]}
    assert statuses["docs"]["status"] in ("remote", "skipped")
    assert "only JSON" in statuses["docs"]["reason"] or statuses["docs"]["status"] == "skipped"
    assert codex.read_text() == '[mcp_servers.docs]\nurl = "https://docs.example.com/mcp"\n'


def test_a_wrapped_remote_entry_runs_and_is_recorded(tmp_path: Path, run_cli: RunCli) -> None:
    """The entry wrap writes, started as a client would start it, reaches the server with
    its header, and the call is on the record with no header value in it."""
    import os

    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    key = "CANARYwrapped" + "Hk29Xw7QpL0z"
    with server("http", "--require-header", f"x-api-key={key}") as url:
        text = ('{"mcpServers": {"remote": {"type": "http", "url": "' + url + '", '
                '"headers": {"X-Api-Key": "${REMOTE_KEY}"}}}}')  # fmt: skip
        home, root, config = _tree(tmp_path, text)
        where = ("--home", home, "--root", root, "--command", COMMAND)
        assert run_cli("wrap", "--all", "--yes", *where).code == 0
        entry = _entries(config)["remote"]
        # The client expands ${REMOTE_KEY} in env values from its own environment.
        env = {k: v.replace("${REMOTE_KEY}", key) for k, v in entry["env"].items()}
        params = StdioServerParameters(
            command=entry["command"], args=entry["args"], cwd=str(root),
            env={"PATH": os.environ["PATH"], "MCPIR_HOME": os.environ["MCPIR_HOME"], **env},
        )  # fmt: skip

        async def main() -> str:
            async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
                await s.initialize()
                content = (await s.call_tool("add", {"a": 1, "b": 2})).content[0]
                return str(getattr(content, "text", ""))

        assert anyio.run(main) == "3"
    calls = [r for r in records(root) if r["type"] == "call"]
    assert any(r["method"] == "tools/call" and r["tool"] == "add" for r in calls)
    assert {r["server"] for r in calls} == {"remote"}
    assert key not in trail_text(root)


@pytest.mark.parametrize(
    "line",
    [
        ["mcpir", "proxy", "--name", "x", "--", "npx", "srv"],
        ["mcpir", "run", "--", "npx"],
        ["npx", "proxy", "--url", "https://x/"],
        ["mcpir", "proxy", "--url"],
    ],
)
def test_url_proxy_reads_only_what_wrap_writes(line: list[str]) -> None:
    from mcpir.proxy.wrap_remote import url_proxy

    assert url_proxy(line) is None


def test_url_proxy_reads_back_a_wrapped_entry() -> None:
    from mcpir.proxy.wrap_remote import url_proxy

    found = url_proxy([sys.executable, "-m", "mcpir", "proxy", "--name", "r", "--url", "https://x/",
                       "--transport", "sse", "--header-env", "A=MCPIR_HEADER_A"])  # fmt: skip
    assert found == {"url": "https://x/", "transport": "sse", "headers": {"A": "MCPIR_HEADER_A"}}
