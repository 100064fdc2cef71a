"""One connection to a remote MCP server through the SDK's client transports, bounded.

The SDK bounds one SSE event (`max_sse_event_size`) but reads a JSON answer whole: a hostile
server could send gigabytes. Here every answer that is not an event stream is cut at
`MAX_MESSAGE` bytes (the request fails with a JSON-RPC error instead), and an event stream's
events at the same size. A failure that belongs to one request (an answer too long, no free
connection in the pool) is that request's JSON-RPC error: raised, it would end the SDK's
transport and with it every other request in flight. The user's static headers ride on the
HTTP client; errors are described in one redacted line, without the URL's query or the
headers.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2

    from mcpir.proxy.remote_config import Remote

MAX_MESSAGE = 32 << 20
READ_TIMEOUT = 300.0  # a call may run long; the SDK's default for a stream read
POOL = 100  # connections to the server at once (httpx2's default); all kept alive
MIN_SECRET = 6  # a shorter header value is masked nowhere: it would mask common words


def describe(exc: BaseException) -> str:
    """One line for an exception from the transport (the innermost causes of a group)."""
    from mcpir.core.redact import redact_text

    leaves: list[BaseException] = []
    stack = [exc]
    while stack:
        item = stack.pop()
        if isinstance(item, BaseExceptionGroup):
            stack.extend(item.exceptions)
        else:
            leaves.append(item)
    first = leaves[0] if leaves else exc
    text = str(first).split("\n", 1)[0]
    text = " ".join(text.split())[:200]
    line = f"{type(first).__name__}: {text}" if text else type(first).__name__
    # A peer's text (a server's, an authorization server's) never moves a terminal's cursor.
    # A URL in it (the SDK names them) loses its user info and query: a token hides in either.
    line = _QUERY.sub(r"\1?…", _USERINFO.sub(r"\1", line))
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], redact_text(line))


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)[^/\s@?#]*@")
_QUERY = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s?#'\"]*)\?[^\s#'\"]*")
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


def cleartext(url: str, server_url: str | None = None) -> bool:
    """Whether sending to `url` would put a credential on the network in clear: plain http to
    a host that is not loopback, other than the server the user named with http:// (OAuth
    2.1: every authorization-server endpoint is https, loopback aside)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "https":
        return False
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK or host.startswith("127."):
        return False
    if server_url is not None:
        named = urlsplit(server_url)
        mine = (named.scheme, named.hostname, named.port or 80)
        return mine != ("http", parts.hostname, parts.port or 80)  # httpx drops a port 80
    return True


class Cleartext(Exception):
    """A request refused: plain http to a host that is not loopback nor the server named."""


class TooLarge(Exception):
    """An answer longer than MAX_MESSAGE bytes."""


def _bounded_transport(limit: int, server_url: str) -> httpx2.AsyncBaseTransport:
    import httpx2

    class Bounded(httpx2.AsyncBaseTransport):
        def __init__(self) -> None:
            # Every idle connection is kept: httpx2's default keeps 20 of its 100, so a burst
            # of requests closed and reopened connections to the server for each message.
            limits = httpx2.Limits(max_connections=POOL, max_keepalive_connections=POOL)
            self.inner = httpx2.AsyncHTTPTransport(limits=limits)

        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            if cleartext(str(request.url), server_url):  # an OAuth endpoint downgraded to http
                host = request.url.host
                raise Cleartext(f"refused to send a request to http://{host} in clear text")
            try:
                response = await self.inner.handle_async_request(request)
            except httpx2.PoolTimeout:
                return _failed(request, f"{POOL} requests to the server are still waiting for "
                               "their answers; this one was not sent")  # fmt: skip
            kind = response.headers.get("content-type", "").lower()
            if kind.startswith("text/event-stream"):
                return response  # bounded per event by the SDK; a stream may stay open for days
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                await response.aclose()
                return _failed(request, f"an answer of {declared} bytes (more than {limit})")
            response.stream = _capped(response.stream, limit)
            return response

        async def aclose(self) -> None:
            await self.inner.aclose()

    return Bounded()


def _failed(request: httpx2.Request, why: str) -> httpx2.Response:
    """What the SDK turns into the request's own JSON-RPC error (a JSON error at a 5xx status,
    its id the request's), the connection left alone."""
    import json

    import httpx2

    error = {"code": -32603, "message": f"mcpir proxy: {why}"}
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode()
    return httpx2.Response(502, headers={"content-type": "application/json"}, content=body,
                           request=request)  # fmt: skip


def _capped(inner: Any, limit: int) -> httpx2.AsyncByteStream:  # noqa: ANN401
    global _CAPPED, _CUT  # noqa: PLW0603 - made once: a class per answer cost ~30 µs a message
    if _CAPPED is None:
        import httpx2

        class Capped(_Capped, httpx2.AsyncByteStream):
            pass

        # A stream error is what the SDK answers the one request with (a parse error).
        class Cut(TooLarge, httpx2.StreamError):
            pass

        _CAPPED, _CUT = Capped, Cut
    return _CAPPED(inner, limit)  # type: ignore[no-any-return]


