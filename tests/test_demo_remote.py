"""The demo's remote server: served on loopback for the demo only, wrapped, called through the
proxy, pinned, contained, in the report; its key in no output, log, journal, pin or report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from mcpir.demo.remote import SERVER, after_lines, serving
from mcpir.demo.run import DemoResult, run_demo
from mcpir.demo.sandbox import linear_key

ACCEPT = "application/json, text/event-stream"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"},
    },
}


def _post(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(  # noqa: S310 - a loopback URL the test's server gave
        url,
        data=json.dumps(INITIALIZE).encode(),
        headers={"Content-Type": "application/json", "Accept": ACCEPT, **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _server_children() -> list[psutil.Process]:
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "mcpir.demo.remote_server" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:  # pragma: no cover - gone meanwhile
            continue
    return found


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_the_server_wants_the_bearer_key_and_is_stopped_when_the_block_ends() -> None:
    key = linear_key()
    with serving(key) as served:
        url = served.url
        assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
        [child] = _server_children()
        assert key not in " ".join(child.cmdline())  # on stdin, never in argv
        assert _post(url, {}) == 401
        assert _post(url, {"Authorization": f"Bearer {key}x"}) == 401
        assert _post(url, {"Authorization": "Bearer " + "x" * len(key)}) == 401
        assert _post(url, {"Authorization": f"Bearer {key}"}) == 200
    assert _gone(child.pid, within=0.5)  # waited for: no second to spare
    with pytest.raises(urllib.error.URLError):
        _post(url, {"Authorization": f"Bearer {key}"})


def test_an_exception_or_ctrl_c_inside_the_block_stops_the_server() -> None:
    for raised in (KeyboardInterrupt, RuntimeError):
        with pytest.raises(raised), serving(linear_key()):
            [child] = _server_children()
            raise raised
        assert _gone(child.pid, within=0.5), raised


def test_a_demo_killed_outright_leaves_no_server_behind(tmp_path: Path) -> None:
    """SIGKILL runs no `finally`: the server ends because its stdin closes."""
    script = (
        "import sys, time\n"
        "from mcpir.demo.remote import serving\n"
        "with serving('k' * 20) as served:\n"
        "    print(served.url, flush=True)\n"
        "    time.sleep(120)\n"
    )
    demo = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert demo.stdout is not None
        assert demo.stdout.readline().startswith("http://127.0.0.1:")
        [child] = [c for c in psutil.Process(demo.pid).children()
                   if "mcpir.demo.remote_server" in " ".join(c.cmdline())]  # fmt: skip
        os.kill(demo.pid, signal.SIGKILL)
        demo.wait(timeout=10)
        assert _gone(child.pid), "the demo's server outlived the demo"
    finally:
        if demo.poll() is None:  # pragma: no cover - only when an assertion failed first
            demo.kill()
            demo.wait()
        if demo.stdout is not None:
            demo.stdout.close()


_MID_CALL = (
    "import os, sys, time\n"
    "from mcpir.demo.remote import serving\n"
    "with serving('k' * 20) as served:\n"
    "    served.call({'command': sys.executable, 'args': ['-c', 'import time; time.sleep(%s)'],\n"
    "                 'env': {'PATH': os.environ.get('PATH', '')}, 'cwd': os.getcwd(),\n"
    "                 'tool': 'x', 'arguments': {}, 'timeout': 60})\n"
    "    print(served.url, flush=True)\n"
    "    time.sleep(120)\n"
)


def test_the_server_ends_when_its_answer_cannot_be_printed() -> None:
    """Before: a demo killed during a call left the child unable to print the answer (a broken
    pipe): its reading thread died without ending it, and the server ran on for good."""
    script = ("import threading, time\n"
              "from mcpir.demo import remote_server\n"
              "threading.Thread(target=remote_server._serve_calls, daemon=True).start()\n"
              "time.sleep(60)\n")  # fmt: skip
    reading, writing = os.pipe()
    os.close(reading)  # nobody reads its answers: the demo is gone
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,  # noqa: S603
                             stdout=writing, stderr=subprocess.DEVNULL)  # fmt: skip
    os.close(writing)
    try:
        assert child.stdin is not None
        child.stdin.write(b"not a call\n")  # answered with an error, which cannot be printed
        child.stdin.flush()
        assert child.wait(timeout=20) == 0
    finally:
        if child.poll() is None:  # pragma: no cover - only when an assertion failed first
            child.kill()
            child.wait()
        if child.stdin is not None:
            child.stdin.close()


def test_a_demo_terminated_during_a_call_leaves_no_server_behind() -> None:
    """Before: SIGTERM ended the demo without `finally`, the server left running while its
    call ran (and for good once it could not print the answer)."""
    end = signal.SIGTERM
    demo = subprocess.Popen([sys.executable, "-c", _MID_CALL % 60], stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        assert demo.stdout is not None
        assert demo.stdout.readline().startswith("http://127.0.0.1:")
        [child] = [c for c in psutil.Process(demo.pid).children()
                   if "mcpir.demo.remote_server" in " ".join(c.cmdline())]  # fmt: skip
        time.sleep(0.5)  # the call under way
        os.kill(demo.pid, end)
        assert demo.wait(timeout=20) == 128 + end
        assert _gone(child.pid, within=10), "the demo's server outlived the demo"
    finally:
        if demo.poll() is None:  # pragma: no cover - only when an assertion failed first
            demo.kill()
            demo.wait()
        if demo.stdout is not None:
            demo.stdout.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoResult, list[str]]:
    said: list[str] = []
    result = run_demo(tmp_path_factory.mktemp("demo") / "machine", say=said.append)
    return result, said


def _records(root: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((root / ".atom-trail" / "mcp-invocations").glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in out if r.get("server") == SERVER]


def test_the_story_wraps_calls_and_pins_the_remote_server(
    demo: tuple[DemoResult, list[str]],
) -> None:
    result, said = demo
    # The story's own lines say why a step did not run (a CI failure shows them).
    assert (result.remote.wrapped, result.remote.called, result.remote.pinned) == (True,) * 3, (
        result.remote.lines
    )
    block = said[said.index(next(s for s in said if s.startswith("remote: linear"))) :][:4]
    assert [line.split()[0] for line in block[1:]] == ["wrap:", "call:", "pin:"], block
    url = result.sandbox.planted["remote_url"]
    assert f"--url {url}" in block[1] and "Bearer ${LINEAR_API_KEY}" in block[1]
    assert "3 issues" in block[2]
    assert "create_issue, list_issues" in block[3]
    assert not _server_children()  # the demo's server ended with the demo
    calls = [r for r in _records(result.sandbox.root) if r.get("method") == "tools/call"]
    assert [(c["tool"], c["is_error"]) for c in calls] == [("list_issues", False)]
    pin = result.sandbox.root / ".atom-trail" / "tool-pins" / f"{SERVER}.json"
    assert pin.is_file()


def test_the_incident_contains_it_and_the_report_lists_it(
    demo: tuple[DemoResult, list[str]],
) -> None:
    from mcpir.core.paths import Scopes
    from mcpir.discovery.listing import list_servers
    from mcpir.report import Format, paths

    result, _ = demo
    sandbox = result.sandbox
    enabled = {
        s.name for s in list_servers(Scopes(sandbox.home, sandbox.root)).servers if s.enabled
    }
    assert SERVER not in enabled
    assert result.response.incident is not None
    report = paths(result.response.incident)[Format.JSON]
    lines = after_lines(report)
    assert lines[0].startswith(f"  contain: {SERVER} disabled with the rest (.claude.json")
    assert lines[1].endswith("investigate read the proxy's log (1 tool call)")
    document = json.loads(report.read_text(encoding="utf-8"))
    held = {s for f in document["contained"]["files"] for s in f["servers"]}
    assert SERVER in held


def test_after_lines_say_not_judged_without_a_readable_report(tmp_path: Path) -> None:
    assert "not judged" in after_lines(None)[0]
    broken = tmp_path / "report.json"
    broken.write_text("{", encoding="utf-8")
    assert "cannot be read" in after_lines(broken)[0]
    broken.write_text(json.dumps({"contained": {"files": []}, "investigation": {"sources": []},
                                  "tokens": []}), encoding="utf-8")  # fmt: skip
    assert "is not among the servers" in after_lines(broken)[0]


def test_the_key_is_in_no_output_log_journal_pin_or_report(
    demo: tuple[DemoResult, list[str]],
) -> None:
    result, said = demo
    key = linear_key()
    keyfile = Path(result.sandbox.planted["remote_key_file"])
    assert key in keyfile.read_text(encoding="utf-8")  # the one place it is kept
    assert key not in "\n".join(said)
    written = [p for p in result.sandbox.base.rglob("*") if p.is_file() and p != keyfile]
    trail = [p for p in written if ".atom-trail" in p.parts]
    assert any("mcp-invocations" in p.parts for p in trail)
    assert any("tool-pins" in p.parts for p in trail)
    assert any("incidents" in p.parts for p in trail)  # journals, backups, the report
    holders = [p for p in written if key.encode() in p.read_bytes()]
    assert holders == []
    # Nor its end alone (a masked value keeps no more than a prefix).
    assert not [p for p in trail if key[-12:].encode() in p.read_bytes()]


def test_the_remote_server_leaves_the_flows_the_readme_shows(
    demo: tuple[DemoResult, list[str]],
) -> None:
    """Its listing (annotated as Linear's tools behave) classifies `linear` as the catalog did
    for mcp.linear.app: the README's flow counts hold with it pinned."""
    _, said = demo
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    [flows] = [line for line in said if line.startswith("flows:")]
    assert flows in readme


def test_a_call_the_server_refuses_is_said_not_run_and_nothing_is_pinned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong key in ~/.zshenv: the server answers 401, the proxy cannot initialize; the
    demo says the call did not run and shows neither key."""
    from mcpir.core.paths import Scopes
    from mcpir.demo.remote import Pending
    from mcpir.demo.sandbox import build_sandbox

    monkeypatch.setenv("MCPIR_HOME", str(tmp_path / "state"))
    key, wrong = linear_key(), linear_key(7)
    with serving(key) as served:
        sandbox = build_sandbox(tmp_path / "machine", linear_url=served.url)
        keyfile = Path(sandbox.planted["remote_key_file"])
        keyfile.write_text(keyfile.read_text(encoding="utf-8").replace(key, wrong), "utf-8")
        result = Pending(sandbox, Scopes(sandbox.home, sandbox.root), served).finish()
    assert (result.wrapped, result.called, result.pinned) == (True, False, False)
    assert result.lines[1].startswith("  call:  not run: "), result.lines
    assert result.lines[2] == f"  pin:   none: the proxy kept no listing of {SERVER}"
    text = "\n".join(result.lines)
    assert key not in text and wrong not in text


def test_a_server_that_cannot_start_is_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interpreter that cannot run the server (here: one that exits at once) stops the demo
    before it builds anything, with a step failure, not a usage error or a traceback."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'no module named uvicorn' >&2\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    from mcpir.core.errors import EXIT_STEP_FAILED, McpirError

    with pytest.raises(McpirError) as raised:
        run_demo(tmp_path / "machine", say=lambda _line: None)
    assert raised.value.exit_code == EXIT_STEP_FAILED
    assert str(raised.value) == "the demo's remote server did not start: no module named uvicorn"
    assert not (tmp_path / "machine").exists()
