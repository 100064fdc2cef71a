"""Where a proxy logs and keeps pins: `<root>/.atom-trail/{mcp-invocations,tool-pins}/`.

The root is `--root`, else the git top-level of the working directory (the client starts the
server there), else the working directory. When that tree cannot be written (a desktop client
may start servers in `/`), mcpir's own data directory stands in, with a warning: the server
is relayed whatever happens to the log, unless `--require-log` says not to start it.
"""

from __future__ import annotations

import os
from pathlib import Path

from mcpir.core.errors import McpirError
from mcpir.proxy.pins import PinStore
from mcpir.proxy.relay import LogUnavailable, ProxyConfig

LOG_DIR = "mcp-invocations"
PINS_DIR = "tool-pins"


def _warn(message: str) -> None:
    from mcpir.core.redact import redact_text

    try:  # a path from argv may hold any byte: shown escaped, never an encoding error
        line = f"mcpir proxy: warning: {redact_text(message)}\n"
        os.write(2, line.encode("utf-8", "backslashreplace"))
    except OSError:
        pass


def trail_dir(root: Path | None, name: str, required: bool = False) -> Path | None:
    """`<root>/.atom-trail/<name>`, made private; mcpir's data directory when it cannot be
    (`required`: an error when neither can be)."""
    from mcpir.core.paths import data_dir, default_root
    from mcpir.incident.store import trail

    base = root if root is not None else default_root()
    try:
        return trail(base, name)
    except (OSError, McpirError) as exc:
        reason = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
        try:
            data_dir().mkdir(parents=True, exist_ok=True, mode=0o700)
            fallback = trail(data_dir(), name)
        except (OSError, McpirError):
            message = f"cannot write under {base} ({reason}) nor in mcpir's data directory"
            if required:
                raise LogUnavailable(
                    f"{message}; the server is not started (--require-log)"
                ) from None
            _warn(message)
            return None
        _warn(f"cannot write under {base} ({reason}); using {fallback}")
        return fallback


def _pins(root: Path | None) -> PinStore | None:
    """The project's pins, made on the first pin (a run that never lists tools leaves no trace);
    mcpir's data directory when the project cannot be written."""
    from mcpir.core.paths import default_root
    from mcpir.incident.store import TRAIL

    base = root if root is not None else default_root()
    directory = base / TRAIL / PINS_DIR
    store = PinStore(directory, root=base)
    planted = store.planted()  # pins are never read or written through a link
    usable = directory.is_dir() or (os.access(base, os.W_OK) and not (base / TRAIL).is_file())
    if usable and planted is None:
        return store
    if planted is not None:
        from mcpir.core.paths import data_dir

        _warn(f"{planted} is a symbolic link; tool pins are kept in mcpir's data directory")
        base = data_dir()
    fallback = trail_dir(base if planted is not None else root, PINS_DIR)
    return PinStore(fallback, root=fallback.parent.parent) if fallback is not None else None


def configure(
    command: list[str],
    *,
    name: str | None,
    log_dir: Path | None,
    root: Path | None,
    redact_responses: bool,
    block_changed: bool,
    require_log: bool = False,
    url: str | None = None,
    transport: str | None = None,
    headers: list[str] | None = None,
    header_env: list[str] | None = None,
    oauth: bool = False,
) -> ProxyConfig:
    """The proxy's settings; a usage error (before anything is made) when CMD is missing, or
    given with --url."""
    from mcpir.core.errors import UsageError

    target = None
    if url is not None:
        from mcpir.proxy.remote_config import remote

        if command:
            raise UsageError("--url and a server command: pass one",
                             hint="mcpir proxy --name NAME --url URL")  # fmt: skip
        target = remote(url, transport or "http", headers or [], header_env=header_env or [],
                        oauth=oauth)  # fmt: skip
    elif transport is not None or headers or header_env or oauth:
        raise UsageError("--transport and --header go with --url", hint="mcpir proxy --help")
    elif not command or not command[0]:
        raise UsageError("no server command", hint="mcpir proxy [OPTIONS] -- CMD [ARGS]...")
    if command and command[0].startswith(
        "-"
    ):  # a mistyped option, not a program (typer passes it on)
        raise UsageError(f"no such option: {command[0]}", hint="mcpir proxy --help")
    if log_dir is not None:
        log_dir = log_dir.expanduser()
        try:
            log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            if require_log:
                raise LogUnavailable(f"cannot create {log_dir} ({exc.strerror}); the server is "
                                     "not started (--require-log)") from None  # fmt: skip
            _warn(f"cannot create {log_dir} ({exc.strerror}); nothing will be logged")
            log_dir = None
    else:
        log_dir = trail_dir(root, LOG_DIR, required=require_log)
    server = name or (_host(url) if url is not None else Path(command[0]).name)
    return ProxyConfig(
        name=server,
        command=command,
        log_dir=log_dir,
        pins=_pins(root),
        redact_responses=redact_responses,
        block_changed=block_changed,
        require_log=require_log,
        remote=target,
    )


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or "remote"
