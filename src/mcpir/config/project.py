"""`.mcpir.toml`: the project's policy, read in one place, every key with a documented default.

```toml
[discovery]
exclude = ["vendor", "third_party/*"]   # extra directory names or globs the project walk skips

[scan]
official_images = ["registry.example.com/mcp/"]   # added to the built-in official sources

[[scan.ignore]]                        # a suppression: counted in every output, never silent
rule = "unpinned-package"
server = "playwright"                  # optional: server name (glob)
path = ".vscode/mcp.json"              # optional: config path (glob, relative to the root)
reason = "pinned by our lockfile"      # mandatory

[audit]                                # `mcpir audit`: who may change MCP configs
authorized = ["alex@example.com", "*@security.example.com"]   # emails or globs (+ CODEOWNERS)
require_signed = false                 # also need a good signature
require_review = false                 # also need to arrive through a merge or pull request

[rotation]                             # `mcpir tokens status`, reminders, `mcpir posture`
max_age_days = 90                      # see mcpir.config.rotation (per-token overrides too)
remind_days = [14, 7, 1]
```

Later features add their own sections here (official image namespaces, authorised authors,
rotation age); an unknown section or key is an error, so a typo never silently weakens policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcpir.config.rotation import ROTATION_KEYS, RotationPolicy
from mcpir.config.tables import array_of_tables, convert_table
from mcpir.core.documents import DocumentError, parse_toml, read_text
from mcpir.core.errors import PolicyError

FILENAME = ".mcpir.toml"


@dataclass(frozen=True)
class DiscoveryPolicy:
    exclude: tuple[str, ...] = ()


# Images from these registries or namespaces are published by the MCP project or GitHub itself.
OFFICIAL_IMAGES: tuple[str, ...] = ("mcp/", "docker.io/mcp/", "ghcr.io/github/")


@dataclass(frozen=True)
class Suppression:
    rule: str
    reason: str
    server: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class ScanPolicy:
    official_images: tuple[str, ...] = OFFICIAL_IMAGES
    ignore: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class AuditPolicy:
    """`[audit]`: who may change MCP configs (`mcpir audit`). Emails or globs; CODEOWNERS also
    counts. `require_signed` / `require_review`: a change must also be signed / come through a
    merge or pull request."""

    authorized: tuple[str, ...] = ()
    require_signed: bool = False
    require_review: bool = False


@dataclass(frozen=True)
class Policy:
    path: Path | None = None
    discovery: DiscoveryPolicy = field(default_factory=DiscoveryPolicy)
    scan: ScanPolicy = field(default_factory=ScanPolicy)
    rotation: RotationPolicy = field(default_factory=RotationPolicy)
    audit: AuditPolicy = field(default_factory=AuditPolicy)


def _string_list(value: Any, where: str) -> tuple[str, ...]:  # noqa: ANN401
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where} must be a list of strings")
    return tuple(value)


def _official_images(value: Any, where: str) -> tuple[str, ...]:  # noqa: ANN401
    return OFFICIAL_IMAGES + _string_list(value, where)


def _flag(value: Any, where: str) -> bool:  # noqa: ANN401
    if not isinstance(value, bool):
        raise PolicyError(f"{where} must be true or false")
    return value


_SUPPRESSION_KEYS = {"rule", "reason", "server", "path"}


def _suppression(item: dict[str, Any], entry: str) -> Suppression:
    unknown = set(item) - _SUPPRESSION_KEYS
    if unknown:
        raise PolicyError(f"{entry}: unknown key {sorted(unknown)[0]}")
    for key, text in item.items():
        if not isinstance(text, str):
            raise PolicyError(f"{entry}.{key} must be a string")
    if not item.get("rule"):
        raise PolicyError(f"{entry} needs a rule")
    if not str(item.get("reason", "")).strip():
        raise PolicyError(f"{entry} needs a reason: say why this finding is accepted")
    return Suppression(item["rule"], item["reason"], item.get("server"), item.get("path"))


def _suppressions(value: Any, where: str) -> tuple[Suppression, ...]:  # noqa: ANN401
    return array_of_tables(value, where, "scan.ignore", _suppression)


_SECTIONS: dict[str, dict[str, Any]] = {
    "discovery": {"exclude": _string_list},
    "scan": {"official_images": _official_images, "ignore": _suppressions},
    "rotation": ROTATION_KEYS,
    "audit": {"authorized": _string_list, "require_signed": _flag, "require_review": _flag},
}


def parse_policy(text: str, path: Path) -> Policy:
    try:
        data = parse_toml(text).data  # a repository's own file: bounded like every config
    except DocumentError as exc:
        raise PolicyError(f"{path}: {exc}") from None
    sections: dict[str, dict[str, Any]] = {}
    for name, table in data.items():
        if name not in _SECTIONS:
            known = ", ".join(sorted(_SECTIONS))
            raise PolicyError(f"{path}: unknown section [{name}]", hint=f"known: {known}")
        sections[name] = convert_table(table, _SECTIONS[name], str(path), name)
    return Policy(
        path=path,
        discovery=DiscoveryPolicy(**sections.get("discovery", {})),
        scan=ScanPolicy(**sections.get("scan", {})),
        rotation=RotationPolicy.of(sections.get("rotation", {})),
        audit=AuditPolicy(**sections.get("audit", {})),
    )


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
