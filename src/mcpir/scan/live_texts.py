"""Every text a model would read in a server's listing, each named by its field path.

A listing is what `initialize`, `tools/list`, `prompts/list`, `resources/list` and
`resources/templates/list` answer. Poison hides anywhere in it, not only in a tool's
description: a parameter's `default`, an `enum` value, a property *name*, an `outputSchema`
three levels down, a prompt argument, a resource template, the server's `instructions`. Each
text becomes one `Tool` whose `name` is the path of the field it came from:

    server.instructions
    render_diagram              the tool's description (named so since `--tools` began)
    render_diagram.note         a top-level parameter's description (likewise)
    render_diagram.name | .title | .annotations.title | .<any other string field>
    render_diagram.inputSchema.properties.note             the property's name
    render_diagram.inputSchema.properties.note.default     also .enum[2] .examples[0] .const
    render_diagram.inputSchema.required    the required names as a JSON list: structure that
                                           only the schema rules read, never as prose
    render_diagram.outputSchema.properties.a.items.anyOf[1].$defs.b.description
    prompt:summarize.description | .title | .arguments.topic | .arguments.topic.description
    resource:file:///x.name | .description | .title
    template:notes://{id}.uriTemplate | .name | .description

A parameter named like a tool field (`name`, `title`, `description`…) keeps its full path.
Identifiers are read as the words they spell (`ignore_previous_instructions` as "ignore
previous instructions"); other values that are not strings as JSON.

Bounded on hostile input: schemas are walked breadth first without recursion, to depth 64; at
most 10,000 texts, shared round-robin between the listing's items so one huge schema cannot
hide another tool; each text cut at 16,384 characters (still long enough to be flagged as
abnormally long); non-string values are written as JSON, to depth 64 and the same length.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mcpir.core.model import Location, Tool

MAX_DEPTH = 64
MAX_TEXTS = 10_000
MAX_CHARS = 16_384
MAX_REQUIRED = 1_000  # names kept of one `required` list

# Keywords whose value is one schema, a map of named schemas, or a list of schemas.
_ONE = frozenset(
    {"additionalProperties", "additionalItems", "unevaluatedProperties", "unevaluatedItems",
     "contains", "propertyNames", "not", "if", "then", "else", "contentSchema"}
)  # fmt: skip
_NAMED = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_MANY = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_LISTED = frozenset({"enum", "examples"})  # each value its own text
# Structure, not prose: never shown as words to the model in any way that could instruct it.
_STRUCTURE = frozenset(
    {"type", "required", "$schema", "$id", "$anchor", "$ref", "$dynamicRef", "$dynamicAnchor",
     "$vocabulary", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
     "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties",
     "maxProperties", "minContains", "maxContains", "readOnly", "writeOnly", "deprecated",
     "nullable", "dependentRequired", "contentEncoding"}
)  # fmt: skip
_SCHEMA_KEYS = ("inputSchema", "input_schema", "parameters", "outputSchema")
_TOOL_OWN = frozenset({"name", "title", "description", "annotations", "_meta", *_SCHEMA_KEYS})
# A parameter whose name is one of the tool's own fields keeps its full path (no clash).
_OWN_FIELDS = frozenset({"name", "title", "description", "annotations", *_SCHEMA_KEYS})
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+){2,}")

Texts = Iterator[tuple[str, str]]  # (field path, text)
Where = Callable[[str, int], Location]  # (kind of item, its index) -> where it is


@dataclass(frozen=True)
class Walk:
    tools: list[Tool]
    truncated: bool  # a bound was reached: texts were left out or cut


def texts(listing: Mapping[str, Any], server: str, location: Location) -> list[Tool]:
    """One `Tool` per text of `listing` (`{"instructions", "tools", "prompts", "resources",
    "resourceTemplates"}`, items as MCP results give them), named by its field path."""
    return walk(listing, server, lambda _kind, _index: location).tools


def walk(listing: Mapping[str, Any], server: str | None, where: Where) -> Walk:
    """`texts`, with each item's own location (`where("tools", 3)`) and whether a bound hit."""
    sources: list[tuple[Texts, Location]] = []
    state = _State()
    instructions = listing.get("instructions")
    if isinstance(instructions, str):
        sources.append((iter([("server.instructions", instructions)]), where("instructions", 0)))
    for kind, each in (
        ("tools", _tool),
        ("prompts", _prompt),
        ("resources", _resource),
        ("resourceTemplates", _template),
    ):
        items = listing.get(kind)
        if isinstance(items, Sequence) and not isinstance(items, str):
            for index, item in enumerate(items):
                if isinstance(item, Mapping):
                    sources.append((each(item, state), where(kind, index)))
    found: list[Tool] = []
    active = deque(sources)
    while active:
        source, location = active.popleft()
        try:
            path, text = next(source)
        except StopIteration:
            continue
        if len(found) == MAX_TEXTS:
            state.truncated = True
            break
        if len(text) > MAX_CHARS:
            text, state.truncated = text[:MAX_CHARS], True
        found.append(Tool(path, text, location, server))
        active.append((source, location))
    return Walk(found, state.truncated)


