"""What a scan check is: one rule, the function that applies it, and its good/bad samples."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mcpir.config.project import OFFICIAL_IMAGES
from mcpir.core.model import Finding, Server, Severity, Tool
from mcpir.core.redact import is_reference
from mcpir.launchers.commands import ContainerRun, container_run
from mcpir.launchers.images import ImageRef, parse_image


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    help: str  # why it matters and how to fix it; SARIF help text and `mcpir scan --rules`


# What a check concluded about one text is kept only for texts this short, and only this many:
# a hostile file of unique or huge values costs a lookup each, never memory without bound.
MEMO_CHARS = 512
MEMO_ENTRIES = 16_384


@dataclass(frozen=True)
class ScanContext:
    official_images: tuple[str, ...] = OFFICIAL_IMAGES
    known_tools: frozenset[str] = frozenset()
    # What checks concluded about a text many servers share (one `npx -y pkg@1.2.3` in every
    # project, one env value in each client's copy of a server): kept for this context, that
    # is one scan, since keys are the values themselves, secrets included. Checks are pure
    # functions of those texts, so a remembered answer is the answer.
    memo: dict[tuple[object, ...], Any] = field(default_factory=dict, compare=False, repr=False)

    def remember(self, key: tuple[object, ...], answer: Any) -> None:  # noqa: ANN401
        if len(self.memo) < MEMO_ENTRIES:
            self.memo[key] = answer


ServerFn = Callable[[Server, ScanContext], Iterable[Finding]]
ToolFn = Callable[[Tool, ScanContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    """One rule. `good` and `bad` are raw server entries (as in `mcpServers`) or, for tool
    checks, descriptions: every bad sample must raise the rule and no good one may."""

    rule: Rule
    on_server: ServerFn | None = None
    on_tool: ToolFn | None = None
    # The `Server` fields `on_server` reads, when not the whole server (`scan.server_pass`: a
    # verdict of silence is remembered for those values). Besides these it may read only the
    # `ScanContext`, and the server's name, client and location only to make its findings.
    # tests/test_scan_throughput.py checks each declaration on servers that differ elsewhere.
    reads: frozenset[str] = frozenset()
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


# The last server asked about and its container run: three checks ask in a row for each
# server. Held by reference, so `is` cannot match a new server at a recycled address; one tuple,
# replaced whole, so a reader never pairs one server with another's run.
_LAST: tuple[Server | None, ContainerRun | None] = (None, None)


def container_of(server: Server) -> ContainerRun | None:
    """`container_run(server)`, read once for the checks that follow one another."""
    global _LAST
    last = _LAST
    if last[0] is server:
        return last[1]
    run = container_run(server)
    _LAST = (server, run)
    return run


def container_image(server: Server) -> tuple[str, ImageRef] | None:
    """The container engine a server runs and its image, when the image is written literally
    (not a `${VAR}` reference)."""
    run = container_of(server)
    if run is None or run.image is None or is_reference(run.image):
        return None
    return run.engine, parse_image(run.image)
