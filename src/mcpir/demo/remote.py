"""The demo's remote server in the story: served on loopback, wrapped, called, pinned.

`serving` runs `demo.remote_server` as a child for the whole demo and stops it on every way
out (return, exception, Ctrl-C). `Pending` does to `linear` what Alex would: `mcpir wrap`
(through its change set's journal), then one tool call through the proxy the wrapped entry
starts, made by the MCP SDK's own client in that child (as Claude Code would make it), then
reads back what the proxy wrote. Each line it says comes from what was found on disk
afterwards, never from the plan. The demo's own process never imports the SDK.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mcpir.core.errors import EXIT_STEP_FAILED, McpirError
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_text
from mcpir.demo import content
from mcpir.demo.sandbox import Sandbox

SERVER = "linear"
TOOL = "list_issues"
START_TIMEOUT = 30.0  # seconds for the child to print its port (a loaded CI machine)
CALL_TIMEOUT = 60.0  # initialize, list and call through the proxy
TRAIL = ".atom-trail"


class NotStarted(McpirError):
    """Not bad usage: a step of the demo failed (3), as when containment fails."""

    exit_code = EXIT_STEP_FAILED


@dataclass
class Served:
    """The running child: its URL, and the calls it makes for the demo."""

    url: str
    child: subprocess.Popen[bytes]
    lines: queue.Queue[bytes]  # what it prints, a line each, read by a thread

    def call(self, request: dict[str, Any]) -> None:
        assert self.child.stdin is not None  # noqa: S101 - a PIPE
        self.child.stdin.write(json.dumps(request).encode() + b"\n")
        self.child.stdin.flush()

    def answer(self, timeout: float) -> dict[str, Any]:
        try:
            data = json.loads(self.lines.get(timeout=timeout) or b"null")
        except queue.Empty:
            return {"error": f"no answer in {timeout:.0f} s"}
        except ValueError:
            data = None
        return data if isinstance(data, dict) else {"error": "the demo's client ended"}


@contextmanager
def serving(key: str) -> Iterator[Served]:
    """The demo's remote server, running while the block runs, never after it."""
    import tempfile

    saved = _signals_raise()
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed below; no name on disk
    # A session of its own: Ctrl-C reaches the demo alone, which stops the server below.
    child = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed module
        [sys.executable, "-m", "mcpir.demo.remote_server"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert child.stdin is not None and child.stdout is not None  # noqa: S101 - PIPEs
        with suppress(BrokenPipeError):  # it died at once: said below, from its stderr
            child.stdin.write(f"{key}\n".encode())
            child.stdin.flush()
        lines = _reader(child.stdout)
        try:
            first = lines.get(timeout=START_TIMEOUT).strip()
        except queue.Empty:
            first = b""
        if not first.isdigit() or not 0 < int(first) < 65536:
            why = _last_line(errors)
            raise NotStarted(f"the demo's remote server did not start: {why}",
                             hint="run `python -m mcpir.demo.remote_server`")  # fmt: skip
        yield Served(f"http://127.0.0.1:{int(first)}/mcp", child, lines)
    finally:
        stop(child)
        errors.close()
        _restore(saved)


def _signals_raise() -> dict[int, Any]:
    """SIGTERM and SIGHUP (a closed terminal) end the demo as Ctrl-C does, through `finally`:
    by default they end it at once, and a server in the middle of a call outlived it."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}  # only the main thread may set handlers; Ctrl-C still reaches it

    def raising(number: int, _frame: Any) -> None:  # noqa: ANN401 - a frame
        raise SystemExit(128 + number)

    saved: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            saved[number] = signal.signal(number, raising)
    return saved


def _restore(saved: dict[int, Any]) -> None:
    import signal

    for number, handler in saved.items():
        signal.signal(number, handler)


def _reader(stdout: IO[bytes]) -> queue.Queue[bytes]:
    """Every line the child prints, then b"" at its end. A thread, not select(): pipes cannot
    be polled on Windows."""
    lines: queue.Queue[bytes] = queue.Queue()

    def read() -> None:
        with suppress(OSError, ValueError):  # closed by `stop`
            for line in iter(stdout.readline, b""):
                lines.put(line)
        lines.put(b"")

    threading.Thread(target=read, name="mcpir-demo-server", daemon=True).start()
    return lines


def _last_line(errors: IO[bytes]) -> str:
    errors.seek(0)
    lines = errors.read(64 * 1024).decode("utf-8", "replace").strip().splitlines()
    return redact_text(lines[-1][:200]) if lines else "it exited without a word"


def stop(child: subprocess.Popen[bytes]) -> None:
    """Closing stdin ends it at once; terminate, then kill, if it does not."""
    if child.stdin is not None:
        with suppress(OSError):
            child.stdin.close()
    for end in (None, child.terminate, child.kill):
        if end is not None:
            with suppress(OSError):
                end()
        try:
            child.wait(timeout=3)
        except subprocess.TimeoutExpired:
            continue
        break
    if child.stdout is not None:
        child.stdout.close()


@dataclass
class RemoteResult:
    lines: list[str] = field(default_factory=list)
    wrapped: bool = False
    called: bool = False
    pinned: bool = False
    records: int = 0  # this server's records in .atom-trail/mcp-invocations/


class Pending:
    """`linear` wrapped, its call under way in the server's child (the proxy starting in a
    process of its own) while the demo scans; `finish` waits for it and reads back what the
    proxy wrote."""

    def __init__(self, sandbox: Sandbox, scopes: Scopes, served: Served) -> None:
        self.sandbox = sandbox
        self.served = served
        self.change_set = _wrap(scopes)
        self.entry = _entry(sandbox)
        if self.wrapped:
            assert self.entry is not None  # noqa: S101 - wrapped says so
            served.call(_request(sandbox, self.entry))

    @property
    def wrapped(self) -> bool:
        entry = self.entry
        return (self.change_set is not None and entry is not None
                and entry.get("type") == "stdio" and "--url" in entry.get("args", []))  # fmt: skip

    def finish(self) -> RemoteResult:
        result = RemoteResult()
        if not self.wrapped:
            result.lines.append(f"  wrap:  not done: {SERVER} is still a URL entry in "
                                "~/.claude.json")  # fmt: skip
            return result
        got = self.served.answer(CALL_TIMEOUT + 10)
        answer = got.get("text") if isinstance(got.get("text"), str) else None
        why = redact_text((str(got.get("error", "")).splitlines() or [""])[0][:200])
        result.wrapped = True
        url = self.sandbox.planted["remote_url"]
        result.lines.append(
            f"  wrap:  ~/.claude.json's {SERVER} now starts `mcpir proxy --name {SERVER} --url "
            f"{url}`; its header stays `Bearer ${{{content.LINEAR_KEY_VAR}}}`, in the entry's env "
            f"({self.change_set})"
        )
        records = _records(self.sandbox.root)
        result.records = len(records)
        calls = [r for r in records if r.get("method") == "tools/call"]
        if answer is not None and calls:
            result.called = True
            result.lines.append(
                f"  call:  {TOOL} through the proxy with the MCP SDK's client: "
                f"{len(answer.splitlines())} issues; {len(records)} records in "
                f"{TRAIL}/mcp-invocations/"
            )
        else:
            result.lines.append(f"  call:  not run: {why or 'no tools/call record was written'}")
        tools = _pinned(self.sandbox.root)
        if tools:
            result.pinned = True
            result.lines.append(
                f"  pin:   {SERVER}'s {len(tools)} tools ({', '.join(tools)}) pinned in "
                f"{TRAIL}/tool-pins/: a changed listing is `tool-changed` until "
                f"`mcpir pins approve {SERVER}`"
            )
        else:
            result.lines.append(f"  pin:   none: the proxy kept no listing of {SERVER}")
        return result


def _wrap(scopes: Scopes) -> str | None:
    """`mcpir wrap linear --yes`: the change set's id, or None when nothing was wrapped."""
    from mcpir.proxy import launcher, wrap
    from mcpir.workspace import Workspace

    assert scopes.root is not None  # noqa: S101 - the demo always names its project
    files = Workspace.load(scopes).configs()
    plan = wrap.plan(files, {SERVER}, unwrap=False, root=scopes.root,
                     launchers=launcher.resolve(None))  # fmt: skip
    if not plan.changes:
        return None
    change_set, failures = wrap.apply(plan, scopes.root, {"home": str(scopes.home)})
    return None if failures else change_set


