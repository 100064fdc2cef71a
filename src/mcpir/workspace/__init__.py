"""One run's view of the machine: the MCP configs found under its scopes, discovered once, and
what is derived from them (the token inventory, the scan), until a journalled change rewrites
a config.

Discovery walks the whole home and project tree. Without a shared view, one `mcpir respond`
walked it once per consumer: containment, three token listings, two scans, the posture check.
A `Workspace` walks it once per state of the files. A step changes files only through the
incident's journal, and `Workspace.apply_all` is that call made here, so a change it applies
marks everything stale and the next question discovers again.

Layering: the workspace sits above discovery, tokens and scan (they take already-discovered
configs as a parameter and know nothing of it), and below the playbook, posture and the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcpir.config.project import Policy
from mcpir.core.paths import Scopes

if TYPE_CHECKING:
    from mcpir.core.model import ConfigFile
    from mcpir.incident.journal import Change, Journal, PlannedChange
    from mcpir.scan.engine import ScanReport
    from mcpir.tokens.model import Token

__all__ = ["Workspace"]


class Workspace:
    """The configs, token inventory and scan for `scopes` under `policy`, each computed on
    first use and kept until `invalidate` (or a change `apply_all` makes) drops them all."""

    def __init__(self, scopes: Scopes, policy: Policy) -> None:
        self.scopes = scopes
        self.policy = policy
        self._configs: list[ConfigFile] | None = None
        self._tokens: list[Token] | None = None
        self._evidenced: list[Token] | None = None
        self._scan: ScanReport | None = None

    @classmethod
    def load(cls, scopes: Scopes) -> Workspace:
        """For `scopes`, under the project's policy (`.mcpir.toml` at the root, if any)."""
        from mcpir.config.project import load_policy

        return cls(scopes, load_policy(scopes.root) if scopes.root is not None else Policy())

    def configs(self) -> list[ConfigFile]:
        """Every config file discovery finds, unreadable ones included (with their `error`)."""
        if self._configs is None:
            # Looked up at call time, not bound at import: one name to wrap for a test or a
            # profile that counts discoveries.
            from mcpir.discovery import discover

            self._configs = discover(self.scopes, self.policy.discovery.exclude)
        return list(self._configs)  # a copy: callers sort and extend what they get

    def tokens(self) -> list[Token]:
        """`list_tokens` over `configs()`, with this machine's environment (`scopes.environ`):
        every credential a configured server can read."""
        if self._tokens is None:
            from mcpir.tokens import list_tokens

            self._tokens = list_tokens(
                self.scopes,
                environ=self.scopes.environ,
                exclude=self.policy.discovery.exclude,
                configs=self.configs(),
            )
        return list(self._tokens)  # a copy: the rotate step sorts its list in place

    def tokens_with_evidence(self) -> list[Token]:
        """`tokens()`, each aged from its oldest evidence and marked exposed where evidence
        says it may have leaked (`mcpir.workspace.evidence`): what status, posture and the
        daily check judge by. Reads git history and transcripts (both cached across runs)."""
        if self._evidenced is None:
            from mcpir.workspace.evidence import with_evidence

            self._evidenced = with_evidence(self)
        return list(self._evidenced)

    def flagged_servers(self) -> set[str]:
        """Servers the scan rates medium or worse for what they are, not for the credentials
        written into them (as the rotate step ranks them): whatever they read may have leaked."""
        from mcpir.core.model import Severity
        from mcpir.scan.checks import CREDENTIAL_RULES

        if self._scan is not None:
            findings = list(self._scan.findings)
        else:
            # Only the rules that judge a server: re-detecting every secret would double the
            # cost of a `tokens status`.
            from mcpir.scan.checks import RULES, ScanContext
            from mcpir.scan.engine import check_all, suppression_for

            ctx = ScanContext(official_images=self.policy.scan.official_images)
            rules = frozenset(RULES) - CREDENTIAL_RULES
            findings = [
                finding
                for finding in check_all(self.configs(), (), ctx, rules)
                if suppression_for(finding, self.policy.scan.ignore, self.scopes) is None
            ]
        return {
            finding.server
            for finding in findings
            if finding.severity >= Severity.MEDIUM
            and finding.server
            and finding.rule_id not in CREDENTIAL_RULES
        }

    def scan(self) -> ScanReport:
        """`mcpir scan` over `configs()` with no options: every finding of every severity not
        suppressed by the policy. A caller with a threshold filters by `finding.severity`."""
        if self._scan is None:
            from mcpir.scan.engine import ScanRequest, scan

            self._scan = scan(ScanRequest(self.scopes), self.policy, configs=self.configs())
        return self._scan

    def invalidate(self) -> None:
        """Forget everything: the next question discovers again."""
        self._configs = self._tokens = self._evidenced = self._scan = None

    def apply_all(self, journal: Journal, planned: list[PlannedChange], step: str) -> list[Change]:
        """`journal.apply_all`, after which what was discovered is stale if any file changed.
        An exception stales it too: some files may have changed before it was raised."""
        applied: list[Change] | None = None
        try:
            applied = journal.apply_all(planned, step)
            return applied
        finally:
            if applied is None or applied:
                self.invalidate()
