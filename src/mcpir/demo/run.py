"""`mcpir demo`: a whole incident on a fake machine — story, inventory, scan, response."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mcpir.config.project import Policy
from mcpir.core.paths import Scopes
from mcpir.core.progress import SILENT, Progress
from mcpir.core.words import plural
from mcpir.demo import content
from mcpir.demo.remote import RemoteResult, Served
from mcpir.demo.sandbox import Sandbox, build_sandbox, linear_key
from mcpir.playbook.engine import RespondRequest, RespondResult, respond
from mcpir.playbook.tasks.base import Status

TITLE = "github mcp poisoning"
SHOWN = 10  # high findings listed before the response; the rest are counted
STATE = "mcpir-state"  # the demo's own MCPIR_HOME: inventory, caches and its journal key


@dataclass
class DemoResult:
    sandbox: Sandbox
    servers_before: int
    servers_enabled_after: int
    findings: int
    high: int
    response: RespondResult
    remote: RemoteResult

    @property
    def state(self) -> Path:
        """The demo's MCPIR_HOME: its incidents are sealed with the key kept there, so the
        commands it suggests run with it (and leave the user's own state alone)."""
        return self.sandbox.base / STATE

    @property
    def contained(self) -> bool:
        return any(
            step.id == "contain" and result.status in {Status.CHANGED, Status.OK}
            for step, result in self.response.steps
        )


def run_demo(
    base: Path,
    *,
    say: Callable[[str], None],
    progress: Progress = SILENT,
) -> DemoResult:
    """Build the sandbox under `base` and respond to its incident there, never elsewhere.
    The remote server runs only inside this call: stopped however it ends."""
    from mcpir.demo.remote import serving

    with serving(linear_key()) as served:
        sandbox = build_sandbox(base, linear_url=served.url)
        # mcpir's own state (token inventory, caches) goes into the sandbox too: the demo must
        # not write a byte under the real home.
        previous = os.environ.get("MCPIR_HOME")
        os.environ["MCPIR_HOME"] = str(sandbox.base / STATE)
        try:
            return _run(sandbox, say, progress, served)
        finally:
            if previous is None:
                os.environ.pop("MCPIR_HOME", None)
            else:
                os.environ["MCPIR_HOME"] = previous


def _run(
    sandbox: Sandbox,
    say: Callable[[str], None],
    progress: Progress,
    served: Served,
) -> DemoResult:
    from mcpir.config.project import load_policy
    from mcpir.core.rows import finding_row
    from mcpir.discovery.listing import list_servers
    from mcpir.scan.engine import ScanRequest, scan

    say("the story:")
    for line in sandbox.story:
        say(f"  {line}")
    say("")
    # The real machine's variables (CODEX_HOME…) and system files stay out of the sandbox.
    from mcpir.demo.listing import flow_lines, keep_listing

    scopes = Scopes(home=sandbox.home, root=sandbox.root)
    policy = load_policy(sandbox.root)
    keep_listing(sandbox)
    from mcpir.demo.remote import SERVER, Pending

    # Wrapped first (the scan sees the entry as it now is); its call runs while the scan does.
    pending = Pending(sandbox, scopes, served)
    before = list_servers(scopes).servers
    report = scan(ScanRequest(scopes), policy)
    remote = pending.finish()  # before flows: they read the pin the call leaves
    say(f"remote: {SERVER}, before the incident, goes on the record like a local server:")
    for line in remote.lines:
        say(line)
    say("")
    high = [f for f in report.findings if f.severity.label == "high"]
    say(f"before: {len(before)} MCP servers in {len(report.files)} config files")
    say(f"scan:   {plural(len(report.findings), 'finding')}, {len(high)} high:")
    for finding in high[:SHOWN]:
        row = finding_row(finding)
        where = scopes.display(finding.location.path)
        where += f":{row['line']}" if row["line"] is not None else ""
        subject = row["server"] or row["tool"] or ""
        message = row["message"]
        if len(message) > 60:
            message = message[:59].rsplit(" ", 1)[0] + "…"  # at a word, never inside one
        say(f"        {row['rule']:<18} {where}  {subject}: {message}")
    if len(high) > SHOWN:
        say(f"        … and {len(high) - SHOWN} more high: mcpir scan")
    if len(report.findings) > len(high):
        say(f"        {plural(len(report.findings) - len(high), 'other finding')}: mcpir scan")
    for line in flow_lines(scopes):
        say(line)
    say("")
    request = RespondRequest(
        scopes=scopes,
        title=TITLE,
        yes=True,
        progress=progress,
    )
    response = respond(request, policy if policy.path else Policy())
    after = [s for s in list_servers(scopes).servers if s.enabled]
    counts = len(before), len(after), len(report.findings), len(high)
    return DemoResult(sandbox, *counts, response, remote)


def follow_ups(result: DemoResult) -> list[list[str]]:
    """The commands the demo suggests, as argument lists, exactly as printed. Each runs from any
    shell (this mcpir by its absolute path; `MCPIR_HOME` exported first) and names the sandbox
    (`--home`, `--root`), so none reads or writes outside it."""
    from mcpir.proxy.launcher import running

    mcpir = list(running())
    sandbox = result.sandbox
    home, root = str(sandbox.home), str(sandbox.root)
    scope = ["--home", home, "--root", root]
    lines = [
        ["export", f"MCPIR_HOME={result.state}"],
        [*mcpir, "servers", *scope],
        [*mcpir, "audit", "--root", root, "--home", home],
        [*mcpir, "investigate", *scope],
        [*mcpir, "posture", *scope],
        [*mcpir, "report", "--root", root, "--format", "json"],
    ]
    if result.response.incident is not None:
        incident = result.response.incident.id
        lines.append([*mcpir, "restore", "--root", root, incident])
        lines.append([*mcpir, "close", "--root", root, incident, "--reason", "demo over"])
    # Only this command starts `changelog`, never the demo. The restore keeps .mcp.json contained
    # (it holds mermaid-diagrams too), hence --include-disabled.
    live = ["scan", "--live", "--server", content.LIVE_SERVER, "--include-disabled", "--yes"]
    lines.append([*mcpir, *live, *scope])
    lines.append([*mcpir, "respond", *scope, "--title", TITLE, "--dry-run"])
    lines.append(["rm", "-rf", str(sandbox.base)])
    return lines
