"""The commands README.md and docs/**/*.md show, made runnable on the demo sandbox.

`collect` reads every fenced block tagged `sh`, `bash`, `console` or `shell` and keeps each line
that starts with `mcpir ` or `$ mcpir ` (joined with its `\\` continuations; a trailing
`# comment` is dropped; in a `console` block with `$ ` prompts, only the prompted lines: the
rest is output). What runs of a line:

- `mcpir … | jq …`: only the mcpir part (and, piped into `jq`, its stdout must be JSON);
  `&&`, `||` and `;` end the mcpir part the same way;
- a synopsis: `mcpir pins list | show SERVER` (a `|` followed by a sibling subcommand) runs
  each alternative; `[--json]`, `[FILE]`, `[--systemd | --cron]` are optional parts, and a line
  with some runs twice: without them ("bare") and with each (the first of its choices).

Annotations, each with a reason in parentheses:

- `<!-- docs-test: skip (reason) -->` on the line before a code block skips the whole block;
- `# docs-test: skip (reason)` at the end of a command line skips that line;
- `# docs-test: skip-bare (reason)` skips only a synopsis line's bare form (the optional parts
  are what makes it safe, e.g. `schedule run [--once]`).

`bind` turns a doc line into arguments for one sandbox (`Machine`); `run_mcpir` runs them
in-process through the console script's entry point, with a timeout, a network guard and
its own stdin/stdout/stderr. `links` and `anchors` serve the Markdown link check.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

SHELLS = {"sh", "bash", "console", "shell"}
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
BLOCK_NOTE = re.compile(r"^\s*<!--\s*docs-test:(?P<body>.*?)-->\s*$")
LINE_NOTE = re.compile(r"#\s*docs-test:(?P<body>.*)$")
NOTE_BODY = re.compile(r"^\s*(?P<kind>skip|skip-bare)\s*\((?P<reason>.*\S.*)\)\s*$")
# What a doc line says when it shows a refusal: then exit 2 is what it documents.
REFUSAL = re.compile(r"\brefus|\brejects?\b|\berror\b|\bexit(s)? 2\b", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    doc: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Command:
    doc: str  # the file, relative to the repository: README.md, docs/tokens.md
    line: int  # where the command starts
    text: str  # the doc line as written, continuations joined
    words: tuple[str, ...]  # after `mcpir`, placeholders as written
    skip: str | None = None  # the reason, from the doc's annotation
    piped_into: str | None = None  # `jq` in `mcpir servers --json | jq …`
    refusal: bool = False  # the doc line is about a refusal: exit 2 is documented there
    variant: str = ""  # "bare" or "full" for a line with optional parts

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def shown(self) -> str:
        return shlex.join(["mcpir", *self.words])

    @property
    def id(self) -> str:
        shown = self.shown if len(self.shown) <= 70 else self.shown[:69] + "…"
        return f"{self.where} {shown}"


# --- reading the docs ---------------------------------------------------------------------


def _closes(line: str, fence: str) -> bool:
    """A closing fence: the opening one's character, at least as many, nothing else."""
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


@dataclass
class _Block:
    info: str
    start: int
    note: str | None  # the annotation's body on the line before
    lines: list[tuple[int, str]] = field(default_factory=list)


def _blocks(text: str, doc: str, problems: list[Problem]) -> Iterator[_Block]:
    lines = text.splitlines()
    fence: str | None = None
    block: _Block | None = None
    note: tuple[int, str] | None = None
    for number, raw in enumerate(lines, start=1):
        if fence is not None and block is not None:
            if _closes(raw, fence):
                yield block
                fence, block = None, None
            else:
                block.lines.append((number, raw))
            continue
        opened = FENCE.match(raw)
        if opened:
            fence = opened["fence"]
            body = note[1] if note is not None else None  # blank lines may come between
            block = _Block(opened["info"].lower(), number, body)
            note = None
            continue
        annotation = BLOCK_NOTE.match(raw)
        if annotation:
            if note is not None:
                problems.append(Problem(doc, note[0], "docs-test annotation before no code block"))
            note = (number, annotation["body"])
        elif raw.strip() and note is not None:
            problems.append(Problem(doc, note[0], "docs-test annotation before no code block"))
            note = None
        elif "docs-test" in raw and "<!--" in raw:
            problems.append(Problem(doc, number, "malformed docs-test annotation"))
    if note is not None:
        problems.append(Problem(doc, note[0], "docs-test annotation before no code block"))


