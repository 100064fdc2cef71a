"""`.mcpir.toml`: the project's policy, read in one place, every key with a documented default.

```toml
[discovery]
exclude = ["vendor", "third_party/*"]   # extra directory names or globs the project walk skips
```

Later features add their own sections here (official image namespaces, authorised authors,
rotation age); an unknown section or key is an error, so a typo never silently weakens policy.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcpir.discovery.documents import DocumentError, read_text
from mcpir.errors import PolicyError

FILENAME = ".mcpir.toml"


@dataclass(frozen=True)
class DiscoveryPolicy:
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    path: Path | None = None
    discovery: DiscoveryPolicy = field(default_factory=DiscoveryPolicy)


def _string_list(value: Any, where: str) -> tuple[str, ...]:  # noqa: ANN401
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where} must be a list of strings")
    return tuple(value)


_SECTIONS: dict[str, dict[str, Any]] = {
    "discovery": {"exclude": _string_list},
}


def parse_policy(text: str, path: Path) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: malformed TOML: {exc}") from None
    sections: dict[str, dict[str, Any]] = {}
    for name, table in data.items():
        if name not in _SECTIONS:
            known = ", ".join(sorted(_SECTIONS))
            raise PolicyError(f"{path}: unknown section [{name}]", hint=f"known: {known}")
        if not isinstance(table, dict):
            raise PolicyError(f"{path}: [{name}] must be a table")
        values = {}
        for key, value in table.items():
            convert = _SECTIONS[name].get(key)
            if convert is None:
                raise PolicyError(f"{path}: unknown key {name}.{key}")
            values[key] = convert(value, f"{path}: {name}.{key}")
        sections[name] = values
    return Policy(path=path, discovery=DiscoveryPolicy(**sections.get("discovery", {})))


def load_policy(root: Path) -> Policy:
    """The policy at `<root>/.mcpir.toml`, or the defaults when there is none."""
    path = root / FILENAME
    if not path.exists():
        return Policy()
    try:
        text = read_text(path)
    except DocumentError as exc:
        raise PolicyError(f"{path}: {exc}") from None
    return parse_policy(text, path)
