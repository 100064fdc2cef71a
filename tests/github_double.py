"""A local stand-in for the GitHub REST API, over real HTTP on 127.0.0.1.

It models what a token rotation touches: `GET /user` (401 for unknown or revoked tokens,
`X-OAuth-Scopes` for classic ones, the expiry header), `POST /credentials/revoke` (202, and 403
when authenticated, as github.com answers), and Actions secrets (the repository public key, and
`PUT .../actions/secrets/NAME`, decrypted here so a test can check what was set). Failures can
be injected per endpoint, optionally only for one token: 401, 403 rate limit with
`Retry-After`, 429, 5xx, and a timeout (the answer comes after the client gave up; the action
still happens, as when a response is lost on the way back).
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from base64 import b64decode
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from nacl import encoding, public

from mcpir.secret import fingerprint
from mcpir.secrets.fakes import fake_token

Endpoint = Literal["user", "revoke", "public-key", "put-secret"]
FailureKind = Literal["401", "403-rate", "429", "500", "503", "timeout"]
FAILURE_KINDS: tuple[FailureKind, ...] = ("401", "403-rate", "429", "500", "503", "timeout")

_SECRET_PATH = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/actions/secrets/(?P<name>[^/]+)$")
_KEY_PATH = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/actions/secrets/public-key$")
_FAILURES: dict[str, tuple[int, str, dict[str, str]]] = {
    "401": (401, "Bad credentials", {}),
    "403-rate": (403, "API rate limit exceeded for user ID 1.", {"Retry-After": "1"}),
    "429": (429, "Too many requests", {"Retry-After": "1"}),
    "500": (500, "Server Error", {}),
    "503": (503, "Service Unavailable", {}),
}


@dataclass
class Account:
    login: str
    scopes: tuple[str, ...] | None  # None: a fine-grained token, which reports no scopes
    expires: str | None = None
    revoked: bool = False


@dataclass
class Failure:
    endpoint: Endpoint
    kind: FailureKind
    token: str | None
    times: int


@dataclass
class GitHubDouble:
    client_timeout: float = 1.0
    tokens: dict[str, Account] = field(default_factory=dict)
    # (repo, name) → fingerprint of the value it was set to
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)
    # ("revoked", fingerprint), ("secret", "repo:name"), in order; tests add their own events
    events: list[tuple[str, str]] = field(default_factory=list)
    requests: list[tuple[str, str, bool]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    rng: random.Random = field(default_factory=lambda: random.Random(7))  # noqa: S311

    def __post_init__(self) -> None:
        self._key = public.PrivateKey.generate()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> GitHubDouble:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def issue(
        self,
        login: str,
        scopes: tuple[str, ...] | None = ("repo",),
        expires: str | None = None,
    ) -> str:
        """A new token for `login`: classic (with scopes) or fine-grained (`scopes=None`)."""
        kind = "github-classic" if scopes is not None else "github-fine-grained"
        token = fake_token(kind, self.rng)
        with self.lock:
            self.tokens[token] = Account(login, scopes, expires)
        return token

    def works(self, token: str) -> bool:
        with self.lock:
            account = self.tokens.get(token)
            return account is not None and not account.revoked

    def revoked(self, token: str) -> bool:
        with self.lock:
            return token in self.tokens and self.tokens[token].revoked

    def fail(
        self, endpoint: Endpoint, kind: FailureKind, *, token: str | None = None, times: int = 1
    ) -> None:
        """The next `times` calls to `endpoint` (made with `token`, if given) fail as `kind`."""
        with self.lock:
            self.failures.append(Failure(endpoint, kind, token, times))

    def event(self, what: str, detail: str) -> None:
        with self.lock:
            self.events.append((what, detail))

    # Called from the server's threads.

    def _failure(self, endpoint: Endpoint, token: str | None) -> FailureKind | None:
        with self.lock:
            for failure in self.failures:
                if failure.endpoint == endpoint and failure.token in (None, token):
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                    return failure.kind
        return None

    def _account(self, token: str | None) -> Account | None:
        with self.lock:
            account = self.tokens.get(token or "")
            return account if account is not None and not account.revoked else None

    def _revoke(self, credentials: list[str]) -> None:
        with self.lock:
            for token in credentials:
                if token in self.tokens and not self.tokens[token].revoked:
                    self.tokens[token].revoked = True
                    self.events.append(("revoked", fingerprint(token)))

    def _set_secret(self, repo: str, name: str, encrypted: str) -> None:
        value = public.SealedBox(self._key).decrypt(b64decode(encrypted)).decode("utf-8")
        with self.lock:
            self.secrets[(repo, name)] = fingerprint(value)
            self.events.append(("secret", f"{repo}:{name}"))

    def _public_key(self) -> str:
        return self._key.public_key.encode(encoding.Base64Encoder).decode("ascii")


def _handler(double: GitHubDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # stderr stays quiet; tests assert on what mcpir prints

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PUT(self) -> None:
            self._route("PUT")

        def _token(self) -> str | None:
            scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
            return value if scheme.lower() in ("token", "bearer") and value else None

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = b"" if body is None else json.dumps(body).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

        def _route(self, verb: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            payload = json.loads(raw) if raw else {}
            token, path = self._token(), self.path.split("?")[0]
            with double.lock:
                double.requests.append((verb, path, token is not None))
            endpoint: Endpoint | None = None
            if (verb, path) == ("GET", "/user"):
                endpoint = "user"
            elif (verb, path) == ("POST", "/credentials/revoke"):
                endpoint = "revoke"
            elif verb == "GET" and _KEY_PATH.match(path):
                endpoint = "public-key"
            elif verb == "PUT" and _SECRET_PATH.match(path):
                endpoint = "put-secret"
            if endpoint is None:
                return self._send(404, {"message": "Not Found"})
            kind = double._failure(endpoint, token)
            if kind == "timeout":
                time.sleep(double.client_timeout + 0.5)
            elif kind is not None:
                status, message, headers = _FAILURES[kind]
                return self._send(status, {"message": message}, headers)
            self._answer(endpoint, path, token, payload)

        def _answer(self, endpoint: Endpoint, path: str, token: str | None, body: Any) -> None:
            base = double.url
            if endpoint == "revoke":
                if token is not None:  # github.com: this endpoint must be called anonymously
                    return self._send(403, {"message": "Must not be authenticated"})
                double._revoke([str(c) for c in body.get("credentials", [])])
                return self._send(202, {})
            account = double._account(token)
            if account is None:
                return self._send(401, {"message": "Bad credentials"})
            if endpoint == "user":
                headers: dict[str, str] = {}
                if account.scopes is not None:
                    headers["X-OAuth-Scopes"] = ", ".join(account.scopes)
                if account.expires:
                    headers["github-authentication-token-expiration"] = account.expires
                user = {"login": account.login, "id": 1, "url": f"{base}/users/{account.login}"}
                return self._send(200, user, headers)
            if endpoint == "public-key":
                return self._send(200, {"key_id": "k1", "key": double._public_key()})
            match = _SECRET_PATH.match(path)
            assert match is not None
            if account.scopes is not None and "repo" not in account.scopes:
                return self._send(403, {"message": "Resource not accessible by integration"})
            double._set_secret(match["repo"], match["name"], str(body.get("encrypted_value")))
            return self._send(201, None)

    return Handler
