"""`mcpir run`: start a command with the keyring's secrets in its environment.

As `op run` does, every variable of the environment whose value is a secret reference
(`op://…`, `vault://…`) is replaced by the value it names, read now; the command's stdout is
never written to (for an MCP server it is the protocol). In CI, where secrets arrive as
environment variables, `--only NAME` accepts a NAME the environment already holds (store
`env`, read only: nothing is written anywhere).

On POSIX mcpir replaces itself with the command (`execvpe`), so the command gets the signals
sent to `mcpir run` and its exit status is the status the caller sees, unchanged. Nothing here
imports discovery or the detectors; `keyring` is imported only when there is something to read.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import NoReturn

from mcpir.core.errors import McpirError, UsageError
from mcpir.tokens import passphrase, store

# The shell's codes, which wrappers and CI systems already understand.
EXIT_NOT_EXECUTABLE = 126
EXIT_NOT_FOUND = 127


class CommandNotFound(McpirError):
    exit_code = EXIT_NOT_FOUND


class CommandNotExecutable(McpirError):
    exit_code = EXIT_NOT_EXECUTABLE


def parse_only(values: Iterable[str] | None) -> list[str] | None:
    """`--only A,B --only C` → [A, B, C]; None when the option was not given."""
    if values is None:
        return None
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not names:
        raise UsageError("--only needs at least one token name")
    return [store.check_name(name) for name in names]


def secret_env(
    only: Sequence[str] | None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """NAME → value for every keyring entry mcpir keeps, or the `only` ones; an `only` name
    the environment holds and the keyring does not is left to the environment."""
    known = store.names()
    given = os.environ if environ is None else environ
    wanted = known if only is None else list(dict.fromkeys(only))
    wanted = [name for name in wanted if name in known or not given.get(name)]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise store.UnknownToken(
            f"no token named {', '.join(unknown)} in the keyring",
            hint="add it with `mcpir tokens add NAME`; `mcpir tokens list` shows the others",
        )
    env: dict[str, str] = {}
    for name in wanted:
        secret = store.get(name)
        if secret is None:
            raise store.UnknownToken(
                f"the keyring no longer holds {name}",
                hint=f"store it again with `mcpir tokens add {name}`",
            )
        env[name] = secret.reveal()
    return env


def resolved_references(environ: Mapping[str, str]) -> dict[str, str]:
    """NAME → value for every variable whose value is a secret reference, read now."""
    from mcpir.tokens import references

    found: dict[str, str] = {}
    for name, value in sorted(environ.items()):
        if references.looks_like(value):
            found[name] = references.read(references.parse(value)).reveal()
            if "\0" in found[name]:  # execve refuses it: one line, not a traceback
                raise references.ReferenceFailed(
                    f"{value}: its value holds a NUL byte, which no environment variable can"
                )
    return found


def exec_with_secrets(
    argv: Sequence[str], only: Sequence[str] | None, environ: Mapping[str, str] | None = None
) -> NoReturn:
    """Run `argv` with the secrets added to `environ` (default: this process's environment)."""
    if not argv:
        raise UsageError("no command to run", hint="mcpir run [--only NAME,...] -- CMD [ARGS]...")
    secrets = secret_env(only, environ)  # first: it may read (and drop) the keyring passphrase
    env = dict(os.environ if environ is None else environ)
    env.update(resolved_references(env))
    env.update(secrets)
    for name in (passphrase.ENV, passphrase.ENV_FD):
        env.pop(name, None)  # the keyring's passphrase is mcpir's, never the command's
    passphrase.close_unread()  # nor its descriptor, open across exec when no keyring was read
    command = list(argv)
    if not command or not command[0]:
        raise CommandNotFound("no command to run: give one after --")
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        if os.name != "posix":
            import subprocess

            # Windows has no exec that keeps the process: wait and hand the status on.
            raise SystemExit(subprocess.call(command, env=env))  # noqa: S603
        os.execvpe(command[0], command, env)  # noqa: S606
    except FileNotFoundError:
        raise CommandNotFound(f"{command[0]}: command not found") from None
    except PermissionError:
        raise CommandNotExecutable(f"{command[0]}: permission denied") from None
    except OSError as exc:
        raise CommandNotExecutable(f"{command[0]}: {exc.strerror or exc}") from None
