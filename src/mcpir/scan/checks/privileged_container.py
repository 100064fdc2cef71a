"""Containers that get the host: `--privileged`, `/` or the Docker socket mounted, host network."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from mcpir.core.model import Finding, Server, Severity
from mcpir.launchers.commands import ContainerRun
from mcpir.scan.checks.base import Check, Rule, ScanContext, container_of, finding

RULE = Rule(
    "privileged-container",
    "Container with access to the host",
    Severity.HIGH,
    "An MCP server in a container is only contained if the container is. `--privileged`, a bind "
    "mount of `/`, the home directory or the Docker socket, `--network host`, `--pid host` or "
    "`--cap-add SYS_ADMIN/ALL` hand the server the machine. Mount only the directories the "
    "server needs, read-only where possible.",
)
_HOME = re.compile(
    r"^(?:~|\$HOME|\$\{HOME\}|\$\{env:HOME\}|%USERPROFILE%|/home/[^/]+|/Users/[^/]+|/root)/?$"
)


def _mount_source(option: str, value: str) -> str | None:
    if option in {"-v", "--volume"}:
        return value.split(":", 1)[0] if ":" in value else None
    if option == "--mount":
        fields = dict(f.split("=", 1) for f in value.split(",") if "=" in f)
        return fields.get("source") or fields.get("src")
    return None


def _options(options: list[str]) -> Iterator[tuple[str, str]]:
    """(option, value) pairs, with `--opt=value` split."""
    index = 0
    while index < len(options):
        word = options[index]
        if "=" in word and word.startswith("--"):
            name, value = word.split("=", 1)
            yield name, value
        elif index + 1 < len(options) and not options[index + 1].startswith("-"):
            yield word, options[index + 1]
            index += 1
        else:
            yield word, ""
        index += 1


# Called for every server of every config: most have nothing here and return at once,
# without a generator.
def check(server: Server, ctx: ScanContext) -> Sequence[Finding]:
    run = container_of(server)
    return () if run is None else list(_check(server, run))


def _check(server: Server, run: ContainerRun) -> Iterator[Finding]:
    for option, value in _options(run.options):
        source = _mount_source(option, value)
        if option == "--privileged":
            yield finding(RULE, server, f"{run.engine} runs --privileged", evidence=option)
        elif source is not None and source.rstrip("/") in {"", "C:", "c:"}:
            message = f"the host's root filesystem is mounted ({value})"
            yield finding(RULE, server, message, evidence=f"{option} {value}")
        elif source is not None and source.endswith("docker.sock"):
            message = "the Docker socket is mounted: the server controls the host's Docker"
            yield finding(RULE, server, message, evidence=f"{option} {value}")
        elif source is not None and _HOME.match(source):
            message = f"the whole home directory is mounted ({value})"
            yield finding(
                RULE, server, message, evidence=f"{option} {value}", severity=Severity.MEDIUM
            )
        elif option in {"--network", "--net", "--pid", "--ipc", "--uts"} and value == "host":
            message = f"{option} host shares the host's {option.lstrip('-')} namespace"
            yield finding(
                RULE, server, message, evidence=f"{option} {value}", severity=Severity.MEDIUM
            )
        elif option == "--cap-add" and value.upper() in {"ALL", "SYS_ADMIN", "SYS_PTRACE"}:
            yield finding(RULE, server, f"--cap-add {value}", evidence=f"{option} {value}")


CHECK = Check(
    RULE,
    on_server=check,
    reads=frozenset({"command", "args"}),
    good=(
        {"command": "docker", "args": ["run", "-i", "--rm", "-v", "/srv/data:/data:ro", "mcp/x"]},
        {"command": "docker", "args": ["run", "-i", "--network", "mcp-net", "mcp/x"]},
        {
            "command": "docker",
            "args": ["run", "-i", "--mount", "type=bind,src=/srv,dst=/s", "mcp/x"],
        },
    ),
    bad=(
        {"command": "docker", "args": ["run", "--privileged", "-i", "mcp/x"]},
        {"command": "docker", "args": ["run", "-i", "-v", "/:/host", "mcp/x"]},
        {
            "command": "docker",
            "args": ["run", "-i", "--volume=/var/run/docker.sock:/var/run/docker.sock", "mcp/x"],
        },
        {"command": "podman", "args": ["run", "-i", "--network", "host", "mcp/x"]},
        {"command": "docker", "args": ["run", "-i", "--net=host", "mcp/x"]},
        {"command": "docker", "args": ["run", "-i", "-v", "${HOME}:/home/me", "mcp/x"]},
        {
            "command": "docker",
            "args": ["run", "-i", "--mount", "type=bind,source=/,target=/h", "mcp/x"],
        },
    ),
)
