"""The hidden prompts of `tokens add` and `tokens rotate`, typed into a real terminal: `python -m
mcpir` runs on a pseudo-terminal (its controlling tty, as in a shell), and what the terminal
shows must never include the value typed, while a visible answer (`y`) is echoed as usual."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcpir.core.secret import Secret
from mcpir.tokens import store
from tests.rotation_fixtures import github_double, keyring_entry

pytestmark = [
    pytest.mark.keyring,
    pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX"),
]
DEADLINE = 30.0


class Terminal:
    """`python -m mcpir ARGS` on a pty: type into it, read what its screen shows."""

    def __init__(self, *args: str, module: str = "mcpir") -> None:
        env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: its controlling terminal is the pty
            os.execve(sys.executable, [sys.executable, "-m", module, *args], env)  # noqa: S606
        self.screen = ""

    def _read(self, until: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, until - time.monotonic()))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not data:
            return False
        self.screen += data.decode("utf-8", "replace")
        return True

    def expect(self, text: str) -> None:
        until = time.monotonic() + DEADLINE
        while text not in self.screen:
            assert time.monotonic() < until, f"{text!r} never shown; screen: {self.screen!r}"
            assert self._read(until), f"ended before {text!r}; screen: {self.screen!r}"

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode("utf-8"))

    def finish(self) -> int:
        until = time.monotonic() + DEADLINE
        while time.monotonic() < until and self._read(until):
            pass
        os.close(self.fd)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


@pytest.fixture
def name() -> Iterator[str]:
    yield from keyring_entry("MCPIR_PTY")


def test_tokens_add_asks_twice_without_echo(name: str) -> None:
    value = f"pty-secret-{uuid.uuid4().hex}"
    term = Terminal("tokens", "add", name)
    # getpass writes the space after the prompt once echo is off: type only then.
    term.expect(f"Value of {name}: ")
    term.type(value + "\n")
    term.expect("Repeat for confirmation: ")
    term.type(value + "\n")
    term.expect("stored ")
    assert term.finish() == 0, term.screen
    assert value not in term.screen and value[:12] not in term.screen
    assert store.get(name) == Secret(value)


def test_tokens_rotate_reads_the_new_token_hidden(name: str, tmp_path: Path) -> None:
    with github_double() as double:
        old = double.issue("octocat", ("repo",))
        new = double.issue("octocat", ("repo",))
        store.add(name, old)
        term = Terminal(
            "tokens", "rotate", name, "--api-url", double.url,
            "--home", str(tmp_path), "--root", str(tmp_path),
        )  # fmt: skip
        term.expect("then paste it here")
        term.expect("New token: ")
        term.type(new + "\n")
        term.expect("then revoke the old one? [y/N]: ")
        term.type("y\n")
        term.expect("done: rotated")
        assert term.finish() == 0, term.screen
    assert store.get(name) == Secret(new) and double.revoked(old)
    for value in (old, new):
        assert value not in term.screen and value[4:16] not in term.screen
    # The terminal does echo what is typed at a visible prompt: the test can see an echo.
    assert "[y/N]: y" in term.screen


def test_the_terminal_shows_what_a_visible_prompt_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: typed at an ordinary prompt, a value is on the screen."""
    (tmp_path / "visible_prompt.py").write_text("input('Value: ')\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    term = Terminal(module="visible_prompt")
    term.expect("Value: ")
    term.type("pty-visible-value\n")
    assert term.finish() == 0
    assert "pty-visible-value" in term.screen
