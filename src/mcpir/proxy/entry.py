"""`python -m mcpir.proxy`: the proxy without the typer CLI in front (standard library only).

`mcpir proxy` (the typer command) and this entry take the same options and behave the same;
this one starts about 100 ms sooner, which matters for a program that sits in front of
every server start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from mcpir.core.errors import McpirError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line and exit 2, as every mcpir usage error (argparse prints its usage first).
        raise UsageError(message, hint="mcpir proxy --help")


REQUIRE_LOG_HELP = (
    "stop relaying when a record cannot be written: pending requests get a JSON-RPC error, "
    "the server is stopped, exit 3 (and the server is not started when the log cannot be "
    "opened)"
)


def parser() -> argparse.ArgumentParser:
    parse = _Parser(
        prog="mcpir proxy",
        description="Relay an MCP stdio (or, with --url, remote) server, logging every call.",
    )
    parse.add_argument("--name", help="server name in records and pins (default: CMD)")
    parse.add_argument("--log-dir", type=Path, help="where records go")
    parse.add_argument("--root", type=Path, help="project root (default: git top-level of cwd)")
    parse.add_argument("--redact-responses", action="store_true",
                       help="mask secrets in what the server sends")  # fmt: skip
    parse.add_argument("--block-changed", action="store_true",
                       help="hide tools added or changed since the pin until approved")  # fmt: skip
    parse.add_argument("--require-log", action="store_true", help=REQUIRE_LOG_HELP)
    parse.add_argument("--url", help="a remote server's URL instead of CMD")
    parse.add_argument("--transport", choices=("http", "sse"),
                       help="with --url: streamable HTTP (default) or legacy SSE")  # fmt: skip
    parse.add_argument("--header", action="append", metavar="'K: V'",
                       help="with --url: a header; ${VAR} resolved (keyring, env)")  # fmt: skip
    parse.add_argument("--header-env", action="append", metavar="K=VAR",
                       help="with --url: header K from environment variable VAR")  # fmt: skip
    parse.add_argument("--oauth", action="store_true",
                       help="with --url: sign in with OAuth when the server asks (tokens in the "
                       "keyring; `mcpir proxy login NAME` does it up front)")  # fmt: skip
    parse.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS]...")
    return parse


def main(argv: list[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        if words[:1] and words[0] in ("login", "logout"):  # a server command comes after `--`
            from mcpir.proxy.remote_login import run

            return run(words[0], words[1:])
        options, unknown = parser().parse_known_args(argv)
        if unknown:
            raise UsageError(f"no such option: {unknown[0]}", hint="mcpir proxy --help")
        command = list(options.command)
        if command[:1] == ["--"]:
            command = command[1:]
        from mcpir.proxy.config import configure
        from mcpir.proxy.relay import run_proxy

        config = configure(command, name=options.name, log_dir=options.log_dir,
                           root=options.root, redact_responses=options.redact_responses,
                           block_changed=options.block_changed,
                           require_log=options.require_log, url=options.url,
                           transport=options.transport, headers=options.header,
                           header_env=options.header_env, oauth=options.oauth)  # fmt: skip
        return run_proxy(config)
    except McpirError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        print(f"mcpir: error: {exc.message}{hint}", file=sys.stderr)
        return exc.exit_code
