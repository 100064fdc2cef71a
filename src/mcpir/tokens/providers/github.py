"""GitHub personal access tokens: `GET /user` to verify, the browser to create, and
`POST /credentials/revoke` to revoke.

PyGithub is imported inside each function (it costs ~400 ms). Clients never retry and use a
short timeout: during an incident a hung API must turn into "retry later", fast. `--api-url`,
else `GITHUB_API_URL`, points everything at GitHub Enterprise Server (or a test double).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from mcpir.core.secret import Secret
from mcpir.tokens.providers.base import Ask, NoNewToken, Options, Revocation, Verification, one_line

if TYPE_CHECKING:
    from github import Github

DEFAULT_API = "https://api.github.com"
DEFAULT_TIMEOUT = 10
EXPIRY_HEADER = "github-authentication-token-expiration"
SCOPES_HEADER = "x-oauth-scopes"
# Answers that say "not now" rather than "no": a rotation stops and a re-run retries.
TRANSIENT = frozenset({408, 429, 500, 502, 503, 504})
# Answers from a server that has no such endpoint at all.
NO_API = frozenset({404, 405, 410})


def api_base(api_url: str | None) -> str:
    if api_url is not None and not api_url.strip():
        from mcpir.core.errors import UsageError

        # `--api-url "$GHES_URL"` with the variable unset must not send the token to github.com.
        raise UsageError("--api-url is empty", hint="https://HOST/api/v3, or leave it out")
    return (api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API).strip().rstrip("/")


def web_base(api: str) -> str:
    """Where a user creates tokens: github.com, or the GHES host (its API is `/api/v3`)."""
    if api == DEFAULT_API:
        return "https://github.com"
    parts = urlsplit(api)
    return f"{parts.scheme}://{parts.netloc}"


def new_token_url(old: Verification, api_url: str | None) -> str:
    """The page that creates a token like `old`: classic tokens report scopes, fine-grained
    ones do not (their permissions cannot be prefilled by URL)."""
    web = web_base(api_base(api_url))
    if old.scopes is None:
        return f"{web}/settings/personal-access-tokens/new"
    description = quote(f"mcpir rotation for {old.login or 'MCP servers'}")
    scopes = ",".join(sorted(old.scopes))
    return f"{web}/settings/tokens/new?scopes={scopes}&description={description}"


def _client(token: Secret | None, api: str, timeout: int) -> Github:
    from github import Auth, Github

    auth = Auth.Token(token.reveal()) if token is not None else None
    return Github(
        base_url=api,
        auth=auth,
        timeout=timeout,
        retry=None,
        lazy=True,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def _why(exc: Exception) -> tuple[int | None, str]:
    """(HTTP status or None, one line) for anything a PyGithub call raised."""
    from github import GithubException

    if isinstance(exc, GithubException):
        data: Any = exc.data
        message = data.get("message", "") if isinstance(data, dict) else ""
        headers = exc.headers or {}
        wait = headers.get("retry-after")
        suffix = f"; retry after {wait} s" if wait else ""
        return exc.status, one_line(f"HTTP {exc.status} {message}".strip() + suffix)
    import requests

    # requests' own text is a 300-character repr of urllib3's exception chain: say what it means.
    if isinstance(exc, requests.exceptions.Timeout):
        return None, "no answer in time (timed out)"
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc)
        if "NameResolution" in text or "Name or service not known" in text:
            return None, "cannot connect: host name not resolved"
        if "refused" in text:
            return None, "cannot connect: connection refused"
        return None, "cannot connect"
    return None, one_line(f"{type(exc).__name__}: {exc}") or type(exc).__name__


def _is_transient(status: int | None, detail: str) -> bool:
    if status is None or status in TRANSIENT:
        return True
    # Primary and secondary rate limits; any 403 that says when to come back is one too.
    return status == 403 and ("rate limit" in detail.lower() or "retry after" in detail)


def _network_errors() -> tuple[type[Exception], ...]:
    import requests
    from github import GithubException

    return (GithubException, requests.exceptions.RequestException, OSError)


class GitHubProvider:
    name = "github"

    def __init__(self, timeout: int = DEFAULT_TIMEOUT, api_url: str | None = None) -> None:
        self.timeout = timeout
        # Only for obtain_new, whose signature has no api_url: the page to create a token on.
        self.api_url = api_url

    def verify(self, secret: Secret, api_url: str | None) -> Verification:
        api = api_base(api_url)
        if not api.startswith(("http://", "https://")):
            from mcpir.core.errors import UsageError

            raise UsageError(f"--api-url {api}: not an http(s) URL", hint="https://HOST/api/v3")
        try:
            headers, data = _client(secret, api, self.timeout).requester.requestJsonAndCheck(
                "GET", "/user"
            )
        except _network_errors() as exc:
            status, detail = _why(exc)
            if _is_transient(status, detail):
                return Verification(False, detail=f"could not ask {api}: {detail}", unknown=True)
            return Verification(False, detail=f"rejected by {api}: {detail}")
        login = data.get("login") if isinstance(data, dict) else None
        raw = headers.get(SCOPES_HEADER)
        scopes = None if raw is None else frozenset(s.strip() for s in raw.split(",") if s.strip())
        expires = headers.get(EXPIRY_HEADER) or None
        return Verification(
            True,
            login=login if isinstance(login, str) else None,
            scopes=scopes,
            expires=expires,
            detail=f"valid at {api}",
        )

    def obtain_new(self, old: Verification, *, ask: Ask) -> Secret:
        scopes = "fine-grained: same repositories and permissions"
        if old.scopes is not None:
            scopes = "scopes " + (", ".join(sorted(old.scopes)) or "(none)")
        url = new_token_url(old, self.api_url)
        value = ask(
            f"Create a new token for {old.login or 'the same account'} ({scopes}) at\n  {url}\n"
            "then paste it here"
        )
        if value is None or not value.reveal():
            raise NoNewToken("no new token given")
        return value

    def revoke(self, secret: Secret, api_url: str | None) -> Revocation:
        api = api_base(api_url)
        by_hand = (
            f"revoke it yourself: {web_base(api)}/settings/tokens "
            f"(the token with fingerprint {secret.fingerprint})"
        )
        # github.com refuses an authenticated call here (403): the requester has no auth.
        requester = _client(None, api, self.timeout).requester
        try:
            status, _, body = requester.requestJson(
                "POST", "/credentials/revoke", input={"credentials": [secret.reveal()]}
            )
        except _network_errors() as exc:
            return Revocation(False, f"could not reach {api} ({_why(exc)[1]}): {by_hand}")
        if status == 202:
            return Revocation(True, f"revoked at {api}")
        if status in NO_API:
            # GitHub Enterprise Server has no such endpoint: a re-run would stop here forever.
            return Revocation(
                False, f"{api} cannot revoke by API (HTTP {status}): {by_hand}", by_hand=True
            )
        return Revocation(False, f"{api} answered HTTP {status}{_message(body)}: {by_hand}")


def _message(body: str | None) -> str:
    import json

    try:
        data = json.loads(body or "")
    except ValueError:
        return f" {one_line(body or '')}".rstrip()
    message = data.get("message") if isinstance(data, dict) else None
    return f" {one_line(message)}" if isinstance(message, str) else ""


def set_actions_secret(
    auth: Secret, repo: str, name: str, value: Secret, api_url: str | None, timeout: int
) -> str | None:
    """Set the Actions secret `repo:name` to `value`, authenticated as `auth`.

    None when done, else one line saying why not."""
    api = api_base(api_url)
    try:
        _client(auth, api, timeout).get_repo(repo).create_secret(name, value.reveal())
    except _network_errors() as exc:
        return f"{repo}:{name} not updated at {api}: {_why(exc)[1]}"
    return None


def build(options: Options) -> GitHubProvider:
    return GitHubProvider(options.timeout or DEFAULT_TIMEOUT, options.api_url)
