"""Whether a command line runs mcpir's proxy, in every form `mcpir wrap` writes it.

Read where servers are listed (scan's inventory, posture, unwrap): a wrapped server is judged
by the server's own command line inside `mcpir proxy … --`, not by the launcher in front.
"""

from __future__ import annotations

PROGRAM = "mcpir"


def names_mcpir(word: str) -> bool:
    """Whether a command word runs mcpir: `mcpir`, `mcpir.exe`, or a path to one."""
    return word.replace("\\", "/").rsplit("/", 1)[-1] in (PROGRAM, f"{PROGRAM}.exe")


_VALUED = ("--name", "--log-dir", "--root")  # `mcpir proxy` options that take a value


def _is_python(command: str) -> bool:
    return command.replace("\\", "/").rsplit("/", 1)[-1].lower().startswith("python")


def original(args: list[str]) -> list[str] | None:
    """The server's own command line in the arguments of `mcpir proxy` (after `proxy`)."""
    i = 0
    while i < len(args):
        if args[i] == "--":
            return args[i + 1 :] or None
        if args[i] in _VALUED:
            i += 2
        elif args[i].startswith("-"):
            i += 1
        else:
            return args[i:]
    return None


def _invocation(line: list[str], start: int) -> tuple[int, list[str]] | None:
    """When `line[start:]` runs mcpir (`mcpir`, a path to it, `python -m mcpir`, `python -m
    mcpir.proxy`): where that command ends, and its words from the subcommand on."""
    word = line[start]
    if names_mcpir(word):
        return start + 1, line[start + 1 :]
    if _is_python(word) and line[start + 1 : start + 2] == ["-m"]:
        module = line[start + 2 : start + 3]
        if module == ["mcpir.proxy"]:
            return start + 3, ["proxy", *line[start + 3 :]]
        if module == ["mcpir"]:
            return start + 3, line[start + 3 :]
    return None


def proxied(line: list[str]) -> tuple[list[str], list[str]] | None:
    """(what launches the proxy and stays, the server's own command line) when `line` runs
    `mcpir proxy`, else None. Every form wrap writes is read: `mcpir`, an absolute path to it,
    `python -m mcpir` (or `-m mcpir.proxy`), and a `--command` such as `uvx mcpir` (what comes
    before the mcpir word is dropped with it). What stays is empty, or the `mcpir run … --`
    that `tokens externalize` puts around a wrapped server to pass it the secrets mcpir keeps."""
    prefix: list[str] = []
    while line:
        for start in range(len(line)):
            found = _invocation(line, start)
            if found is None:
                continue
            end, rest = found
            if rest[:1] == ["proxy"]:
                inner = original(rest[1:])
                return (prefix, inner) if inner else None
            if start == 0 and rest[:1] == ["run"] and "--" in rest:
                cut = rest.index("--") + 1
                prefix, line = [*prefix, *line[:end], *rest[:cut]], rest[cut:]
                break
            if start == 0:
                return None  # mcpir, but neither its proxy nor `run … --` around one
        else:
            return None
    return None
