"""Reminders through notifiers: one module each, registered here (one line per notifier).

A notifier module exposes `make(config, say) -> Notifier` (see `base.Notifier`). Heavy
libraries (PyGithub) are imported inside the calls that use them.
"""

from __future__ import annotations

from collections.abc import Callable

from mcpir.notify import desktop, github_issue, terminal, webhook
from mcpir.notify.base import Delivery, Notifier, NotifyError, Reminder, Resolution, Say
from mcpir.notify.config import CHANNELS, NotifyConfig, load_notify

NOTIFIERS: dict[str, Callable[[NotifyConfig, Say], Notifier]] = {
    "terminal": terminal.make,
    "desktop": desktop.make,
    "github": github_issue.make,
    "webhook": webhook.make,
}


def notifiers(config: NotifyConfig, say: Say) -> list[Notifier]:
    """The configured channels, in order."""
    return [NOTIFIERS[name](config, say) for name in config.channels]


__all__ = [
    "CHANNELS",
    "NOTIFIERS",
    "Delivery",
    "NotifyConfig",
    "NotifyError",
    "Notifier",
    "Reminder",
    "Resolution",
    "load_notify",
    "notifiers",
]
