"""OAuth for `mcpir proxy --url`: the SDK's `OAuthClientProvider`, its tokens in the OS keyring.

A server that answers 401 with OAuth metadata gets the MCP authorization flow, run by the SDK
(protected-resource and authorization-server metadata, dynamic client registration, the
authorization code with PKCE): the user's browser opens the authorization URL, and a loopback
listener on 127.0.0.1 takes the redirect. Access and refresh tokens, and the registered
client, are kept in the keyring under the service `mcpir-oauth`, one entry per server name;
what may be shown (issuer, scopes, expiry, server URL, the revocation endpoint) is kept beside
it in `<MCPIR_HOME>/oauth/<name>.json`, mode 0600, so `tokens list` can say what is held
without reading a value. `mcpir proxy login NAME` runs the flow up front, `logout NAME`
revokes the tokens where the server advertises RFC 7009 revocation and forgets them.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from pathlib import Path
from typing import Any

from mcpir.core.errors import McpirError

SERVICE = "mcpir-oauth"
CALLBACK_WAIT = 300.0  # seconds a person has to sign in
MAX_SCOPES = 64
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}")


def check_name(name: str) -> str:
    from mcpir.core.errors import UsageError

    if not _NAME.fullmatch(name):
        raise UsageError(f"{name!r} is not a server name mcpir keeps OAuth tokens under",
                         hint="letters, digits, '.', '_', '@', '-'")  # fmt: skip
    return name


def meta_dir() -> Path:
    from mcpir.core.paths import data_dir

    return data_dir() / "oauth"


def read_meta(name: str) -> dict[str, Any] | None:
    path = meta_dir() / f"{check_name(name)}.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def write_meta(name: str, meta: dict[str, Any]) -> None:
    from mcpir.core.fileio import atomic_write_text

    directory = meta_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write_text(directory / f"{check_name(name)}.json", json.dumps(meta, indent=2),
                      mode=0o600)  # fmt: skip


class KeyringTokenStorage:
    """The SDK's `TokenStorage`, in the keyring. Reads nothing until a server asks for OAuth
    (no entry recorded: no keyring access at all, so a plain remote server never unlocks it)."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = check_name(name), url
        self.provider: Any = None  # set after the provider is made: its metadata is read
        self.cache: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self.cache is None:
            self.cache = {}
            if read_meta(self.name) is not None:
                text = _keyring_get(self.name)
                try:
                    loaded = json.loads(text) if text else {}
                except ValueError:
                    loaded = {}
                self.cache = loaded if isinstance(loaded, dict) else {}
        return self.cache

    def _save(self) -> None:
        _keyring_set(self.name, json.dumps(self._load()))

    async def get_tokens(self) -> Any:  # noqa: ANN401 - OAuthToken | None
        from mcp.shared.auth import OAuthToken

        held = self._load().get("tokens")
        return OAuthToken.model_validate(held) if isinstance(held, dict) else None

    async def set_tokens(self, tokens: Any) -> None:  # noqa: ANN401 - OAuthToken
        self._load()["tokens"] = tokens.model_dump(mode="json", exclude_none=True)
        self._save()
        context = getattr(self.provider, "context", None)
        metadata = getattr(context, "oauth_metadata", None)
        old = read_meta(self.name) or {}
        revocation = getattr(metadata, "revocation_endpoint", None)
        write_meta(self.name, {
            "server": self.name, "url": _shown(self.url), "provider": "oauth",
            "issuer": str(metadata.issuer) if metadata is not None else old.get("issuer"),
            "scopes": _scopes(tokens.scope),
            "expires_at": int(time.time()) + tokens.expires_in if tokens.expires_in else None,
            "refreshable": tokens.refresh_token is not None,
            "obtained_at": int(time.time()),
            "revocation_endpoint": str(revocation) if revocation else old.get(
                "revocation_endpoint"),
            "port": old.get("port"),
        })  # fmt: skip

    async def get_client_info(self) -> Any:  # noqa: ANN401 - OAuthClientInformationFull | None
        from mcp.shared.auth import OAuthClientInformationFull

        held = self._load().get("client")
        return OAuthClientInformationFull.model_validate(held) if isinstance(held, dict) else None

    async def set_client_info(self, client_info: Any) -> None:  # noqa: ANN401
        self._load()["client"] = client_info.model_dump(mode="json", exclude_none=True)
        if read_meta(self.name) is None:
            write_meta(self.name, {"server": self.name, "url": _shown(self.url),
                                   "provider": "oauth"})  # fmt: skip
        self._save()


def _scopes(scope: str | None) -> list[str]:
    """What an authorization server granted, as kept to be shown: bounded (a file too large
    for `tokens list` would hide the token), printable."""
    words = (scope or "").split()[:MAX_SCOPES]
    return ["".join(ch if ch.isprintable() else "?" for ch in word[:100]) for word in words]


