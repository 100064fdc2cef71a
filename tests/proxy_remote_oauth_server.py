"""A remote MCP server behind OAuth, with its own authorization server, on one local port.

`python proxy_remote_oauth_server.py PORT [--no-revocation]`: protected-resource metadata,
authorization-server metadata, dynamic client registration, an authorization endpoint that
approves at once (the "user" says yes) with PKCE checked at the token endpoint, refresh, RFC
7009 revocation; `/mcp` (the SDK's MCPServer) answers only a valid bearer token, else 401 with
the metadata's address. `GET /state` tells the test which tokens were issued and revoked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from typing import Any
from urllib.parse import parse_qsl, urlencode

from mcp.server.mcpserver import MCPServer

app = MCPServer("oauth-fixture")
STATE: dict[str, Any] = {"issued": [], "revoked": [], "clients": {}, "codes": {}}
PORT = 0
REVOCATION = True


@app.tool(description="Add two numbers and return the sum.")
def add(a: int, b: int) -> int:
    return a + b


async def _body(receive: Any) -> bytes:  # noqa: ANN401
    chunks = []
    while True:
        event = await receive()
        chunks.append(event.get("body", b""))
        if not event.get("more_body"):
            return b"".join(chunks)


async def _json(send: Any, value: Any, status: int = 200, extra: list[Any] | None = None) -> None:  # noqa: ANN401
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), *(extra or [])]})  # fmt: skip
    await send({"type": "http.response.body", "body": json.dumps(value).encode()})


def _base() -> str:
    return f"http://127.0.0.1:{PORT}"


def _metadata() -> dict[str, Any]:
    meta = {"issuer": _base(), "authorization_endpoint": f"{_base()}/authorize",
            "token_endpoint": f"{_base()}/token", "registration_endpoint": f"{_base()}/register",
            "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["mcp"]}  # fmt: skip
    if REVOCATION:
        meta["revocation_endpoint"] = f"{_base()}/revoke"
    return meta


def _issue() -> dict[str, Any]:
    access, refresh = "at-" + os.urandom(16).hex(), "rt-" + os.urandom(16).hex()
    STATE["issued"] += [access, refresh]
    return {"access_token": access, "token_type": "Bearer", "expires_in": 3600,
            "refresh_token": refresh, "scope": "mcp"}  # fmt: skip


async def _token(form: dict[str, str], send: Any) -> None:  # noqa: ANN401
    if form.get("grant_type") == "authorization_code":
        code = STATE["codes"].pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "").encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if code is None or code["challenge"] != digest:
            await _json(send, {"error": "invalid_grant"}, 400)
            return
        await _json(send, _issue())
    elif form.get("grant_type") == "refresh_token":
        token = form.get("refresh_token", "")
        if token not in STATE["issued"] or token in STATE["revoked"]:
            await _json(send, {"error": "invalid_grant"}, 400)
            return
        await _json(send, _issue())
    else:
        await _json(send, {"error": "unsupported_grant_type"}, 400)


def _guard(inner: Any) -> Any:  # noqa: ANN401
    async def asgi(scope: Any, receive: Any, send: Any) -> None:  # noqa: ANN401
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        if path.startswith("/.well-known/oauth-protected-resource"):
            await _json(send, {"resource": f"{_base()}/mcp", "authorization_servers": [_base()],
                               "scopes_supported": ["mcp"]})  # fmt: skip
        elif path.startswith("/.well-known/oauth-authorization-server"):
            await _json(send, _metadata())
        elif path == "/register" and method == "POST":
            asked = json.loads(await _body(receive))
            client = asked | {"client_id": "client-" + os.urandom(4).hex()}
            STATE["clients"][client["client_id"]] = client
            await _json(send, client, 201)
        elif path == "/authorize":
            code = "code-" + os.urandom(8).hex()
            STATE["codes"][code] = {"challenge": query.get("code_challenge")}
            where = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            await send({"type": "http.response.start", "status": 302,
                        "headers": [(b"location", where.encode())]})  # fmt: skip
            await send({"type": "http.response.body", "body": b""})
        elif path == "/token" and method == "POST":
            await _token(dict(parse_qsl((await _body(receive)).decode())), send)
        elif path == "/revoke" and method == "POST":
            STATE["revoked"].append(dict(parse_qsl((await _body(receive)).decode()))["token"])
            await _json(send, {})
        elif path == "/state":
            await _json(send, {k: STATE[k] for k in ("issued", "revoked")})
        else:
            auth = dict(scope["headers"]).get(b"authorization", b"").decode()
            token = auth.removeprefix("Bearer ")
            if token not in STATE["issued"] or token in STATE["revoked"]:
                meta = (
                    f'Bearer resource_metadata="{_base()}/.well-known/oauth-protected-resource/mcp"'
                )
                await _json(send, {"error": "invalid_token"}, 401,
                            [(b"www-authenticate", meta.encode())])  # fmt: skip
                return
            await inner(scope, receive, send)

    return asgi


if __name__ == "__main__":
    import uvicorn

    PORT = int(sys.argv[1])
    REVOCATION = "--no-revocation" not in sys.argv
    web = app.streamable_http_app(json_response=True, stateless_http=True)
    uvicorn.run(_guard(web), host="127.0.0.1", port=PORT, log_level="warning")
