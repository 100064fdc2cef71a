"""A tool's capabilities from what its listing says: its MCP annotations first, then its name,
description and parameter names.

Annotations are the server's own word (hints, per the MCP specification, and a hostile server
can lie in them; so can its description), hence every classification keeps its evidence and
a confidence, and a person reads both. The words are matched whole, on identifiers split into
words (`get_file_contents` is "get file contents"), so `url` never matches `curl`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mcpir.flows.model import Capability, Confidence, Evidence, Source

MAX_TEXT = 4096  # of a description: the words that classify a tool come early
MAX_PARAMS = 200

# A verb in the tool's name that sends what it is given somewhere else.
SEND_VERBS = frozenset(
    {"send", "post", "publish", "upload", "push", "share", "email", "mail", "notify", "reply",
     "comment", "tweet", "webhook", "submit", "forward", "export", "invite", "broadcast",
     "fetch", "request", "navigate", "render", "dispatch"}
)  # fmt: skip
# Verbs that write somewhere, perhaps remote, perhaps local: weak evidence alone.
WRITE_VERBS = frozenset({"create", "update", "write", "put", "add", "merge", "fork", "edit"})
# ...and what they write that usually lives on a remote service.
REMOTE_NOUNS = frozenset(
    {"issue", "comment", "message", "post", "page", "pull", "pr", "repository", "repo", "ticket",
     "event", "document", "record", "row", "gist", "release", "branch", "file", "files"}
)  # fmt: skip
READ_VERBS = frozenset(
    {"get", "read", "list", "search", "query", "open", "download", "view", "show", "find",
     "select", "execute", "run", "describe", "lookup", "retrieve", "load"}
)  # fmt: skip
PRIVATE_NOUNS = frozenset(
    {"file", "files", "repo", "repos", "repository", "repositories", "content", "contents",
     "code", "database", "db", "sql", "table", "tables", "record", "records", "row", "rows",
     "mail", "email", "emails", "inbox", "message", "messages", "ticket", "tickets", "secret",
     "secrets", "credential", "credentials", "password", "passwords", "document", "documents",
     "note", "notes", "drive", "customer", "customers", "contact", "contacts",
     "calendar", "history", "commits", "channel", "thread", "schema", "schemas"}
)  # fmt: skip
UNTRUSTED_NAMES = frozenset(
    {"fetch", "browse", "browser", "navigate", "scrape", "crawl", "web", "page", "webpage",
     "url", "rss", "feed", "issue", "issues", "comment", "comments", "inbox", "snapshot"}
)  # fmt: skip
DESTRUCTIVE_NAMES = frozenset(
    {"delete", "remove", "drop", "truncate", "destroy", "purge", "kill", "wipe", "overwrite",
     "reset", "move", "rename"}
)  # fmt: skip
# Parameters that say where data goes: a tool taking one can send what it is given there.
SEND_PARAMS = frozenset(
    {"url", "uri", "endpoint", "webhook", "webhookurl", "to", "recipient", "recipients", "cc",
     "bcc", "emailto", "sharewith", "callbackurl", "destination", "target", "host", "public"}
)  # fmt: skip
# What a description says a tool reads or takes in, or where it sends.
_PRIVATE_TEXT = re.compile(
    r"\b(private|file contents?|contents? of (?:a |the )?files?|repositor(?:y|ies)|database|sql|"
    r"e-?mails?|inbox|tickets?|secrets?|credentials?|passwords?|customer)\b",
    re.IGNORECASE,
)
_UNTRUSTED_TEXT = re.compile(
    r"\b(web ?pages?|websites?|the (?:web|internet)|any url|urls?|html|search results|"
    r"issues?|comments?|pull requests?|inbound|incoming|messages? from)\b",
    re.IGNORECASE,
)
_SENDS_TEXT = re.compile(
    r"\b(sends?|posts?|publish(?:es)?|uploads?|shares?|shareable|public (?:link|url)|"
    r"e-?mails? (?:it|them|to)|webhooks?|http requests?|to a remote)\b",
    re.IGNORECASE,
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")


def words(identifier: str) -> list[str]:
    """`getFileContents`, `get_file_contents`, `get-file-contents` → get, file, contents."""
    return [w.lower() for w in _SPLIT.split(_CAMEL.sub(" ", identifier[:256])) if w]


def _squashed(identifier: str) -> str:
    return "".join(words(identifier))


def _text(value: Any) -> str:  # noqa: ANN401 - a JSON value
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def params(tool: Mapping[str, Any]) -> list[str]:
    schema = tool.get("inputSchema")
    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(properties, Mapping):
        return []
    return [str(name)[:256] for name in list(properties)[:MAX_PARAMS]]


def from_annotations(tool: Mapping[str, Any]) -> list[Evidence]:
    hints = tool.get("annotations")
    if not isinstance(hints, Mapping):
        return []
    out: list[Evidence] = []
    read_only = hints.get("readOnlyHint") is True
    if hints.get("destructiveHint") is True and not read_only:
        out.append(_ann(Capability.DESTRUCTIVE, "destructiveHint: true"))
    if hints.get("openWorldHint") is True:
        out.append(_ann(Capability.UNTRUSTED, "openWorldHint: true (reaches outside entities)"))
        if not read_only:
            out.append(_ann(Capability.SENDS, "openWorldHint: true and not readOnlyHint"))
    return out


def _ann(capability: Capability, detail: str) -> Evidence:
    return Evidence(capability, Source.ANNOTATION, Confidence.HIGH, detail)


def from_names(name: str, arguments: Iterable[str], source: Source) -> list[Evidence]:
    """What a tool's name and its parameters' (or a call's arguments') names say."""
    out: list[Evidence] = []
    said = words(name)
    first = said[0] if said else ""
    verbs = set(said)

    def add(capability: Capability, confidence: Confidence, detail: str) -> None:
        if all(e.capability is not capability for e in out):
            out.append(Evidence(capability, source, confidence, detail))

    if sent := sorted(verbs & SEND_VERBS):
        add(Capability.SENDS, Confidence.MEDIUM, f"name says {sent[0]!r}")
    for param in arguments:
        if _squashed(param) in SEND_PARAMS:
            add(Capability.SENDS, Confidence.MEDIUM, f"parameter {param!r}")
    if first in WRITE_VERBS and verbs & REMOTE_NOUNS:
        add(Capability.SENDS, Confidence.LOW, f"name says {first!r} (a write, maybe remote)")
    if (verbs & READ_VERBS or first == "query") and (nouns := sorted(verbs & PRIVATE_NOUNS)):
        add(Capability.PRIVATE, Confidence.MEDIUM, f"name reads {nouns[0]!r}")
    elif first in {"query", "execute"} or "sql" in verbs:
        add(Capability.PRIVATE, Confidence.MEDIUM, "name runs a query")
    if untrusted := sorted(verbs & UNTRUSTED_NAMES):
        add(Capability.UNTRUSTED, Confidence.LOW, f"name says {untrusted[0]!r}")
    if gone := sorted(verbs & DESTRUCTIVE_NAMES):
        add(Capability.DESTRUCTIVE, Confidence.MEDIUM, f"name says {gone[0]!r}")
    return out


def from_description(text: str) -> list[Evidence]:
    out = []
    for capability, pattern in (
        (Capability.PRIVATE, _PRIVATE_TEXT),
        (Capability.UNTRUSTED, _UNTRUSTED_TEXT),
        (Capability.SENDS, _SENDS_TEXT),
    ):
        match = pattern.search(text)
        if match:
            detail = f"description says {match.group(0).lower()!r}"
            out.append(Evidence(capability, Source.LISTING, Confidence.LOW, detail))
    return out


def from_listing(tool: Mapping[str, Any]) -> list[Evidence]:
    """Every piece of evidence one listed tool gives: annotations, then names, then prose.
    A `readOnlyHint` drops what only its words said it destroys."""
    name = str(tool.get("name") or "")
    found = from_annotations(tool)
    found += from_names(name, params(tool), Source.LISTING)
    found += from_description(_text(tool.get("description")))
    hints = tool.get("annotations")
    if isinstance(hints, Mapping) and hints.get("readOnlyHint") is True:
        found = [
            e for e in found
            if not (e.capability is Capability.DESTRUCTIVE and e.source is Source.LISTING)
        ]  # fmt: skip
    return found
