"""Red team for issue 23 (`mcpir proxy --url`, OAuth login/logout, wrap of URL servers).

Each test reproduces a problem found by attacking the work, and pins its fix:
- the OAuth loopback listener took the first request carrying `code` or `error`, from any
  local user, whatever its `state`; one that sent nothing ended the sign-in with a timeout;
- OAuth endpoints (token, registration, revocation) were used over plain http to any host;
- a server's or an authorization server's text reached a terminal with its control characters;
- granted scopes were kept unbounded: a file over 64 KiB is skipped by `tokens list`, hiding
  the token;
- `wrap` put a URL's user info (`https://TOKEN@host/`) on the command line, and two headers
  mapping to one `MCPIR_HEADER_*` variable lost one of the values.
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
