"""Red team for issue 23 (`mcpir proxy --url`, OAuth login/logout, wrap of URL servers).

Each test reproduces a problem found by attacking the work, and pins its fix:
- the OAuth loopback listener took the first request carrying `code` or `error`, from any
  local user, whatever its `state`; one that sent nothing ended the sign-in with a timeout;
- OAuth endpoints (token, registration, revocation) were used over plain http to any host;
- a server's or an authorization server's text reached a terminal with its control characters;
- granted scopes were kept unbounded: a file over 64 KiB is skipped by `tokens list`, hiding
  the token;
- `wrap` put a URL's user info (`https://TOKEN@host/`) on the command line, and two headers
  mapping to one `MCPIR_HEADER_*` variable lost one of the values;
- `proxy --url` under concurrency: an answer too long (or no free pooled connection) ended the
  whole connection, failing every call in flight; answers to ids never asked were kept whole
  until the proxy ended (memory without bound). Kept as guards: a 10k-notification flood, a
  server gone mid-burst, canaries in a header and a tool result, a listing changed mid-burst.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli
from tests.test_proxy_remote_hostile import hostile  # noqa: F401 - a fixture
from tests.test_proxy_remote_oauth import oauth_server  # noqa: F401 - a fixture

CANARY = "CANARYissue23" + "Zq8Rw3Lk5Mn"


# -- the loopback redirect ------------------------------------------------------------------


def _get(port: int, target: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n".encode())
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_loopback_listener_takes_only_this_sign_ins_state() -> None:
    from mcpir.proxy.remote_auth import _listener, _wait_for_code

    sock = _listener(None)
    host, port = sock.getsockname()[:2]
    assert host == "127.0.0.1"  # never on every interface
    got: list[Any] = []
    waiter = threading.Thread(target=lambda: got.append(_wait_for_code(sock, 30, "St4te")))
    waiter.start()
    try:
        idle = socket.create_connection(("127.0.0.1", port))  # another user: sends nothing
        time.sleep(0.2)
        idle.close()
        # Another local user's forged redirects: an error, or its own code, with no/wrong state.
        forgeries = ("/callback?error=access_denied", "/callback?error=x&state=nope",
                     f"/callback?code={CANARY}&state=nope", f"/callback?code={CANARY}")  # fmt: skip
        for forged in forgeries:
            assert _get(port, forged).startswith(b"HTTP/1.1 400"), forged
            assert not got, "a forged redirect ended the sign-in"
        assert _get(port, "/callback?code=good&state=St4te").startswith(b"HTTP/1.1 200")
        waiter.join(10)
        assert got == [{"code": "good", "state": "St4te"}]
    finally:
        sock.close()
        waiter.join(1)


# -- OAuth endpoints in clear text -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "server", "clear"),
    [
        ("http://as.example.com/token", "https://mcp.example.com/mcp", True),
        ("http://mcp.example.com/token", "https://mcp.example.com/mcp", True),  # a downgrade
        ("https://as.example.com/token", "https://mcp.example.com/mcp", False),
        ("http://127.0.0.1:9/token", "https://mcp.example.com/mcp", False),
        ("http://localhost:9/token", None, False),
        ("http://lan.example:8080/mcp", "http://lan.example:8080/mcp", False),  # as the user named
        ("http://as.example.com/revoke", None, True),
        ("http://lan.example/mcp", "http://lan.example:80/mcp", False),  # the port httpx drops
        ("http://lan.example:81/token", "http://lan.example/mcp", True),
    ],
)
def test_cleartext(url: str, server: str | None, clear: bool) -> None:
    from mcpir.proxy.remote_link import cleartext

    assert cleartext(url, server) is clear


def test_the_http_client_refuses_an_oauth_endpoint_in_clear_text() -> None:
    """Before: a token request to http://other-host left with the code and verifier (or the
    refresh token) in clear; now the request is refused before any connection."""
    import anyio

    from mcpir.proxy.remote_config import Remote
    from mcpir.proxy.remote_link import Cleartext, http_client

    remote = Remote(url="https://mcp.example.invalid/mcp", headers={"X-Key": CANARY})

    async def main() -> str:
        async with http_client(remote) as client:
            try:
                await client.post("http://as.example.invalid/token", data={"refresh_token": "r"})
            except Cleartext as exc:
                return str(exc)
        return "sent"

    said = anyio.run(main)
    assert said.startswith("refused") and CANARY not in said


def test_logout_never_revokes_in_clear_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx2

    from mcpir.proxy import remote_login

    posted: list[str] = []
    monkeypatch.setattr(httpx2.Client, "post", lambda self, url, **kw: posted.append(url))
    tokens = {"access_token": CANARY, "refresh_token": CANARY + "r"}
    assert remote_login._revoke("http://as.example.invalid/revoke", tokens, {}) == []
    assert posted == []  # the refresh token was never sent over plain http


# -- a peer's text on the terminal ------------------------------------------------------------


def test_describe_shows_control_characters_as_escapes() -> None:
    from mcpir.proxy.remote_link import describe

    line = describe(RuntimeError("State mismatch: \x1b[2J\x1b]0;owned\x07 != x"))
    assert "\x1b" not in line and "\x07" not in line and "\\x1b[2J" in line


def test_describe_drops_a_urls_user_info_and_query() -> None:
    from mcpir.proxy.remote_link import describe

    said = describe(RuntimeError("expected http://k3y0f9ab:@h:1/mcp?tenant=q1x2 not https://h/x"))
    assert "k3y0f9ab" not in said and "q1x2" not in said and "http://h:1/mcp?…" in said


def test_login_with_user_info_in_the_url(oauth_server: str) -> None:  # noqa: F811
    """Before: the resource sent to the authorization server held the URL's user info, the
    flow failed on it, and the SDK's logger printed the password in a traceback."""
    from tests.test_proxy_remote_oauth import _mcpir, _name

    name = _name()
    url = oauth_server.replace("http://", f"http://k3y0f9ab:{CANARY}@") + "/mcp"
    signed = _mcpir("login", name, "--url", url, "--json")
    assert signed.returncode == 0, signed.stderr
    said = (signed.stdout + signed.stderr).lower()  # the SDK lowercases a URL's user info
    assert "traceback" not in said and CANARY.lower() not in said
    assert json.loads(signed.stdout)["signed_in"] is True
    kept = Path(os.environ["MCPIR_HOME"]) / "oauth" / f"{name}.json"
    assert CANARY not in kept.read_text() and "k3y0f9ab" not in kept.read_text()
    assert _mcpir("logout", name).returncode == 0


