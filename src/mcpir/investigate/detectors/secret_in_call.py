"""Secrets (the scan's detectors) in what the model sent to a tool, or what a tool sent back."""

from __future__ import annotations

from collections.abc import Iterable

from mcpir.core.model import Severity
from mcpir.investigate.detectors.base import Context, Hit, hit, label
from mcpir.investigate.events import Call, Event
from mcpir.investigate.values import strings

NAME = "secret-in-call"
RESULT_LIMIT = 256 << 10  # the first 256 KiB of a result: where a leaked key would sit


def _found(pairs: Iterable[tuple[str | None, str]]) -> list[str]:
    from mcpir.secrets import find_secrets

    out: list[str] = []
    for key, value in pairs:
        for found in find_secrets(value, key):
            shown = f"{found.provider} {found.secret.fingerprint}"
            if shown not in out:
                out.append(shown)
    return out


class SecretInCall:
    name = NAME

    def __init__(self, ctx: Context) -> None:
        del ctx

    def feed(self, event: Event, live: bool) -> Iterable[Hit]:
        if not live or not isinstance(event, Call):
            return ()
        sent = _found(strings(event.arguments)) if event.arguments is not None else []
        got = _found([(None, event.result[:RESULT_LIMIT])]) if event.result else []
        if not sent and not got:
            return ()
        where = []
        if sent:
            where.append(f"sent to it: {', '.join(sent)}")
        if got:
            where.append(f"in its result: {', '.join(got)}")
        severity = Severity.HIGH if sent else Severity.MEDIUM
        return [
            hit(
                NAME,
                severity,
                f"secret in a call to {label(event.server, event.tool)} ({'; '.join(where)})",
                event.origin,
                server=event.server,
                tool=event.tool,
            )
        ]

    def finish(self) -> Iterable[Hit]:
        return ()


def make(ctx: Context) -> SecretInCall:
    return SecretInCall(ctx)
