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

from mcpir.core.secret import fingerprint
from mcpir.secrets.fakes import fake_token
from tests.github_org_double import OrgData
from tests.github_org_double import answer as org_answer

Endpoint = Literal[
    "user", "revoke", "public-key", "put-secret",
    "access-tokens", "installation-repos", "installation-token",  # GitHub Apps: `_app_answer`
]  # fmt: skip
FailureKind = Literal["401", "403-rate", "429", "500", "503", "timeout", "404"]
# "404" (an endpoint this server lacks: GHES has no `/credentials/revoke`) is permanent, not a
# failure a re-run gets past, so the loops over every failure leave it out.
FAILURE_KINDS: tuple[FailureKind, ...] = ("401", "403-rate", "429", "500", "503", "timeout")

_SECRET_PATH = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/actions/secrets/(?P<name>[^/]+)$")
_KEY_PATH = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/actions/secrets/public-key$")
_FAILURES: dict[str, tuple[int, str, dict[str, str]]] = {
    "401": (401, "Bad credentials", {}),
    "403-rate": (403, "API rate limit exceeded for user ID 1.", {"Retry-After": "1"}),
    "429": (429, "Too many requests", {"Retry-After": "1"}),
    "500": (500, "Server Error", {}),
    "503": (503, "Service Unavailable", {}),
    "404": (404, "Not Found", {}),
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
    # repo → issues as the API shows them (create, list, edit: `_issues_answer`)
    issues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # GitHub Apps: installation id → Installation; minted `ghs_` token → its installation
    installations: dict[int, Installation] = field(default_factory=dict)
    app_tokens: dict[str, int] = field(default_factory=dict)
    # organizations, repositories, trees, code search, pull requests: `github_org_double`
    org: OrgData = field(default_factory=OrgData)
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

        def do_PATCH(self) -> None:
            self._route("PATCH")

        def do_DELETE(self) -> None:
            self._route("DELETE")

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
            found = org_answer(double, verb, self.path, token, payload)
            if found is not None:
                return self._send(*found)
            if _ISSUES_PATH.match(path):
                status, answer = _issues_answer(double, verb, self.path, token, payload)
                return self._send(status, answer)
            if _APP_PATH.match(path):
                status, answer = _app_answer(double, verb, path, token)
                return self._send(status, answer)
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


_ISSUES_PATH = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues(?:/(?P<number>\d+))?$")


def _issues_answer(
    double: GitHubDouble, verb: str, raw_path: str, token: str | None, body: Any
) -> tuple[int, Any]:
    """Issues: `GET` (list, `?state=` and `?labels=` filters), `POST` (create), `PATCH` (edit)."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(raw_path)
    match = _ISSUES_PATH.match(parts.path)
    assert match is not None
    account = double._account(token)
    if account is None:
        return 401, {"message": "Bad credentials"}
    if account.scopes is not None and "repo" not in account.scopes:
        return 403, {"message": "Resource not accessible by personal access token"}
    repo, number = match["repo"], match["number"]
    base = f"{double.url}/repos/{repo}/issues"
    with double.lock:
        issues = double.issues.setdefault(repo, [])
        if verb == "GET" and number is None:
            query = parse_qs(parts.query)
            state = query.get("state", ["open"])[0]
            wanted = {x for x in query.get("labels", [""])[0].split(",") if x}
            found = [
                i for i in issues
                if state in ("all", i["state"])
                and wanted <= {label["name"] for label in i["labels"]}
            ]  # fmt: skip
            return 200, found
        if verb == "POST" and number is None:
            issue = {
                "id": len(issues) + 1,
                "number": len(issues) + 1,
                "url": f"{base}/{len(issues) + 1}",
                "html_url": f"https://github.invalid/{repo}/issues/{len(issues) + 1}",
                "title": str(body.get("title", "")),
                "body": body.get("body"),
                "state": "open",
                "state_reason": None,
                "labels": [{"name": str(name)} for name in body.get("labels", [])],
                "user": {"login": account.login},
            }
            issues.append(issue)
            double.events.append(("issue-opened", f"{repo}#{issue['number']}"))
            return 201, issue
        target: dict[str, Any] | None = next(
            (i for i in issues if str(i["number"]) == number), None
        )
        if target is None:
            return 404, {"message": "Not Found"}
        if verb == "GET":
            return 200, target
        if verb == "PATCH":
            for key in ("title", "body", "state", "state_reason"):
                if key in body:
                    target[key] = body[key]
            double.events.append(("issue-edited", f"{repo}#{target['number']}:{target['state']}"))
            return 200, target
    return 404, {"message": "Not Found"}


# GitHub Apps: an app (id + RSA public key) installed on an account's repositories mints
# installation tokens (`ghs_`, one hour) when it shows a JWT signed with its private key.
_APP_PATH = re.compile(
    r"^/app/installations(?:/(?P<id>\d+)/access_tokens)?$|^/installation/(?:repositories|token)$"
)
INSTALLATION_TOKEN_LIFETIME = 3600


@dataclass
class Installation:
    app_id: int
    public_key_pem: bytes
    login: str
    repositories: tuple[str, ...]


def install_app(
    double: GitHubDouble,
    app_id: int,
    public_key_pem: bytes,
    installation_id: int,
    login: str,
    repositories: tuple[str, ...],
) -> None:
    with double.lock:
        double.installations[installation_id] = Installation(
            app_id, public_key_pem, login, repositories
        )


def mint_installation_token(double: GitHubDouble, installation_id: int) -> str:
    """What the access_tokens route answers: a new `ghs_` token for the installation."""
    from datetime import UTC, datetime, timedelta

    classic = fake_token("github-classic", double.rng)
    token = "ghs_" + classic[4:]  # the checksum covers the random part only
    until = datetime.now(UTC) + timedelta(seconds=INSTALLATION_TOKEN_LIFETIME)
    with double.lock:
        installation = double.installations[installation_id]
        double.tokens[token] = Account(
            installation.login, None, until.strftime("%Y-%m-%d %H:%M:%S UTC")
        )
        double.app_tokens[token] = installation_id
    return token


def _app_jwt_ok(double: GitHubDouble, bearer: str | None, installation: Installation) -> bool:
    """Loosely GitHub's check: RS256, signed by the app's key, issued by the app, not expired."""
    import jwt

    try:
        claims = jwt.decode(
            bearer or "",
            installation.public_key_pem,
            algorithms=["RS256"],
            options={"require": ["iat", "exp", "iss"]},
            leeway=60,
        )
    except jwt.PyJWTError:
        return False
    return str(claims.get("iss")) == str(installation.app_id)


def _app_answer(double: GitHubDouble, verb: str, path: str, token: str | None) -> tuple[int, Any]:
    match = _APP_PATH.match(path)
    assert match is not None
    endpoint: Endpoint
    if path == "/app/installations" and verb == "GET":
        endpoint = "access-tokens"  # the same JWT-authenticated family
    elif match["id"] is not None and verb == "POST":
        endpoint = "access-tokens"
    elif path == "/installation/repositories" and verb == "GET":
        endpoint = "installation-repos"
    elif path == "/installation/token" and verb == "DELETE":
        endpoint = "installation-token"
    else:
        return 404, {"message": "Not Found"}
    kind = double._failure(endpoint, token)
    if kind == "timeout":
        time.sleep(double.client_timeout + 0.5)
    elif kind is not None:
        status, message, _ = _FAILURES[kind]
        return status, {"message": message}
    if endpoint == "access-tokens":
        with double.lock:
            installations = dict(double.installations)
        if match["id"] is None:  # GET /app/installations: the app's own
            mine = [
                {"id": number, "app_id": i.app_id, "account": {"login": i.login}}
                for number, i in sorted(installations.items())
                if _app_jwt_ok(double, token, i)
            ]
            bad_jwt = {"message": "A JSON web token could not be decoded"}
            return (200, mine) if mine else (401, bad_jwt)
        installation = installations.get(int(match["id"]))
        if installation is None:
            return 404, {"message": "Not Found"}
        if not _app_jwt_ok(double, token, installation):
            return 401, {"message": "A JSON web token could not be decoded"}
        minted = mint_installation_token(double, int(match["id"]))
        with double.lock:
            expires = double.tokens[minted].expires
        return 201, {
            "token": minted,
            "expires_at": expires,
            "permissions": {"contents": "read", "metadata": "read"},
            "repository_selection": "selected",
        }
    with double.lock:
        number = double.app_tokens.get(token or "")
    if number is None or double._account(token) is None:
        return 401, {"message": "Bad credentials"}
    if endpoint == "installation-token":
        double._revoke([token or ""])
        return 204, None
    installation = double.installations[number]
    repos = [
        {"full_name": name, "name": name.split("/")[1], "owner": {"login": name.split("/")[0]}}
        for name in installation.repositories
    ]
    return 200, {"total_count": len(repos), "repositories": repos}