NOISY_BROWSER = """import sys, urllib.request
print("Opening in existing browser session.", flush=True)
urllib.request.urlopen(sys.argv[1], timeout=30).read()
"""


def test_a_browser_commands_output_never_enters_the_protocol(
    oauth_server: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Before: `proxy --oauth` opened the browser with the client's stdout as its own, and a
    browser that says something (xdg-open, firefox) wrote it into the JSON-RPC stream."""
    import subprocess

    from tests.test_proxy_remote_hostile import INIT
    from tests.test_proxy_remote_oauth import _mcpir, _name

    browser = tmp_path / "browser.py"
    browser.write_text(NOISY_BROWSER)
    name = _name()
    env = {**os.environ, "BROWSER": f"{sys.executable} {browser} %s"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "mcpir", "proxy", "--root", str(tmp_path), "--name", name,
         "--oauth", "--url", f"{oauth_server}/mcp"],
        input=json.dumps(INIT) + "\n", text=True, capture_output=True, env=env, timeout=120,
        check=False,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines, done.stderr
    assert all(line.startswith("{") for line in lines), done.stdout  # JSON-RPC, nothing else
    assert json.loads(lines[0])["id"] == 1 and "Opening in existing" in done.stderr
    assert _mcpir("logout", name).returncode == 0


def test_a_header_value_http_cannot_carry_is_a_usage_error() -> None:
    """Before: a non-ASCII value (as typed, or once resolved) passed the checks, failed in the
    transport, and the proxy reconnected for ever, answering every request with an error."""
    from mcpir.core.errors import UsageError
    from mcpir.proxy.remote_config import resolve_headers

    with pytest.raises(UsageError, match="X-Key") as caught:
        resolve_headers(["X-Key: ${K}"], {"K": f"{CANARY}\u00e9"}, None)
    assert CANARY not in str(caught.value.message)


def test_a_header_value_a_server_echoes_is_masked_in_the_records(
    hostile: tuple[int, int],  # noqa: F811
    tmp_path: Path,
) -> None:
    """Before: a value the redactor does not recognise (no `Bearer`, low entropy), echoed by
    the server in a tool's result, was written to `.atom-trail/` in the call's excerpt."""
    import subprocess

    from tests.proxy_remote_support import records, trail_text
    from tests.test_proxy_remote_hostile import INIT, _call

    value = "CANARYsecret" + "valueZZ"
    started = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    lines = "".join(json.dumps(m) + "\n" for m in (INIT, started, _call(2)))
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "mcpir", "proxy", "--root", str(tmp_path), "--name", "echo",
         "--url", f"http://127.0.0.1:{hostile[0]}/secret", "--header", "Authorization: ${K}"],
        input=lines, text=True, capture_output=True, env={**os.environ, "K": value},
        timeout=60, check=False,
    )  # fmt: skip
    assert value in done.stdout  # the client sees what the server said (no --redact-responses)
    call = next(r for r in records(tmp_path) if r["type"] == "call" and r["id"] == 2)
    assert call["response_summary"]["excerpt"].startswith("you sent …(masked")
    assert value not in trail_text(tmp_path) + done.stderr


def test_secrets_held_by_the_proxy() -> None:
    from types import SimpleNamespace

    from mcpir.proxy.remote_config import Remote
    from mcpir.proxy.remote_link import masked, secrets

    remote = Remote(url="https://h/mcp", headers={"Authorization": "Bearer tok123", "X-N": "1"})
    tokens = SimpleNamespace(access_token=CANARY, refresh_token=None)
    held = secrets(remote, SimpleNamespace(context=SimpleNamespace(current_tokens=tokens)))
    assert set(held) == {"Bearer tok123", "tok123", CANARY}  # "1": too short to mask anywhere
    record = {"a": [f"x {CANARY} y", {"b": "tok123"}], "n": 1}
    assert CANARY not in json.dumps(masked(record, held)) and "tok123" not in json.dumps(
        masked(record, held)
    )


# -- scopes kept bounded ----------------------------------------------------------------------


def test_a_huge_scope_does_not_hide_the_token_from_tokens_list(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import anyio
    from mcp.shared.auth import OAuthToken

    from mcpir.proxy import remote_auth
    from mcpir.tokens import oauth

    monkeypatch.setenv("MCPIR_HOME", str(tmp_path))
    kept: dict[str, str] = {}
    monkeypatch.setattr(remote_auth, "_keyring_get", lambda name: kept.get(name))
    monkeypatch.setattr(remote_auth, "_keyring_set", lambda name, v: kept.__setitem__(name, v))
    storage = remote_auth.KeyringTokenStorage("huge-scope", "https://mcp.example.com/mcp")
    scope = " ".join(f"scope{i}\x1b[31m" + "s" * 200 for i in range(5000))
    token = OAuthToken(access_token=CANARY, token_type="Bearer", expires_in=60, scope=scope)
    anyio.run(storage.set_tokens, token)
    meta = tmp_path / "oauth" / "huge-scope.json"
    assert meta.stat().st_size < 65536 and CANARY not in meta.read_text()
    assert "\x1b" not in json.loads(meta.read_text())["scopes"][0]
    assert [t.servers for t in oauth.held({})] == [("huge-scope",)]


# -- wrap -------------------------------------------------------------------------------------


def _project(tmp_path: Path, servers: dict[str, Any]) -> tuple[Path, Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    config = root / ".mcp.json"
    config.write_text('{\n  // comment\n  "mcpServers": ' + json.dumps(servers) + ",\n}\n")
    return home, root, config


def test_wrap_keeps_user_info_off_the_command_line(tmp_path: Path, run_cli: RunCli) -> None:
    # A short token as the user name: the redactor sees no credential in it.
    servers = {"tok": {"type": "http", "url": "https://k3y0f9ab@mcp.example.com/mcp"}}
    home, root, config = _project(tmp_path, servers)
    before = config.read_text()
    done = run_cli("wrap", "--all", "--yes", "--home", home, "--root", root, "--command",
                   f"{sys.executable} -m mcpir", "--json")  # fmt: skip
    assert done.code == 0, done.stderr
    status = {s["server"]: s for s in json.loads(done.stdout)["servers"]}["tok"]
    assert status["status"] == "remote" and "credential" in status["reason"]
    assert config.read_text() == before and "k3y0f9ab" not in done.stdout + done.stderr


def test_wrap_refuses_two_headers_for_one_variable(tmp_path: Path, run_cli: RunCli) -> None:
    headers = {"X-Api-Key": CANARY, "X_API_KEY": "other"}
    servers = {"two": {"type": "http", "url": "https://mcp.example.com/mcp", "headers": headers}}
    home, root, config = _project(tmp_path, servers)
    before = config.read_text()
    done = run_cli("wrap", "two", "--yes", "--home", home, "--root", root, "--command",
                   f"{sys.executable} -m mcpir", "--json")  # fmt: skip
    status = {s["server"]: s for s in json.loads(done.stdout)["servers"]}["two"]
    assert status["status"] == "remote" and "MCPIR_HEADER_X_API_KEY" in status["reason"]
    assert config.read_text() == before  # before: one value silently replaced the other


@pytest.mark.parametrize(
    "headers",
    [{"Mcp-Session-Id": "abc"}, {"A:B": "x"}, {"X-Key": "line\nQzx9w"}, {"X-Key": "caf\u00e9"}],
)
def test_wrap_never_writes_an_entry_the_proxy_refuses(
    headers: dict[str, str], tmp_path: Path, run_cli: RunCli
) -> None:
    """Before: wrap turned a URL server the client could use into a stdio entry whose proxy
    exits 2 at once (a header the transport sets, a name that is not a token, a line break,
    a value HTTP cannot carry): the user's server broken by wrap."""
    servers = {"bad": {"type": "http", "url": "https://mcp.example.com/mcp", "headers": headers}}
    home, root, config = _project(tmp_path, servers)
    before = config.read_text()
    done = run_cli("wrap", "--all", "--yes", "--home", home, "--root", root, "--command",
                   f"{sys.executable} -m mcpir", "--json")  # fmt: skip
    status = {s["server"]: s for s in json.loads(done.stdout)["servers"]}["bad"]
    assert status["status"] == "remote" and "proxy would refuse" in status["reason"]
    assert config.read_text() == before and "Qzx9w" not in done.stdout


# -- proxy --url under concurrency, against a rogue server (tests/proxy_remote_rogue.py) -----

ROGUE = Path(__file__).parent / "proxy_remote_rogue.py"


def _rogue(port: int) -> Any:  # noqa: ANN401 - a Popen
    import subprocess

    from tests.proxy_remote_support import wait_port
    from tests.test_proxy_sdk import TOKEN

    process = subprocess.Popen(  # noqa: S603 - the test's own server
        [sys.executable, str(ROGUE), str(port)], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env={**os.environ, "ROGUE_CANARY": TOKEN},
    )  # fmt: skip
    wait_port(port)
    return process


@pytest.fixture(scope="module")
def rogue() -> Any:  # noqa: ANN401 - the server's URL
    from tests.proxy_remote_support import free_port

    port = free_port()
    process = _rogue(port)
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.kill()
        process.wait(timeout=10)


def _tool(ident: int, name: str, **arguments: Any) -> dict[str, Any]:  # noqa: ANN401
    return {"jsonrpc": "2.0", "id": ident, "method": "tools/call",
            "params": {"name": name, "arguments": arguments}}  # fmt: skip


def _opened(root: Path, url: str, *options: str) -> Any:  # noqa: ANN401 - the hostile Proxy
    from tests.test_proxy_remote_hostile import INIT, Proxy

    proxy = Proxy(root, url, *options)
    proxy.send(INIT)
    assert proxy.answer()["result"]["serverInfo"]["name"] == "rogue"
    proxy.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return proxy


def _rss_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmRSS")  # pragma: no cover


def test_an_oversized_answer_fails_its_own_request_not_the_others(
    rogue: str, tmp_path: Path
) -> None:
    """Before: the answer too long was raised inside the SDK's transport, which ended the
    connection: every call in flight got "cannot be reached" and the session was replayed."""
    from tests.proxy_remote_support import records

    proxy = _opened(tmp_path, rogue)
    for ident in range(10, 20):
        proxy.send(_tool(ident, "slow", s=1.5))
    time.sleep(0.3)
    proxy.send(_tool(99, "huge"))
    answers = {a["id"]: a for a in (proxy.answer(60) for _ in range(11))}
    assert answers[99]["error"]["code"] == -32603 and "more than" in answers[99]["error"]["message"]
    for ident in range(10, 20):
        assert answers[ident]["result"]["content"][0]["text"] == "slept 1.5", answers[ident]
    code, stderr = proxy.close()
    assert code == 0 and "was lost" not in stderr and "Traceback" not in stderr
    assert not [r for r in records(tmp_path) if r["type"] == "connection"]


def test_an_answer_cut_while_read_fails_its_own_request_only() -> None:
    """The same for an answer with no Content-Length cut as it is read: a stream error, which
    the SDK answers the one request with; and a full pool is that request's error too."""
    import anyio
    import httpx2

    from mcpir.proxy import remote_link

    class Full(httpx2.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            raise httpx2.PoolTimeout("no connection")

    class Long(httpx2.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            return httpx2.Response(200, headers={"content-type": "application/json"},
                                   stream=httpx2.ByteStream(b"x" * 100))  # fmt: skip

    async def main() -> None:
        request = httpx2.Request("POST", "http://127.0.0.1:9/mcp")
        transport: Any = remote_link._bounded_transport(10, "http://127.0.0.1:9/mcp")
        transport.inner = Full()
        answer = await transport.handle_async_request(request)
        body = json.loads(await answer.aread())
        assert answer.status_code >= 400 and body["id"] is None
        assert "still waiting" in body["error"]["message"]
        transport.inner = Long()
        answer = await transport.handle_async_request(request)
        with pytest.raises(httpx2.StreamError, match="more than 10 bytes"):
            await answer.aread()

    anyio.run(main)


def test_answers_to_ids_never_asked_are_not_kept(rogue: str, tmp_path: Path) -> None:
    """Before: each answer to no request was kept whole until the proxy ended (up to 100,000
    of them, 32 MiB each): 400 answers of 512 KiB grew the proxy by 210 MiB."""
    from tests.proxy_remote_support import records

    proxy = _opened(tmp_path, rogue)
    before = _rss_mib(proxy.process.pid)
    for ident in range(100, 500):
        proxy.send(_tool(ident, "ghost", kb=512))
    ghosts = [proxy.answer(60)["id"] for _ in range(400)]
    assert len(set(ghosts)) == 400 and all(str(g).startswith("ghost-") for g in ghosts)
    grown = _rss_mib(proxy.process.pid) - before
    proxy.send(_tool(1000, "echo", text="alive"))
    assert proxy.answer(30)["result"]["content"][0]["text"] == "alive"
    code, _ = proxy.close()
    assert code == 0 and grown < 80, f"the proxy grew by {grown} MiB"
    unmatched = [r for r in records(tmp_path) if r["type"] == "malformed"]
    assert len(unmatched) == 400 and all("no pending request" in r["reason"] for r in unmatched)


def test_a_flood_of_notifications_is_relayed_and_logged(rogue: str, tmp_path: Path) -> None:
    from tests.proxy_remote_support import records

    proxy = _opened(tmp_path, rogue)
    proxy.send(_tool(5, "flood", n=10_000))
    seen = 0
    while (answer := proxy.answer(60)).get("id") != 5:
        seen += answer.get("method") == "notifications/message"
    assert seen == 10_000 and answer["result"]["content"][0]["text"] == "flooded"
    code, _ = proxy.close(60)
    kinds = [r["type"] for r in records(tmp_path)]
    assert code == 0 and kinds.count("notification") == 10_001  # and the client's initialized


def test_a_server_gone_mid_burst_answers_each_pending_request_once(tmp_path: Path) -> None:
    from tests.proxy_remote_support import free_port, records

    port = free_port()
    server = _rogue(port)
    try:
        proxy = _opened(tmp_path, f"http://127.0.0.1:{port}/mcp")
        for ident in range(100, 160):
            proxy.send(_tool(ident, "slow", s=10))
        time.sleep(1.0)
        server.kill()
        started = time.monotonic()
        answers = [proxy.answer(30) for _ in range(60)]
        assert time.monotonic() - started < 15
        assert sorted(a["id"] for a in answers) == list(range(100, 160))
        assert {a["error"]["code"] for a in answers} == {-32000}
        code, stderr = proxy.close(30)
    finally:
        server.kill()
        server.wait(timeout=10)
    assert code == 0 and "was lost" in stderr
    calls = [r for r in records(tmp_path) if r["type"] == "call" and r["id"] != 1]
    assert len(calls) == 60 and all(r["is_error"] for r in calls)


@pytest.mark.parametrize("redacting", [True, False])
def test_canaries_in_a_header_and_a_tool_result(
    rogue: str, redacting: bool, tmp_path: Path
) -> None:
    """The header's `${VAR}` value (HOSTILE_KEY) and a token in a tool's answer, under a burst:
    neither in the trail nor on stderr; the token reaches the client only without
    --redact-responses (it is the tool's answer)."""
    from tests.proxy_remote_support import trail_text
    from tests.test_proxy_remote_hostile import KEY
    from tests.test_proxy_sdk import TOKEN

    proxy = _opened(tmp_path, rogue, *(["--redact-responses"] if redacting else []))
    for ident in range(10, 110):
        proxy.send(_tool(ident, "canary" if ident % 2 else "echo", text=f"n{ident}"))
    answers = [proxy.answer(60) for _ in range(100)]
    code, stderr = proxy.close()
    out = json.dumps(answers)
    assert code == 0 and sorted(a["id"] for a in answers) == list(range(10, 110))
    for text in (trail_text(tmp_path), stderr):
        for canary in (KEY, KEY[6:], TOKEN, TOKEN[10:]):
            assert canary not in text
    assert KEY not in out and KEY[6:] not in out
    assert (TOKEN in out) is not redacting


def test_a_listing_changed_mid_burst_is_blocked(rogue: str, tmp_path: Path) -> None:
    """--block-changed with many requests in flight: once the changed listing is read, every
    later listing hides the tool and a call to it is refused, whatever else is in flight."""
    from tests.proxy_remote_support import free_port, records

    port = free_port()
    server = _rogue(port)
    try:
        proxy = _opened(tmp_path, f"http://127.0.0.1:{port}/mcp", "--block-changed")
        proxy.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert [t["name"] for t in proxy.answer()["result"]["tools"]] == ["fetch"]  # pinned
        proxy.send(_tool(3, "rug"))
        assert proxy.answer()["id"] == 3
        for ident in range(10, 110):
            if ident % 10 == 0:
                proxy.send({"jsonrpc": "2.0", "id": ident, "method": "tools/list"})
            else:
                proxy.send(_tool(ident, "echo", text=f"n{ident}"))
        answers = {a["id"]: a for a in (proxy.answer(60) for _ in range(100))}
        assert len(answers) == 100
        for ident in range(10, 110, 10):
            assert answers[ident]["result"]["tools"] == [], answers[ident]
        proxy.send(_tool(200, "fetch", url="https://example.com"))
        refused = proxy.answer()
        assert refused["id"] == 200 and "error" in json.dumps(refused).lower(), refused
        code, _ = proxy.close()
    finally:
        server.kill()
        server.wait(timeout=10)
    assert code == 0
    changed = [r for r in records(tmp_path) if r["type"] == "tool_changed"]
    assert changed and all(r["blocked"] for r in changed)
