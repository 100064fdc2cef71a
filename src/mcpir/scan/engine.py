"""`mcpir scan`: run every check over config files and tool definitions, offline."""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mcpir.config.project import Policy, Suppression
from mcpir.core import bulk
from mcpir.core.model import ConfigFile, Finding, Location, Severity, Tool
from mcpir.core.paths import Scopes
from mcpir.scan.checks import CHECKS, RULES
from mcpir.scan.checks.base import ScanContext
from mcpir.scan.checks.meta import BASELINE_DRIFT, CONFIG_ERROR
from mcpir.scan.fingerprint import Fingerprint, fingerprint

if TYPE_CHECKING:
    from mcpir.scan.baseline import Accepted
    from mcpir.scan.inventory import Inventory, Selection

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
    min_severity: Severity = Severity.LOW
    accepted: Accepted | None = None  # --baseline: findings to count as suppressed
    inventory: Inventory | None = None  # --drift: report every server that changed since
    include_user: bool = False  # the inventory (and what --update-baseline records): user scopes
    listed: tuple[Listed, ...] = ()  # texts servers advertised at run time (`scan --live`)
    found: tuple[Finding, ...] = ()  # findings made elsewhere (`scan --live`: tool-changed)


@dataclass(frozen=True)
class Listed:
    """The texts one server listed at run time, checked like `--tools`, each finding given the
    server's client; `names`: the tools it advertised, for the checks that name other tools."""

    client: str | None
    tools: tuple[Tool, ...]
    names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ScanReport:
    findings: tuple[Finding, ...]  # at or above the threshold, not suppressed
    suppressed: tuple[tuple[Finding, Suppression], ...]  # by `.mcpir.toml`
    below_threshold: int
    skipped: tuple[Skipped, ...]
    files: tuple[ConfigFile, ...] = field(repr=False)
    tools: int = 0
    accepted: tuple[Finding, ...] = ()  # suppressed by the --baseline file
    stale: int = 0  # entries of the --baseline file that no finding matches any more
    baseline: Path | None = None  # the --baseline file
    # Every finding, suppressed or not, of every severity: what --update-baseline reads.
    every: tuple[Finding, ...] = field(default=(), repr=False)

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
    from mcpir.scan.server_pass import server_findings

    checks = [check for check in CHECKS if rules is None or check.rule.id in rules]
    yield from server_findings(files, checks, ctx)
    listed = list(tools)
    # A server's instructions name its own tools ("use search_code to…"): not other tools.
    instructions = dataclasses.replace(
        ctx, known_tools=ctx.known_tools - frozenset(_tool_names(listed))
    )
    for tool in listed:
        for check in checks:
            if check.on_tool is not None:
                yield from check.on_tool(tool, instructions if tool.name == _INSTRUCTIONS else ctx)


_INSTRUCTIONS = "server.instructions"  # `live_texts`: the server's `instructions`
_NOT_TOOLS = ("prompt:", "resource:", "template:", "server.")


def _tool_names(tools: Iterable[Tool]) -> Iterator[str]:
    """The tools a listing names: a tool's description is named by the tool alone, its `name`
    field by `<name>.name` (`live_texts`: a parameter called `name` keeps its full path)."""
    for tool in tools:
        if "." not in tool.name:
            yield tool.name
        elif tool.name.endswith(".name") and not tool.name.startswith(_NOT_TOOLS):
            yield tool.name.removesuffix(".name")


def selection(request: ScanRequest, policy: Policy) -> Selection:
    from mcpir.scan.inventory import Selection

    return Selection(request.scopes, request.paths, request.include_user, policy.discovery.exclude)


