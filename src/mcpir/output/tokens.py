"""How the `mcpir tokens` commands look: tables, JSON documents and result lines.

Names, places and fingerprints only, never a value; every text from a config is redacted and
shown, not obeyed.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

from mcpir.core.redact import redact_text
from mcpir.core.safe import shown
from mcpir.core.words import plural

if TYPE_CHECKING:
    from pathlib import Path

    from mcpir.core.model import ConfigFile
    from mcpir.core.paths import Scopes
    from mcpir.notify.reminders import RemindReport
    from mcpir.tokens import Token
    from mcpir.tokens.backend_check import Description
    from mcpir.tokens.externalize import Moved, Plan
    from mcpir.tokens.providers import TokenProvider, Verification
    from mcpir.tokens.rotate import Outcome
    from mcpir.tokens.status import Check, TokenStatus


def _err(line: str) -> None:
    print(line, file=sys.stderr)


def token_table(tokens: list[Token], scopes: Scopes) -> None:
    """`tokens list`: a row per token; which servers read it, then where it is written and
    what exposed it, under one another in the last column, so a path folds whole there."""
    from mcpir.output.terminal import blank, cell, fit, lines, printed, table

    if not tokens:
        printed(cell("No credentials found in any MCP server's reach."))
        return
    styles = {"literal": "red", "missing": "yellow", "prompted": "dim"}
    drawn = fit(table("token", "status", "age", "provider", "read by"), "read by",
                caps={"provider": 20})  # fmt: skip
    drawn.columns[2].justify = "right"
    for token in tokens:
        where = [cell(", ".join(token.servers) or "no server")]
        where += [cell(f"at {scopes.display_location(loc)}", "dim") for loc in token.locations]
        if token.exposed:
            where.append(cell(f"exposed {exposure(token)}", "red"))
        drawn.add_row(
            cell(token.id, "bold"),
            cell(token.status, styles.get(token.status, "")),
            cell("" if token.age_days is None else f"{token.age_days}d"),
            cell(token.provider),
            lines(*where),
        )
    counts = Counter(token.status for token in tokens)
    summary = ", ".join(f"{counts[s]} {s}" for s in sorted(counts))
    exposed = sum(token.exposed for token in tokens)
    summary += f"; {exposed} exposed: rotate {'them' if exposed > 1 else 'it'}" if exposed else ""
    printed(drawn, blank(), cell(f"{plural(len(tokens), 'token')} ({summary})"))


def exposure(token: Token) -> str:
    """What exposed a token, and where its age counts from: names and commits, never values."""
    sources = ", ".join(_short(source) for source in token.exposure)
    return shown(f"({sources}; age from {_short(token.age_source or '')})")


def _short(source: str) -> str:
    """A commit as `git log --oneline` would name it, on a line that already holds a path."""
    kind, _, detail = source.partition(":")
    return f"git:{detail[:12]}" if kind == "git" else source


def token_list_json(tokens: list[Token]) -> None:
    from mcpir.output import jsonout

    jsonout.dump([token.as_dict() for token in tokens])


def literal_note(literal: int) -> None:
    _err(
        f"{plural(literal, 'token is', 'tokens are')} written into config files: "
        "`mcpir tokens externalize --dry-run` shows how each moves into the OS keyring "
        "(undo: mcpir restore), then `--yes` moves them"
    )


def not_read(problems: list[ConfigFile], scopes: Scopes) -> None:
    for config in problems:
        _err(f"not read: {shown(scopes.display(config.path))}: {shown(config.error or '')}")


def status_lines(result: Check, scopes: Scopes) -> list[str]:
    """The text `mcpir tokens status` prints: a line per token, its locations under it."""
    from mcpir.tokens.status import STATES

    notes = [f"note: {shown(entry)} matches no token" for entry in result.unmatched]
    if not result.aged and not result.unaged:
        return ["No credentials found in any MCP server's reach.", *notes]
    lines = []
    width = max((len(s.state) for s in result.aged), default=0)
    for status in result.aged:
        token = status.token
        if status.days_left < 0:
            when = f"overdue since {status.due} ({-status.days_left}d)"
        else:
            when = f"due {status.due} (in {status.days_left}d)"
        servers = shown(", ".join(token.servers) or "no server")
        lines.append(
            f"{token.id}  {status.state.ljust(width)}  {status.age_days:>4}d/"
            f"{status.rule.max_age_days}d  {when}  {token.provider}  read by {servers}"
        )
        lines.extend(f"    {shown(scopes.display_location(w))}" for w in token.locations)
        if token.exposed:
            lines.append(f"    exposed {exposure(token)}")
    counts = {state: sum(s.state == state for s in result.aged) for state in STATES}
    summary = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    lines.append(f"\n{plural(len(result.aged), 'token')} ({summary})")
    if result.unaged:
        lines.append(
            f"{plural(len(result.unaged), 'more has', 'more have')} no value here to age "
            "(prompted or missing): "
            "see `mcpir tokens list`"
        )
    if counts["exposed"] or counts["overdue"] or counts["due-soon"]:
        lines.append("rotate one with `mcpir tokens rotate <id>`")
    return lines + notes


def status_json(aged: list[TokenStatus]) -> None:
    """The `--json` list, one token per line: still one JSON document, written by the C
    encoder (an indented dump of 10,000 tokens takes the pure-Python one, 3x slower)."""
    rows = [json.dumps(status.as_dict(), ensure_ascii=False) for status in aged]
    sys.stdout.write("[\n" + ",\n".join(rows) + "\n]\n" if rows else "[]\n")
    sys.stdout.flush()


def reminders(report: RemindReport) -> None:
    """What `tokens status --notify` sent, on stderr."""
    for channel, why in report.unavailable.items():
        _err(f"notify: {channel} skipped: {shown(why)}")
    for delivery in (*report.reminded, *report.resolved):
        mark = "" if delivery.ok else "FAILED "
        _err(f"notify: {delivery.channel} {delivery.token_id}: {mark}{shown(delivery.detail)}")


def externalized(
    scopes: Scopes, incident: str | None, moved: list[Moved], plan: Plan, json_output: bool
) -> None:
    """What moved where and what needs a person: names, places, fingerprints, never a value."""
    if json_output:
        from mcpir.output import jsonout

        jsonout.dump(
            {
                "version": 1,
                "incident": incident,
                "moved": [
                    {"name": m.name, "fingerprint": m.secret.fingerprint, "path": str(m.path),
                     "line": m.line, "server": redact_text(m.server)}
                    for m in moved
                ],
                "needs_you": [
                    {"path": str(n.path), "line": n.line, "server": redact_text(n.server),
                     "reason": n.reason}
                    for n in plan.needs_you
                ],
            }
        )  # fmt: skip
        return
    verb = "moved" if incident else "would move"
    for m in moved:
        where = f"{scopes.display(m.path)}:{m.line}"
        into = str(plan.to) if plan.to is not None else "the OS keyring"
        print(redact_text(f"{verb} {m.name} ({m.secret.fingerprint}) from {where} "
                          f"({m.server}) into {into}"))  # fmt: skip
    for n in plan.needs_you:
        where = f"{scopes.display(n.path)}:{n.line}"
        print(redact_text(f"needs you: {where} ({n.server}): {n.reason}"))
    if incident:
        _err(
            f"incident {incident}: restart your AI clients; a config that now says ${{NAME}} "
            "needs the client started with `mcpir run -- CLIENT`; undo with `mcpir restore "
            f"{incident} --root {scopes.root}`"
        )


def verified(which: str, fingerprint: str, provider: TokenProvider, found: Verification) -> None:
    """`tokens verify`: the token (id, where it is, fingerprint), then what its provider said;
    never a value."""
    state = "valid" if found.ok else ("not checked" if found.unknown else "invalid")
    scopes = "(not reported)" if found.scopes is None else ", ".join(sorted(found.scopes))
    print(f"{which}  {fingerprint}")
    print(f"  provider  {provider.name}")
    print(f"  status    {state}: {found.detail}")
    print(f"  login     {found.login or '-'}")
    print(f"  scopes    {scopes or '(none)'}")
    print(f"  expires   {found.expires or '-'}")


def rotated(name: str, outcome: Outcome) -> None:
    """`tokens rotate`'s last lines: what needs a person, then how it ended."""
    for line in outcome.needs_you:
        print(f"needs you: {line}")
    if outcome.status == "stopped":
        print(f"stopped: {outcome.detail}; re-run `mcpir tokens rotate {name}` to resume")
    else:
        print(f"{outcome.status}: {outcome.detail}")


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "NO: plaintext on disk")


