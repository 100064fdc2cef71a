"""Step 2, *rotate*: every token an MCP server could read, named by fingerprint, with its next step.

New values come from the person responding (a GitHub PAT cannot be created by API), and
rotation calls the provider's network API, which mcpir only does when asked: so this step lists
every token, most exposed first, and the exact command that rotates each (`mcpir tokens
rotate`, which first moves a token written into a config into the keyring, undoably). It never
reports a token as rotated.
"""

from __future__ import annotations

from mcpir.playbook.tasks.base import Status, StepResult, TaskContext

# Written into a config first: it has been copied wherever the file went.
_ORDER = {"literal": 0, "keyring": 1, "referenced": 2, "missing": 3, "prompted": 4}


def _next_step(token_id: str, status: str) -> str:
    if status == "literal":
        return (
            f"mcpir tokens rotate {token_id} (moves it out of the config into the OS keyring "
            "first; mcpir restore undoes that)"
        )
    if status == "keyring":
        return f"mcpir tokens rotate {token_id}"
    if status == "referenced":
        return (
            "rotate it at the provider and update where the variable is set, or store it with "
            f"mcpir tokens add NAME and then mcpir tokens rotate {token_id}"
        )
    if status == "prompted":
        return "create a new value at the provider; the client asks for it at its next start"
    return "nothing provides it: remove the reference, or store it with mcpir tokens add"


def _flagged_servers(ctx: TaskContext) -> set[str]:
    """Servers the scan rates medium or worse for what they are, not for the credentials written
    into them: their tokens were the likeliest to leak."""
    from mcpir.checks import CREDENTIAL_RULES
    from mcpir.model import Severity
    from mcpir.scan import ScanRequest, scan

    report = scan(ScanRequest(ctx.scopes, min_severity=Severity.MEDIUM), ctx.policy)
    return {
        finding.server
        for finding in report.findings
        if finding.server and finding.rule_id not in CREDENTIAL_RULES
    }


class Rotate:
    name = "rotate"

    def run(self, ctx: TaskContext) -> StepResult:
        from mcpir.tokens import list_tokens

        tokens = list_tokens(
            ctx.scopes, environ=ctx.scopes.environ, exclude=ctx.policy.discovery.exclude
        )
        if not tokens:
            return StepResult(Status.OK, "no token is readable by any MCP server")
        flagged = _flagged_servers(ctx)
        tokens.sort(
            key=lambda token: (
                not flagged.intersection(token.servers),
                _ORDER.get(token.status, 9),
                token.id,
            )
        )
        notes = []
        for token in tokens:
            where = ", ".join(
                ctx.scopes.display_location(location) for location in token.locations[:3]
            )
            readers = ", ".join(
                f"{name} (flagged by scan)" if name in flagged else name for name in token.servers
            )
            notes.append(
                f"needs you: {token.fingerprint} ({token.provider}, {token.status}, read by "
                f"{readers or 'no server now'}) at {where}: {_next_step(token.id, token.status)}"
            )
        literal = sum(token.status == "literal" for token in tokens)
        summary = (
            f"{len(tokens)} tokens were readable by MCP servers ({literal} written into configs)"
        )
        return StepResult(Status.ATTENTION, summary + "; none is rotated until you run each step",
                          notes=notes)  # fmt: skip


TASK = Rotate()
