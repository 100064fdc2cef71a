"""Package runners must name an exact version: `npx -y pkg` runs whatever was published last."""

from __future__ import annotations

from collections.abc import Sequence

from mcpir.core.model import Finding, Server, Severity
from mcpir.launchers.packages import package_run
from mcpir.scan.checks.base import MEMO_CHARS, Check, Rule, ScanContext, finding

RULE = Rule(
    "unpinned-package",
    "Package runner without an exact version",
    Severity.MEDIUM,
    "`npx`, `bunx`, `pnpm dlx`, `yarn dlx`, `uvx` and `pipx run` download and run the newest "
    "release each time unless told otherwise, so a hijacked or typosquatted release runs at the "
    "next start. Pin an exact version (`pkg@1.2.3`, `pkg==1.2.3`); `-y`/`--yes` also skips the "
    "install prompt, so nothing asks first.",
)


# (message, evidence, severity) of a command line's finding, or None.
Judged = tuple[str, str, Severity] | None


def _judge(server: Server) -> Judged:
    run = package_run(server)
    if run is None or run.exact or run.spec.startswith((".", "/", "~")) or "://" in run.spec:
        return None
    prompt = " without asking (-y)" if run.auto_yes else ""
    if run.version is not None and run.version.lower() in {"latest", "next", "*"}:
        message = f"{run.runner} installs {run.name}@{run.version}{prompt}: always the newest"
        return message, run.spec, Severity.HIGH
    if run.version is None:
        return f"{run.runner} installs {run.name} with no version{prompt}", run.spec, RULE.severity
    message = f"{run.runner} installs {run.name} at a range ({run.version}){prompt}"
    return message, run.spec, RULE.severity


def check(server: Server, ctx: ScanContext) -> Sequence[Finding]:
    # `package_run` reads the command line alone: servers sharing one share the answer.
    key = (RULE.id, server.command, server.args)
    if key in ctx.memo:
        judged: Judged = ctx.memo[key]
    else:
        judged = _judge(server)
        if sum(map(len, server.args)) <= MEMO_CHARS:
            ctx.remember(key, judged)
    if judged is None:
        return ()  # most servers: no generator for them
    message, evidence, severity = judged
    return [finding(RULE, server, message, evidence=evidence, severity=severity)]


CHECK = Check(
    RULE,
    on_server=check,
    reads=frozenset({"command", "args"}),
    good=(
        {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"]},
        {"command": "uvx", "args": ["mcp-server-fetch==2025.1.17"]},
        {"command": "uvx", "args": ["--from", "mcp-server-git@0.6.2", "mcp-server-git"]},
        {"command": "pipx", "args": ["run", "--spec", "tool==1.0", "tool"]},
        {"command": "node", "args": ["server.js"]},
        {"command": "npx", "args": ["./scripts/local-server.js"]},
    ),
    bad=(
        {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
        {"command": "npx", "args": ["@browsermcp/mcp@latest"]},
        {"command": "bunx", "args": ["mcp-remote@^0.1.0", "https://x"]},
        {"command": "pnpm", "args": ["dlx", "some-mcp"]},
        {"command": "yarn", "args": ["dlx", "some-mcp@next"]},
        {"command": "uvx", "args": ["mcp-server-fetch"]},
        {"command": "uvx", "args": ["--python", "3.12", "mcp-server-time>=1.0"]},
        {"command": "pipx", "args": ["run", "some-mcp"]},
        {"command": "cmd", "args": ["/c", "npx", "-y", "@e2b/mcp-server"]},
    ),
)
