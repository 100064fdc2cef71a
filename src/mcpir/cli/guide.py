"""What help shows besides the options: the one-sentence summary in command lists (whole,
at 80 columns: click cuts anything longer mid-sentence), examples, and the exit codes of
`cli/exits.py`, given to every command and group once they are registered. A command's own
`short_help` or `epilog` wins."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer
    from typer.models import CommandInfo, TyperInfo

# At 80 columns click keeps 78 - 6 - len("investigate") = 61 characters of a summary.
SUMMARY_WIDTH = 61

SUMMARIES: dict[str, str] = {
    "servers": "List every MCP server, with the file and line defining it.",
    "scan": "Check MCP configs for poisoned, unpinned or risky servers.",
    "respond": "Run the incident playbook: contain, rotate, audit, report.",
    "restore": "Undo an incident's or a change set's edits, byte for byte.",
    "close": "Record that an incident is over: who closed it, and why.",
    "demo": "Run a whole incident on a sandboxed fake machine.",
    "run": "Start a command with the keyring's tokens as env vars.",
    "audit": "Audit git history of MCP configs for unauthorized changes.",
    "proxy": "Relay an MCP stdio server and log every call it answers.",
    "wrap": "Launch stdio servers through `mcpir proxy` (journalled).",
    "unwrap": "Give wrapped servers their original command back.",
    "investigate": "Read AI transcripts and MCP call logs for exfiltration.",
    "flows": "Exfiltration paths per client: possible, and observed.",
    "report": "Write an incident's ATOM document from its journal.",
    "playbook": "Inspect and validate incident playbooks.",
    "playbook list": "The built-in playbook and those in ./playbooks/.",
    "playbook show": "Every step with its task, parameters and approval.",
    "playbook check": "Check that every step of a playbook can run here.",
    "tokens": "The credentials MCP servers can read, and mcpir's keyring.",
    "tokens list": "Every credential a configured MCP server can read.",
    "tokens add": "Store a token in the OS keyring.",
    "tokens remove": "Delete a token mcpir stored from the OS keyring.",
    "tokens status": "Every token's age against the rotation policy.",
    "tokens externalize": "Move secrets out of MCP configs into the OS keyring.",
    "tokens verify": "Ask a token's provider whether it still works.",
    "tokens rotate": "Replace a token everywhere, then revoke the old one.",
    "secrets": "Where mcpir keeps secrets: the keyring backend.",
    "secrets backend": "Show or choose the keyring backend; test a round trip.",
    "pins": "Tool definitions pinned by `mcpir proxy`, and changes.",
    "pins list": "Every pinned server, with tools changed since approval.",
    "pins show": "A server's pinned tools and what changed since.",
    "pins approve": "Make a server's latest tool list its pin.",
    "posture": "The monitoring checklist for this repo and machine.",
    "posture ack": "Record that the team training was done, by whom and when.",
    "schedule": "The daily token rotation check, and the OS timers for it.",
    "schedule run": "Run the daily check: now with --once, else every day.",
    "schedule list": "The scheduled jobs, installed timers and last runs.",
    "schedule install": "Run the daily check from systemd, cron or launchd.",
    "schedule uninstall": "Remove the daily check from the OS's scheduler.",
    "action": "The GitHub Action's checks: scan, audit, SARIF, summary.",
    "org": "An organization's repositories, swept on GitHub Actions.",
    "org repos": "An organization's repositories holding MCP configs.",
    "org merge": "Every repository's result in one organization report.",
}

_ID = "ATOM-INC-20261124-001"
EXAMPLES: dict[str, tuple[str, ...]] = {
    "servers": (
        "mcpir servers",
        "mcpir servers --json | jq '.[] | select(.enabled)'",
        "mcpir servers --home /mnt/laptop/home/alice --root /mnt/laptop/src/app",
    ),
    "scan": ("mcpir scan", "mcpir scan --format sarif --output mcp.sarif --severity medium"),
    "respond": (
        "mcpir respond --dry-run",
        'mcpir respond --title "github mcp poisoning"',
        "mcpir respond --only contain -y",
        f"mcpir respond --resume {_ID}",
    ),
    "restore": ("mcpir restore -n", "mcpir restore", f"mcpir restore {_ID} --include-flagged"),
    "close": (f"mcpir close {_ID} --reason 'tokens rotated, server removed'",),
    "demo": ("mcpir demo", "mcpir demo --dir /tmp/mcpir-demo"),
    "run": ("mcpir run -- npx -y @modelcontextprotocol/server-github",),
    "audit": (
        "mcpir audit",
        "mcpir audit --root ../payments-api --since 30d",
        "mcpir audit --all-refs --format sarif -o audit.sarif",
    ),
    "proxy": ("mcpir proxy --name github -- npx -y @modelcontextprotocol/server-github",),
    "wrap": ("mcpir wrap --all", "mcpir wrap github --yes"),
    "unwrap": ("mcpir unwrap --all --yes",),
    "investigate": ("mcpir investigate", "mcpir investigate --since 30m --json"),
    "flows": (
        "mcpir flows",
        "mcpir flows --client claude-code --include-disabled",
        "mcpir flows --format sarif -o flows.sarif --exit-zero",
    ),
    "playbook": ("mcpir playbook show", "mcpir playbook check playbooks/mine.yaml"),
    "playbook list": ("mcpir playbook list",),
    "playbook show": ("mcpir playbook show", "mcpir playbook show playbooks/mine.yaml"),
    "playbook check": ("mcpir playbook check playbooks/mine.yaml",),
    "tokens": ("mcpir tokens list", "mcpir tokens status --exit-zero"),
    "tokens list": ("mcpir tokens list", "mcpir tokens list --json"),
    "tokens add": ("mcpir tokens add GITHUB_TOKEN", "pass gh | mcpir tokens add GH --from-stdin"),
    "tokens remove": ("mcpir tokens remove GITHUB_TOKEN",),
    "tokens status": ("mcpir tokens status", "mcpir tokens status --notify"),
    "tokens externalize": ("mcpir tokens externalize -n", "mcpir tokens externalize -y"),
    "tokens verify": ("mcpir tokens verify GITHUB_TOKEN", "mcpir tokens verify tok_1a2b3c --json"),
    "tokens rotate": (
        "mcpir tokens rotate GITHUB_TOKEN",
        "mcpir tokens rotate GH_APP_TOKEN --app-id 4242 --app-key app.pem",
    ),
    "pins": ("mcpir pins list",),
    "pins list": ("mcpir pins list", "mcpir pins list --json"),
    "secrets": ("mcpir secrets backend", "mcpir secrets backend cryptfile"),
    "secrets backend": (
        "mcpir secrets backend",
        "MCPIR_KEYRING_PASSPHRASE_FD=3 mcpir secrets backend cryptfile 3<passfile",
    ),
    "pins show": ("mcpir pins show github",),
    "pins approve": ("mcpir pins approve github",),
    "posture": ("mcpir posture", "mcpir posture --branch-protection github:acme/app"),
    "posture ack": ("mcpir posture ack training --by alice",),
    "schedule": ("mcpir schedule install -n", "mcpir schedule list"),
    "schedule run": ("mcpir schedule run --once", "mcpir schedule run --at 08:30"),
    "schedule list": ("mcpir schedule list --json",),
    "schedule install": ("mcpir schedule install --dry-run", "mcpir schedule install --cron"),
    "schedule uninstall": ("mcpir schedule uninstall",),
    "action": (
        "mcpir action --sarif mcpir.sarif --fail-on medium",
        "mcpir action --event pull_request --base origin/main --comment",
    ),
    "org": ("mcpir org repos --org acme --json", "mcpir org merge results/ --format sarif"),
    "org repos": (
        "mcpir org repos --org acme --json | jq -c .matrix",
        "mcpir org repos --org acme --api-url https://ghe.acme.example/api/v3 --select search",
    ),
    "org merge": (
        "mcpir org merge results/ > org-report.md",
        "mcpir org merge results/ --format cyclonedx -o ai-bom.cdx.json",
    ),
}


def epilog(command: str) -> str | None:
    """The examples and exit codes `mcpir COMMAND --help` ends with."""
    from mcpir.cli.exits import EXITS, help_block

    blocks = []
    if command in EXAMPLES:
        blocks.append("\n".join(["\b", "Examples:", *(f"  {e}" for e in EXAMPLES[command])]))
    if command in EXITS:
        blocks.append(help_block(command))
    return "\n\n".join(blocks) or None


def document(app: typer.Typer, prefix: str = "") -> None:
    """Give each command and group registered on `app` its summary and epilog."""
    from typer.main import get_command_name

    for info in app.registered_commands:
        name = info.name or get_command_name(getattr(info.callback, "__name__", ""))
        _fill(info, f"{prefix}{name}")
    for group in app.registered_groups:
        sub = group.typer_instance
        called = group.name or (sub.info.name if sub is not None else None)
        if sub is None or not isinstance(called, str):
            continue
        _fill(group, f"{prefix}{called}")
        document(sub, f"{prefix}{called} ")


def _fill(info: CommandInfo | TyperInfo, command: str) -> None:
    from typer.models import DefaultPlaceholder

    def unset(value: object) -> bool:
        return value is None or isinstance(value, DefaultPlaceholder)

    if unset(info.short_help) and command in SUMMARIES:
        info.short_help = SUMMARIES[command]
    text = epilog(command)
    if unset(info.epilog) and text is not None:
        info.epilog = text
