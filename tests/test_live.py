"""`mcpir.live`: real servers built with the SDK, over stdio, streamable HTTP and SSE."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import psutil
import pytest

from mcpir.core.model import Location, Scope, Server, Transport
from mcpir.core.secret import Secret
from mcpir.live import listing as listing_module
from mcpir.live.env import resolver, server_environment
from mcpir.live.model import LiveResult
from mcpir.live.run import list_live

SERVERS = Path(__file__).parent / "live_servers"
MARKER = f"mcpir-live-test-{uuid.uuid4().hex}"
CANARY = "canary-" + uuid.uuid4().hex  # a secret that must show in no error
HEADER_CANARY = "hdr-" + uuid.uuid4().hex
BASE_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8"}


def _server(name: str, transport: Transport = Transport.STDIO, **fields: Any) -> Server:  # noqa: ANN401
    location = Location(SERVERS / "mcp.json", 1)
    return Server(name, "claude-code", Scope.PROJECT, transport, location, **fields)


def _stdio(name: str, script: str, *args: str, **fields: Any) -> Server:  # noqa: ANN401
    argv = (str(SERVERS / script), *args, f"--marker={MARKER}")
    return _server(name, command=sys.executable, args=argv, **fields)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _marked() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if any(MARKER in part for part in cmdline):
            found.append(process)
    return found


@pytest.fixture(scope="module")
def web() -> Iterator[dict[str, int]]:
    """A streamable-HTTP server, the same needing a header, and an SSE server."""
    ports = {"http": _free_port(), "guarded": _free_port(), "sse": _free_port()}
    commands = {
        "http": ["streamable-http", str(ports["http"])],
        "guarded": ["streamable-http", str(ports["guarded"])]
        + ["--require-header", f"X-Api-Key={HEADER_CANARY}"],
        "sse": ["sse", str(ports["sse"])],
    }  # fmt: skip
    started = [
        subprocess.Popen(
            [sys.executable, str(SERVERS / "rich.py"), *argv, "--marker=mcpir-live-web"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for argv in commands.values()
    ]
    try:
        for port in ports.values():
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        yield ports
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def results(web: Mapping[str, int]) -> Iterator[dict[str, LiveResult]]:
    environ = {**BASE_ENV, "LIVE_KEY": HEADER_CANARY, "API_TOKEN_VAR": CANARY, "MCPIR_OWN": "x"}
    servers = [
        _stdio("rich", "rich.py", "stdio", "--grandchild"),
        _stdio("crash", "crash.py", env={"API_TOKEN": Secret("${API_TOKEN_VAR}")}),
        _stdio("hang", "hang.py", env={"API_TOKEN": Secret(CANARY)}),
        _server("missing", command="mcpir-no-such-command-" + uuid.uuid4().hex[:8]),
        _stdio(
            "envdump",
            "envdump.py",
            env={
                "API_TOKEN": Secret("${env:API_TOKEN_VAR}"),
                "FROM_KEYRING": Secret("${KR_TOKEN}"),
                "DEFAULTED": Secret("${NOT_SET:-fallback}"),
            },
        ),
        _server("http", Transport.HTTP, url=f"http://127.0.0.1:{web['http']}/mcp"),
        _server(
            "guarded-ok",
            Transport.HTTP,
            url=f"http://127.0.0.1:{web['guarded']}/mcp",
            headers={"X-Api-Key": Secret("${LIVE_KEY}")},
        ),
        _server("guarded-none", Transport.HTTP, url=f"http://127.0.0.1:{web['guarded']}/mcp"),
        _server(
            "guarded-wrong",
            Transport.HTTP,
            url=f"http://127.0.0.1:{web['guarded']}/mcp",
            headers={"X-Api-Key": Secret("wrong-" + CANARY)},
        ),
        _server("sse", Transport.SSE, url=f"http://127.0.0.1:{web['sse']}/sse"),
        _server("refused", Transport.HTTP, url=f"http://127.0.0.1:{_free_port()}/mcp"),
    ]
    start = time.monotonic()
    found = list_live(
        servers,
        timeout=4,
        concurrency=6,
        environ=environ,
        secret=lambda name: "keyring-value" if name == "KR_TOKEN" else None,
    )
    elapsed = time.monotonic() - start
    assert [r.server for r in found] == [s.name for s in servers]
    assert elapsed < 15, elapsed
    yield {r.server: r for r in found}


def _names(listing: Mapping[str, Any], key: str, field: str = "name") -> list[str]:
    return [item[field] for item in listing[key]]


def _assert_rich(result: LiveResult) -> None:
    assert result.error is None and result.error_kind is None
    listing = result.listing
    assert listing is not None
    # five tools in pages of two: three pages, concatenated in order
    assert _names(listing, "tools") == ["add", "echo", "multiply", "subtract", "hello"]
    add = listing["tools"][0]
    assert "read ~/.ssh/id_rsa" in add["description"]
    assert add["inputSchema"]["properties"]["a"]["type"] == "integer"
    assert _names(listing, "prompts") == ["summarize"]
    assert listing["prompts"][0]["arguments"][0]["name"] == "text"
    assert _names(listing, "resources", "uri") == ["fixture://notes"]
    assert _names(listing, "resourceTemplates", "uriTemplate") == ["fixture://users/{user}"]
    assert listing["instructions"] == "Use the tools of this server for arithmetic."
    assert listing["serverInfo"]["name"] == "live-fixture"


def test_a_stdio_server_is_listed_whole_every_page(results: dict[str, LiveResult]) -> None:
    assert results["rich"].transport == "stdio" and results["rich"].client == "claude-code"
    _assert_rich(results["rich"])


def test_a_streamable_http_server_is_listed(results: dict[str, LiveResult]) -> None:
    assert results["http"].transport == "http"
    _assert_rich(results["http"])


def test_an_sse_server_is_listed(results: dict[str, LiveResult]) -> None:
    assert results["sse"].transport == "sse"
    _assert_rich(results["sse"])


def test_headers_are_sent_with_their_references_resolved(results: dict[str, LiveResult]) -> None:
    _assert_rich(results["guarded-ok"])


def test_a_server_refusing_authorization_needs_a_token(results: dict[str, LiveResult]) -> None:
    for name in ("guarded-none", "guarded-wrong"):
        result = results[name]
        assert result.listing is None and result.error_kind == "auth", result
        assert result.error is not None
        assert result.error.startswith("auth: needs a token (HTTP 401 from http://127.0.0.1:")
        assert "mcpir tokens add" in result.error


def test_a_server_that_crashes_at_start_says_its_last_stderr_line_redacted(
    results: dict[str, LiveResult],
) -> None:
    result = results["crash"]
    assert result.listing is None and result.error_kind == "crashed"
    assert result.error is not None
    assert result.error.startswith("crashed (exit 3): fatal: cannot log in with API_TOKEN=")


def test_a_server_that_hangs_times_out(results: dict[str, LiveResult]) -> None:
    result = results["hang"]
    assert result.listing is None and result.error_kind == "timeout"
    assert result.error == "timeout: no complete listing within 4s"


def test_a_missing_command_is_not_found(results: dict[str, LiveResult]) -> None:
    result = results["missing"]
    assert result.error_kind == "not-found" and result.listing is None
    assert result.error is not None and result.error.startswith("command not found: mcpir-no-")


def test_a_closed_port_is_refused(results: dict[str, LiveResult]) -> None:
    result = results["refused"]
    assert result.error_kind == "refused", result
    assert result.error is not None and result.error.startswith("refused: cannot connect to http")


def test_a_stdio_server_gets_only_its_env_path_home_and_locale_in_its_config_dir(
    results: dict[str, LiveResult],
) -> None:
    listing = results["envdump"].listing
    assert listing is not None, results["envdump"]
    seen = json.loads(listing["tools"][0]["description"])
    env = {k: v for k, v in seen["env"].items() if k != "LC_CTYPE"}  # Python's locale coercion
    assert env == {
        **BASE_ENV,
        "API_TOKEN": CANARY,
        "FROM_KEYRING": "keyring-value",
        "DEFAULTED": "fallback",
    }
    assert Path(seen["cwd"]).resolve() == SERVERS.resolve()


def test_no_error_shows_a_secret(results: dict[str, LiveResult]) -> None:
    for result in results.values():
        for secret in (CANARY, HEADER_CANARY):
            assert secret not in (result.error or ""), result.server
        assert result.error is None or "\n" not in result.error


def test_nothing_a_listing_started_outlives_it(results: dict[str, LiveResult]) -> None:
    assert results  # the listing ran; its servers and the rich server's grandchild are gone
    assert _marked() == []
    web = {p.pid for p in _web_processes()}
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in web]
    assert left == []


def _cmdline(process: psutil.Process) -> list[str]:
    """A process's command line; a zombie (an orphan another test left) has none."""
    try:
        return process.cmdline() or []
    except psutil.Error:
        return []