def _without_userinfo(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _shown(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def _keyring_get(name: str) -> str | None:
    import keyring

    try:
        return keyring.get_password(SERVICE, name)
    except Exception as exc:  # noqa: BLE001 - any backend's failure: one line
        raise McpirError(f"the OS keyring refused to read {name}'s OAuth tokens "
                         f"({type(exc).__name__})") from None  # fmt: skip


def _keyring_set(name: str, value: str) -> None:
    import keyring

    try:
        keyring.set_password(SERVICE, name, value)
    except Exception as exc:  # noqa: BLE001
        raise McpirError(f"the OS keyring refused to keep {name}'s OAuth tokens "
                         f"({type(exc).__name__})") from None  # fmt: skip


def _listener(port: int | None) -> socket.socket:
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", port or 0))
    except OSError:
        sock.bind(("127.0.0.1", 0))  # the port used last time is taken: any other
    sock.listen(1)
    return sock


def _wait_for_code(sock: socket.socket, timeout: float, state: str | None = None) -> dict[str, str]:
    """The query of the redirect that carries this sign-in's `state`. Any local user can reach
    the listener: a request without that state (or one that sends nothing, or garbage) is
    answered 400 and the wait goes on; it can neither end the sign-in nor choose its code."""
    import hmac
    from urllib.parse import parse_qsl, urlsplit

    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise McpirError(f"no sign-in redirect within {timeout:g} s")
        sock.settimeout(left)
        connection, _ = sock.accept()
        query: dict[str, str] = {}
        try:
            with connection:
                connection.settimeout(min(5.0, max(0.1, left)))
                head = connection.recv(8192).decode("latin-1")
                target = head.split(" ", 2)[1] if head.count(" ") >= 2 else "/"
                query = dict(parse_qsl(urlsplit(target).query))
                given = query.get("state", "")
                if state is not None and not hmac.compare_digest(given.encode(), state.encode()):
                    query = {}
                done = "code" in query or "error" in query
                status = "200 OK" if done else "400 Bad Request"
                body = b"mcpir: signed in; you can close this tab.\n" if done else (
                    b"mcpir: not this sign-in's redirect.\n")  # fmt: skip
                head_out = f"HTTP/1.1 {status}\r\ncontent-type: text/plain\r\n" \
                    f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"  # fmt: skip
                connection.sendall(head_out.encode() + body)
        except OSError:
            continue  # a peer that sent nothing, or left: not the browser's redirect
        if "code" in query or "error" in query:
            return query


def provider(name: str, url: str, warn: Any = None) -> Any:  # noqa: ANN401 - OAuthClientProvider
    """The SDK's OAuth provider for this server, its tokens in the keyring."""
    import anyio
    from mcp.client.auth import OAuthClientProvider
    from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

    storage = KeyringTokenStorage(name, url)
    asked: dict[str, str] = {}  # the state of the authorization URL the browser was sent to
    held = read_meta(name) or {}
    sock = _listener(held.get("port"))
    port = sock.getsockname()[1]
    metadata = OAuthClientMetadata.model_validate({
        "client_name": f"mcpir proxy ({name})",
        "redirect_uris": [f"http://127.0.0.1:{port}/callback"],
        "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
        "token_endpoint_auth_method": "none",  # a public client: PKCE, no secret
    })  # fmt: skip

    async def redirect(authorization_url: str) -> None:
        import threading
        import webbrowser
        from urllib.parse import parse_qs, urlsplit

        asked["state"] = parse_qs(urlsplit(authorization_url).query).get("state", [""])[0]
        (warn or _say)(f"sign in to {name}: open {authorization_url}")
        # Not awaited: a browser command may wait for its page, which waits for the listener.
        threading.Thread(target=webbrowser.open, args=(authorization_url,), daemon=True).start()

    async def callback() -> AuthorizationCodeResult:
        wait = (sock, CALLBACK_WAIT, asked.get("state"))
        query = await anyio.to_thread.run_sync(_wait_for_code, *wait, abandon_on_cancel=True)
        if "error" in query:
            said = "".join(ch if ch.isprintable() else "?" for ch in query["error"][:100])
            raise McpirError(f"the authorization server refused: {said}")
        meta = read_meta(name) or {}
        if meta:
            write_meta(name, meta | {"port": port})
        return AuthorizationCodeResult(code=query["code"], state=query.get("state"),
                                       iss=query.get("iss"))  # fmt: skip

    # The resource is the URL without its user info: never sent to the authorization server.
    made = OAuthClientProvider(_without_userinfo(url), metadata, storage, redirect_handler=redirect,
                               callback_handler=callback)  # fmt: skip
    storage.provider = made
    return made


def wanted(name: str, asked: bool) -> bool:
    """Whether the proxy brings OAuth: asked (--oauth), or tokens were obtained for `name`
    (`mcpir proxy login`). Never on its own guess: a 401 from a server that wants a static
    header would otherwise open a browser."""
    if asked:
        return True
    try:
        return read_meta(name) is not None
    except McpirError:
        return False


def _say(line: str) -> None:
    from mcpir.core.redact import redact_text

    os.write(2, f"mcpir proxy: {redact_text(line)}\n".encode("utf-8", "backslashreplace"))