def _note(body: str, doc: str, line: int, problems: list[Problem]) -> tuple[str, str] | None:
    parsed = NOTE_BODY.match(body)
    if parsed is None:
        problems.append(
            Problem(doc, line, f"docs-test annotation {body.strip()!r}: want 'skip (reason)'")
        )
        return None
    return parsed["kind"], parsed["reason"].strip()


def _logical_lines(block: _Block) -> Iterator[tuple[int, str]]:
    """Each command line of a block, `\\` continuations joined, `$ ` prompt removed."""
    pending: tuple[int, str] | None = None
    # A console session with prompts: the lines without one are output (`mcpir 0.1.0`).
    prompted = block.info == "console" and any(r.strip().startswith("$ ") for _, r in block.lines)
    for number, raw in block.lines:
        line = raw.strip()
        if pending is not None:
            start, text = pending
            text = f"{text} {line}"
        else:
            if line.startswith("$ "):
                line = line[2:].lstrip()
            elif prompted:
                continue
            if not (line == "mcpir" or line.startswith("mcpir ")):
                continue
            start, text = number, line
        if text.endswith("\\"):
            pending = (start, text[:-1].rstrip())
            continue
        pending = None
        yield start, text
    if pending is not None:
        yield pending


# --- one line's words ---------------------------------------------------------------------


