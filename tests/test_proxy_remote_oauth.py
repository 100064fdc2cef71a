"""OAuth for `mcpir proxy --url` against a local authorization server the test runs: `proxy
login`, the tokens in the real keyring (skipped without one), the proxy using them, the flow
run by the proxy itself on a 401 (`--oauth`), and `proxy logout` revoking them (RFC 7009)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.proxy_remote_support import drive, free_port, records, trail_text, wait_port
from tests.test_keyring_backend import _backend_or_skip

SERVER = Path(__file__).parent / "proxy_remote_oauth_server.py"
BROWSER = f"{sys.executable} {Path(__file__).parent / 'proxy_remote_browser.py'} %s"


def _start(*options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - the test's own server
        [sys.executable, str(SERVER), str(port), *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_port(port)
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture
def oauth_server(request: pytest.FixtureRequest) -> Iterator[str]:
    _backend_or_skip()
    options = getattr(request, "param", ())
    process, base = _start(*options)
    try:
        yield base
    finally:
        process.kill()
        process.wait(timeout=10)


def _state(base: str) -> dict[str, list[str]]:
    with urllib.request.urlopen(f"{base}/state", timeout=10) as reply:  # noqa: S310
        return dict(json.loads(reply.read()))


def _mcpir(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BROWSER": BROWSER}
    return subprocess.run([sys.executable, "-m", "mcpir", "proxy", *args], env=env, text=True,
                          capture_output=True, timeout=120, check=False)  # fmt: skip


def _name() -> str:
    import uuid

    return f"oauth-{uuid.uuid4().hex[:8]}"


async def _add(session: Any) -> str:  # noqa: ANN401 - mcp.ClientSession
    answer = await session.call_tool("add", {"a": 4, "b": 5})
    return str(answer.content[0].text)


def test_login_proxy_logout(oauth_server: str, tmp_path: Path) -> None:
    name = _name()
    signed = _mcpir("login", name, "--url", f"{oauth_server}/mcp", "--json")
    assert signed.returncode == 0, signed.stderr
    shown = json.loads(signed.stdout)
    assert shown["signed_in"] is True and shown["provider"] == "oauth"
    assert shown["issuer"].rstrip("/") == oauth_server and shown["scopes"] == ["mcp"]
    assert isinstance(shown["expires_at"], int) and shown["refreshable"] is True
    issued = _state(oauth_server)["issued"]
    assert len(issued) == 2
    home = Path(os.environ["MCPIR_HOME"])
    kept = (home / "oauth" / f"{name}.json").read_text()
    for token in issued:  # no value in what is shown or kept in files
        assert token not in signed.stdout + signed.stderr and token not in kept

    # This machine's own listing (a --home would be a sandbox, without the keyring's tokens).
    listed = subprocess.run([sys.executable, "-m", "mcpir", "tokens", "list", "--json", "--root",
                             str(tmp_path)], text=True, capture_output=True, timeout=120,
                            check=False, env={**os.environ, "HOME": str(tmp_path)})  # fmt: skip
    rows = [t for t in json.loads(listed.stdout) if t["provider"] == "oauth"]
    assert [t["servers"] for t in rows] == [[name]], listed.stdout + listed.stderr
    where = rows[0]["locations"][0]
    assert f"issuer {oauth_server}" in where and "scopes mcp" in where and "expires 20" in where
    assert f"mcpir proxy logout {name}" in where and rows[0]["status"] == "keyring"
    assert not any(token in listed.stdout for token in issued)

    # A later proxy of that name uses the kept tokens: no browser, no --oauth.
    seen = drive(tmp_path, f"{oauth_server}/mcp", _add, name=name, env={"BROWSER": "false"})
    assert seen == "9"
    assert any(r["type"] == "call" and r["tool"] == "add" for r in records(tmp_path))
    assert not any(token in trail_text(tmp_path) for token in issued)

    out = _mcpir("logout", name, "--json")
    assert out.returncode == 0, out.stderr
    said = json.loads(out.stdout)
    assert said["revoked"] == ["refresh", "access"] and "revoked" in said["message"]
    assert sorted(_state(oauth_server)["revoked"]) == sorted(issued)
    assert not (home / "oauth" / f"{name}.json").exists()
    again = _mcpir("logout", name)
    assert again.returncode == 2 and "no OAuth tokens kept" in again.stderr


def test_the_proxy_signs_in_on_a_401(oauth_server: str, tmp_path: Path) -> None:
    name = _name()
    errlog = tmp_path / "stderr.txt"
    seen = drive(tmp_path, f"{oauth_server}/mcp", _add, "--oauth", name=name,
                 env={"BROWSER": BROWSER}, errlog=errlog)  # fmt: skip
    assert seen == "9"
    stderr = errlog.read_text()
    assert f"sign in to {name}" in stderr
    issued = _state(oauth_server)["issued"]
    assert issued and not any(token in stderr + trail_text(tmp_path) for token in issued)
    assert _mcpir("logout", name).returncode == 0


@pytest.mark.parametrize("oauth_server", [("--no-revocation",)], indirect=True)
def test_logout_without_revocation_says_what_to_do(oauth_server: str) -> None:
    name = _name()
    assert _mcpir("login", name, "--url", f"{oauth_server}/mcp").returncode == 0
    out = _mcpir("logout", name)
    assert out.returncode == 0 and "advertises no revocation endpoint" in out.stdout
    assert _state(oauth_server)["revoked"] == []


def test_a_server_without_oauth_is_not_signed_in_to(tmp_path: Path) -> None:
    from tests.proxy_remote_support import server

    _backend_or_skip()
    with server("http") as url:
        done = _mcpir("login", _name(), "--url", url)
    assert done.returncode == 0 and "did not ask for OAuth" in done.stdout


def test_login_usage_errors() -> None:
    assert _mcpir("login").returncode == 2
    unknown = _mcpir("login", "nobody-here")
    assert unknown.returncode == 2 and "no URL known" in unknown.stderr
    assert _mcpir("logout", "bad name!").returncode == 2
