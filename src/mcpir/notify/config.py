"""`[notify]` in the user config (`config.toml` in mcpir's data dir): where reminders go.

```toml
[notify]
channels = ["terminal", "desktop", "github", "webhook"]   # default: terminal, desktop, and
                                                          # every channel configured below
[notify.github]
repo = "acme/security"            # one open issue per token, closed once rotated
token = "GITHUB_TOKEN"            # env var, else mcpir keyring entry, holding a token that
                                  # may write issues (default GITHUB_TOKEN)
api_url = "https://ghe.example.com/api/v3"   # optional (default: $GITHUB_API_URL or github.com)
labels = ["mcpir-token-rotation"]            # optional; the first one also finds the issue

[notify.webhook]
url = "https://hooks.example.com/T000/B000"  # POSTed a JSON object per reminder
```

This lives in the user config, not the project's `.mcpir.toml`: a webhook URL is often a
credential, and where a person's reminders go is theirs to say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mcpir.core.errors import PolicyError

CHANNELS = ("terminal", "desktop", "github", "webhook")
DEFAULT_LABEL = "mcpir-token-rotation"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class GitHubConfig:
    repo: str
    token: str = "GITHUB_TOKEN"  # noqa: S105 - a variable's name, not a value
    api_url: str | None = None
    labels: tuple[str, ...] = (DEFAULT_LABEL,)


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    timeout: float = 10.0


@dataclass(frozen=True)
class NotifyConfig:
    channels: tuple[str, ...] = ("terminal", "desktop")
    github: GitHubConfig | None = None
    webhook: WebhookConfig | None = None


def _text(table: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise PolicyError(f"{where}.{key} must be a non-empty string")
    return value


def _only(table: Mapping[str, Any], keys: set[str], where: str) -> None:
    unknown = set(table) - keys
    if unknown:
        raise PolicyError(f"{where}: unknown key {sorted(unknown)[0]}")


def parse_notify(table: Any, where: str = "[notify]") -> NotifyConfig:  # noqa: ANN401
    if not isinstance(table, dict):
        raise PolicyError(f"{where} must be a table")
    _only(table, {"channels", "github", "webhook"}, where)
    github = webhook = None
    if "github" in table:
        gh = table["github"]
        if not isinstance(gh, dict):
            raise PolicyError(f"{where}.github must be a table")
        _only(gh, {"repo", "token", "api_url", "labels"}, f"{where}.github")
        repo = _text(gh, "repo", f"{where}.github")
        if not _REPO.match(repo):
            raise PolicyError(f"{where}.github.repo must be OWNER/NAME, not {repo!r}")
        labels = gh.get("labels", [DEFAULT_LABEL])
        if not isinstance(labels, list) or not all(isinstance(x, str) and x for x in labels):
            raise PolicyError(f"{where}.github.labels must be a list of strings")
        api_url = _text(gh, "api_url", f"{where}.github") if "api_url" in gh else None
        github = GitHubConfig(
            repo, _text(gh, "token", f"{where}.github", "GITHUB_TOKEN"), api_url, tuple(labels)
        )
    if "webhook" in table:
        hook = table["webhook"]
        if not isinstance(hook, dict):
            raise PolicyError(f"{where}.webhook must be a table")
        _only(hook, {"url", "timeout"}, f"{where}.webhook")
        url = _text(hook, "url", f"{where}.webhook")
        if not url.startswith(("https://", "http://")):
            raise PolicyError(f"{where}.webhook.url must be an http(s) URL")
        timeout = hook.get("timeout", 10.0)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise PolicyError(f"{where}.webhook.timeout must be a positive number of seconds")
        webhook = WebhookConfig(url, float(timeout))
    default = (
        "terminal",
        "desktop",
        *(["github"] if github else []),
        *(["webhook"] if webhook else []),
    )
    channels = table.get("channels", list(default))
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise PolicyError(f"{where}.channels must be a list of channel names")
    for channel in channels:
        if channel not in CHANNELS:
            raise PolicyError(f"{where}.channels: unknown channel {channel!r}",
                              hint=f"known: {', '.join(CHANNELS)}")  # fmt: skip
    if "github" in channels and github is None:
        raise PolicyError(f"{where}.channels names github but there is no [notify.github] repo")
    if "webhook" in channels and webhook is None:
        raise PolicyError(f"{where}.channels names webhook but there is no [notify.webhook] url")
    return NotifyConfig(tuple(dict.fromkeys(channels)), github, webhook)


def load_notify(user: Mapping[str, Any] | None = None) -> NotifyConfig:
    from mcpir.config.rotation import load_user_config, user_config_path

    if user is None:
        user = load_user_config()
    if "notify" not in user:
        return NotifyConfig()
    return parse_notify(user["notify"], f"{user_config_path()}: [notify]")
