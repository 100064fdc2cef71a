"""`mcpir proxy` at 3 a.m.: ids reused across directions, a server that prints text or a secret
on stdout, a log that cannot be written (disk full, a planted link), a handler that fails,
Ctrl-C at a terminal, and the same usage errors from both entry points."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest

from mcpir.proxy.relay import Proxy, ProxyConfig
from tests.conftest import CANARY, RunCli

TOKEN = "ghp_CANARYedgesTOKEN0000000000000000000001"


def _script(tmp_path: Path, name: str, code: str) -> list[str]:
    path = tmp_path / name
    path.write_text(code)
    return [sys.executable, str(path)]


def _proxy(tmp_path: Path, server: list[str], *options: str) -> list[str]:
    return [sys.executable, "-m", "mcpir", "proxy", "--log-dir", str(tmp_path / "log"),
            "--root", str(tmp_path), "--name", "edge", *options, "--", *server]  # fmt: skip


def _records(log_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for p in sorted(log_dir.glob("*.jsonl"))
            for line in p.read_text().splitlines()]  # fmt: skip


# Asks the client something with the same id (1) the client's own request has, waits for the
# client's answer, then answers the client's request.
SAME_ID = r"""
import json, sys
out = sys.stdout.buffer
request = json.loads(sys.stdin.buffer.readline())
out.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "method": "sampling/createMessage",
                      "params": {"messages": []}}).encode() + b"\n")
out.flush()
answer = json.loads(sys.stdin.buffer.readline())
out.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": {"content": [
    {"type": "text", "text": "from the server"}]}}).encode() + b"\n")
out.flush()
"""


def test_the_same_id_in_both_directions_pairs_each_with_its_own(tmp_path: Path) -> None:
    process = subprocess.Popen(_proxy(tmp_path, _script(tmp_path, "s.py", SAME_ID)),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"}}\n')
    process.stdin.flush()
    assert json.loads(process.stdout.readline())["method"] == "sampling/createMessage"
    process.stdin.write(b'{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text",'
                        b'"text":"from the client"}]}}\n')  # fmt: skip
    process.stdin.flush()
    assert json.loads(process.stdout.readline())["result"]["content"][0]["text"] == (
        "from the server"
    )
    process.stdin.close()
    assert process.wait(timeout=30) == 0
    calls = {r["method"]: r for r in _records(tmp_path / "log")}
    assert set(calls) == {"tools/call", "sampling/createMessage"}  # nothing malformed
    assert calls["tools/call"]["response_summary"]["excerpt"] == "from the server"
    assert calls["sampling/createMessage"]["response_summary"]["excerpt"] == "from the client"


CHATTY = rf"""
import sys
out = sys.stdout.buffer
out.write(b"Server ready, token {TOKEN}\n")
out.write(b'{{"note": "debug {TOKEN}"}}\n')
for line in sys.stdin.buffer:
    out.write(b'{{"jsonrpc":"2.0","id":1,"result":{{"content":[]}}}}\n')
out.write(b"bye {TOKEN}")  # no newline at the end
out.flush()
"""


@pytest.mark.parametrize("redact", [False, True])
def test_text_on_the_servers_stdout(tmp_path: Path, redact: bool) -> None:
    server = _script(tmp_path, "s.py", CHATTY)
    options = ("--redact-responses",) if redact else ()
    out = subprocess.run(_proxy(tmp_path, server, *options), input=b'{"id":1,"method":"x"}\n',
                         capture_output=True, timeout=60, check=True).stdout  # fmt: skip
    direct = subprocess.run(server, input=b'{"id":1,"method":"x"}\n', capture_output=True,
                            timeout=60, check=True).stdout  # fmt: skip
    if not redact:
        assert out == direct  # transparent
    else:
        assert CANARY not in out.decode() and out.count(b"\n") == direct.count(b"\n")
        assert out.startswith(b"Server ready, token ghp_")
        assert out.splitlines()[-1].startswith(b"bye ghp_") and not out.endswith(b"\n")
        assert json.loads(out.splitlines()[1])["note"].startswith("debug ghp_")
    logged = b"".join(p.read_bytes() for p in (tmp_path / "log").glob("*.jsonl"))
    assert CANARY not in logged.decode()
    reasons = [r.get("reason") for r in _records(tmp_path / "log") if r["type"] == "malformed"]
    assert "no newline before the end" in reasons and any("not JSON" in str(r) for r in reasons)


def test_a_message_the_proxy_fails_on_is_still_relayed(tmp_path: Path) -> None:
    config = ProxyConfig("edge", ["true"], None, redact_responses=True)
    read_out, write_out = os.pipe()
    proxy = Proxy(config, stdout_fd=write_out)

    def broken(line: bytes, ended: float, epoch: float) -> bytes:
        raise RuntimeError("a bug")

    proxy.from_server = broken  # type: ignore[method-assign]
    server_r, server_w = os.pipe()
    os.write(
        server_w, f'{{"id":1,"result":{{"t":"{TOKEN}"}}}}\n{{"id":2,"result":{{}}}}\n'.encode()
    )
    os.close(server_w)
    proxy.pump_server(server_r)  # returns at the end of the server's output
    os.close(write_out)
    relayed = os.read(read_out, 1 << 16).splitlines()
    assert len(relayed) == 2 and json.loads(relayed[1])["id"] == 2
    assert CANARY not in relayed[0].decode()  # --redact-responses still holds
    assert json.loads(relayed[0])["id"] == 1


# The log cannot be written: the disk is full (/dev/full answers ENOSPC to every write).
_FULL_DISK = """
import os, sys
import mcpir.proxy.records as records
records.RecordWriter._open = lambda self, epoch: os.open("/dev/full", os.O_WRONLY)
from mcpir.proxy.entry import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_does_not_stop_the_relay(tmp_path: Path) -> None:
    echo = _script(tmp_path, "s.py", "import sys\nfor l in sys.stdin: print(l, end='', "
                                     "flush=True)\nsys.exit(5)\n")  # fmt: skip
    argv = [sys.executable, "-c", _FULL_DISK, *_proxy(tmp_path, echo)[4:]]
    data = b"".join(b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i for i in range(200))
    done = subprocess.run(argv, input=data, capture_output=True, timeout=60, check=False)
    assert done.returncode == 5 and done.stdout == data
    warnings = done.stderr.decode().splitlines()
    assert len(warnings) == 1 and "No space left on device" in warnings[0], warnings


