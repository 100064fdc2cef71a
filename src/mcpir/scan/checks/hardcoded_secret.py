"""Secrets written into a config: they leak with every copy, commit and backup of the file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from mcpir.core.model import Finding, Server, Severity
from mcpir.core.randomness import RUN
from mcpir.core.redact import MIN_RANDOM_LENGTH, mask, random_spans
from mcpir.scan.checks.base import MEMO_CHARS, MEMO_ENTRIES, Check, Rule, ScanContext, finding

if TYPE_CHECKING:
    from mcpir.secrets import SecretHit

RULE = Rule(
    "hardcoded-secret",
    "Credential hardcoded in an MCP config",
    Severity.HIGH,
    "A token in a config file is readable by every process and every person with the file, and "
    "survives in backups and git history. Store it in the OS keyring (`mcpir tokens add NAME`), "
    "reference it (`${NAME}`, `${input:id}`) and start the server through `mcpir run`; rotate "
    "the token if the file was ever shared or committed.",
)
_SEVERITY = {"high": Severity.HIGH, "medium": Severity.HIGH, "low": Severity.MEDIUM}
_KIND = {"generic-high-entropy": "random-looking credential"}


# Shorter than a password (`secrets.entropy.MIN_PASSWORD_LENGTH`, the least `find_secrets`
# reports) and a random run (16): nothing to find. A literal, as importing `mcpir.secrets`
# builds every provider: that waits until a scan runs (tests/test_secrets_speed.py pins it).
SHORTEST = 8


# An environment variable's name, as `--header-env K=VAR` gives it: upper case, with underscores.
_ENV_REFERENCE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def _arguments(args: tuple[str, ...]) -> list[tuple[int, str, str | None]]:
    """(index, value, name it sits under) for every argument long enough to hold a secret."""
    found: list[tuple[int, str, str | None]] = []
    previous: str | None = None
    for index, arg in enumerate(args):
        if len(arg) >= SHORTEST:
            if "=" in arg and _ENV_REFERENCE.fullmatch(arg.split("=", 1)[1]):
                # `--header-env Authorization=MCPIR_HEADER_AUTHORIZATION` names the variable
                # that holds the value (what `mcpir wrap` writes): a reference, not a secret.
                previous = None
                continue
            key = arg.split("=", 1)[0].lstrip("-") if "=" in arg else previous
            found.append((index, arg, key))
        previous = arg.lstrip("-") if arg.startswith("-") else None
    return found


def _unnamed(value: str) -> Iterator[str]:
    """Random-looking runs that no name vouches for (`serve <base64 key>`, `SESSION=<key>`):
    the same runs every output masks. A provider's look-alike (a fixture, a token that fails
    its checksum) is left out, as the detectors leave it out; the shape of a provider that
    needs a name to vouch for it (any 40 base64 characters for AWS) says nothing alone."""
    spans = random_spans(value)
    if not spans:
        return
    from mcpir.secrets import providers

    shaped = [m.span() for p in providers() if p.context is None for m in p.pattern.finditer(value)]
    for start, end in spans:
        if all(end <= s or e <= start for s, e in shaped):
            yield value[start:end]


# (what was found, the value masked, severity) for each secret in one value.
Judged = tuple[tuple[str, str, Severity], ...]


def _judge(find_secrets: Callable[[str, str | None], list[SecretHit]], value: str,
           key: str | None) -> Judged:  # fmt: skip
    hits = find_secrets(value, key)
    if hits:
        return tuple(
            (
                _KIND.get(hit.provider, f"{hit.provider} token"),
                mask(hit.secret.reveal()),
                _SEVERITY.get(hit.confidence, Severity.HIGH),
            )
            for hit in hits
        )
    if len(value) < MIN_RANDOM_LENGTH or RUN.search(value) is None:
        return ()  # no random-looking run either (`_unnamed` finds none without a `RUN`)
    return tuple(("random-looking value", mask(run), Severity.MEDIUM) for run in _unnamed(value))


# What one server's command line holds: (where, what was found) for each argument with a secret.
ArgsJudged = tuple[tuple[str, Judged], ...]


def check(server: Server, ctx: ScanContext) -> Sequence[Finding]:
    """Every value a server is given (env, headers, arguments, url, command), in that order.
    Called for every server of every config: in loops, not generators, and each judgement
    remembered per scan (`ScanContext.memo`), as one per command line for the arguments."""
    find, memo = _find or _detector(), ctx.memo
    found: list[tuple[str, Judged]] = []
    for place, values in (("env", server.env), ("header", server.headers)):
        for name, secret in values.items():
            value = secret.reveal()
            if len(value) >= SHORTEST:
                # The memo's answer first, without a call: most values were judged before.
                judged = memo.get((RULE_ID, value, name))
                if judged is None:
                    judged = _judged(find, memo, value, name)
                if judged:
                    found.append((f"{place} {name}", judged))
    args = server.args
    if args:
        mark = (RULE_ID, args)
        in_args: ArgsJudged | None = memo.get(mark)
        if in_args is None:
            in_args = tuple(
                (f"args[{index}]", judged)
                for index, value, key in _arguments(args)
                if (judged := _judged(find, memo, value, key))
            )
            if sum(map(len, args)) <= MEMO_CHARS and len(memo) < MEMO_ENTRIES:
                memo[mark] = in_args
        found += in_args
    url, command = server.url, server.command
    for place, text in (("url", url), ("command", command)) if url else (("command", command),):
        if text and len(text) >= SHORTEST:
            judged = _judged(find, memo, text, None)
            if judged:
                found.append((place, judged))
    if not found:
        return ()
    return [
        finding(
            RULE, server, f"{what} in {where}", evidence=f"{where}: {masked}", severity=severity
        )
        for where, judged in found
        for what, masked, severity in judged
    ]


RULE_ID = RULE.id
# `mcpir.secrets.find_secrets`, imported on the first server a scan checks: importing the
# package builds every provider (tests/test_secrets_speed.py pins that it waits), and an
# import statement per server costs a lookup in `sys.modules` each time.
_find: Callable[[str, str | None], list[SecretHit]] | None = None


def _detector() -> Callable[[str, str | None], list[SecretHit]]:
    global _find
    from mcpir.secrets import find_secrets

    _find = find_secrets
    return find_secrets


def _judged(
    find: Callable[[str, str | None], list[SecretHit]],
    memo: dict[tuple[object, ...], Any],
    value: str,
    key: str | None,
) -> Judged:
    if len(value) > MEMO_CHARS:
        return _judge(find, value, key)
    mark = (RULE_ID, value, key)
    judged: Judged | None = memo.get(mark)
    if judged is None:
        judged = _judge(find, value, key)
        if len(memo) < MEMO_ENTRIES:
            memo[mark] = judged
    return judged


CHECK = Check(
    RULE,
    on_server=check,
    good=(
        {"command": "npx", "args": ["pkg@1.0.0"], "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}},
        {"url": "https://x.example/mcp", "headers": {"Authorization": "Bearer ${input:tok}"}},
        {"command": "uvx", "args": ["srv==1.0"], "env": {"LOG_LEVEL": "debug", "PORT": "8080"}},
        {"command": "node", "args": ["s.js"], "env": {"API_KEY": "YOUR_API_KEY_HERE"}},
        {
            "command": "uvx",
            "args": ["mcp-server-git", "--repository", "/home/alice/src/app"],
            "env": {"SESSION_ID": "0199a1b2-7c3d-7e4f-8a9b-00000000c0de"},
        },
    ),
    bad=(
        {"command": "npx", "env": {"SERVICE_API_TOKEN": "q8Zr4LkP2vXn9TbYw3HsJe6MdFa1GcUo"}},
        {"url": "https://x.example/mcp?api_key=Zq7Lm2Xv9Pn4Rt6Yb8Kd3Hs5Wf1Gc0Ja"},
        {"command": "srv", "args": ["--token", "Zq7Lm2Xv9Pn4Rt6Yb8Kd3Hs5Wf1Gc0Ja"]},
        {"command": "srv", "args": ["serve", "Kq8/Zr4LkP2vXn9TbYw3HsJe6MdFa1GcUo+Wn8bYc4"]},
    ),
)
