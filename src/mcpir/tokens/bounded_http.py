"""A requests session whose answers are read up to a limit: a vault (or something pretending
to be one at VAULT_ADDR) answering a gigabyte costs a bounded read and a one-line error."""

from __future__ import annotations

from typing import Any

import requests


class TooLarge(requests.RequestException):
    """The answer was longer than the session's limit."""


class BoundedSession(requests.Session):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        # Vault's address comes from VAULT_ADDR alone, never from proxy variables or .netrc.
        self.trust_env = False

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # noqa: ANN401
        kwargs["stream"] = True
        kwargs.setdefault("allow_redirects", False)
        response = super().request(*args, **kwargs)
        try:
            body = response.raw.read(self.limit + 1, decode_content=True)
        finally:
            response.close()
        if len(body) > self.limit:
            raise TooLarge(f"the answer is longer than {self.limit} bytes")
        response._content = body
        response._content_consumed = True  # type: ignore[attr-defined]
        return response
