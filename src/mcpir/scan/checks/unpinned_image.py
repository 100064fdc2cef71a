"""Containers must be pinned by digest: a tag can be moved to new code after review."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mcpir.core.model import Finding, Server, Severity
from mcpir.scan.checks.base import Check, Rule, ScanContext, container_image, finding

RULE = Rule(
    "unpinned-image",
    "Container image not pinned by digest",
    Severity.MEDIUM,
    "Tags are mutable: whoever controls the image can ship new code under the same name. Pin "
    "the image by digest (`image@sha256:…`, from `docker buildx imagetools inspect`), and "
    "never run `:latest` or an untagged image.",
)


# Called for every server of every config: most have nothing here and return at once,
# without a generator.
def check(server: Server, ctx: ScanContext) -> Sequence[Finding]:
    return () if container_image(server) is None else list(_check(server))


def _check(server: Server) -> Iterator[Finding]:
    match container_image(server):
        case (_, image) if image.pinned:
            return
        case (_, image) if image.tag in (None, "latest"):
            what = "`:latest`" if image.tag else "no tag (`:latest`)"
            yield finding(
                RULE,
                server,
                f"image {image.text} runs {what}: whatever is pushed next runs here",
                evidence=image.text,
                severity=Severity.HIGH,
            )
        case (_, image):
            yield finding(
                RULE,
                server,
                f"image {image.text} is pinned by tag only, not by digest",
                evidence=image.text,
            )


CHECK = Check(
    RULE,
    on_server=check,
    reads=frozenset({"command", "args"}),
    good=(
        {"command": "docker", "args": ["run", "-i", "mcp/fetch@sha256:" + "0" * 64]},
        {"command": "docker", "args": ["run", "-i", "mcp/fetch:1.2@sha256:" + "f" * 64]},
        {"command": "docker", "args": ["run", "-i", "${MCP_IMAGE}"]},
        {"command": "npx", "args": ["-y", "pkg@1.0.0"]},
    ),
    bad=(
        {"command": "docker", "args": ["run", "-i", "--rm", "mcp/fetch"]},
        {"command": "docker", "args": ["run", "-i", "mcp/fetch:latest"]},
        {"command": "docker", "args": ["run", "-i", "localhost:5000/mcp/fetch:1.0"]},
    ),
)