def _web_processes() -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if any("mcpir-live-web" in part for part in _cmdline(p))
    ]


def test_a_listing_over_a_bound_is_cut_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing_module, "MAX_ITEMS", 3)
    [result] = list_live([_stdio("rich", "rich.py")], environ=BASE_ENV)
    assert result.error_kind == "protocol"
    assert result.error == "protocol: listing cut at 3 items"
    assert result.listing is not None
    assert _names(result.listing, "tools") == ["add", "echo", "multiply"]
    assert _marked() == []


def test_ctrl_c_leaves_nothing_running(tmp_path: Path) -> None:
    script = tmp_path / "interrupted.py"
    script.write_text(
        "import sys\n"
        "from tests.test_live import _stdio\n"
        "from mcpir.live.run import list_live\n"
        "list_live([_stdio('hang', 'hang.py')], timeout=60)\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    child = subprocess.Popen([sys.executable, str(script)], cwd=root, env=env)
    try:
        deadline = time.monotonic() + 20
        while not _hang_of(child.pid):
            assert time.monotonic() < deadline, "the hanging server never started"
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=15) != 0
    finally:
        if child.poll() is None:
            child.kill()
    assert _marked() == []


def _hang_of(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [p for p in children if any("hang.py" in part for part in _cmdline(p))]


def test_references_resolve_from_the_keyring_first_then_the_environment() -> None:
    expand = resolver({"A": "env-a", "B": "env-b"}, lambda n: "kr-a" if n == "A" else None)
    assert expand("${A}/${env:B}/${C:-dflt}/${C}/$A") == "kr-a/env-b/dflt//$A"
    assert resolver({"A": "x"}, None)("Bearer ${A}") == "Bearer x"


def test_a_server_environment_keeps_only_path_home_and_the_locale() -> None:
    mine = {"PATH": "/bin", "HOME": "/h", "LC_ALL": "C", "SHELL": "/bin/sh", "USER": "u", "X": "1"}
    assert server_environment({"X": "2"}, mine) == {
        "PATH": "/bin", "HOME": "/h", "LC_ALL": "C", "X": "2"
    }  # fmt: skip
