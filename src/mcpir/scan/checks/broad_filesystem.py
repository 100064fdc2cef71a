"""Filesystem servers given `/` or the whole home: every key, token and history file is in reach."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from mcpir.core.model import Finding, Server, Severity
from mcpir.launchers.commands import argv
from mcpir.scan.checks.base import Check, Rule, ScanContext, finding

RULE = Rule(
    "broad-filesystem",
    "Filesystem server given the root or the whole home directory",
    Severity.HIGH,
    "A filesystem server can read and often write every path it is given. Given `/` or the home "
    "directory, a poisoned description or a prompt injection can read `~/.ssh`, `~/.aws`, "
    "shell history and every other MCP config. Give it the project directory only.",
)
_FILESYSTEM = re.compile(r"filesystem|(?:^|[-_/@])fs(?:$|[-_@])|file-?server|files-mcp", re.I)
_TOO_BROAD = re.compile(
    r"^(?:/|[A-Za-z]:[\\/]?|~[\\/]?|\$HOME/?|\$\{HOME\}/?|\$\{env:HOME\}/?|\$\{userHome\}/?|"
    r"%USERPROFILE%\\?|/home/[^/]+/?|/Users/[^/]+/?|/root/?|[A-Za-z]:[\\/]Users[\\/][^\\/]+[\\/]?)$"
)

# Every name `_FILESYSTEM` matches holds one of these: one search over the whole command line
# (most servers) instead of one per word and the name.
_MAYBE = re.compile(r"f(?:s|ile)", re.I)


# Called for every server of every config: most have nothing here and return at once,
# without a generator.
def check(server: Server, ctx: ScanContext) -> Sequence[Finding]:
    words = argv(server)
    if _MAYBE.search("\n".join(words[:6])) is None and _MAYBE.search(server.name) is None:
        return ()
    return list(_check(server, words))


def _check(server: Server, words: list[str]) -> Iterator[Finding]:
    if not any(_FILESYSTEM.search(word) for word in words[:6]) and not _FILESYSTEM.search(
        server.name
    ):
        return
    for word in words[1:]:
        if _TOO_BROAD.match(word.strip().strip('"')):
            target = "the whole filesystem" if word.strip() in {"/", "C:\\", "C:/"} else "a home"
            message = f"filesystem server is given {word} ({target})"
            yield finding(RULE, server, message, evidence=word)


CHECK = Check(
    RULE,
    on_server=check,
    reads=frozenset({"name", "command", "args"}),
    good=(
        {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/srv/app"]},
        {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "~/src/app"]},
        {"command": "node", "args": ["server.js", "/"]},
    ),
    bad=(
        {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/"]},
        {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "~"]},
        {"command": "npx", "args": ["@modelcontextprotocol/server-filesystem", "/Users/alice"]},
        {"command": "uvx", "args": ["mcp-server-fs", "${HOME}"]},
        {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "C:\\"]},
    ),
)
