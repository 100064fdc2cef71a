"""`list_live`: list every given server at once, each bounded in time and size, never raising."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from mcpir.core.model import Server, Transport
from mcpir.core.redact import redact_text
from mcpir.live.env import resolved, resolver, server_environment
from mcpir.live.listing import Listing, TooLarge, list_session
from mcpir.live.model import LiveResult

if TYPE_CHECKING:
    from anyio.abc import Process

MAX_ERROR = 300


class Failure(Exception):
    """Why a server could not be listed: `kind` and one line."""

    def __init__(self, kind: str, line: str) -> None:
        super().__init__(line)
        self.kind = kind
        self.line = line


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    line = redact_text(line)
    return line if len(line) <= MAX_ERROR else line[: MAX_ERROR - 1] + "…"


def _last_stderr(stderr: IO[bytes]) -> str:
    stderr.seek(0, os.SEEK_END)
    size = stderr.tell()
    stderr.seek(max(0, size - 4096))
    lines = [ln for ln in stderr.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ""


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _classify(exc: BaseException, statuses: list[int], target: str) -> Failure:
    """An exception from the SDK or the transport as a `Failure`."""
    import httpx2
    from mcp.shared.exceptions import MCPError

    leaves = _leaves(exc)
    failure = next((e for e in leaves if isinstance(e, Failure)), None)
    if failure is not None:
        return failure
    cut = next((e for e in leaves if isinstance(e, TooLarge)), None)
    if cut is not None:
        return Failure("protocol", f"protocol: {cut}")
    denied = [s for s in statuses if s in (401, 403)]
    if denied:
        return Failure(
            "auth",
            f"auth: needs a token (HTTP {denied[0]} from {target}): sign in through your client "
            "if it uses OAuth, or store one with `mcpir tokens add NAME` and reference it as "
            "${NAME} in the server's headers",
        )
    for leaf in leaves:
        if isinstance(leaf, TimeoutError):
            return Failure("timeout", "timeout")
        if isinstance(leaf, httpx2.ConnectError):
            return Failure("refused", f"refused: cannot connect to {target}")
        if isinstance(leaf, httpx2.HTTPStatusError):
            return Failure("protocol", f"protocol: HTTP {leaf.response.status_code} from {target}")
        if isinstance(leaf, httpx2.TimeoutException):
            return Failure("timeout", "timeout")
        if isinstance(leaf, MCPError):
            return Failure("protocol", f"protocol: error {leaf.code}: {leaf.error.message}")
    first = leaves[0]
    return Failure("protocol", f"protocol: {type(first).__name__}: {first}")


def _hook(statuses: list[int]) -> Callable[[Any], Any]:
    async def record(response: Any) -> None:  # noqa: ANN401
        statuses.append(response.status_code)

    return record


async def _list_remote(server: Server, expand: Callable[[str], str], listing: Listing) -> None:
    import httpx2
    from mcp.client.session import ClientSession
    from mcp.client.sse import sse_client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    url = expand(server.url or "")
    headers = resolved(server.headers, expand)
    statuses: list[int] = []
    try:
        if server.transport is Transport.SSE:

            def factory(
                headers: dict[str, str] | None = None,
                timeout: httpx2.Timeout | None = None,
                auth: httpx2.Auth | None = None,
            ) -> httpx2.AsyncClient:
                client = create_mcp_http_client(headers=headers, timeout=timeout, auth=auth)
                client.event_hooks["response"].append(_hook(statuses))
                return client

            transport: Any = sse_client(url, headers=headers, httpx_client_factory=factory)
            async with transport as (read, write), ClientSession(read, write) as session:
                await list_session(session, listing)
        else:
            http = create_mcp_http_client(headers=headers)
            http.event_hooks["response"].append(_hook(statuses))
            async with http, streamable_http_client(url, http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    await list_session(session, listing)
    except TooLarge:
        raise
    except Exception as exc:
        raise _classify(exc, statuses, redact_text(url)) from None


async def _list_stdio(
    server: Server,
    expand: Callable[[str], str],
    environ: Mapping[str, str],
    listing: Listing,
    groups: list[int],
) -> None:
    import anyio
    from mcp.client.session import ClientSession

    from mcpir.live.stdio import stdio_transport

    command = expand(server.command or "")
    if not command:
        raise Failure("not-found", "command not found: the definition has no command")
    argv = [command, *(expand(arg) for arg in server.args)]
    env = server_environment(resolved(server.env, expand), environ)
    base = server.path.parent
    cwd = base / expand(server.cwd) if server.cwd else base
    if not cwd.is_dir():
        raise Failure("not-found", f"not-found: the working directory {cwd} does not exist")
    processes: list[Process] = []

    def started(process: Process) -> None:
        processes.append(process)
        groups.append(process.pid)

    with tempfile.TemporaryFile() as stderr:
        try:
            async with stdio_transport(argv, env, str(cwd), stderr, started) as (read, write):
                try:
                    async with ClientSession(read, write) as session:
                        await list_session(session, listing)
                except Exception as exc:
                    if any(isinstance(e, TooLarge) for e in _leaves(exc)):
                        raise
                    # Let the event loop see an exit that closed stdout before judging it.
                    with anyio.move_on_after(0.5):
                        while processes[0].returncode is None:
                            await anyio.sleep(0.02)
                    code = processes[0].returncode
                    if code is not None:
                        last = _last_stderr(stderr) or "no output on stderr"
                        raise Failure("crashed", f"crashed (exit {code}): {last}") from None
                    raise _classify(exc, [], command) from None
        except FileNotFoundError:
            raise Failure("not-found", f"command not found: {command}") from None
        except PermissionError:
            raise Failure("not-found", f"cannot run {command}: permission denied") from None


async def _one(
    server: Server,
    timeout: float,
    environ: Mapping[str, str],
    expand: Callable[[str], str],
    limit: Any,  # noqa: ANN401
    groups: list[int],
) -> LiveResult:
    import anyio

    listing = Listing()
    kind: str | None = None
    error: str | None = None
    async with limit:
        try:
            with anyio.fail_after(timeout):
                if server.transport is Transport.STDIO:
                    await _list_stdio(server, expand, environ, listing, groups)
                else:
                    await _list_remote(server, expand, listing)
        except Exception as exc:  # a task group wraps what its tasks raised: unwrap it
            failure = _classify(exc, [], server.name)
            kind, error = failure.kind, failure.line
    if kind == "timeout":
        error = f"timeout: no complete listing within {timeout:g}s"
    ok = error is None or kind == "protocol" and error.startswith("protocol: listing cut")
    return LiveResult(
        server=server.name,
        client=server.client,
        transport=str(server.transport),
        listing=listing.data if ok else None,
        error=None if error is None else _one_line(error),
        error_kind=kind,
    )


def list_live(
    servers: Sequence[Server],
    *,
    timeout: float = 20.0,
    concurrency: int = 4,
    environ: Mapping[str, str] | None = None,
    secret: Callable[[str], str | None] | None = None,
) -> list[LiveResult]:
    """List each server (in the order given); never raises for a server that cannot be listed.

    `environ` is where `${VAR}` references are read (default: this process's environment; it
    is never passed to a server whole); `secret(name)` is asked first, as `mcpir run` puts the
    keyring's tokens over the environment. A listing cut at a bound is kept, with its error.
    """
    import anyio

    from mcpir.live.stdio import group_alive, kill_group

    source = dict(os.environ if environ is None else environ)
    expand = resolver(source, secret)  # one cache: each keyring entry is read once
    before = _descendants()
    _become_subreaper()
    results: list[LiveResult | None] = [None] * len(servers)
    groups: list[int] = []

    async def main() -> None:
        limit = anyio.CapacityLimiter(max(1, concurrency))

        async def one(index: int, server: Server) -> None:
            results[index] = await _one(server, timeout, source, expand, limit, groups)

        async with anyio.create_task_group() as group:
            for index, server in enumerate(servers):
                group.start_soon(one, index, server)

    try:
        anyio.run(main)
    finally:
        # Ctrl-C, or a bug: nothing a listing started may outlive the call.
        for pgid in groups:
            if group_alive(pgid):
                kill_group(pgid)
        # A server that daemonised (fork, setsid, fork) left its group: as the subreaper,
        # mcpir inherited the orphan, and everything it did not have before the call goes.
        _kill_new_descendants(before)
        _become_subreaper(False)  # orphans made after the call go where they always went
    return [result for result in results if result is not None]


def _become_subreaper(on: bool = True) -> None:
    """On Linux, orphans of the servers this call starts come back to this process rather
    than to init, so `_kill_new_descendants` reaches a daemon that left its process group."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(36, int(on), 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):  # no libc to ask: the process groups are still killed
        pass


def _descendants() -> set[int]:
    import psutil

    try:
        return {child.pid for child in psutil.Process().children(recursive=True)}
    except psutil.Error:
        return set()


def _kill_new_descendants(before: set[int]) -> None:
    import psutil

    try:
        found = [c for c in psutil.Process().children(recursive=True) if c.pid not in before]
    except psutil.Error:
        return
    for child in found:
        try:
            child.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(found, timeout=2)
