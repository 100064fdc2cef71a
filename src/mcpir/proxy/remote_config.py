"""What `mcpir proxy --url` is told: the server's URL, its transport and its static headers.

A header is given as `K: V` and its value may hold `${VAR}` references, resolved as `mcpir run`
and `scan --live` resolve them (mcpir's keyring entry first, then the environment). A header
is refused, before anything is sent, when its name is not an HTTP token or when its value (as
typed or once resolved) holds a line break or a NUL: one in a value would let a config file
write a second header or a second request. The values are kept out of every repr, record and
message: only header names are ever shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from mcpir.core.errors import UsageError

TRANSPORTS = ("http", "sse")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BREAKS = re.compile(r"[\r\n\x00]")
# Set by the transport for every message: one from the config would break the session.
_OWN = frozenset({"host", "content-length", "transfer-encoding", "connection", "content-type",
                  "accept", "mcp-session-id", "mcp-protocol-version", "last-event-id"})  # fmt: skip


@dataclass(frozen=True)
class Remote:
    """Where a remote proxy connects. `headers` holds the resolved values (never shown)."""

    url: str
    transport: str = "http"
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    header_names: tuple[str, ...] = ()
    timeout: float = 30.0  # connect/write; a read may wait as long as a call runs
    oauth: bool = False  # --oauth: run the authorization flow on a 401 (`remote_auth`)

    def shown_url(self) -> str:
        """The URL without its query, fragment or user info (a token can hide in any)."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"


def split_header(text: str) -> tuple[str, str]:
    """`K: V` → (K, V as typed, references unresolved)."""
    name, colon, value = text.partition(":")
    name = name.strip()
    if not colon or not _TOKEN.fullmatch(name):
        shown = name if _TOKEN.fullmatch(name) else "(a name that is not an HTTP token)"
        raise UsageError(f"--header {shown}: expected 'Name: value'",
                         hint="e.g. --header 'Authorization: Bearer ${GITHUB_TOKEN}'")  # fmt: skip
    if name.lower() in _OWN:
        raise UsageError(f"--header {name}: set by the MCP transport itself, not by a header")
    if _BREAKS.search(value):
        raise UsageError(f"--header {name}: the value holds a line break or NUL (refused: it "
                         "would write another header)")  # fmt: skip
    return name, value.strip()


def keyring_lookup(name: str) -> str | None:
    """A `${NAME}` reference as `mcpir run` resolves it: the keyring entry mcpir keeps."""
    from mcpir.tokens import store

    try:
        if name not in store.names():
            return None
        secret = store.get(name)
    except Exception:  # noqa: BLE001 - no keyring here: the environment stands in
        return None
    return None if secret is None else secret.reveal()


def resolve_headers(
    given: Sequence[str],
    environ: Mapping[str, str] | None = None,
    secret: Callable[[str], str | None] | None = keyring_lookup,
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The headers to send (references resolved) and their names, in order."""
    from mcpir.live.env import resolver

    pairs = [split_header(text) for text in given]
    if not pairs:
        return {}, ()
    needs_secret = any("${" in value for _, value in pairs)
    expand = resolver(dict(os.environ if environ is None else environ),
                      secret if needs_secret else None)  # fmt: skip
    headers: dict[str, str] = {}
    for name, value in pairs:
        final = expand(value)
        if _BREAKS.search(final):
            raise UsageError(f"--header {name}: a reference resolved to a value holding a line "
                             "break or NUL (refused: it would write another header)")  # fmt: skip
        if not final.isascii():  # else the transport fails on it at every reconnection
            raise UsageError(f"--header {name}: the value holds a character that is not ASCII, "
                             "which an HTTP header cannot carry")  # fmt: skip
        if value and not final:
            raise UsageError(f"--header {name}: its reference resolved to nothing",
                             hint="store the token with `mcpir tokens add NAME` or set the "
                             "variable")  # fmt: skip
        headers[name] = final
    return headers, tuple(name for name, _ in pairs)


def check_url(url: str, transport: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError("--url: expected an http:// or https:// URL",
                         hint="e.g. --url https://api.example.com/mcp")  # fmt: skip
    if _BREAKS.search(url) or any(ch.isspace() for ch in url):
        raise UsageError("--url: the URL holds a space, a line break or a NUL")
    if transport not in TRANSPORTS:
        raise UsageError(f"--transport {transport}: expected one of {', '.join(TRANSPORTS)}")


def from_env(given: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """`--header-env K=VAR` as `K: <the value of VAR>` (what `mcpir wrap` writes: the value,
    often itself a `${…}` reference, waits in the entry's env, never on the command line)."""
    out = []
    for text in given:
        header, equals, variable = text.partition("=")
        if not equals or not _TOKEN.fullmatch(header.strip()) or not variable:
            raise UsageError("--header-env: expected NAME=VARIABLE",
                             hint="e.g. --header-env Authorization=MY_TOKEN")  # fmt: skip
        if variable not in environ:
            raise UsageError(f"--header-env {header.strip()}: {variable} is not set")
        out.append(f"{header.strip()}: {environ[variable]}")
    return out


def remote(url: str, transport: str, given: Sequence[str],
           environ: Mapping[str, str] | None = None,
           header_env: Sequence[str] = (), oauth: bool = False) -> Remote:  # fmt: skip
    check_url(url, transport)
    source = dict(os.environ if environ is None else environ)
    headers, names = resolve_headers([*given, *from_env(header_env, source)], source)
    return Remote(url=url, transport=transport, headers=headers, header_names=names, oauth=oauth)