def backend(found: Description, written: Path | None, json_output: bool) -> None:
    """`mcpir secrets backend`: the backend, encrypted at rest or not, the round trip."""
    if json_output:
        from mcpir.output import jsonout

        jsonout.dump({**found.as_dict(), "recorded": None if written is None else str(written)})
        return
    rows = [
        ("backend", f"{found.name} ({found.path})"),
        ("encrypted", _yes_no(found.encrypted)),
        ("file", found.file or "-"),
        ("chosen by", found.chosen_by),
        ("round trip", found.round_trip),
    ]
    for label, value in rows:
        print(f"{label:<11} {shown(redact_text(value))}")
    if written is not None:
        print(f"recorded    {shown(str(written))}: every mcpir command now uses {found.name}")


def no_backend(
    problem: str, hint: str | None, rows: list[dict[str, Any]], json_output: bool
) -> None:
    """`mcpir secrets backend` with none usable: why, and what could be chosen."""
    if json_output:
        from mcpir.output import jsonout

        jsonout.dump({"backend": None, "problem": problem, "hint": hint, "available": rows})
        return
    print(f"backend     none usable: {shown(problem)}")
    if hint:
        print(f"            {shown(hint)}")
    for row in rows:
        state = "installed" if row["installed"] else f"not installed: {row['install']}"
        print(f"  {row['backend']:<14} {_yes_no(row['encrypted_at_rest']):<22} {state}")
