"""The schema fields a text stands for, in either of the two forms the schema rules read.

1. One field of a listing, as `mcpir.scan.live_texts` gives it: the text is the field's value
   and `tool` its path (`add.inputSchema.properties.note.default`, a property *name* read as
   words, `add.inputSchema.required` as a JSON list, `add.note` a top-level parameter's
   description, `prompt:p.arguments.topic` a prompt argument).
2. A flattened listing inside a description, as saved corpora and some clients write it:
   `Adds.  [inputSchema.properties.a] type: number, default: '…'  [inputSchema.required] ['a']`.

Either way the result is a `Subject`: the tool the fields belong to, the words that say what
that tool is for, and the fields. Bounded on hostile input: only the first 65,536 characters of
a text are looked at, at most 256 segments, 64 key/value pairs and 256 list items each, every
value cut at 4,096 characters; no recursion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

MAX_TEXT = 65_536
MAX_SEGMENTS = 256
MAX_PAIRS = 64
MAX_ITEMS = 256
MAX_VALUE = 4_096

# Keywords whose value names schemas: the next path segment is a name the schema author chose.
NAMED = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
VALUE_KEYS = frozenset({"default", "enum", "examples", "const", "title"})
# Every keyword of JSON Schema (2020-12 and draft 7) and OpenAPI's few additions: any other
# key in a schema is one its author invented, read by nothing but the model.
STANDARD = frozenset(
    {"type", "required", "$schema", "$id", "$anchor", "$ref", "$dynamicRef", "$dynamicAnchor",
     "$vocabulary", "$comment", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
     "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
     "minProperties", "maxProperties", "minContains", "maxContains", "readOnly", "writeOnly",
     "deprecated", "nullable", "dependentRequired", "contentEncoding", "contentMediaType",
     "contentSchema", "format", "pattern", "items", "additionalItems", "additionalProperties",
     "unevaluatedProperties", "unevaluatedItems", "contains", "propertyNames", "not", "if",
     "then", "else", "anyOf", "oneOf", "allOf", "prefixItems", "description", "discriminator",
     "example", "externalDocs", "xml", "id", "definitions", "dependencies", *NAMED, *VALUE_KEYS}
)  # fmt: skip
_ROOTS = ("inputSchema", "input_schema", "parameters", "outputSchema")
_ROOT = re.compile(r"\.(?:inputSchema|input_schema|parameters|outputSchema)(?=[.\[]|$)")
_PART = re.compile(r"[^.\[\]]+|\[\d+\]")
_SEGMENT = re.compile(
    r"\[((?:inputSchema|input_schema|parameters|outputSchema)(?:\.[^\[\]\s.]{1,200}|\[\d{1,6}\]){0,64})\]"
)
_PAIR_KEY = re.compile(r"\s*([A-Za-z$_][\w$-]{0,63})\s*:\s*")
_NEXT_KEY = re.compile(r",\s*[A-Za-z$_][\w$-]{0,63}\s*:\s")
# Where a quoted value may end: before the next pair, list item, or the end of the segment.
# The leading run of spaces is taken whole: given back one at a time to the `\s*$` after it, a
# quote before 4,000 spaces cost 16 million steps, and a listing holds many quotes (issue 20).
_PAIR_END = re.compile(r"\s*+(?:,\s*[A-Za-z$_][\w$-]{0,63}\s*:\s|,?\s*$)")
_ITEM_END = re.compile(r"\s*[,\]]")
_BODY_END = re.compile(r"\s*$")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_NOT_TOOLS = ("prompt:", "resource:", "template:", "server.")
_TOOL_OWN = frozenset({"name", "title", "description"})


@dataclass(frozen=True)
class Field:
    kind: str  # name | required | description | extra | default | enum | examples | const | title
    path: str  # where in the schema, e.g. "properties.locale.default"
    param: str | None  # the innermost property (or prompt argument) it belongs to
    key: str  # the schema key: the property's own name for `name`, the invented key for `extra`
    value: str
    pos: int = 0  # where in the text
    output: bool = False  # in an outputSchema: what the tool returns, not what it asks for


@dataclass
class Subject:
    tool: str | None
    about: str  # the tool's name and own description, as lower-case words
    fields: list[Field] = field(default_factory=list)


def words(name: str) -> str:
    """An identifier (`contents_of_home_aws_credentials`, `sshPrivateKey`) as lower-case words."""
    return " ".join(_WORDS.findall(name[:MAX_VALUE])).lower()


def read(text: str, tool: str | None) -> Subject | None:
    """The schema fields `text` stands for, or None when it is neither form."""
    if tool and "." in tool:
        one = _field_text(text, tool)
        if one is not None:
            return one
    if "[" in text and any(root in text for root in _ROOTS):
        return _flattened(text[:MAX_TEXT], tool)
    return None


def _field_text(text: str, path: str) -> Subject | None:
    """Form 1: `path` names the field `text` is the value of."""
    value = text[:MAX_VALUE]
    if path.startswith("prompt:"):
        head, sep, rest = path.partition(".arguments.")
        parts = rest.split(".")
        if not sep or not parts[0] or len(parts) > 2 or parts[1:] not in ([], ["description"]):
            return None
        kind = "name" if len(parts) == 1 else "description"
        owner = head.removeprefix("prompt:")
        return Subject(owner, words(owner), [Field(kind, rest, parts[0], parts[0], value)])
    if path.startswith(_NOT_TOOLS):
        return None
    root = _ROOT.search(path)
    if root is None:
        owner, _, param = path.partition(".")
        if "." in param or param in _TOOL_OWN or not param:
            return None  # a tool's own field (`name`, `title`, `annotations.title`)
        # `live_texts` names a top-level parameter's description `tool.param`.
        return Subject(owner, words(owner), [Field("description", param, param, param, value)])
    owner = path[: root.start()]
    found = _interpret(_PART.findall(path[root.end() :]), value, 0)
    if root.group().startswith(".outputSchema"):
        found = [replace(each, output=True) for each in found]
    return Subject(owner, words(owner), found) if found else None


def _interpret(parts: list[str], value: str, pos: int) -> list[Field]:
    """The field at schema path `parts` (below the schema's root) holding `value`."""
    if not parts:
        return []
    param = None
    for before, part in zip(parts, parts[1:], strict=False):
        if before in ("properties", "patternProperties"):
            param = part
    shown = ".".join(parts).replace(".[", "[")
    last = parts[-1]
    if len(parts) >= 2 and parts[-2] in NAMED:
        return [Field("name", shown, param or last, last, value, pos)]
    if last.startswith("[") and len(parts) >= 2:
        last = parts[-2]
        if last not in ("enum", "examples"):
            return []
        return [Field(last, shown, param, last, value, pos)]
    if last in VALUE_KEYS or last in ("required", "description"):
        return [Field(last, shown, param, last, value, pos)]
    if last == "$comment" or last not in STANDARD:
        return [Field("extra", shown, param, last, value, pos)]
    return []


def _flattened(text: str, tool: str | None) -> Subject | None:
    """Form 2: `[inputSchema.<path>] <value>` segments inside a description."""
    marks = []
    for match in _SEGMENT.finditer(text):
        marks.append(match)
        if len(marks) == MAX_SEGMENTS:
            break
    if not marks:
        return None
    lead = text[: marks[0].start()][:MAX_VALUE]
    subject = Subject(tool, f"{words(tool or '')} {words(lead)}".strip())
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        body = text[mark.end() : end].strip()[:MAX_VALUE]
        parts = _PART.findall(mark.group(1))[1:]
        if not parts:
            continue
        found = []
        if len(parts) >= 2 and parts[-2] in NAMED:
            found += _interpret(parts, parts[-1], mark.start())
            for key, value in _pairs(body):
                found += _values([*parts, key], value, mark.start())
        else:
            found += _values(parts, _literal(body), mark.start())
        output = mark.group(1).startswith("outputSchema")
        subject.fields += [replace(each, output=True) for each in found] if output else found
    return subject


def _values(parts: list[str], value: str | list[str], pos: int) -> list[Field]:
    """One field per value, and per item of a list of enum values, examples or names."""
    if isinstance(value, str):
        return _interpret(parts, value, pos)
    if parts[-1] == "required":
        return _interpret(parts, repr(value), pos)
    if parts[-1] in ("enum", "examples"):
        found: list[Field] = []
        for n, item in enumerate(value):
            found += _interpret([*parts, f"[{n}]"], item, pos)
        return found
    return _interpret(parts, ", ".join(value), pos)


def _pairs(body: str) -> list[tuple[str, str | list[str]]]:
    """`type: string, default: 'a, b', enum: ['x', 'y']` as (key, value) pairs; a bare value
    runs to the next `, key:`."""
    pairs: list[tuple[str, str | list[str]]] = []
    at = 0
    while len(pairs) < MAX_PAIRS:
        key = _PAIR_KEY.match(body, at)
        if key is None:
            break
        at = key.end()
        value: str | list[str]
        if at < len(body) and body[at] in "'\"":
            value, at = _quoted(body, at, _PAIR_END)
        elif at < len(body) and body[at] == "[":
            value, at = _list(body, at)
        else:
            following = _NEXT_KEY.search(body, at)
            stop = following.start() if following else len(body)
            value, at = body[at:stop].strip(), stop
        pairs.append((key.group(1), value))
        while at < len(body) and body[at] in ", \t\n":
            at += 1
    return pairs


def _literal(body: str) -> str | list[str]:
    if body.startswith("["):
        return _list(body, 0)[0]
    if body[:1] in ("'", '"'):
        return _quoted(body, 0, _BODY_END)[0]
    return body


def _quoted(body: str, at: int, ends: re.Pattern[str]) -> tuple[str, int]:
    """The string quoted at `at` and where it ends. Writers of flattened listings do not
    escape (`'paste the user's key'`), so a quote closes only where `ends` matches after it;
    failing that, at the first one; an unclosed quote runs to the end."""
    quote, out, first = body[at], [], None
    at += 1
    while at < len(body):
        char = body[at]
        if char == "\\" and at + 1 < len(body):
            out.append(body[at + 1])
            at += 2
            continue
        if char == quote:
            if ends.match(body, at + 1):
                return "".join(out), at + 1
            first = first or (len(out), at + 1)
        out.append(char)
        at += 1
    if first is not None:
        return "".join(out[: first[0]]), first[1]
    return "".join(out), at


def _list(body: str, at: int) -> tuple[list[str], int]:
    """A flat list `['a', "b", c]` starting at `at` and where it ends; nested brackets are
    kept as text."""
    items: list[str] = []
    at += 1
    bare: list[str] = []
    while at < len(body) and len(items) < MAX_ITEMS:
        char = body[at]
        if char in "'\"":
            value, at = _quoted(body, at, _ITEM_END)
            items.append(value)
            continue
        if char in ",]":
            if "".join(bare).strip():
                items.append("".join(bare).strip())
            bare = []
            at += 1
            if char == "]":
                break
            continue
        bare.append(char)
        at += 1
    return items, at
