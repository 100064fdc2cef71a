"""GitHub App installation tokens (`ghs_`): minted by the API, checked, and revoked with
themselves.

A new token comes from `POST /app/installations/{id}/access_tokens`, authenticated as the app
(a JWT signed with its private key, built by PyGithub's `Auth.AppAuth`); no person makes it.
It works for an hour. `GET /user` refuses installation tokens, so a token is checked with
`GET /installation/repositories`: the repositories it reaches stand for its scopes, their
owners for its account. A personal token cannot revoke it: `DELETE /installation/token`,
authenticated as the token itself, does, while it is still valid (an expired one needs
nothing).
"""

from __future__ import annotations

from typing import Any

from mcpir.core.secret import Secret
from mcpir.tokens.providers.base import (
    AppSettings,
    Ask,
    NoNewToken,
    Options,
    Revocation,
    Verification,
    one_line,
)
from mcpir.tokens.providers.github import (
    DEFAULT_TIMEOUT,
    EXPIRY_HEADER,
    _client,
    _is_transient,
    _network_errors,
    _why,
    api_base,
)

PER_PAGE = 100


class GitHubAppProvider:
    name = "github-app"
    mints = True  # a rotation may replace an expired token: no person is needed

    def __init__(self, app: AppSettings, timeout: int, api_url: str | None = None) -> None:
        self.app = app
        self.timeout = timeout
        self.api_url = api_url  # obtain_new's signature has none

    def verify(self, secret: Secret, api_url: str | None) -> Verification:
        api = api_base(api_url)
        requester = _client(secret, api, self.timeout).requester
        try:
            headers, data = requester.requestJsonAndCheck(
                "GET", "/installation/repositories", parameters={"per_page": PER_PAGE}
            )
        except _network_errors() as exc:
            status, detail = _why(exc)
            if _is_transient(status, detail):
                return Verification(False, detail=f"could not ask {api}: {detail}", unknown=True)
            return Verification(False, detail=f"rejected by {api}: {detail}")
        repos: list[Any] = data.get("repositories", []) if isinstance(data, dict) else []
        names = {r["full_name"] for r in repos if isinstance(r, dict) and "full_name" in r}
        owners = {
            r["owner"]["login"]
            for r in repos
            if isinstance(r, dict) and isinstance(r.get("owner"), dict) and "login" in r["owner"]
        }
        total = data.get("total_count") if isinstance(data, dict) else None
        # Past one page the sets are partial: comparing them would refuse a good token.
        whole = isinstance(total, int) and total <= len(names)
        return Verification(
            True,
            login=", ".join(sorted(owners)) or None,
            scopes=frozenset(names) if whole else None,
            expires=headers.get(EXPIRY_HEADER) or None,
            detail=f"installation token valid at {api} ({total} repositories)",
        )

    def obtain_new(self, old: Verification, *, ask: Ask) -> Secret:
        """Mint a token for the installation, as the app: `ask` is not needed."""
        app = self.app
        if app.app_id is None or app.private_key is None:
            raise NoNewToken("a GitHub App token is minted with --app-id and --app-key")
        import jwt
        from github import Auth, GithubIntegration

        api = api_base(self.api_url)
        try:
            integration = GithubIntegration(
                auth=Auth.AppAuth(app.app_id, app.private_key.reveal()),
                base_url=api,
                timeout=self.timeout,
                retry=None,
                seconds_between_requests=None,
                seconds_between_writes=None,
            )
            installation = app.installation_id
            if installation is None:
                found = list(integration.get_installations())
                if len(found) != 1:
                    raise NoNewToken(
                        f"the app has {len(found)} installations: name one with --installation-id"
                    )
                installation = found[0].id
            minted = integration.get_access_token(installation)
        except NoNewToken:
            raise
        except _network_errors() as exc:
            status, detail = _why(exc)
            retry = _is_transient(status, detail)
            raise NoNewToken(f"{api} minted no token: {detail}", retry=retry) from None
        except (jwt.PyJWTError, ValueError, TypeError) as exc:  # not a usable RSA key
            raise NoNewToken(f"the app key cannot sign: {type(exc).__name__}") from None
        token = minted.token
        if not isinstance(token, str) or not token:
            raise NoNewToken(f"{api} answered without a token", retry=True)
        return Secret(token)

    def revoke(self, secret: Secret, api_url: str | None) -> Revocation:
        api = api_base(api_url)
        requester = _client(secret, api, self.timeout).requester
        by_hand = (
            f"it expires within the hour; to end it now, suspend the installation at "
            f"{api} (token fingerprint {secret.fingerprint})"
        )
        try:
            status, _, body = requester.requestJson("DELETE", "/installation/token")
        except _network_errors() as exc:
            return Revocation(False, f"could not reach {api} ({_why(exc)[1]}): {by_hand}")
        if status == 204:
            return Revocation(True, f"revoked at {api}")
        if status == 401:  # expired or revoked already, if a check agrees
            check = self.verify(secret, api_url)
            if not check.ok and not check.unknown:
                return Revocation(True, f"already invalid at {api} (expired or revoked)")
            why = "still works" if check.ok else f"could not be checked ({check.detail})"
            return Revocation(False, f"{api} answered HTTP 401, yet the token {why}: {by_hand}")
        return Revocation(False, one_line(f"{api} answered HTTP {status} {body or ''}: {by_hand}"))


def build(options: Options) -> GitHubAppProvider:
    app = options.app or AppSettings()
    return GitHubAppProvider(app, options.timeout or DEFAULT_TIMEOUT, options.api_url)
