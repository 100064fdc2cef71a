"""Whether a command line runs mcpir's proxy, in every form `mcpir wrap` writes it.

Read where servers are listed (scan's inventory, posture, unwrap): a wrapped server is judged
by the server's own command line inside `mcpir proxy … --`, not by the launcher in front.
"""

from __future__ import annotations

import re
from typing import Any

PROGRAM = "mcpir"


def names_mcpir(word: str) -> bool:
    """Whether a command word runs mcpir: `mcpir`, `mcpir.exe`, or a path to one."""
    return word.replace("\\", "/").rsplit("/", 1)[-1] in (PROGRAM, f"{PROGRAM}.exe")


_VALUED = ("--name", "--log-dir", "--root")  # `mcpir proxy` options that take a value


def _is_python(command: str) -> bool:
    return command.replace("\\", "/").rsplit("/", 1)[-1].lower().startswith("python")


def original(args: list[str]) -> list[str] | None:
    """The server's own command line in the arguments of `mcpir proxy` (after `proxy`)."""
    i = 0
    while i < len(args):
        if args[i] == "--":
            return args[i + 1 :] or None
        if args[i] in _VALUED:
            i += 2
        elif args[i].startswith("-"):
            i += 1
        else:
            return args[i:]
    return None


def _invocation(line: list[str], start: int) -> tuple[int, list[str]] | None:
    """When `line[start:]` runs mcpir (`mcpir`, a path to it, `python -m mcpir`, `python -m
    mcpir.proxy`): where that command ends, and its words from the subcommand on."""
    word = line[start]
    if names_mcpir(word):
        return start + 1, line[start + 1 :]
    if _is_python(word) and line[start + 1 : start + 2] == ["-m"]:
        module = line[start + 2 : start + 3]
        if module == ["mcpir.proxy"]:
            return start + 3, ["proxy", *line[start + 3 :]]
        if module == ["mcpir"]:
            return start + 3, line[start + 3 :]
    return None


# What may stand before the mcpir word: the package runners a `--command` names (`uvx mcpir`,
# `uvx --from mcpir==1.2 mcpir`, `pipx run mcpir`, `uv tool run mcpir`), their options, and
# an mcpir package spec. Nothing else: a prefix that is not one of these is its own program.
RUNNERS = {("uvx",), ("pipx", "run"), ("uv", "tool", "run"), ("uv", "run")}
_VALUED_RUNNER_OPTIONS = frozenset({"--from", "--spec", "--with", "--python", "-p", "--index-url"})
_SPEC = re.compile(r"mcpir(\[[A-Za-z0-9_,-]+\])?([=<>!~]=?[A-Za-z0-9.*+!_-]+)?")
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:/@+=<>!~,\[\]-]+")


def runs_mcpir_package(prefix: list[str]) -> bool:
    """Whether `prefix` (the words before the mcpir word) is empty or a package runner
    fetching mcpir itself, as `mcpir wrap --command` may write it."""
    if not prefix:
        return True
    names = [word.replace("\\", "/").rsplit("/", 1)[-1] for word in prefix[:3]]
    runner = next((r for r in RUNNERS if tuple(names[: len(r)]) == r), None)
    if runner is None:
        return False
    rest = prefix[len(runner) :]
    i = 0
    while i < len(rest):
        word = rest[i]
        if word in _VALUED_RUNNER_OPTIONS and i + 1 < len(rest):
            value = rest[i + 1]
            if word in ("--from", "--spec") and not _SPEC.fullmatch(value):
                return False  # a package other than mcpir would run in mcpir's place
            if not _SAFE_VALUE.fullmatch(value):
                return False
            i += 2
        elif word.startswith("-") and _SAFE_VALUE.fullmatch(word):
            i += 1
        elif _SPEC.fullmatch(word):
            i += 1
        else:
            return False
    return True


def proxied(line: list[str]) -> tuple[list[str], list[str]] | None:
    """(what launches the proxy and stays, the server's own command line) when `line` runs
    `mcpir proxy`, else None. Every form wrap writes is read: `mcpir`, an absolute path to it,
    `python -m mcpir` (or `-m mcpir.proxy`), and a `--command` such as `uvx mcpir` (what comes
    before the mcpir word is dropped with it). What stays is empty, or the `mcpir run … --`
    that `tokens externalize` puts around a wrapped server to pass it the secrets mcpir keeps."""
    prefix: list[str] = []
    while line:
        for start in range(len(line)):
            found = _invocation(line, start)
            if found is None:
                continue
            if not runs_mcpir_package(line[:start]):
                # `sh -c '…' mcpir proxy -- …`: a shell, a container, anything but a package
                # runner would hide its own code in front of the server; not a launcher.
                return None
            end, rest = found
            if rest[:1] == ["proxy"]:
                inner = original(rest[1:])
                return (prefix, inner) if inner else None
            if start == 0 and rest[:1] == ["run"] and "--" in rest:
                cut = rest.index("--") + 1
                prefix, line = [*prefix, *line[:end], *rest[:cut]], rest[cut:]
                break
            if start == 0:
                return None  # mcpir, but neither its proxy nor `run … --` around one
        else:
            return None
    return None


# What `mcpir wrap` writes in front of a remote server (`mcpir proxy --url …`).
_URL_FLAGS = frozenset({"--redact-responses", "--block-changed", "--require-log", "--oauth"})
_URL_VALUED = frozenset({"--name", "--log-dir", "--root", "--url", "--transport", "--header-env"})


def url_proxy(line: list[str]) -> dict[str, Any] | None:
    """`mcpir proxy --url …` read back: its url, transport and {header: env variable}; None
    when `line` does not run the proxy for a URL."""
    at = next((i for i, w in enumerate(line) if w == "proxy" and i > 0 and _mcpir(line, i)), None)
    if at is None:
        return None
    found: dict[str, Any] = {"url": None, "transport": "http", "headers": {}}
    words, i = line[at + 1 :], 0
    while i < len(words):
        word = words[i]
        if word in _URL_FLAGS:
            i += 1
            continue
        if word not in _URL_VALUED or i + 1 >= len(words):
            return None  # `--`, a server command, or an option wrap never writes
        value = words[i + 1]
        if word == "--url":
            found["url"] = value
        elif word == "--transport":
            found["transport"] = value
        elif word == "--header-env":
            header, _, variable = value.partition("=")
            found["headers"][header] = variable
        i += 2
    return found if found["url"] else None


def _mcpir(line: list[str], at: int) -> bool:
    return names_mcpir(line[at - 1]) or line[max(0, at - 2) : at] == ["-m", "mcpir"]
