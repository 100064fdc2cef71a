"""The passphrase of an encrypted-file keyring: from `MCPIR_KEYRING_PASSPHRASE`, from a file
descriptor named by `MCPIR_KEYRING_PASSPHRASE_FD`, or asked for on the terminal.

Never from a command-line argument: argv is readable by every user of the machine (`ps`).
Once read, both variables leave this process's environment, so no child mcpir starts
(`mcpir run`'s command, a `--verify-command`, git) inherits the passphrase.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from mcpir.tokens.backends import KeyringUnavailable

ENV = "MCPIR_KEYRING_PASSPHRASE"
ENV_FD = "MCPIR_KEYRING_PASSPHRASE_FD"
# Longer than any passphrase a person types or a CI secret holds; a descriptor that never ends
# (a tty left open, /dev/zero) must not be read forever.
_MAX = 4096


class NoPassphrase(KeyringUnavailable):
    """No passphrase source: no variable, no descriptor, no terminal (exit 2)."""


def _from_fd(text: str) -> str:
    try:
        fd = int(text)
    except ValueError:
        raise NoPassphrase(f"{ENV_FD}={text!r} is not a file descriptor number") from None
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= _MAX:
            chunk = os.read(fd, _MAX + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise NoPassphrase(f"{ENV_FD}={fd}: cannot read it ({exc.strerror})") from None
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
    if size > _MAX:
        raise NoPassphrase(f"{ENV_FD}={fd}: more than {_MAX} bytes, not a passphrase")
    try:
        return b"".join(chunks).decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise NoPassphrase(f"{ENV_FD}={fd}: not UTF-8 text") from None


def _prompt(where: str) -> str | None:
    """Ask on the controlling terminal, or None without one: stdin may be an MCP stream."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    os.close(tty)
    import getpass

    try:
        return getpass.getpass(f"Passphrase of the encrypted keyring {where}: ")
    except (EOFError, OSError):
        return None


def without_it(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without the passphrase's variables: for a child started before the keyring
    was unlocked (`op`), which would otherwise inherit them."""
    return {name: value for name, value in environ.items() if name not in (ENV, ENV_FD)}


def close_unread() -> None:
    """Close the descriptor `MCPIR_KEYRING_PASSPHRASE_FD` names when nothing has read it yet:
    the shell opened it inheritable, so a command mcpir execs would read the passphrase."""
    text = os.environ.pop(ENV_FD, None)
    try:
        fd = int(text) if text is not None else -1
    except ValueError:
        return
    if fd > 2:  # never stdin, stdout or stderr, whatever the variable says
        try:
            os.close(fd)
        except OSError:
            pass


def read(where: str, *, prompt: bool = True) -> str:
    """The passphrase, from the first source that has one; the variables are dropped."""
    value = os.environ.pop(ENV, None)
    fd = os.environ.pop(ENV_FD, None)
    if not value and fd:
        value = _from_fd(fd)
    if not value and prompt:
        value = _prompt(where)
    if not value:
        raise NoPassphrase(
            f"no passphrase for the encrypted keyring {where}",
            hint=f"set {ENV}, or {ENV_FD}=N to read it from descriptor N, "
            "or run from a terminal to be asked",
        )
    return value
