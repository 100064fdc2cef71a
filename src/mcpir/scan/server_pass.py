"""Every server check over every server of every config: the scan's per-server loop.

A check that declares what it reads of a server (`Check.reads`: the command line, say) gives
the same verdict on every server whose values of those fields are the same. A scan reads the
same command lines many times over (one `npx -y pkg@1.2.3` in every project and every client's
copy of a server), and most find nothing: when every check reading the same fields found
nothing on one server, the other servers with those values skip them. Only silence is
remembered (findings name their server and line, so those checks run again), per scan, for
values no longer than `MEMO_CHARS` in all, and at most `MEMO_ENTRIES` of them with the rest
of the scan's memo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter

from mcpir.core.model import ConfigFile, Finding, Server
from mcpir.scan.checks.base import MEMO_CHARS, MEMO_ENTRIES, Check, ScanContext, ServerFn

# (memo key's first item, the fields' values of a server, the checks that read only them)
_Group = tuple[str, Callable[[Server], object], tuple[ServerFn, ...]]


def _groups(checks: Sequence[Check]) -> tuple[list[ServerFn], list[_Group]]:
    """The checks that read a whole server, and those that declared what they read, grouped
    by the fields they read."""
    whole: list[ServerFn] = []
    by_fields: dict[tuple[str, ...], list[ServerFn]] = {}
    for check in checks:
        if check.on_server is None:
            continue
        if check.reads:
            by_fields.setdefault(tuple(sorted(check.reads)), []).append(check.on_server)
        else:
            whole.append(check.on_server)
    groups: list[_Group] = []
    for fields, runs in by_fields.items():
        read: Callable[[Server], object] = attrgetter(*fields)
        groups.append((f"silent on {','.join(fields)}", read, tuple(runs)))
    return whole, groups


def _size(values: object) -> int:
    """Characters a memo key of these values holds: strings, tuples of strings, None."""
    if isinstance(values, str):
        return len(values)
    if isinstance(values, tuple):
        return sum(_size(value) for value in values)
    return 0


def server_findings(
    files: Iterable[ConfigFile], checks: Sequence[Check], ctx: ScanContext
) -> Iterator[Finding]:
    """What `checks` find on each server, server by server; neither deduplicated nor sorted
    (`scan` does both, so the order of checks within one server says nothing)."""
    whole, groups = _groups(checks)
    memo = ctx.memo
    for config in files:
        for server in config.servers:
            for run in whole:
                # Most checks find nothing on most servers and return an empty sequence.
                found = run(server, ctx)
                if found:
                    yield from found
            for name, read, runs in groups:
                key = (name, read(server))
                if key in memo:
                    continue
                silent = True
                for run in runs:
                    found = run(server, ctx)
                    if found:
                        silent = False
                        yield from found
                if silent and len(memo) < MEMO_ENTRIES and _size(key[1]) <= MEMO_CHARS:
                    memo[key] = True
