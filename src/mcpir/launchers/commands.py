"""Reading a server's command line: which launcher it uses and what it launches."""

from __future__ import annotations

import ntpath
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache

from mcpir.core.model import Server

CONTAINER_ENGINES = frozenset({"docker", "podman", "nerdctl"})
# docker run options that take a value as the next argument (so it is not the image).
_VALUE_OPTIONS = frozenset(
    "-e --env --env-file -v --volume --mount -p --publish --name --network --net -w --workdir "
    "-u --user --entrypoint -l --label --label-file --add-host --cap-add --cap-drop --cpus "
    "--memory -m --platform --pull --restart --device --dns --hostname -h --ipc --pid "
    "--runtime --security-opt --shm-size --stop-signal --tmpfs --ulimit --userns --uts "
    "--volumes-from --log-driver --log-opt --gpus --cidfile --health-cmd --ip --link "
    "--mac-address --group-add --expose --annotation --secret --attach -a".split()
)


@lru_cache(maxsize=4096)
def program(command: str | None) -> str:
    """`/usr/local/bin/npx.cmd` → `npx`: the launcher's bare name on any OS."""
    if not command:
        return ""
    base = ntpath.basename(posixpath.basename(command.strip().strip('"')))
    return re.sub(r"\.(exe|cmd|bat|ps1)$", "", base, flags=re.IGNORECASE).lower()


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def argv(server: Server) -> list[str]:
    """The full command line, unwrapping `cmd /c …`, `sh -c "…"`, `env A=1 …`, `mcpir run -- …`."""
    return list(_argv(server.command or "", server.args))


@lru_cache(maxsize=1024)
def _argv(command: str, args: tuple[str, ...]) -> tuple[str, ...]:
    # Every check reads the command line; parse each distinct one once.
    words = [command, *args]
    while words:
        name = program(words[0])
        if name == "cmd" and len(words) > 2 and words[1].lower() in {"/c", "/k"}:
            words = words[2:]
        elif name in {"sh", "bash", "zsh"} and len(words) > 2 and words[1] == "-c":
            words = words[2].split() + words[3:]
        elif name == "mcpir" and "--" in words:
            words = words[words.index("--") + 1 :]
        elif name == "env" and len(words) > 1:
            rest = words[1:]
            while rest and (_ASSIGNMENT.match(rest[0]) or rest[0].startswith("-")):
                rest = rest[1:]
            words = rest
        else:
            break
    return tuple(words)


@dataclass(frozen=True)
class ContainerRun:
    engine: str
    options: list[str]  # everything between `run` and the image
    image: str | None
    position: int  # index of the image in the argv, -1 when absent


def container_run(server: Server) -> ContainerRun | None:
    words = argv(server)
    if not words or program(words[0]) not in CONTAINER_ENGINES:
        return None
    rest = words[1:]
    if "container" in rest[:1]:  # `docker container run`
        rest = rest[1:]
    if not rest or rest[0] != "run":
        return None
    index = 1
    options: list[str] = []
    while index < len(rest):
        word = rest[index]
        if word == "--":
            index += 1
            break
        if not word.startswith("-"):
            break
        options.append(word)
        if word in _VALUE_OPTIONS and index + 1 < len(rest):
            options.append(rest[index + 1])
            index += 1
        index += 1
    image = rest[index] if index < len(rest) else None
    return ContainerRun(program(words[0]), options, image, index + 1 if image else -1)
