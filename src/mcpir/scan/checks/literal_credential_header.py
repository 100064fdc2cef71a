"""Credentials typed into `headers` instead of referenced: `"Authorization": "Bearer abc…"`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from mcpir.core.model import Finding, Server, Severity
from mcpir.core.redact import is_reference, mask
from mcpir.scan.checks.base import Check, Rule, ScanContext, finding

RULE = Rule(
    "literal-credential-header",
    "Literal credential in a request header",
    Severity.HIGH,
    "A bearer token or API key written into `headers` travels with the config file. Reference it "
    "instead (`Bearer ${env:TOKEN}`, `${input:id}`) and keep the value in the OS keyring.",
)
_CREDENTIAL_HEADER = re.compile(
    r"^(?:proxy-)?authorization$|api[-_]?key|token|secret|^cookie$|^x-auth", re.IGNORECASE
)
_SCHEME = re.compile(r"^\s*(Bearer|Basic|Token|Bot)\s+(.+)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(?:<[^>]*>|x+|\*+|\.+|your[-_ ]\w*|redacted|changeme|none|null|todo|placeholder|example)$",
    re.IGNORECASE,
)


# Called for every server of every config: most have nothing here and return at once,
# without a generator.
def check(server: Server, ctx: ScanContext) -> Sequence[Finding]:
    return list(_check(server)) if server.headers else ()


def _check(server: Server) -> Iterator[Finding]:
    for name, secret in server.headers.items():
        value = secret.reveal()
        if not _CREDENTIAL_HEADER.search(name) or not value.strip():
            continue
        scheme = _SCHEME.match(value)
        credential = scheme.group(2).strip() if scheme else value.strip()
        if "${" in credential or is_reference(credential) or _PLACEHOLDER.match(credential):
            continue
        from mcpir.secrets import find_secrets  # only for a header that may hold one

        if find_secrets(value, name):
            continue  # hardcoded-secret reports it, with its provider
        yield finding(
            RULE,
            server,
            f"header {name} holds a literal credential",
            evidence=f"{name}: {(scheme.group(1) + ' ') if scheme else ''}{mask(credential)}",
        )


CHECK = Check(
    RULE,
    on_server=check,
    good=(
        {"url": "https://x.example/mcp", "headers": {"Authorization": "Bearer ${env:TOKEN}"}},
        {"url": "https://x.example/mcp", "headers": {"Authorization": "Bearer ${input:gh-token}"}},
        {"url": "https://x.example/mcp", "headers": {"X-API-Key": "<your-key>"}},
        {"url": "https://x.example/mcp", "headers": {"Accept": "text/event-stream"}},
    ),
    bad=(
        {"url": "https://x.example/mcp", "headers": {"Authorization": "Bearer abc123"}},
        {"url": "https://x.example/mcp", "headers": {"Authorization": "Basic dXNlcjpwYXNz"}},
        {"url": "https://x.example/mcp", "headers": {"X-Api-Key": "team-key-42"}},
    ),
)
