"""The demo's remote side: a Linear-like MCP server over streamable HTTP on 127.0.0.1, and the
SDK client that, playing Claude Code, starts a wrapped entry and calls a tool through it.

Run as a child of the demo (`python -m mcpir.demo.remote_server`), so that it can be stopped
whatever happens to the demo. The child binds an ephemeral loopback port and prints it before
importing the SDK, so the demo learns its URL at once and builds the sandbox while the server
loads (connections wait in the listen backlog meanwhile). The bearer token it requires comes on
stdin's first line, never in argv or the environment. Each later line is a call to make (a
JSON object: the entry's command, args, env, cwd; the tool), answered with one JSON line on
stdout; the client lives here because this process has the SDK imported already, which costs
a second of CPU per process. The child ends when stdin closes: a demo killed with SIGKILL
leaves no server behind.
"""

from __future__ import annotations

import hmac
import os
import socket
import sys
import threading
from typing import Any

TEAM = "PAY"
ISSUES = (
    ("PAY-412", "Settlement report rounds EUR amounts twice", "In Progress"),
    ("PAY-409", "Move the database password out of settings.py", "Todo"),
    ("PAY-398", "Stripe webhook retries are not idempotent", "In Review"),
)


def _app() -> Any:  # noqa: ANN401 - a Starlette app; the SDK is imported here only
    from mcp.server.mcpserver import MCPServer
    from mcp.types import ToolAnnotations

    server = MCPServer("linear", instructions="Issues of the Payments Example teams.")
    # Annotated as Linear's own tools behave: issues are written by anyone in the workspace
    # (and by integrations), so reading them takes in untrusted text; creating one sends out.
    listing = ToolAnnotations(title="List issues", read_only_hint=True, open_world_hint=True)
    creating = ToolAnnotations(title="Create issue", read_only_hint=False, open_world_hint=True)

    # No output schema (structured_output=False): the SDK's client would validate answers with
    # jsonschema, whose first import takes seconds, for a demo that reads text.
    @server.tool(description="List a team's open issues, private to its workspace.",
                 annotations=listing, structured_output=False)  # fmt: skip
    def list_issues(team: str = TEAM) -> str:
        rows = [f"{key} [{state}] {title}" for key, title, state in ISSUES if key.startswith(team)]
        return "\n".join(rows) or f"no open issue in {team}"

    @server.tool(description="Create an issue in a team.", annotations=creating,
                 structured_output=False)  # fmt: skip
    def create_issue(title: str, team: str = TEAM, description: str = "") -> str:
        return f"{team}-{413 + len(title) % 7} created: {title}"

    return server.streamable_http_app(stateless_http=True, json_response=True)


def _guarded(inner: Any, token: str) -> Any:  # noqa: ANN401 - ASGI callables
    """401 without `Authorization: Bearer <token>`, as a hosted server answers a missing key."""
    wanted = f"Bearer {token}".encode()

    async def asgi(scope: Any, receive: Any, send: Any) -> None:  # noqa: ANN401
        if scope["type"] == "http":
            given = dict(scope.get("headers", [])).get(b"authorization", b"")
            if not hmac.compare_digest(given, wanted):
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"www-authenticate", b"Bearer")]})  # fmt: skip
                await send({"type": "http.response.body", "body": b"unauthorized"})
                return
        await inner(scope, receive, send)

    return asgi


def _serve_calls() -> None:
    """Answer each call line from the demo; exit the moment it closes stdin (or dies)."""
    import json

    try:
        for line in sys.stdin:
            try:
                answer: dict[str, Any] = {"text": _call(json.loads(line))}
            except Exception as exc:  # noqa: BLE001 - the demo says why the call did not run
                cause: BaseException = exc
                while isinstance(cause, BaseExceptionGroup) and cause.exceptions:  # anyio's
                    cause = cause.exceptions[0]
                answer = {"error": f"{type(cause).__name__}: {cause}"}
            print(json.dumps(answer), flush=True)
    finally:
        # Whatever ends the loop ends the server: a demo killed during a call leaves a broken
        # pipe (its answer cannot be printed), and nobody is left to stop the server.
        os._exit(0)


def _call(request: dict[str, Any]) -> str:
    """Start `command args` as a client starts a stdio server; list its tools, call one."""
    import tempfile

    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=request["command"], args=request["args"],
                                   env=request["env"], cwd=request["cwd"])  # fmt: skip

    async def main() -> str:
        with tempfile.TemporaryFile("w+") as log:  # the proxy's stderr, unread: no name on disk
            async with stdio_client(params, errlog=log) as (read, write):
                async with ClientSession(read, write) as session:
                    with anyio.fail_after(float(request["timeout"])):
                        await session.initialize()
                        await session.list_tools()  # what the proxy pins
                        answer = await session.call_tool(request["tool"], request["arguments"])
        texts = [getattr(block, "text", "") for block in answer.content]
        if answer.is_error:
            raise RuntimeError(" ".join(texts)[:200])
        return "\n".join(texts)

    return anyio.run(main)


def main() -> None:
    token = sys.stdin.readline().strip()
    if not token:
        sys.exit("no token on stdin")
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    print(listener.getsockname()[1], flush=True)
    threading.Thread(target=_serve_calls, daemon=True).start()
    import uvicorn

    config = uvicorn.Config(_guarded(_app(), token), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    main()
