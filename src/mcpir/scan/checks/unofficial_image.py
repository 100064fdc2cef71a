"""Containers must come from an official source: `mcp/…`, `ghcr.io/github/…`, or the policy's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mcpir.core.model import Finding, Server, Severity
from mcpir.launchers.images import is_official
from mcpir.scan.checks.base import Check, Rule, ScanContext, container_image, finding

RULE = Rule(
    "unofficial-image",
    "Container image from an unofficial source",
    Severity.MEDIUM,
    "Anyone can publish an image under their own name. Run MCP servers from the official "
    "`mcp/` namespace, `ghcr.io/github/`, or a registry your team controls; add your own "
    "registry to `[scan] official_images` in `.mcpir.toml`.",
)


# Called for every server of every config: most have nothing here and return at once,
# without a generator.
def check(server: Server, ctx: ScanContext) -> Sequence[Finding]:
    return () if container_image(server) is None else list(_check(server, ctx))


def _check(server: Server, ctx: ScanContext) -> Iterator[Finding]:
    match container_image(server):
        case (engine, image) if not is_official(image, ctx.official_images):
            yield finding(
                RULE,
                server,
                f"{engine} runs image {image.text}, which is not from an official source",
                evidence=image.text,
            )


CHECK = Check(
    RULE,
    on_server=check,
    reads=frozenset({"command", "args"}),
    good=(
        {"command": "docker", "args": ["run", "-i", "--rm", "mcp/fetch"]},
        {"command": "docker", "args": ["run", "-i", "ghcr.io/github/github-mcp-server:v0.9.0"]},
        {
            "command": "podman",
            "args": ["run", "-e", "X=1", "docker.io/mcp/time@sha256:" + "a" * 64],
        },
        {"command": "npx", "args": ["-y", "evil/mcp-server"]},
    ),
    bad=(
        {"command": "docker", "args": ["run", "-i", "--rm", "someone/mcp-server:1.0"]},
        {"command": "nerdctl", "args": ["run", "--network", "mcp", "ghcr.io/someone/gh-mcp"]},
        {"command": "cmd", "args": ["/c", "docker", "run", "-i", "mcpx/fetch"]},
    ),
)
