"""Rules the scan engine raises itself, declared here so every output lists them."""

from mcpir.core.model import Severity
from mcpir.scan.checks.base import Check, Rule

CONFIG_ERROR = Rule(
    "config-error",
    "Config file that cannot be parsed",
    Severity.LOW,
    "The client may ignore this file or read it differently than you expect, and it cannot be "
    "checked. Fix the syntax at the line given.",
)
BASELINE_DRIFT = Rule(
    "baseline-drift",
    "Server differs from the known-good baseline",
    Severity.MEDIUM,
    "A server was added, removed or changed since `mcp-baseline.json` was recorded. Review the "
    "change; if it is intended, record it with `mcpir scan --update-baseline`.",
)

CHECKS = (Check(CONFIG_ERROR), Check(BASELINE_DRIFT))