def _entry(sandbox: Sandbox) -> dict[str, Any] | None:
    import json

    data = json.loads((sandbox.home / ".claude.json").read_text(encoding="utf-8"))
    entry = data.get("mcpServers", {}).get(SERVER)
    return entry if isinstance(entry, dict) else None


def _key(sandbox: Sandbox) -> str:
    """The key as Alex's shell exports it from ~/.zshenv."""
    prefix = f"export {content.LINEAR_KEY_VAR}="
    for line in Path(sandbox.planted["remote_key_file"]).read_text(encoding="utf-8").splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :]
    raise McpirError(f"{content.LINEAR_KEY_VAR} is not in ~/.zshenv")  # pragma: no cover


def _request(sandbox: Sandbox, entry: dict[str, Any]) -> dict[str, Any]:
    """The wrapped entry started as a client starts it (its command, args and env, in the
    project), with the key in the environment as ~/.zshenv exports it."""
    env = {
        "HOME": str(sandbox.home),
        "MCPIR_HOME": os.environ["MCPIR_HOME"],
        content.LINEAR_KEY_VAR: _key(sandbox),
        **{k: os.environ[k] for k in ("PATH", "PYTHONPATH") if k in os.environ},
        **entry.get("env", {}),
    }
    return {"command": entry["command"], "args": list(entry["args"]), "env": env,
            "cwd": str(sandbox.root), "tool": TOOL, "arguments": {"team": "PAY"},
            "timeout": CALL_TIMEOUT}  # fmt: skip