_CAPPED: Any = None
_CUT: Any = TooLarge


class _Capped:
    """An async byte stream that fails past `limit` bytes."""

    def __init__(self, inner: Any, limit: int) -> None:  # noqa: ANN401 - httpx2's stream
        self.inner, self.limit, self.seen = inner, limit, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.seen += len(chunk)
            if self.seen > self.limit:
                raise _CUT(f"an answer of more than {self.limit} bytes")
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


def http_client(remote: Remote, auth: Any = None) -> httpx2.AsyncClient:  # noqa: ANN401
    import httpx2

    timeout = httpx2.Timeout(remote.timeout, read=READ_TIMEOUT)
    return httpx2.AsyncClient(headers=dict(remote.headers), timeout=timeout, auth=auth,
                              transport=_bounded_transport(MAX_MESSAGE, remote.url))  # fmt: skip


@asynccontextmanager
async def open_link(remote: Remote, auth: Any = None) -> AsyncIterator[tuple[Any, Any]]:  # noqa: ANN401
    """(read, write) streams of SessionMessage to and from the server."""
    if remote.transport == "sse":
        from mcp.client.sse import sse_client

        def factory(headers: dict[str, str] | None = None, timeout: Any = None,  # noqa: ANN401
                    auth: Any = None) -> httpx2.AsyncClient:  # noqa: ANN401 # fmt: skip
            return http_client(remote, auth)

        async with sse_client(remote.url, headers=dict(remote.headers), timeout=remote.timeout,
                              sse_read_timeout=READ_TIMEOUT, httpx_client_factory=factory,
                              auth=auth) as (read, write):  # fmt: skip
            yield read, write
        return
    from mcp.client.streamable_http import streamable_http_client

    async with http_client(remote, auth) as client:
        link = streamable_http_client(
            remote.url, http_client=client, max_sse_event_size=MAX_MESSAGE
        )
        async with link as (read, write):
            yield read, write


def secrets(remote: Remote, auth: Any = None) -> list[str]:  # noqa: ANN401 - the OAuth provider
    """What the proxy sends as credentials: each header value (and its last word: the token of
    `Bearer …`), the OAuth tokens held; the longest first, short ones left (not a secret)."""
    found: set[str] = set()
    for value in remote.headers.values():
        found.update((value, value.split()[-1] if value.split() else value))
    held = getattr(getattr(auth, "context", None), "current_tokens", None)
    found.update(str(getattr(held, kind, None) or "") for kind in ("access_token", "refresh_token"))
    return sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True)


def masked(value: Any, held: list[str]) -> Any:  # noqa: ANN401 - a record, or any part of it
    """`value` with every occurrence of a string in `held` replaced by a mask."""
    if not held:
        return value
    if isinstance(value, str):
        for secret in held:
            value = value.replace(secret, "…(masked: a credential the proxy sends)")
        return value
    if isinstance(value, dict):
        return {key: masked(item, held) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, held) for item in value]
    return value


@contextmanager
def own_stdout() -> Iterator[int]:
    """A descriptor of its own for the protocol, fd 1 pointed at stderr meanwhile: what else
    writes to stdout (the browser command OAuth opens, a library's print) cannot reach the
    client's stream."""
    import os
    import sys

    sys.stdout.flush()
    protocol = os.dup(1)
    os.dup2(2, 1)
    try:
        yield protocol
    finally:
        os.dup2(protocol, 1)
        os.close(protocol)


def routing_headers(message: dict[str, Any], negotiated: str | None) -> dict[str, str]:
    """The routing headers the SDK's own session would set on this message."""
    from mcp.shared.inbound import (
        MCP_METHOD_HEADER,
        MCP_NAME_HEADER,
        MCP_PROTOCOL_VERSION_HEADER,
        NAME_BEARING_METHODS,
        encode_header_value,
    )
    from mcp_types import PROTOCOL_VERSION_META_KEY

    headers: dict[str, str] = {}
    params = message.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    version = meta.get(PROTOCOL_VERSION_META_KEY) if isinstance(meta, dict) else None
    version = version if isinstance(version, str) else negotiated
    method = message.get("method")
    if version and method != "initialize" and _plain(version):
        headers[MCP_PROTOCOL_VERSION_HEADER] = version
    if isinstance(method, str) and "id" in message:
        # A value from the client never becomes a header line of its own (CR, LF).
        headers[MCP_METHOD_HEADER] = method if _plain(method) else encode_header_value(method)
        key = NAME_BEARING_METHODS.get(method)
        name = params.get(key) if key and isinstance(params, dict) else None
        if isinstance(name, str):
            headers[MCP_NAME_HEADER] = encode_header_value(name)
    return headers


def _plain(value: str) -> bool:
    return bool(value) and value.isascii() and value.isprintable() and value == value.strip()
