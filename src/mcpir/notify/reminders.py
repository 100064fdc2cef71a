"""Which reminders are due, sending them once per stage, and withdrawing them once rotated.

Stages are the policy's remind days (14, 7, 1 days before the due date) and `overdue`. A
reminder is sent through each channel once per stage — a scheduler that was off for a week
sends the stage it missed, not every one — and an overdue token is reminded again weekly.
A reminded token that is then rotated (a new last-rotation date, a finished `mcpir tokens
rotate`, or gone from every config and keyring of the same home and root) is resolved: the
GitHub issue is closed, the webhook told.

State: `reminders.json` in mcpir's data dir, mode 0600, versioned; token ids and dates only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from mcpir.core.errors import EXIT_STEP_FAILED, McpirError
from mcpir.core.fileio import atomic_write_text, jsonl_lines, private_dirs
from mcpir.core.paths import Scopes, data_dir
from mcpir.core.redact import redact_text
from mcpir.notify.base import Delivery, Notifier, NotifyError, Reminder, Resolution
from mcpir.tokens.model import today
from mcpir.tokens.status import OVERDUE_STAGE, TokenStatus

STATE_FILE = "reminders.json"
VERSION = 1
OVERDUE_REPEAT_DAYS = 7


@dataclass
class RemindReport:
    reminded: list[Delivery] = field(default_factory=list)
    resolved: list[Delivery] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # channel → why
    already: int = 0  # due reminders each channel had been sent at this stage

    @property
    def failed(self) -> list[Delivery]:
        return [d for d in (*self.reminded, *self.resolved) if not d.ok]

    def to_json(self) -> dict[str, Any]:
        def rows(items: list[Delivery]) -> list[dict[str, Any]]:
            return [
                {"channel": d.channel, "id": d.token_id, "ok": d.ok, "detail": d.detail}
                for d in items
            ]

        return {
            "reminded": rows(self.reminded),
            "resolved": rows(self.resolved),
            "unavailable": self.unavailable,
            "already_sent": self.already,
        }


def _path() -> Path:
    return data_dir() / STATE_FILE


def load_state(path: Path | None = None) -> dict[str, dict[str, Any]]:
    path = path or _path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # rebuilt: the worst case is one reminder sent twice
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        return {}
    tokens = doc.get("tokens")
    return (
        {k: v for k, v in tokens.items() if isinstance(v, dict)} if isinstance(tokens, dict) else {}
    )


class StateError(McpirError):
    """The reminders went out but their record could not be written (exit 3)."""

    exit_code = EXIT_STEP_FAILED


def _save(state: dict[str, dict[str, Any]]) -> None:
    path = _path()
    doc = {"version": VERSION, "tokens": state}
    try:
        private_dirs(path.parent)
        atomic_write_text(path, json.dumps(doc, indent=2, sort_keys=True) + "\n", 0o600)
    except OSError as exc:
        raise StateError(
            f"{path}: cannot record the reminders: {exc.strerror or exc}",
            hint="make mcpir's data dir writable (or set MCPIR_HOME); until then reminders "
            "already sent may be sent again",
        ) from None


def _scope(scopes: Scopes) -> str:
    return f"{scopes.home}|{scopes.root}"


def rotated_with_mcpir(token_id: str) -> bool:
    """A finished `mcpir tokens rotate` of this (old) token: its log ends with `done`."""
    folder = data_dir() / "rotations"
    for log in folder.glob(f"{token_id}-*.jsonl") if folder.is_dir() else ():
        try:
            lines = jsonl_lines(log.read_text(encoding="utf-8"))
        except OSError:
            continue
        for line in lines:
            try:
                if json.loads(line).get("event") == "done":
                    return True
            except (ValueError, AttributeError):
                continue
    return False


def _due_again(previous: dict[str, Any] | None, stage: int, on: date) -> bool:
    if previous is None:
        return True
    sent_stage, sent_on = previous.get("stage"), previous.get("on")
    if not isinstance(sent_stage, int) or stage < sent_stage:
        return True
    if stage == OVERDUE_STAGE and isinstance(sent_on, str):
        try:
            return (on - date.fromisoformat(sent_on)).days >= OVERDUE_REPEAT_DAYS
        except ValueError:
            return True
    return False


def _resolution(
    token_id: str, record: dict[str, Any], status: TokenStatus | None, scope: str
) -> Resolution | None:
    fingerprint = str(record.get("fingerprint", ""))
    if status is not None:
        if status.stage is not None and status.base.isoformat() == record.get("base"):
            return None  # still due: nothing to withdraw
        if status.base.isoformat() != record.get("base"):
            return Resolution(token_id, fingerprint, f"rotated on {status.base.isoformat()}")
        return Resolution(token_id, fingerprint, "no longer due under the rotation policy")
    if rotated_with_mcpir(token_id):
        return Resolution(token_id, fingerprint, "rotated with `mcpir tokens rotate`")
    if record.get("scope") == scope:
        return Resolution(
            token_id, fingerprint, "no longer in any MCP config, .env file or the keyring"
        )
    return None  # checked from another home or root: it may well be there still


class _Channels:
    """The usable notifiers of one run. A channel that fails once is not tried again in that
    run: a webhook that times out, or a GitHub token without permission, would fail the same
    way for every token, and a daily check must not wait out one timeout per token. What it
    did not deliver stays unsent, so the next run tries again."""

    def __init__(self) -> None:
        self.down: dict[str, str] = {}  # channel → why it is not tried again

    def call(self, name: str, token_id: str, send: Callable[[], str | None]) -> Delivery | None:
        """Deliver through one channel: a Delivery (ok or not), or None (nothing to do)."""
        if name in self.down:
            return Delivery(name, token_id, False, f"not tried: {self.down[name]}")
        try:
            detail = send()
        except NotifyError as exc:
            why = exc.message
        except Exception as exc:  # noqa: BLE001 - one broken notifier must not lose the rest
            why = redact_text(f"{type(exc).__name__}: {exc}")
        else:
            return None if detail is None else Delivery(name, token_id, True, detail)
        self.down[name] = f"{name} failed earlier in this run ({why})"
        return Delivery(name, token_id, False, why)


def run_reminders(
    statuses: list[TokenStatus],
    scopes: Scopes,
    channels: list[Notifier],
    *,
    force: bool = False,
) -> RemindReport:
    """Send what is due, withdraw what is resolved, remember both."""
    on, scope = today(), _scope(scopes)
    report = RemindReport()
    usable: dict[str, Notifier] = {}
    if not channels:  # `[notify] channels = []`: say so rather than remind nobody in silence
        report.unavailable["all"] = (
            "no notification channel is configured ([notify] channels in the user config)"
        )
    for notifier in channels:
        why = notifier.unavailable()
        if why is None:
            usable[notifier.name] = notifier
        else:
            report.unavailable[notifier.name] = why
    state = load_state()
    by_id = {status.token.id: status for status in statuses}
    channels_now = _Channels()

    for status in statuses:
        stage = status.stage
        if stage is None:
            continue
        token_id, base = status.token.id, status.base.isoformat()
        record = state.get(token_id)
        if record is None or record.get("base") != base:
            record = {"fingerprint": status.token.fingerprint, "base": base, "sent": {}}
        record["scope"] = scope
        sent: dict[str, Any] = record.setdefault("sent", {})
        reminder = Reminder.of(status, scopes)
        for name, notifier in usable.items():
            if not force and not _due_again(sent.get(name), stage, on):
                report.already += 1
                continue
            delivery = channels_now.call(name, token_id, partial(notifier.remind, reminder))
            if delivery is None:  # a notifier always says what it did; keep it as sent
                delivery = Delivery(name, token_id, True, "sent")
            report.reminded.append(delivery)
            if delivery.ok:
                sent[name] = {"stage": stage, "on": on.isoformat()}
        state[token_id] = record  # even when nothing went out: the next run retries

    for token_id, record in list(state.items()):
        resolution = _resolution(token_id, record, by_id.get(token_id), scope)
        if resolution is None:
            continue
        left: dict[str, Any] = {}
        for name, sent_record in dict(record.get("sent", {})).items():
            channel = usable.get(name)
            if channel is None:
                if name in report.unavailable:
                    left[name] = sent_record  # configured, not reachable now: try again later
                continue
            delivery = channels_now.call(name, token_id, partial(channel.resolve, resolution))
            if delivery is not None:
                report.resolved.append(delivery)
                if not delivery.ok:
                    left[name] = sent_record
        if left:
            record["sent"] = left
        else:
            del state[token_id]
    _save(state)
    return report