def _records(root: Path) -> list[dict[str, Any]]:
    import json

    out: list[dict[str, Any]] = []
    for path in sorted((root / TRAIL / "mcp-invocations").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            with suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict) and record.get("server") == SERVER:
                    out.append(record)
    return out


def _pinned(root: Path) -> list[str]:
    from mcpir.proxy.pins import PinStore

    pin = PinStore(root / TRAIL / "tool-pins", root=root).load(SERVER)
    tools = (pin or {}).get("tools", [])
    return sorted(t["name"] for t in tools if isinstance(t, dict) and "name" in t)


def after_lines(report: Path | None) -> list[str]:
    """What the incident did with `linear`, read from its report (the JSON `report` writes)."""
    import json

    if report is None or not report.is_file():
        return [f"  {SERVER}: not judged (no incident report was written)"]
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
        files = document["contained"]["files"]
        sources = document["investigation"]["sources"]
        tokens = document["tokens"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"  {SERVER}: not judged (the incident report cannot be read)"]
    held = [f for f in files if SERVER in f.get("servers", []) and f.get("state") == "applied"]
    lines = []
    if held:
        name = Path(str(held[0].get("path", ""))).name
        how = str(held[0].get("summary", "")).split("; ")[-1]
        lines.append(f"  contain: {SERVER} disabled with the rest ({name}: {how})")
    else:
        lines.append(f"  contain: {SERVER} is not among the servers the report says were disabled")
    proxy = [s for s in sources if s.get("source") == "mcpir-proxy"]
    calls = sum(int(s.get("calls", 0)) for s in proxy)
    lines.append(f"  report:  {SERVER} listed among the contained servers; investigate read the "
                 f"proxy's log ({calls} tool call{'s' if calls != 1 else ''})")  # fmt: skip
    if not any(SERVER in str(t.get("detail", "")) for t in tokens):
        lines.append(f"  rotate:  ${{{content.LINEAR_KEY_VAR}}} is a reference to Alex's "
                     "environment, not in mcpir's token inventory: rotate it at Linear "
                     "by hand")  # fmt: skip
    return lines
