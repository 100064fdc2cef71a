"""Cross-tool flows: a distinctive value returned by one server, sent later to another.

The security notes' pattern: data read through one server (a private file from GitHub) goes
out through another (a diagram written to a shared place), with no tool compromised. Values
returned by a call are remembered (only those the call was not given as arguments); a later
call to another server, or to a network or shell built-in, that carries them is reported
once per (source call, destination call), as high when the destination writes or sends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import timedelta

from mcpir.core.model import Severity
from mcpir.investigate.detectors.base import Context, Flow, Hit, hit, label
from mcpir.investigate.events import Call, Event, Origin
from mcpir.investigate.values import lines, shown, strings, tokens

NAME = "cross-tool-flow"
REMEMBER = timedelta(days=1)
MAX_VALUES = 1_000_000  # memory bound on remembered values (each a short string)
RESULT_LIMIT = 1 << 20
WRITES = re.compile(
    r"write|creat|updat|put|post|send|upload|push|publish|render|diagram|draw|fetch|request|"
    r"http|url|mail|message|comment|issue|share|export|save|store|remember|webhook|notify|"
    r"exec|run|shell|bash|command",
    re.IGNORECASE,
)
OUTBOUND_BUILTINS = frozenset(
    {
        "WebFetch",
        "WebSearch",
        "Bash",
        "web_fetch",
        "google_web_search",
        "run_shell_command",
        "shell",
        "exec_command",
        "local_shell",
    }
)


# Argument names under which a call says what it reads, most specific first.
READ_KEYS = ("path", "file_path", "filePath", "file", "filename", "uri", "url", "resource")
MAX_READ = 200
# What is masked before the cut to MAX_READ: enough for any token to be seen whole, and a
# bound on the work a planted megabyte-long path costs.
MAX_SCAN = 4096


def _what_read(arguments: object) -> str | None:
    """The path or URL a call was asked to read, masked and bounded, or None. Masked first,
    made one line, then cut: a token cut in two before masking would no longer be recognised."""
    if not isinstance(arguments, dict):
        return None
    for key in READ_KEYS:
        value = arguments.get(key)
        if isinstance(value, str) and value.strip():
            from mcpir.core.safe import one_line

            text = value.strip()
            if len(text) > MAX_SCAN:
                text = _without_last_part(text[:MAX_SCAN])
            shown = one_line(text)
            return shown if len(shown) <= MAX_READ else shown[: MAX_READ - 1] + "…"
    return None


def _without_last_part(text: str) -> str:
    """`text` cut at MAX_SCAN, less the path part or word the cut went through: what is left of
    a token there is no longer token-shaped, so it is dropped, not shown."""
    end = len(text)
    while end and not (text[end - 1].isspace() or text[end - 1] in "/\\"):
        end -= 1
    return text[:end] + "…"


def _values(text: str) -> set[str]:
    return set(tokens(text)) | set(lines(text))


def _result_values(text: str) -> set[str]:
    """A result that is JSON (an API object) is matched by its strings, newlines decoded."""
    if text[:1] in "{[" and len(text) < RESULT_LIMIT:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # a server may nest its answer past the limit
            return _values(text)
        found: set[str] = set()
        for _, value in strings(data):
            found |= _values(value)
        return found
    return _values(text)


class CrossToolFlow:
    name = NAME

    def __init__(self, ctx: Context) -> None:
        # Values are remembered from a day before the window on: a flow takes minutes or
        # hours, and the whole history's values would cost time and memory for nothing.
        self.remember_from = ctx.since - REMEMBER if ctx.since else None
        self.seen: dict[str, int] = {}
        self.sources: list[tuple[str, str, Origin]] = []
        self.read: list[str | None] = []  # what each source call read (its path or URL)

    def feed(self, event: Event, live: bool) -> Iterable[Hit]:
        if not isinstance(event, Call):
            return ()
        hits = self._sent(event) if live else []
        if event.server is not None and event.result and self._recent(event):
            self._remember(event)
        return hits

    def _recent(self, call: Call) -> bool:
        ts = call.origin.ts
        return self.remember_from is None or ts is None or ts >= self.remember_from

    def _remember(self, call: Call) -> None:
        assert call.result is not None and call.server is not None  # noqa: S101
        given = "\n".join(value for _, value in strings(call.arguments))
        index = len(self.sources)
        added = False
        for value in _result_values(call.result[:RESULT_LIMIT]):
            if len(self.seen) >= MAX_VALUES:
                break
            if value not in self.seen and value not in given:
                self.seen[value] = index
                added = True
        if added:
            self.sources.append((call.server, call.tool, call.origin))
            self.read.append(_what_read(call.arguments))

    def _sent(self, call: Call) -> list[Hit]:
        if call.arguments is None or not self.seen:
            return []
        if call.server is None and call.tool not in OUTBOUND_BUILTINS:
            return []
        matched: dict[int, list[str]] = {}
        for _, text in strings(call.arguments):
            for value in _values(text):
                index = self.seen.get(value)
                if index is None:
                    continue
                server, _, _ = self.sources[index]
                if server != call.server and value not in matched.setdefault(index, []):
                    matched[index].append(value)
        out = []
        for index, values in sorted(matched.items()):
            if not values:
                continue
            server, tool, origin = self.sources[index]
            writes = call.server is None or bool(WRITES.search(call.tool))
            count = len(values)
            values.sort(key=lambda v: (-len(v), v))
            out.append(
                hit(
                    NAME,
                    Severity.HIGH if writes else Severity.MEDIUM,
                    f"{count} value{'s' if count != 1 else ''} returned by {label(server, tool)} "
                    f"({origin.path.name}:{origin.line}) sent to {label(call.server, call.tool)}",
                    call.origin,
                    server=call.server,
                    tool=call.tool,
                    evidence="e.g. " + ", ".join(shown(v) for v in values[:3]),
                    flow=Flow(label(server, tool), self.read[index]),
                )
            )
        return out

    def finish(self) -> Iterable[Hit]:
        return ()


def make(ctx: Context) -> CrossToolFlow:
    return CrossToolFlow(ctx)
