"""`mcpir scan`: run every check over config files and tool definitions, offline."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mcpir.config.project import Policy, Suppression
from mcpir.core.model import ConfigFile, Finding, Location, Severity, Tool
from mcpir.core.paths import Scopes
from mcpir.scan.checks import CHECKS, RULES
from mcpir.scan.checks.base import ScanContext
from mcpir.scan.checks.meta import BASELINE_DRIFT, CONFIG_ERROR

_LINE = re.compile(r"^line (\d+): ")
# Problems that mean "this is not a config file to read" rather than "this config is broken".
_SKIP_REASONS = ("too large", "binary", "not a regular file", "unreadable", "symlink")


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


@dataclass(frozen=True)
class ScanRequest:
    scopes: Scopes
    paths: tuple[Path, ...] = ()  # empty: what discovery finds in `scopes`
    tools: tuple[Path, ...] = ()
    baseline: Path | None = None
    min_severity: Severity = Severity.LOW


@dataclass(frozen=True)
class ScanReport:
    findings: tuple[Finding, ...]  # at or above the threshold, not suppressed
    suppressed: tuple[tuple[Finding, Suppression], ...]
    below_threshold: int
    skipped: tuple[Skipped, ...]
    files: tuple[ConfigFile, ...] = field(repr=False)
    tools: int = 0

    @property
    def servers(self) -> int:
        return sum(len(config.servers) for config in self.files)


def collect(request: ScanRequest, policy: Policy) -> list[ConfigFile]:
    from mcpir.discovery import discover, discover_paths

    exclude = policy.discovery.exclude
    if request.paths:
        return discover_paths(list(request.paths), exclude)
    return discover(request.scopes, exclude)


def _is_skip(error: str) -> bool:
    reason = _LINE.sub("", error)
    return reason.startswith(_SKIP_REASONS) or "not UTF-8" in reason


def _file_problems(files: Iterable[ConfigFile]) -> tuple[list[Finding], list[Skipped]]:
    findings, skipped = [], []
    for config in files:
        if not config.error:
            continue
        if _is_skip(config.error):
            skipped.append(Skipped(config.path, config.error))
            continue
        match = _LINE.match(config.error)
        findings.append(
            Finding(
                rule_id=CONFIG_ERROR.id,
                severity=CONFIG_ERROR.severity,
                message=_LINE.sub("", config.error),
                location=Location(config.path, int(match.group(1)) if match else None),
                client=config.client,
            )
        )
    return findings, skipped


def check_all(
    files: Iterable[ConfigFile],
    tools: Iterable[Tool],
    ctx: ScanContext,
    rules: frozenset[str] | None = None,
) -> Iterator[Finding]:
    """What every check (or only those of `rules`) finds on each server, then on each tool, in
    that order; neither deduplicated nor suppressed (`scan` does both)."""
    checks = [check for check in CHECKS if rules is None or check.rule.id in rules]
    for config in files:
        for server in config.servers:
            for check in checks:
                if check.on_server is not None:
                    yield from check.on_server(server, ctx)
    for tool in tools:
        for check in checks:
            if check.on_tool is not None:
                yield from check.on_tool(tool, ctx)


def _drift(request: ScanRequest, files: list[ConfigFile]) -> Iterator[Finding]:
    from mcpir.scan import baseline

    if request.baseline is None:
        return
    for change in baseline.drift(baseline.load(request.baseline), files, request.scopes):
        severity = BASELINE_DRIFT.severity
        if change.field in {"command", "image", "url", "args"} or change.change == "added":
            severity = Severity.HIGH
        elif change.change == "removed":
            severity = Severity.LOW
        yield Finding(
            rule_id=BASELINE_DRIFT.id,
            severity=severity,
            message=change.describe(),
            location=change.location or Location(request.baseline),
            server=change.server,
            evidence=change.evidence(),
        )


def suppression_for(
    finding: Finding, rules: tuple[Suppression, ...], scopes: Scopes
) -> Suppression | None:
    shown = scopes.display(finding.location.path).removeprefix("./")
    for rule in rules:
        if not fnmatch.fnmatchcase(finding.rule_id, rule.rule):
            continue
        if rule.server is not None and not fnmatch.fnmatchcase(finding.server or "", rule.server):
            continue
        if rule.path is not None and not (
            fnmatch.fnmatchcase(shown, rule.path)
            or fnmatch.fnmatchcase(finding.location.path.as_posix(), rule.path)
        ):
            continue
        return rule
    return None


def _order(finding: Finding) -> tuple[int, str, int, str, str]:
    location = finding.location
    return (
        -finding.severity,
        str(location.path),
        location.line or 0,
        finding.rule_id,
        finding.message,
    )


def scan(
    request: ScanRequest, policy: Policy, *, configs: Sequence[ConfigFile] | None = None
) -> ScanReport:
    """`configs`: what `collect` would return, already discovered (a `Workspace`'s)."""
    from mcpir.scan.listings import load_tools

    files = list(configs) if configs is not None else collect(request, policy)
    tools = [tool for path in request.tools for tool in load_tools(path)]
    ctx = ScanContext(
        official_images=policy.scan.official_images,
        known_tools=frozenset(tool.name for tool in tools if "." not in tool.name),
    )
    problems, skipped = _file_problems(files)
    unique: dict[tuple[object, ...], Finding] = {}
    for finding in (*problems, *check_all(files, tools, ctx), *_drift(request, files)):
        key = (finding.rule_id, finding.location, finding.server, finding.tool, finding.message)
        unique.setdefault(key, finding)
    reported, suppressed, below = [], [], 0
    for finding in sorted(unique.values(), key=_order):
        rule = suppression_for(finding, policy.scan.ignore, request.scopes)
        if rule is not None:
            suppressed.append((finding, rule))
        elif finding.severity < request.min_severity:
            below += 1
        else:
            reported.append(finding)
    return ScanReport(
        findings=tuple(reported),
        suppressed=tuple(suppressed),
        below_threshold=below,
        skipped=tuple(skipped),
        files=tuple(files),
        tools=len(tools),
    )


def record_baseline(request: ScanRequest, policy: Policy, path: Path) -> int:
    """Write the known-good baseline of every server found; returns how many it holds."""
    from mcpir.scan import baseline

    document = baseline.snapshot(collect(request, policy), request.scopes)
    baseline.write(path, document)
    return len(document["servers"])


__all__ = [
    "RULES",
    "ScanReport",
    "ScanRequest",
    "Skipped",
    "check_all",
    "record_baseline",
    "scan",
]
