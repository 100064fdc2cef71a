"""A requests session whose answers are read up to a limit: a vault (or something pretending
to be one at VAULT_ADDR) answering a gigabyte costs a bounded read and a one-line error."""

from __future__ import annotations

from typing import Any

import requests


class TooLarge(requests.RequestException):
    """The answer was longer than the session's limit."""


class Redirected(requests.RequestException):
    """The answer sent the request elsewhere: the token would follow it, so it does not go."""


class BoundedSession(requests.Session):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        # Vault's address comes from VAULT_ADDR alone, never from proxy variables or .netrc.
        self.trust_env = False

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # noqa: ANN401
        kwargs["stream"] = True
        # Forced, not defaulted: hvac passes allow_redirects=True, and requests keeps the
        # X-Vault-Token header (and a POST's secret body, on 307) when it follows one to any host.
        kwargs["allow_redirects"] = False
        response = super().request(*args, **kwargs)
        if response.is_redirect:
            response.close()
            raise Redirected(
                f"the answer was a redirect (HTTP {response.status_code}), not followed: "
                "set VAULT_ADDR to the address that answers"
            )
        try:
            body = response.raw.read(self.limit + 1, decode_content=True)
        finally:
            response.close()
        if len(body) > self.limit:
            raise TooLarge(f"the answer is longer than {self.limit} bytes")
        response._content = body
        response._content_consumed = True  # type: ignore[attr-defined]
        return response