def test_a_planted_link_as_the_days_log_is_not_followed(tmp_path: Path) -> None:
    echo = _script(tmp_path, "s.py", "import sys\nfor l in sys.stdin: print(l, end='')\n")
    (tmp_path / "log").mkdir()
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep\n")
    for day in (time.gmtime(), time.gmtime(time.time() + 5)):  # around midnight too
        link = tmp_path / "log" / time.strftime("%Y-%m-%d.jsonl", day)
        if not link.is_symlink():
            link.symlink_to(target)
    data = b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n'
    done = subprocess.run(_proxy(tmp_path, echo), input=data, capture_output=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 0 and done.stdout == data
    assert target.read_text() == "keep\n" and b"cannot write the invocation log" in done.stderr


COUNT_SIGINT = r"""
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
print('{"jsonrpc":"2.0","method":"ready"}', flush=True)
got = 0
if signal.sigtimedwait({signal.SIGINT}, 30) is not None:
    got = 1
    while signal.sigtimedwait({signal.SIGINT}, 0.5) is not None:
        got += 1
sys.exit(got)
"""


def _in_terminal_session(slave: int) -> None:
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)  # the terminal's foreground group is ours


def test_ctrl_c_at_the_terminal_reaches_the_server_once(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    server = _script(tmp_path, "s.py", COUNT_SIGINT)
    process = subprocess.Popen(  # noqa: PLW1509 - preexec_fn: the test's own terminal session
        _proxy(tmp_path, server), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=slave,
        start_new_session=True, preexec_fn=lambda: _in_terminal_session(slave),
    )  # fmt: skip
    assert process.stdout is not None
    try:
        assert b"ready" in process.stdout.readline()
        os.write(master, b"\x03")  # Ctrl-C: the terminal signals its whole foreground group
        assert process.wait(timeout=30) == 1  # the server counted one SIGINT, not two
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
        os.close(slave)


def test_a_sigint_sent_to_the_proxy_alone_is_forwarded(tmp_path: Path) -> None:
    server = _script(tmp_path, "s.py", COUNT_SIGINT)
    process = subprocess.Popen(_proxy(tmp_path, server), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, start_new_session=True)  # fmt: skip
    assert process.stdout is not None
    assert b"ready" in process.stdout.readline()
    process.send_signal(signal.SIGINT)  # no terminal: nobody else told the server
    assert process.wait(timeout=30) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "no server command"),
        (("--",), "no server command"),
        (("--name", "x"), "no server command"),
        (("--bogus", "--", "true"), "no such option: --bogus"),
        (("--", "--bogus"), "no such option: --bogus"),
    ],
)
def test_both_entry_points_give_the_same_usage_errors(
    tmp_path: Path, run_cli: RunCli, args: tuple[str, ...], message: str
) -> None:
    fast = subprocess.run([sys.executable, "-m", "mcpir", "proxy", *args], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, check=False)  # fmt: skip
    typed = run_cli("proxy", *args)
    expected = f"mcpir: error: {message}"
    assert (fast.returncode, typed.code) == (2, 2)
    assert fast.stderr.splitlines() == typed.stderr.splitlines()
    assert len(fast.stderr.splitlines()) == 1 and fast.stderr.startswith(expected), fast.stderr
    assert fast.stdout == typed.stdout == ""
    assert not (tmp_path / ".atom-trail").exists()  # nothing made for a usage error