def names(listing: Mapping[str, Any]) -> frozenset[str]:
    """The tools `listing` advertises, for the checks that notice one tool steering another."""
    items = listing.get("tools")
    if not isinstance(items, Sequence) or isinstance(items, str):
        return frozenset()
    return frozenset(
        item["name"]
        for item in items
        if isinstance(item, Mapping) and isinstance(item.get("name"), str)
    )


class _State:
    truncated = False


def _name(raw: object) -> str:
    return raw if isinstance(raw, str) and raw else "?"


def _words(name: str) -> str:
    """`ignore_previous_instructions` and `ignorePreviousInstructions` as the words they are,
    so the detector reads an identifier as the sentence it spells."""
    if not re.search(r"[_.\-]|[a-z][A-Z]", name) or len(name) > MAX_CHARS:
        return name
    words = _WORDS.findall(name)
    return " ".join(words).lower() if len(words) > 1 else name


def _value(value: object, state: _State) -> str:
    if isinstance(value, str):
        return _words(value) if _IDENT.fullmatch(value) else value
    out: list[str] = []
    _dump(value, 0, out, [MAX_CHARS + 1])
    text = "".join(out)
    if len(text) > MAX_CHARS:
        state.truncated = True
    return text


def _dump(value: object, depth: int, out: list[str], budget: list[int]) -> None:
    """JSON of `value`, stopping once `budget[0]` characters are written or past MAX_DEPTH."""
    if budget[0] <= 0:
        return
    if depth > MAX_DEPTH:
        piece = '"…"'
    elif isinstance(value, Mapping):
        out.append("{")
        budget[0] -= 1
        for n, (key, item) in enumerate(value.items()):
            if budget[0] <= 0:
                return
            piece = (", " if n else "") + json.dumps(str(key), ensure_ascii=False) + ": "
            out.append(piece)
            budget[0] -= len(piece)
            _dump(item, depth + 1, out, budget)
        piece = "}"
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        out.append("[")
        budget[0] -= 1
        for n, item in enumerate(value):
            if budget[0] <= 0:
                return
            if n:
                out.append(", ")
                budget[0] -= 2
            _dump(item, depth + 1, out, budget)
        piece = "]"
    else:
        try:
            piece = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            piece = json.dumps(str(value)[:MAX_CHARS], ensure_ascii=False)
    out.append(piece)
    budget[0] -= len(piece)


