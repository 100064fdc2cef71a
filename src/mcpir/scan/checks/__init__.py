"""Every scan rule, registered in one place. Adding a rule: one module, one line here."""

from mcpir.scan.checks import (
    broad_filesystem,
    hardcoded_secret,
    literal_credential_header,
    meta,
    plain_http,
    privileged_container,
    prompt_injection,
    unofficial_image,
    unpinned_image,
    unpinned_package,
)
from mcpir.scan.checks.base import Check, Rule, ScanContext

CHECKS: tuple[Check, ...] = (
    hardcoded_secret.CHECK,
    literal_credential_header.CHECK,
    prompt_injection.CHECK,
    unofficial_image.CHECK,
    unpinned_image.CHECK,
    unpinned_package.CHECK,
    plain_http.CHECK,
    broad_filesystem.CHECK,
    privileged_container.CHECK,
    *meta.CHECKS,
)
RULES: dict[str, Rule] = {check.rule.id: check.rule for check in CHECKS}
# A credential written into a config says where a token leaked, not that the server is hostile:
# the rotate step deals with those.
CREDENTIAL_RULES = frozenset(
    {hardcoded_secret.CHECK.rule.id, literal_credential_header.CHECK.rule.id}
)

__all__ = ["CHECKS", "CREDENTIAL_RULES", "RULES", "Check", "Rule", "ScanContext"]