def test_a_missing_option_value_is_one_line_on_the_fast_path(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mcpir", "proxy", "--name"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, check=False)  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("mcpir: error: argument --name")


def test_the_client_leaving_mid_message(tmp_path: Path) -> None:
    echo = _script(tmp_path, "s.py", "import sys\nsys.stdout.write(sys.stdin.read())\n")
    half = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{"t":"' + (
        TOKEN.encode()
    )
    done = subprocess.run(_proxy(tmp_path, echo), input=half, capture_output=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 0 and done.stdout == half  # the server saw what was sent, then EOF
    records = _records(tmp_path / "log")
    assert [r["reason"] for r in records] == ["no newline before the end"] * 2
    assert CANARY not in json.dumps(records)


_DECIDE = """
import subprocess, sys
from mcpir.proxy.signals import terminal_sent
child = subprocess.Popen(["sleep", "30"])
print(terminal_sent(child.pid), flush=True)
child.kill()
"""


@pytest.mark.parametrize("terminal", [True, False])
def test_a_keyboard_signal_is_judged_by_the_terminals_foreground_group(terminal: bool) -> None:
    master, slave = pty.openpty()
    try:
        done = subprocess.run(  # noqa: PLW1509 - preexec_fn: the test's own terminal session
            [sys.executable, "-c", _DECIDE], capture_output=True, text=True, timeout=60,
            stdin=subprocess.DEVNULL,
            start_new_session=True, check=True,
            preexec_fn=(lambda: _in_terminal_session(slave)) if terminal else None,
        )  # fmt: skip
    finally:
        os.close(master)
        os.close(slave)
    assert done.stdout.strip() == str(terminal)


def test_a_log_directory_swapped_for_a_link_while_running_is_not_followed(tmp_path: Path) -> None:
    answer = (
        "import json, sys\nfor l in sys.stdin:\n"
        "    print(json.dumps({'jsonrpc': '2.0', 'id': json.loads(l)['id'], 'result': {}}),"
        " flush=True)\n"
    )
    echo = _script(tmp_path, "s.py", answer)
    process = subprocess.Popen(_proxy(tmp_path, echo), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE)  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    ping = b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n'
    process.stdin.write(ping % 1)
    process.stdin.flush()
    process.stdout.readline()
    deadline = time.monotonic() + 20
    while not list((tmp_path / "log").glob("*.jsonl")) and time.monotonic() < deadline:
        time.sleep(0.05)
    (tmp_path / "log").rename(tmp_path / "log.old")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "log").symlink_to(tmp_path / "elsewhere")
    process.stdin.write(ping % 2)
    process.stdin.close()
    assert process.wait(timeout=30) == 0
    assert not list((tmp_path / "elsewhere").iterdir())
    assert [r["id"] for r in _records(tmp_path / "log.old")] == [1, 2]


def test_the_next_days_log_is_opened_in_the_directory_first_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcpir.proxy import records

    now = 1_795_000_000.0
    monkeypatch.setattr("mcpir.proxy.records.time.time", lambda: now)
    (tmp_path / "log").mkdir()
    writer = records.RecordWriter(tmp_path / "log")
    writer.write({"n": 1})
    (tmp_path / "log").rename(tmp_path / "log.old")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "log").symlink_to(tmp_path / "elsewhere")
    now += 86_400  # midnight passed: the next day's file is opened
    writer.write({"n": 2})
    writer.shut()
    assert not list((tmp_path / "elsewhere").iterdir())
    assert len(list((tmp_path / "log.old").glob("*.jsonl"))) == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_server_does_not_outlive_a_killed_proxy(tmp_path: Path) -> None:
    stubborn = (
        "import os, signal, sys, time\n"
        "print(os.getpid(), flush=True)\n"
        "sys.stdin.read()\n"  # the end of its input does not stop it
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(_proxy(tmp_path, _script(tmp_path, "s.py", stubborn)),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert process.stdout is not None
    server = int(process.stdout.readline())
    process.kill()
    process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(server, 0)
        except ProcessLookupError:
            return
        if Path(f"/proc/{server}/stat").read_text().split()[2] == "Z":
            return  # ended, waiting for init to reap it
        time.sleep(0.05)
    os.kill(server, signal.SIGKILL)
    pytest.fail("the server ran on after its proxy was killed")


def test_a_command_the_system_cannot_run_is_one_line_exit_126(tmp_path: Path) -> None:
    script = tmp_path / "no-shebang"
    script.write_text("echo hi\n")  # executable, but no #! line: exec fails with ENOEXEC
    script.chmod(0o755)
    done = subprocess.run(_proxy(tmp_path, [str(script)]), input=b"", capture_output=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 126, done.stderr
    assert done.stderr.decode().splitlines() == [f"mcpir: error: {script}: Exec format error"]
