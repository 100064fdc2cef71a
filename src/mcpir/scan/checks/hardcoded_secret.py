"""Secrets written into a config: they leak with every copy, commit and backup of the file."""

from __future__ import annotations

from collections.abc import Iterator

from mcpir.core.model import Finding, Server, Severity
from mcpir.core.redact import mask, random_spans
from mcpir.scan.checks.base import Check, Rule, ScanContext, finding

RULE = Rule(
    "hardcoded-secret",
    "Credential hardcoded in an MCP config",
    Severity.HIGH,
    "A token in a config file is readable by every process and every person with the file, and "
    "survives in backups and git history. Store it in the OS keyring (`mcpir tokens add NAME`), "
    "reference it (`${NAME}`, `${input:id}`) and start the server through `mcpir run`; rotate "
    "the token if the file was ever shared or committed.",
)
_SEVERITY = {"high": Severity.HIGH, "medium": Severity.HIGH, "low": Severity.MEDIUM}
_KIND = {"generic-high-entropy": "random-looking credential"}


def _values(server: Server) -> Iterator[tuple[str, str, str | None]]:
    """(where, value, name it sits under) for every string a server is given."""
    for name, secret in server.env.items():
        yield f"env {name}", secret.reveal(), name
    for name, secret in server.headers.items():
        yield f"header {name}", secret.reveal(), name
    previous: str | None = None
    for index, arg in enumerate(server.args):
        key = arg.split("=", 1)[0].lstrip("-") if "=" in arg else previous
        yield f"args[{index}]", arg, key
        previous = arg.lstrip("-") if arg.startswith("-") else None
    if server.url:
        yield "url", server.url, None
    if server.command:
        yield "command", server.command, None


def _unnamed(value: str) -> Iterator[str]:
    """Random-looking runs that no name vouches for (`serve <base64 key>`, `SESSION=<key>`):
    the same runs every output masks. A provider's look-alike (a fixture, a token that fails
    its checksum) is left out, as the detectors leave it out; the shape of a provider that
    needs a name to vouch for it (any 40 base64 characters for AWS) says nothing alone."""
    from mcpir.secrets import providers

    spans = random_spans(value)
    if not spans:
        return
    shaped = [m.span() for p in providers() if p.context is None for m in p.pattern.finditer(value)]
    for start, end in spans:
        if all(end <= s or e <= start for s, e in shaped):
            yield value[start:end]


def check(server: Server, ctx: ScanContext) -> Iterator[Finding]:
    from mcpir.secrets import find_secrets

    for where, value, key in _values(server):
        hits = find_secrets(value, key)
        for hit in hits:
            kind = _KIND.get(hit.provider, f"{hit.provider} token")
            yield finding(
                RULE,
                server,
                f"{kind} in {where}",
                evidence=f"{where}: {mask(hit.secret.reveal())}",
                severity=_SEVERITY.get(hit.confidence, Severity.HIGH),
            )
        if hits:
            continue
        for secret in _unnamed(value):
            yield finding(
                RULE,
                server,
                f"random-looking value in {where}",
                evidence=f"{where}: {mask(secret)}",
                severity=Severity.MEDIUM,
            )


CHECK = Check(
    RULE,
    on_server=check,
    good=(
        {"command": "npx", "args": ["pkg@1.0.0"], "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}},
        {"url": "https://x.example/mcp", "headers": {"Authorization": "Bearer ${input:tok}"}},
        {"command": "uvx", "args": ["srv==1.0"], "env": {"LOG_LEVEL": "debug", "PORT": "8080"}},
        {"command": "node", "args": ["s.js"], "env": {"API_KEY": "YOUR_API_KEY_HERE"}},
        {
            "command": "uvx",
            "args": ["mcp-server-git", "--repository", "/home/alice/src/app"],
            "env": {"SESSION_ID": "0199a1b2-7c3d-7e4f-8a9b-00000000c0de"},
        },
    ),
    bad=(
        {"command": "npx", "env": {"SERVICE_API_TOKEN": "q8Zr4LkP2vXn9TbYw3HsJe6MdFa1GcUo"}},
        {"url": "https://x.example/mcp?api_key=Zq7Lm2Xv9Pn4Rt6Yb8Kd3Hs5Wf1Gc0Ja"},
        {"command": "srv", "args": ["--token", "Zq7Lm2Xv9Pn4Rt6Yb8Kd3Hs5Wf1Gc0Ja"]},
        {"command": "srv", "args": ["serve", "Kq8/Zr4LkP2vXn9TbYw3HsJe6MdFa1GcUo+Wn8bYc4"]},
    ),
)
