"""A generic webhook: one JSON POST per reminder or resolution (Slack-style `text` included)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, ClassVar

from mcpir import __version__
from mcpir.core.redact import redact_text
from mcpir.notify.base import NotifyError, Reminder, Resolution, Say
from mcpir.notify.config import NotifyConfig, WebhookConfig


class Webhook:
    name: ClassVar[str] = "webhook"

    def __init__(self, config: WebhookConfig) -> None:
        self.config = config

    def unavailable(self) -> str | None:
        return None

    def _post(self, document: dict[str, Any]) -> str:
        url = self.config.url
        if not url.startswith(("https://", "http://")):
            raise NotifyError("webhook URL must be http(s)")
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": f"mcpir/{__version__}"},
        )
        shown = _shown(url)
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as answer:  # noqa: S310
                status = int(answer.status)
        except urllib.error.HTTPError as exc:
            raise NotifyError(f"webhook {shown} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NotifyError(redact_text(f"webhook {shown} unreachable: {reason}")) from None
        return f"POSTed to {shown} (HTTP {status})"

    def remind(self, reminder: Reminder) -> str:
        return self._post(
            {
                "event": "mcpir.token.reminder",
                "text": f"{reminder.title}\n{reminder.text()}",
                "token": reminder.to_json(),
            }
        )

    def resolve(self, resolution: Resolution) -> str | None:
        return self._post(
            {
                "event": "mcpir.token.resolved",
                "text": resolution.text(),
                "token": resolution.to_json(),
            }
        )


def _shown(url: str) -> str:
    """The URL as printed and logged: scheme and host only. Discord, Teams and most other
    webhooks carry their credential in the path, in a form no redaction pattern knows."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2] or "?"  # a user:password@ is a credential too
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{rest}"


def make(config: NotifyConfig, say: Say) -> Webhook:
    if config.webhook is None:
        raise NotifyError("no [notify.webhook] url in the user config")
    return Webhook(config.webhook)