def _drift(request: ScanRequest, policy: Policy, files: list[ConfigFile]) -> Iterator[Finding]:
    from mcpir.scan import inventory

    if request.inventory is None:
        return
    chosen = selection(request, policy)
    for change in inventory.drift(request.inventory, files, chosen):
        severity = BASELINE_DRIFT.severity
        if change.field in {"command", "image", "url", "args"} or change.change == "added":
            severity = Severity.HIGH
        elif change.change == "removed":
            severity = Severity.LOW
        yield Finding(
            rule_id=BASELINE_DRIFT.id,
            severity=severity,
            message=change.describe(),
            location=change.location or Location(request.inventory.path),
            server=change.server,
            evidence=change.evidence(),
            client=change.client,
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
    with bulk.building():
        return _scan(request, policy, configs)


def _scan(request: ScanRequest, policy: Policy, configs: Sequence[ConfigFile] | None) -> ScanReport:
    from mcpir.scan.listings import load_tools

    files = list(configs) if configs is not None else collect(request, policy)
    tools = [tool for path in request.tools for tool in load_tools(path)]
    ctx = ScanContext(
        official_images=policy.scan.official_images,
        known_tools=frozenset(_tool_names(tools)).union(
            *(listed.names for listed in request.listed)
        ),
    )
    problems, skipped = _file_problems(files)
    unique: dict[tuple[object, ...], Finding] = {}
    drifted = _drift(request, policy, files)
    live = [
        dataclasses.replace(finding, client=listed.client)
        for listed in request.listed
        for finding in check_all((), listed.tools, ctx)
    ]
    for finding in (*problems, *check_all(files, tools, ctx), *drifted, *live, *request.found):
        key = (finding.rule_id, finding.location, finding.server, finding.tool, finding.message)
        unique.setdefault(key, finding)
    every = sorted(unique.values(), key=_order)
    accepted = request.accepted.fingerprints if request.accepted is not None else frozenset()
    reported, suppressed, baselined, below, seen = [], [], [], 0, set()
    for finding in every:
        mark = fingerprint(finding)
        seen.add(mark)
        rule = suppression_for(finding, policy.scan.ignore, request.scopes)
        if rule is not None:
            suppressed.append((finding, rule))
        elif mark in accepted:
            baselined.append(finding)
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
        tools=len(tools) + sum(len(listed.tools) for listed in request.listed),
        accepted=tuple(baselined),
        stale=len(accepted - seen),
        baseline=request.accepted.path if request.accepted is not None else None,
        every=tuple(every),
    )


@dataclass(frozen=True)
class Recorded:
    """What `--update-baseline` wrote: how many entries, how many of them are new, how many
    entries of the file it replaced no finding matches any more (pruned)."""

    entries: int
    added: int
    pruned: int


def accepted_now(
    request: ScanRequest, policy: Policy, report: ScanReport
) -> tuple[frozenset[Fingerprint], frozenset[Fingerprint]]:
    """(what --update-baseline records, what every finding of the scan is).

    Recorded: every finding the scan would report without a baseline, in the scopes the
    inventory keeps (the project unless --include-user: the file is committed), and every
    entry of the old file that a finding still matches (accepted at another --severity, or
    with --include-user, stays accepted). Drift is not recorded: --update-drift accepts it."""
    from mcpir.scan.inventory import in_scope

    kept = in_scope(report.files, selection(request, policy))
    configs = {os.path.realpath(config.path) for config in report.files}
    every = frozenset(fingerprint(finding) for finding in report.every)
    recorded = {
        fingerprint(finding)
        for finding in report.every
        if finding.rule_id != BASELINE_DRIFT.id
        and finding.severity >= request.min_severity
        and suppression_for(finding, policy.scan.ignore, request.scopes) is None
        and _kept(finding, kept, configs)
    }
    if request.accepted is not None:
        recorded |= request.accepted.fingerprints & every
    return frozenset(recorded), every


def _kept(finding: Finding, kept: set[str], configs: set[str]) -> bool:
    """A finding of a kept file, or of a tool listing the user named (not a config)."""
    real = os.path.realpath(finding.location.path)
    return real in kept or real not in configs


def record_baseline(request: ScanRequest, policy: Policy, path: Path) -> Recorded:
    """Write the accepted findings (`scan/baseline.py`) of this scan to `path`."""
    from mcpir.scan import baseline, stored

    report = scan(dataclasses.replace(request, inventory=None), policy)
    recorded, every = accepted_now(request, policy, report)
    before = request.accepted.fingerprints if request.accepted is not None else frozenset()
    stored.write(path, baseline.document(recorded), baseline.OPTION)
    return Recorded(len(recorded), len(recorded - before), len(before - every))


def record_inventory(request: ScanRequest, policy: Policy, path: Path) -> int:
    """Write the server inventory (`scan/inventory.py`); returns how many servers it holds."""
    from mcpir.scan import inventory, stored

    document = inventory.snapshot(collect(request, policy), selection(request, policy))
    stored.write(path, document, inventory.OPTION)
    return len(document["servers"])


__all__ = [
    "RULES",
    "Listed",
    "Recorded",
    "ScanReport",
    "ScanRequest",
    "Skipped",
    "check_all",
    "record_baseline",
    "record_inventory",
    "scan",
]
