"""What a scan check is: one rule, the function that applies it, and its good/bad samples."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mcpir.config.project import OFFICIAL_IMAGES
from mcpir.core.model import Finding, Server, Severity, Tool
from mcpir.core.redact import is_reference
from mcpir.launchers.commands import container_run
from mcpir.launchers.images import ImageRef, parse_image


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    help: str  # why it matters and how to fix it; SARIF help text and `mcpir scan --rules`


@dataclass(frozen=True)
class ScanContext:
    official_images: tuple[str, ...] = OFFICIAL_IMAGES
    known_tools: frozenset[str] = frozenset()


ServerFn = Callable[[Server, ScanContext], Iterable[Finding]]
ToolFn = Callable[[Tool, ScanContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    """One rule. `good` and `bad` are raw server entries (as in `mcpServers`) or, for tool
    checks, descriptions: every bad sample must raise the rule and no good one may."""

    rule: Rule
    on_server: ServerFn | None = None
    on_tool: ToolFn | None = None
    good: tuple[Mapping[str, Any] | str, ...] = field(default=())
    bad: tuple[Mapping[str, Any] | str, ...] = field(default=())


def finding(
    rule: Rule,
    subject: Server | Tool,
    message: str,
    *,
    evidence: str | None = None,
    severity: Severity | None = None,
    judged: str | None = None,
) -> Finding:
    """A finding of `rule` on a server (with its client) or on a tool (with its server)."""
    if isinstance(subject, Tool):
        server, tool, client = subject.server, subject.name, None
    else:
        server, tool, client = subject.name, None, subject.client
    return Finding(
        rule_id=rule.id,
        severity=severity or rule.severity,
        message=message,
        location=subject.location,
        server=server,
        tool=tool,
        evidence=evidence,
        client=client,
        judged=_digest(judged) if judged is not None else None,
    )


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def container_image(server: Server) -> tuple[str, ImageRef] | None:
    """The container engine a server runs and its image, when the image is written literally
    (not a `${VAR}` reference)."""
    run = container_run(server)
    if run is None or run.image is None or is_reference(run.image):
        return None
    return run.engine, parse_image(run.image)