def _fields(item: Mapping[str, Any], path: str, keys: Sequence[str], skip: frozenset[str]) -> Texts:
    """The named string fields of an item, then every other string field it has."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, str):
            yield f"{path}.{key}", _words(value) if key == "name" else value
    for key, value in item.items():
        if key not in skip and key not in keys and isinstance(value, str):
            yield f"{path}.{key}", value


def _tool(raw: Mapping[str, Any], state: _State) -> Texts:
    tool = _name(raw.get("name"))
    if isinstance(raw.get("description"), str):
        yield tool, raw["description"]
    yield from _fields(raw, tool, ("name", "title"), _TOOL_OWN)
    annotations = raw.get("annotations")
    if isinstance(annotations, Mapping):
        yield from _fields(annotations, f"{tool}.annotations", ("title",), frozenset())
    queue: deque[tuple[str, Mapping[str, Any], int, str | None]] = deque()
    for key in _SCHEMA_KEYS:
        schema = raw.get(key)
        if isinstance(schema, Mapping) and (key == "outputSchema" or not queue):
            queue.append((f"{tool}.{key}", schema, 0, None))
    yield from _schemas(queue, state)


def _schemas(queue: deque[tuple[str, Mapping[str, Any], int, str | None]], state: _State) -> Texts:
    """Breadth first over nested schemas, to MAX_DEPTH: no recursion, whatever the nesting."""
    while queue:
        path, node, depth, alias = queue.popleft()
        top = depth == 0
        for key, value in node.items():
            key = str(key)
            nested = key in _NAMED or key in _MANY or key in _ONE or key == "items"
            if nested and isinstance(value, (Mapping, list, tuple)) and depth >= MAX_DEPTH:
                state.truncated = True  # deeper than any honest schema: not read
            elif key in _NAMED and isinstance(value, Mapping):
                for name, sub in value.items():
                    here = f"{path}.{key}.{name}"
                    yield here, _words(str(name))
                    if isinstance(sub, Mapping):
                        legacy = top and key == "properties" and str(name) not in _OWN_FIELDS
                        legacy = legacy and not path.endswith(".outputSchema")
                        short = f"{path.rsplit('.', 1)[0]}.{name}" if legacy else None
                        queue.append((here, sub, depth + 1, short))
            elif (key in _MANY or key == "items") and isinstance(value, (list, tuple)):
                for n, sub in enumerate(value):
                    if isinstance(sub, Mapping):
                        queue.append((f"{path}.{key}[{n}]", sub, depth + 1, None))
            elif (key in _ONE or key == "items") and isinstance(value, Mapping):
                queue.append((f"{path}.{key}", value, depth + 1, None))
            elif key in _LISTED and isinstance(value, Sequence) and not isinstance(value, str):
                for n, each in enumerate(value):
                    yield f"{path}.{key}[{n}]", _value(each, state)
            elif key == "required" and isinstance(value, (list, tuple)):
                # Structure, not prose: the names as a JSON list, for the schema rules alone.
                named = [str(name) for name in value[:MAX_REQUIRED] if isinstance(name, str)]
                if named:
                    yield f"{path}.required", json.dumps(named, ensure_ascii=False)
            elif key == "description" and alias is not None and isinstance(value, str):
                yield alias, value
            elif key not in _STRUCTURE and key not in _ONE and key not in _NAMED:
                if value is not None and not isinstance(value, bool):
                    yield f"{path}.{key}", _value(value, state)
        if queue and len(queue) > MAX_TEXTS * 4:
            state.truncated = True  # more schemas waiting than texts could ever be kept
            while len(queue) > MAX_TEXTS * 4:
                queue.pop()


def _prompt(raw: Mapping[str, Any], state: _State) -> Texts:
    path = f"prompt:{_name(raw.get('name'))}"
    yield from _fields(raw, path, ("description", "title", "name"), frozenset({"_meta"}))
    arguments = raw.get("arguments")
    if isinstance(arguments, Sequence) and not isinstance(arguments, str):
        for argument in arguments:
            if isinstance(argument, Mapping):
                name = _name(argument.get("name"))
                yield f"{path}.arguments.{name}", _words(name)
                keys = ("description", "title")
                skip = frozenset({"_meta", "name"})
                yield from _fields(argument, f"{path}.arguments.{name}", keys, skip)


def _resource(raw: Mapping[str, Any], state: _State) -> Texts:
    key = raw.get("uri") if isinstance(raw.get("uri"), str) else raw.get("name")
    path = f"resource:{_name(key)}"
    yield from _fields(raw, path, ("name", "title", "description"), frozenset({"_meta", "uri"}))


def _template(raw: Mapping[str, Any], state: _State) -> Texts:
    key = raw.get("uriTemplate") if isinstance(raw.get("uriTemplate"), str) else raw.get("name")
    path = f"template:{_name(key)}"
    keys = ("uriTemplate", "name", "title", "description")
    yield from _fields(raw, path, keys, frozenset({"_meta"}))