def _scan(text: str) -> tuple[list[str], str]:
    """Shell-ish tokens, and the trailing comment: quoted words are unquoted; `|`, `||`, `&&`,
    `;` and the brackets of an optional part (`[--json]`) outside quotes are tokens of their
    own; `#` starting a word starts the comment. Brackets inside a word (`.[]`) are kept."""
    tokens: list[str] = []
    word: list[str] = []
    comment = ""
    started = False
    quote: str | None = None
    i = 0

    def flush() -> None:
        nonlocal started
        if started:
            tokens.append("".join(word))
        word.clear()
        started = False

    while i < len(text):
        char = text[i]
        if quote is not None:
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"' and i + 1 < len(text) and text[i + 1] in '"\\$`':
                i += 1
                word.append(text[i])
            else:
                word.append(char)
        elif char in "'\"":
            quote, started = char, True
        elif char == "\\" and i + 1 < len(text):
            i += 1
            word.append(text[i])
            started = True
        elif char.isspace():
            flush()
        elif char == "#" and not started:
            comment = text[i:]
            break
        elif char in "|&;":
            flush()
            double = text[i : i + 2]
            if double in ("||", "&&"):
                tokens.append(double)
                i += 1
            else:
                tokens.append(char)
        elif char == "[" and not started:
            tokens.append("[")
        elif char == "]" and (not started or text[i + 1 : i + 2].strip() == ""):
            flush()
            tokens.append("]")
        else:
            word.append(char)
            started = True
        i += 1
    flush()
    return tokens, comment


def _optional_variants(tokens: list[str]) -> list[tuple[str, list[str]]]:
    """(label, words) with optional parts left out, and with each one's first choice in."""
    bare: list[str] = []
    full: list[str] = []
    group: list[str] | None = None
    seen = False
    for token in tokens:
        if token == "[" and group is None:
            group, seen = [], True
        elif token == "]" and group is not None:
            choice: list[str] = []
            for word in group:
                if word == "|":
                    break
                choice.append(word)
            full.extend(choice)
            group = None
        elif group is not None:
            group.append(token)
        else:
            bare.append(token)
            full.append(token)
    if not seen:
        return [("", bare)]
    return [("bare", bare), ("full", full)]


Subcommands = Callable[[Sequence[str]], set[str]]


def _parent_of_last(
    prefix: tuple[str, ...], head: list[str], subcommands: Subcommands
) -> tuple[str, ...] | None:
    """The group whose subcommand `head` names last (`pins` for `pins show SERVER`)."""
    path, parent = prefix, None
    for word in head:
        if word in ("[", "]") or word.startswith("-"):
            continue
        if word not in subcommands(path):
            break
        parent, path = path, (*path, word)
    return parent


def _expand(
    words: list[str], subcommands: Subcommands, prefix: tuple[str, ...] = ()
) -> tuple[list[list[str]], str | None]:
    """The alternatives a line stands for, and the program it pipes into (if any)."""
    depth = 0
    for index, token in enumerate(words):
        depth += {"[": 1, "]": -1}.get(token, 0)
        if depth or token != "|":
            continue
        head, rest = words[:index], words[index + 1 :]
        parent = _parent_of_last(prefix, head, subcommands)
        if rest and parent is not None and rest[0] in subcommands(parent):
            # `pins list | show SERVER`: `show` is a sibling of `list`, so this is a synopsis.
            more, piped = _expand(rest, subcommands, parent)
            return [head, *([*parent[len(prefix) :], *alt] for alt in more)], piped
        return [head], rest[0] if rest else None
    return [words], None


def collect(
    paths: Sequence[Path], base: Path, subcommands: Subcommands
) -> tuple[list[Command], list[Problem]]:
    """Every command line in the fenced shell blocks of `paths` (relative names from `base`)."""
    commands: list[Command] = []
    problems: list[Problem] = []
    for path in paths:
        doc = path.relative_to(base).as_posix()
        for block in _blocks(path.read_text(encoding="utf-8"), doc, problems):
            block_skip: str | None = None
            if block.note is not None:
                parsed = _note(block.note, doc, block.start - 1, problems)
                if parsed is not None and parsed[0] == "skip":
                    block_skip = parsed[1]
                elif parsed is not None:
                    problems.append(Problem(doc, block.start - 1, "skip-bare is for a line"))
            if block.info not in SHELLS:
                for number, raw in block.lines:
                    if "docs-test:" in raw:
                        problems.append(
                            Problem(
                                doc,
                                number,
                                f"docs-test annotation in a {block.info or 'plain'} block, "
                                "which is never run (tag it sh)",
                            )
                        )
                continue
            for number, text in _logical_lines(block):
                commands.extend(_commands(doc, number, text, block_skip, subcommands, problems))
    return commands, problems


def _commands(
    doc: str,
    number: int,
    text: str,
    block_skip: str | None,
    subcommands: Subcommands,
    problems: list[Problem],
) -> list[Command]:
    skip, skip_bare = block_skip, None
    body = text
    note = LINE_NOTE.search(text)
    if note is not None:
        body = text[: note.start()].rstrip()
        parsed = _note(note["body"], doc, number, problems)
        if parsed is not None and parsed[0] == "skip":
            skip = skip or parsed[1]
        elif parsed is not None:
            skip_bare = parsed[1]
    tokens, comment = _scan(body)
    refusal = bool(REFUSAL.search(comment))
    # `a && b`, `a || true`, `a; b`: the mcpir part is the first piece.
    for index, token in enumerate(tokens):
        if token in ("&&", "||", ";"):
            tokens = tokens[:index]
            break
    words = tokens[1:]  # after `mcpir`
    alternatives, piped = _expand(words, subcommands)
    found: list[Command] = []
    has_bare = False
    for alternative in alternatives:
        for label, variant in _optional_variants(alternative):
            reason = skip
            if label == "bare":
                has_bare = True
                reason = reason or skip_bare
            found.append(Command(doc, number, text, tuple(variant), reason, piped, refusal, label))
    if skip_bare is not None and not has_bare:
        problems.append(Problem(doc, number, "skip-bare on a line with no optional [part]"))
    seen: set[tuple[str, ...]] = set()
    unique = []
    for command in found:
        if command.words not in seen:
            seen.add(command.words)
            unique.append(command)
    return unique


# --- the CLI's shape (click, as typer builds it) ------------------------------------------


def cli_root() -> Any:
    import typer.main

    from mcpir.cli import app

    return typer.main.get_command(app)


def chain(root: Any, words: Sequence[str]) -> list[tuple[int, Any]]:
    """(index of the word naming it, -1 for `mcpir` itself; command) for each level the
    words reach: `posture ack training` → mcpir, posture, ack."""
    levels: list[tuple[int, Any]] = [(-1, root)]
    command = root
    for index, word in enumerate(words):
        if word == "--":
            break
        children = getattr(command, "commands", None)
        if not children:
            break
        if word.startswith("-"):
            continue
        if word not in children:
            break
        command = children[word]
        levels.append((index, command))
    return levels


def subcommands_of(root: Any) -> Subcommands:
    def siblings(words: Sequence[str]) -> set[str]:
        levels = chain(root, words)
        if len(levels) - 1 != len([w for w in words if not w.startswith("-")]):
            return set()
        return set(getattr(levels[-1][1], "commands", {}) or {})

    return siblings


def options_of(command: Any) -> dict[str, tuple[str, ...]]:
    """Each option name of `command` → every spelling of that option."""
    names: dict[str, tuple[str, ...]] = {}
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") != "option":
            continue
        spellings = (*param.opts, *param.secondary_opts)
        for spelling in spellings:
            names[spelling] = spellings
    return names


def path_of(root: Any, words: Sequence[str]) -> str:
    """`tokens list`, `posture ack`, `scan`: the command a line runs, as help names it."""
    levels = chain(root, words)
    return " ".join(words[index] for index, _ in levels[1:])


# --- the sandbox and the placeholders -----------------------------------------------------


@dataclass(frozen=True)
class Machine:
    base: Path  # the demo's base dir
    home: Path  # the fake user's home
    root: Path  # the fake project (a git repository); commands run from there
    incident: str  # the demo's incident
    token_id: str  # the demo's leaked GitHub token, as `tokens list --json` names it
    system_root: Path  # an empty managed-files root
    outputs: Path  # where an absolute --output of the docs goes instead
    files: dict[str, Path]  # placeholder or file name → a file in the sandbox


HOME_OPTIONS = {"--home"}
ROOT_OPTIONS = {"--root", "--repo"}
OUTPUT_OPTIONS = {"--output", "-o"}
PATH_OPTIONS = HOME_OPTIONS | ROOT_OPTIONS | OUTPUT_OPTIONS | {"--system-root"}
INCIDENT = re.compile(r"ATOM-INC-[\w…<>.-]*")
TOKEN = re.compile(r"(TOKEN_ID|tok_[\w…]*|<token[-_ ]?id>)")
SERVER = {"SERVER", "NAME", "<server>", "<name>", "SERVER_NAME"}
FILES = {"FILE", "PATH", "<file>", "<path>"}
IDS = {"ID", "<id>", "INCIDENT_ID"}


def _value(word: str, option: str | None, path: str, machine: Machine) -> str:
    if option in HOME_OPTIONS:
        return str(machine.home)
    if option in ROOT_OPTIONS:
        return str(machine.root)
    if option == "--system-root":
        return str(machine.system_root)
    if option in OUTPUT_OPTIONS:
        if word in FILES:
            return str(machine.outputs / "output")
        if Path(word).is_absolute() and not Path(word).is_relative_to(machine.base):
            return str(machine.outputs / Path(word).name)
        return word
    if INCIDENT.fullmatch(word):
        return machine.incident
    if TOKEN.fullmatch(word) or (word in IDS and path.startswith("tokens")):
        return machine.token_id
    if word in IDS:
        return machine.incident
    if word in SERVER:
        return "github"
    if word in FILES:
        return str(machine.files.get(path, machine.files["FILE"]))
    if not word.startswith("-"):
        return _sandbox_path(word, machine)
    return word


def _sandbox_path(word: str, machine: Machine) -> str:
    """A relative path the docs name, as the sandbox holds it: an input the docs assume (a
    `tools.json`), or a config contain renamed aside (`.mcp.json.mcpir-disabled`)."""
    if word in machine.files:
        return str(machine.files[word])
    if "/" not in word and "." not in word:
        return word
    here = machine.root / word
    if here.exists():
        return word
    aside = machine.root / (word.rstrip("/") + ".mcpir-disabled")
    return str(aside.relative_to(machine.root)) if aside.exists() else word


def bind(command: Command, machine: Machine, root: Any) -> list[str]:
    """The arguments that run `command` on `machine`: placeholders replaced, and the sandbox's
    `--home`/`--root` added to every command that takes them and names none."""
    words = list(command.words)
    path = path_of(root, words)
    end = words.index("--") if "--" in words else len(words)
    levels = chain(root, words[:end])
    takes: dict[str, tuple[str, ...]] = {}
    for _, level in levels:
        takes.update(options_of(level))
    bound: list[str] = []
    option: str | None = None
    for index, word in enumerate(words):
        if index >= end:
            bound.append(word)
            continue
        if "=" in word and word.startswith("--"):
            name, value = word.split("=", 1)
            bound.append(f"{name}={_value(value, name, path, machine)}")
            option = None
            continue
        bound.append(_value(word, option, path, machine))
        named = word in PATH_OPTIONS or (word in takes and _takes_value(levels, word))
        option = word if named else None
    for wanted, directory in (("--home", machine.home), ("--root", machine.root)):
        where = _deepest_with(levels, wanted)
        if where is None:
            continue
        spellings = set(options_of(where[1])[wanted]) | (
            ROOT_OPTIONS if wanted == "--root" else set()
        )
        if any(w in spellings or w.split("=", 1)[0] in spellings for w in bound[:end]):
            continue
        at = end if where[0] == levels[-1][0] else where[0] + 1
        bound[at:at] = [wanted, str(directory)]
        end += 2
    return bound


def _deepest_with(levels: list[tuple[int, Any]], option: str) -> tuple[int, Any] | None:
    for index, level in reversed(levels):
        if option in options_of(level):
            return index, level
    return None


def _takes_value(levels: list[tuple[int, Any]], option: str) -> bool:
    for _, level in levels:
        for param in getattr(level, "params", []):
            if option in (*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())):
                return not (getattr(param, "is_flag", False) or getattr(param, "count", False))
    return False


UNATTENDED = (
    (("run",), None, "starts the command as a server (`mcpir run -- CMD`)"),
    (("proxy",), None, "starts the command as a server (`mcpir proxy -- CMD`)"),
    (("tokens", "verify"), None, "asks the token's provider, over the network"),
    (("tokens", "rotate"), {"--dry-run", "-n"}, "calls the provider, and asks for a new token"),
    (("tokens", "add"), {"--from-stdin"}, "asks for the value at a hidden prompt"),
    (("schedule", "install"), {"--dry-run", "-n", "--print"}, "installs a real OS timer"),
    (("schedule", "run"), {"--once"}, "runs the daily check until stopped"),
)
NETWORK_OPTIONS = {"--branch-protection": "asks GitHub, over the network"}


def unattended(command: Command, root: Any) -> str | None:
    """Why `command` cannot run offline and unattended here (then the doc must say skip)."""
    words = list(command.words)
    path = tuple(path_of(root, words).split())
    for prefix, unless, why in UNATTENDED:
        if path[: len(prefix)] == prefix and not (unless and unless & set(words)):
            return why
    for option, why in NETWORK_OPTIONS.items():
        if option in words:
            return why
    for index, word in enumerate(words[:-1]):
        if word == "--provider" and words[index + 1] in ("github", "github-app"):
            return "calls GitHub, over the network"
    if "--install-completion" in words:
        return "writes the completion into the user's shell startup file"
    return None


# --- running one command ------------------------------------------------------------------


class CommandTimeout(BaseException):
    """Raised in the command by the alarm: a BaseException, so no `except Exception` in the
    command under test can swallow it."""


@dataclass
class Ran:
    code: int | None  # None: it did not return (timeout, or an exception escaped)
    stdout: str
    stderr: str
    seconds: float
    escaped: str | None = None  # the traceback of an exception that left the entry point
    timed_out: bool = False
    network: list[str] = field(default_factory=list)  # hosts it tried to reach


LOCAL = {"localhost", "127.0.0.1", "::1", None, ""}


@contextlib.contextmanager
def _no_network(attempts: list[str]) -> Iterator[None]:
    """Refuse every connection that leaves this machine, and remember who asked."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOCAL:
            attempts.append(str(host))
            raise OSError(f"docs test: no network ({host})")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if self.family != socket.AF_UNIX and host not in LOCAL:
            attempts.append(str(host))
            raise OSError(f"docs test: no network ({host})")
        real_connect(self, address)

    setattr(socket, "getaddrinfo", getaddrinfo)  # noqa: B010 - typeshed's signature is narrower
    setattr(socket.socket, "connect", connect)  # noqa: B010
    try:
        yield
    finally:
        setattr(socket, "getaddrinfo", real_getaddrinfo)  # noqa: B010
        setattr(socket.socket, "connect", real_connect)  # noqa: B010


def run_mcpir(args: Sequence[str], *, stdin: str = "", timeout: float = 20.0) -> Ran:
    """`mcpir ARGS` through the console script's entry point (`mcpir.launch:main`), in this
    process: stdin, stdout and stderr its own, no network, stopped after `timeout` seconds."""
    from mcpir.launch import main

    out, err = io.StringIO(), io.StringIO()
    attempts: list[str] = []
    code: int | None = None
    escaped: str | None = None
    timed_out = False
    argv, real_stdin = sys.argv, sys.stdin
    alarm = hasattr(signal, "setitimer")

    def expire(signum: int, frame: Any) -> None:
        raise CommandTimeout

    previous = signal.signal(signal.SIGALRM, expire) if alarm else None
    start = time.perf_counter()
    try:
        sys.argv = ["mcpir", *args]
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            with _no_network(attempts):
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                try:
                    main()
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                finally:
                    if alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
    except CommandTimeout:
        timed_out = True
    except Exception:  # what the user would see as a traceback
        escaped = traceback.format_exc()
    finally:
        sys.argv, sys.stdin = argv, real_stdin
        if alarm:
            signal.signal(signal.SIGALRM, previous)
    return Ran(
        code,
        out.getvalue(),
        err.getvalue(),
        time.perf_counter() - start,
        escaped,
        timed_out,
        attempts,
    )


# --- Markdown links -----------------------------------------------------------------------

INLINE_LINK = re.compile(
    r"!?\[(?:[^\]\\]|\\.)*\]\(\s*(?P<target><[^>]*>|[^)\s]*)(?:\s+\"[^\"]*\")?\s*\)"
)
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(?P<target><[^>]*>|\S+)")
HTML_ID = re.compile(r"<a\s[^>]*(?:id|name)=\"(?P<id>[^\"]+)\"", re.IGNORECASE)
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+\1")


def _prose(text: str) -> Iterator[tuple[int, str]]:
    """The lines outside fenced code blocks."""
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence = opened["fence"]
        elif fence is not None and _closes(line, fence):
            fence = None
        elif fence is None:
            yield number, line


def links(text: str) -> list[tuple[int, str]]:
    """(line, target) of every inline, image and reference link outside code."""
    found: list[tuple[int, str]] = []
    for number, line in _prose(text):
        reference = REFERENCE.match(line)
        if reference:
            found.append((number, reference["target"].strip("<>")))
            continue
        plain = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        found.extend((number, m["target"].strip("<>")) for m in INLINE_LINK.finditer(plain))
    return found


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text lowercased, punctuation dropped, spaces to -."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")
    text = re.sub(r"[*~]|(?<!\w)_+|_+(?!\w)", "", text)
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    for _, line in _prose(text):
        found.update(m["id"] for m in HTML_ID.finditer(line))
        heading = HEADING.match(line)
        if heading:
            slug = _slug(heading["text"])
            seen = counts.get(slug, 0)
            counts[slug] = seen + 1
            found.add(slug if not seen else f"{slug}-{seen}")
    return found


def broken_links(path: Path, repo: Path) -> list[str]:
    """Relative links of `path` whose file or anchor does not exist."""
    text = path.read_text(encoding="utf-8")
    broken: list[str] = []
    for number, target in links(text):
        if not target or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", target):
            continue  # http:, mailto:…: not a file here
        file_part, _, anchor = target.partition("#")
        file_part = unquote(file_part.split("?", 1)[0])
        if file_part:
            base = repo if file_part.startswith("/") else path.parent
            linked = (base / file_part.lstrip("/")).resolve()
        else:
            linked = path.resolve()
        where = f"{path.relative_to(repo).as_posix()}:{number}: {target}"
        if not linked.is_relative_to(repo.resolve()):
            broken.append(f"{where}: leaves the repository")
        elif not linked.exists():
            broken.append(f"{where}: no such file")
        elif anchor and linked.suffix.lower() == ".md" and linked.is_file():
            if unquote(anchor).lower() not in anchors(linked.read_text(encoding="utf-8")):
                broken.append(f"{where}: no such anchor in {linked.name}")
    return broken
