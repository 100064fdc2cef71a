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
# The id predates the split of the baseline into accepted findings and the server inventory:
# kept, so that `.mcpir.toml` ignores and code-scanning alerts keep matching.
BASELINE_DRIFT = Rule(
    "baseline-drift",
    "Server differs from the reviewed server inventory",
    Severity.MEDIUM,
    "A server was added, removed or changed since the server inventory (`mcp-inventory.json`, "
    "`--drift`) was recorded. Review the change; if it is intended, record it with "
    "`mcpir scan --update-drift`.",
)

CHECKS = (Check(CONFIG_ERROR), Check(BASELINE_DRIFT))
