"""Prompt injection in MCP tool, parameter and server descriptions.

A description is shown to the model in full but to the user rarely, if ever, so it is where a
malicious server hides instructions. Keywords do not decide: "IMPORTANT", "must", "do not" and
"silently" are common in honest descriptions. The rules look at who is addressed and what is
asked: the model told to hide something from the user, read secrets, change how *other* tools
behave, send data out, or drop its instructions. Weak signals are reported as "low" and only
count when they combine: inside an `<IMPORTANT>`-style block, or two different ones together.

Pure text analysis: no I/O, stdlib only; the phrases live in `mcpir.injection.patterns`.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import replace

from mcpir.injection import acts, citing, learned, techniques
from mcpir.injection import patterns as P
from mcpir.injection.clauses import IMPERATIVE, MODEL_ADDRESS, holds
from mcpir.injection.decoding import decoded_spans
from mcpir.injection.hits import EVIDENCE_LIMIT, Hit, InjectionHit, make_hit, technique
from mcpir.injection.reading import MATCHES as _MATCHES
from mcpir.injection.reading import SPAN as _SPAN
from mcpir.injection.reading import Reading as _Scan
from mcpir.injection.schema import schema_hits
from mcpir.injection.unicode import excerpt, fold, hidden_unicode

# InjectionHit is imported from here by the checks and the tests.
__all__ = [
    "EVIDENCE_LIMIT",
    "LONG_DESCRIPTION",
    "InjectionHit",
    "analyze_description",
    "is_poisoned",
]

LONG_DESCRIPTION = 3000
_RANK = {"low": 0, "medium": 1, "high": 2}
_HITS_PER_KIND = 3
# Signals about the text's shape, not its content: never enough to call a description poisoned.
_SHAPE_KINDS = frozenset({"abnormal-length", "whitespace-padding", "hidden-unicode"})
# Things a description can name without asking for them (a config scanner names ~/.cursor/mcp.json
# and `curl | sh`): two of these alone are not yet signs of an order.
_MENTIONS = frozenset({"sensitive-file-access", "command-execution", "encoded-blob"})


def _ref(match: re.Match[str]) -> str:
    return next((v for k, v in match.groupdict().items() if k.startswith("ref") and v), "")


def _if(signal: object, severity: str, otherwise: str = "low") -> str:
    return severity if signal else otherwise


def _blocks(scan: _Scan) -> None:
    low = scan.low
    tags = list(itertools.islice(P.TAG.finditer(low), _MATCHES * 4)) if "<" in low else []
    closers: dict[str, list[int]] = {}
    for tag in tags:
        if tag.group(1):
            closers.setdefault(tag.group(2), []).append(tag.start())
    for match in tags:
        name = match.group(2)
        if match.group(1) or P.SUSPICIOUS_TAG_WORDS.isdisjoint(re.split(r"[\s_-]+", name)):
            continue
        after = closers.get(name, [])
        close = bisect.bisect_left(after, match.end())
        end = min(after[close] if close < len(after) else len(low), match.end() + _SPAN)
        scan.blocks.append((match.start(), end))
        label = scan.shown[match.start() : match.end()]
        directive = P.TAG_DIRECTIVE.search(low, match.end(), end)
        scan.add("instruction-tag:block", _if(directive, "medium"), match.start(), end, label)
    markers = list(itertools.islice(P.BRACKET_TAG.finditer(low), _MATCHES)) if "[" in low else []
    markers += scan.find(P.LABEL, P.LABEL_AT)
    markers += itertools.islice(re.finditer("<!--", low), _MATCHES) if "<!--" in low else ()
    for match in markers:
        limit = match.end() + _SPAN
        end = low.find("-->", match.end(), limit) if match.group(0) == "<!--" else -1
        end = end if end >= 0 else min(len(low), match.end() + 400)
        scan.blocks.append((match.start(), end))
        directive = P.TAG_DIRECTIVE.search(low, match.end(), end)
        scan.add("instruction-tag:marker", _if(directive, "medium"), match.start(), end)
    chat = list(P.CHAT_TOKEN.finditer(low)) if "<" in low or "[" in low else []
    chat += P.ROLE_PREFIX.finditer(low) if "system" in scan.at else ()
    for match in chat[:_MATCHES]:
        scan.add("instruction-tag:chat", "medium", match)
    for match in scan.find(P.MODEL_ADDRESS, P.MODEL_ADDRESS_AT, P.MODEL_WORDS):
        scan.add("model-addressed", "low", match)


def _instructions(scan: _Scan) -> None:
    for match in scan.find(P.OVERRIDE, P.OVERRIDE_AT):
        scan.add("override-instructions", "high", match)
    for match in scan.find(P.CONCEAL, P.CONCEAL_AT):
        scan.add("conceal-from-user", "high", match)
    for kind, pattern in P.INTL if holds(scan.low, P.INTL_STEMS) else ():
        for match in itertools.islice(pattern.finditer(scan.low), _MATCHES):
            scan.add(kind, "high", match)
    for match in scan.find(P.MANIPULATE, P.MANIPULATE_AT):
        scan.add("response-manipulation", "high", match)
    for match in scan.find(P.FIRST_CALL_SOFT, P.FIRST_CALL_SOFT_AT):
        if P.EVERY_REQUEST.search(scan.sentence(*match.span())):
            scan.first_calls.append(match.span())
            scan.add("forced-first-call", "medium", match)
    for match in scan.find(P.FIRST_CALL, P.FIRST_CALL_AT):
        scan.first_calls.append(match.span())
        scan.add("forced-first-call", "medium", match)
    for match in scan.find(P.TRIGGER, P.TRIGGER_AT):
        directive = P.MODEL_DIRECTIVE.search(scan.sentence(match.start()))
        scan.add("trigger-phrase", _if(directive, "medium"), match)
    for match in scan.find(P.RUN_CODE, P.RUN_CODE_AT):
        nearby = scan.low[max(0, match.start() - 300) : match.end() + 200]
        # "Show it for review; this tool never runs it" cites an installer; it does not ask.
        asked = P.ASK.search(nearby) is not None and P.REVIEWED.search(nearby) is None
        scan.add("command-execution", _if(asked, "high"), match)


def _secrets(scan: _Scan) -> None:
    low, covered = scan.low, 0
    found = itertools.islice(P.SENSITIVE_PATH.finditer(low), _MATCHES)
    paths = [m for m in found if not low[m.start() - 1 : m.start()].isalnum()]
    paths += scan.find(P.SENSITIVE_FILE, P.SENSITIVE_FILE_AT)
    for match in sorted(paths, key=lambda m: m.start()):
        if match.start() < covered:
            continue  # "~/.cursor/mcp.json" is one path, not two
        start, end = match.span()
        while start > 0 and low[start - 1] in P.PATH_CHARS:
            start -= 1
        while end < len(low) and low[end] in P.PATH_CHARS:
            end += 1
        covered = end = len(low[:end].rstrip("."))
        text = scan.sentence(start, end)
        asked = P.ACCESS_VERB.search(text) and (P.ASK.search(text) or P.SIDE_CHANNEL.search(text))
        scan.add("sensitive-file-access:path", _if(asked, "high"), start, end)
    for match in itertools.islice(P.SENSITIVE_URI.finditer(low), _MATCHES):
        scheme = P.SCHEME.search(low, max(0, match.start() - 30), match.start())
        if scheme and scheme.group(0) not in ("http", "https", "ws", "wss", "ftp"):
            severity = _if(P.ASK.search(scan.sentence(*match.span())), "high")
            scan.add("sensitive-file-access:uri", severity, scheme.start(), match.end())
    for match in scan.find(P.HARVEST, P.HARVEST_AT, P.LOOT_WORDS):
        sentence = scan.sentence(*match.span())
        if P.HARVEST_ROUTE.search(sentence) and not P.PROTECTED.search(sentence):
            scan.add("secret-harvest", "high", match)
    for match in scan.find(P.CONTEXT_LEAK, P.CONTEXT_LEAK_AT, P.CHAT_DATA_WORDS):
        # The model's own prompt has no business in a tool call, asked for politely or not.
        text = match.group(0)
        own_prompt = "your" in text and ("prompt" in text or "instructions" in text)
        if own_prompt or P.LEAK_DIRECTIVE.search(scan.sentence(*match.span())):
            scan.add("context-leak", "medium", match)


def _workspace_leak(scan: _Scan) -> None:
    """Source code or files put where others read them; after `_secrets`, whose hits it skips."""
    for match in scan.find(P.WORKSPACE_LEAK, P.WORKSPACE_LEAK_AT, P.WORKSPACE_DATA_WORDS):
        start, end = match.span()
        left, right = scan.bounds(start, end)
        said = {h.pos for h in scan.hits if h.kind in ("secret-harvest", "context-leak")}
        if P.LEAK_NEGATED.search(scan.low, left, start) or any(start <= p < end for p in said):
            continue  # "never include the source code", or one phrase another rule reports
        whole = P.WHOLE_WORKSPACE.search(match.group(0))
        if match.group("arg"):
            # A code tool takes code as its argument; the whole workspace, though, is a leak.
            if whole:
                scan.add("workspace-leak", "high", match)
            continue
        every = P.LEAK_EVERY.search(match.group("where"))
        ordered = whole or every or P.LEAK_ORDER.search(scan.low, left, right)
        scan.add("workspace-leak", _if(ordered, "high"), match)


def _exfiltration(scan: _Scan) -> None:
    low = scan.low
    for dest_start, dest_end in scan.dests:
        # The verb sits earlier in the same sentence ("POST a copy of the payload to <url>"),
        # or a "bcc" follows the address ("add <address> to the bcc field").
        left, right = scan.bounds(dest_start, dest_end)
        verb = P.EXFIL_VERB.search(low, max(left, dest_start - 120), dest_start)
        if verb is None and not P.BCC_AFTER.search(low[dest_end : dest_end + 60]):
            continue
        sentence = low[left:right]
        if P.EXFIL_QUALIFIER.search(sentence):
            covert = P.CONCEAL_ADVERB.search(sentence) or P.STRONG_EXFIL.search(sentence)
            start, end = (verb.start(), dest_end) if verb else (dest_start, dest_end + 30)
            severity = _if(covert, "high", "medium")
            scan.add("exfiltration:dest", severity, start, end, low[dest_start:dest_end][:60])
    for match in itertools.islice(P.URL_CARRIER.finditer(low), _MATCHES) if "://" in low else ():
        if P.CARRIED_DATA.search(scan.context(match)):
            scan.add("exfiltration:url", "medium", match)
    for match in scan.find(P.STRONG_EXFIL, P.STRONG_EXFIL_AT):
        scan.add("exfiltration:outright", "high", match)
    for match in scan.find(P.COLLECT, P.COLLECT_AT):
        covert = P.COLLECT_QUALIFIER.search(scan.sentence(match.start()))
        scan.add("exfiltration:collect", _if(covert, "medium"), match)


def _hijack(text: str) -> bool:
    return bool(P.HIJACK.search(text) or P.DEST_RE.search(text))


def _shadowing(scan: _Scan) -> None:
    named = "_" in scan.low or "`" in scan.low
    scoped = scan.find(P.SHADOW_SCOPE, P.SHADOW_SCOPE_AT) if named else []
    for match in scan.find(P.SHADOW_CONDITION, P.SHADOW_CONDITION_AT) + scoped:
        ref = _ref(match)
        if not scan.is_other_tool(ref) or any(s <= match.start() < e for s, e in scan.first_calls):
            continue
        context = scan.context(match)
        if P.SHADOW_DIRECTIVE.search(context):
            # "When calling search_x, always quote labels" is ordinary advice between sibling
            # tools; about *any* tool, or *every* call of one, it is an order to the model.
            broad = match in scoped or re.match(P.OTHER_TOOLS, ref) is not None
            severity = "high" if _hijack(context) else _if(broad, "medium")
            scan.add("tool-shadowing:condition", severity, match, -1, ref)
    for match in scan.find(P.SHADOW_DIRECT, P.SHADOW_DIRECT_AT):
        if scan.is_other_tool(ref := _ref(match)):
            severity = _if(_hijack(scan.context(match)), "high", "medium")
            scan.add("tool-shadowing:direct", severity, match, -1, ref)
    for match in scan.find(P.SHADOW_MODAL, P.SHADOW_MODAL_AT) if named else ():
        name = P.SHADOW_MODAL_NAME.search(scan.low, max(0, match.start() - 80), match.start())
        if name and scan.is_other_tool(ref := _ref(name)):
            scan.add("tool-shadowing:direct", "high", name.start(), match.end(), ref)
    for match in scan.find(P.REDIRECT, P.REDIRECT_AT) if scan.dests else ():
        if not P.EXAMPLE_DEST.search(match.group(0)):
            scan.add("tool-shadowing:redirect", "high", match)
    for tool in (t for t in scan.known if t in scan.low):  # substring test first: cheap
        # A name that is also a plain word ("add", "search") counts only when used as a name.
        as_name = r"(?=`|\(\)|\s+tool)" if tool.isalpha() else ""
        uses = re.finditer(rf"(?<![\w.-]){re.escape(tool)}(?![\w-]){as_name}", scan.low)
        for match in itertools.islice(uses, _MATCHES):
            sentence = scan.sentence(*match.span())
            if P.SHADOW_DIRECTIVE.search(sentence):
                scan.add("tool-shadowing:known", _if(_hijack(sentence), "medium"), match, -1, tool)


def _encoded(scan: _Scan, original: str, depth: int) -> None:
    """Every encoding the model could open (hex, base64, escapes, entities, ROT13…), read like
    the description itself: a payload that decodes to an order is an order, hidden."""
    # Nested layers come back from decoded_spans already ("base64+hex"): decode once, at the top.
    for found in decoded_spans(original) if depth == 0 else ():
        inner = _analyze(found.text, None, (), depth + 1)
        if any(h.severity != "low" for h in inner):
            severity, what = "high", "instructions"
        elif IMPERATIVE.match(found.text.lower()) or MODEL_ADDRESS.search(found.text.lower()):
            severity, what = "medium", "an order"
        else:
            severity, what = "low", "text"
        # Spans are in the original text: folding drops the invisible characters some use.
        snippet = original[found.start : found.end]
        detail = (found.kind, what, excerpt(found.text, 60))
        scan.hits.append(make_hit("encoded-blob", severity, snippet, found.start, *detail))


def _shape(original: str) -> list[Hit]:
    hits: list[Hit] = []
    if len(original) > LONG_DESCRIPTION:
        hits.append(make_hit("abnormal-length", "low", original, 0, len(original)))
    spaces = " " * 40 in original or "\t" * 10 in original
    padding = list(P.SPACE_PADDING.finditer(original)) if spaces else []
    padding += P.LINE_PADDING.finditer(original) if "\n\n\n\n\n\n" in original else ()
    for match in padding:
        snippet = original[max(0, match.start() - 40) : match.end() + 40]
        hits.append(make_hit("whitespace-padding", "low", snippet, match.start()))
    for severity, message, pos, snippet in hidden_unicode(original):
        message = f"{technique('hidden-unicode')}: {message}"
        hits.append(Hit("hidden-unicode", severity, message, excerpt(snippet, EVIDENCE_LIMIT), pos))
    return hits


# A parameter list in prose ("params:", "Arguments -"), whose names are read as a schema's.
_PARAMS = re.compile(r"\b(?:param(?:eter)?s|arg(?:ument)?s|inputs)\s*[:-]")


def _schema(text: str, tool: str | None) -> list[Hit]:
    """The structural schema rules (a parameter named for a secret, a key addressed to the
    model, an order as a default): for a schema field or a flattened listing in the text."""
    field = tool and any(k in tool for k in ("Schema", "schema", ".parameters", ".properties"))
    low = text.lower()
    if not field and "inputschema" not in low and "(" not in text[:200] and not _PARAMS.search(low):
        return []  # no field path, flattened listing, signature or parameter list: no schema
    return schema_hits(text, tool)  # its messages name their technique already


def _combine(scan: _Scan) -> list[Hit]:
    """Weak signals count once they land inside an instruction block or meet another kind."""
    weak = {h.kind for h in scan.hits if h.severity == "low"} - _SHAPE_KINDS
    out: list[Hit] = []
    for hit in scan.hits:
        if hit.severity == "low" and hit.kind not in _SHAPE_KINDS:
            if any(start < hit.pos < end for start, end in scan.blocks):
                hit = replace(hit, severity="medium", message=hit.message + " (inside the block)")
            elif len(weak) >= 2 and not weak <= _MENTIONS:
                hit = replace(hit, severity="medium", message=hit.message + " (with other signs)")
        out.append(hit)
    return out


def _analyze(text: str, tool: str | None, known_tools: Collection[str], depth: int) -> list[Hit]:
    scan = _Scan(fold(text), tool, known_tools)
    for rule in (_blocks, _instructions, _secrets, _workspace_leak, _exfiltration, _shadowing):
        rule(scan)
    for technique_rule in techniques.RULES:
        technique_rule(scan)
    found = acts.judge(scan)
    _encoded(scan, text, depth)
    return citing.cited(scan.low, _combine(scan), found, scan.examples)


_QUOTED = ("(cited)", "(in an example)")
# The learned model's say: alone when it is this sure, or to lift a weak sign the rules found.
CONFIDENT, LIFTS, SOLO_WORDS = 0.95, 0.7, 25


def _learned(text: str, tool: str | None, hits: list[Hit]) -> list[Hit]:
    """The learned second opinion (`mcpir.injection.learned`), for a description the rules did
    not already flag; a schema field's value is data the model was not trained on."""
    if any(h.severity != "low" for h in hits) or (tool and "schema" in tool.lower()):
        return []
    if citing.about_attacks(text.lower(), 300):
        # A security tool shares the attacks' words by its nature: the model reads only what it
        # says besides them ("Flags malicious input." in front muted it for any text after).
        text = citing.uncited(text)
    # A cited or sample stretch is no sign of its own.
    weak = any(h.severity == "low" and not h.message.endswith(_QUOTED) for h in hits)
    # Alone, only on a description long enough to judge: on a one-liner a few words decide
    # ("A simple calculator that prints the time." scored 0.97).
    long_enough = len(text.split()) >= SOLO_WORDS
    if not weak and not long_enough:
        return []  # whatever it scores, the model has no say: not scored
    probability, top = learned.score(text)
    alone = probability >= CONFIDENT and long_enough
    if not alone and not (weak and probability >= LIFTS):
        return []
    words = ", ".join(f'"{w}"' for w in top)
    return [make_hit("learned", "medium", words, 0, f"{probability:.2f}", words)]


def analyze_description(
    text: str, *, tool: str | None = None, known_tools: Collection[str] = ()
) -> list[InjectionHit]:
    """Every sign that `text` (a tool, parameter or server description) addresses the model
    with instructions the user would not see; strongest first, at most three of a kind."""
    hits = _analyze(text, tool, known_tools, 0) + _shape(text) + _schema(text, tool)
    hits += _learned(text, tool, hits)
    hits.sort(key=lambda h: (-_RANK[h.severity], h.pos))
    kept: dict[tuple[str, str], InjectionHit] = {}
    per_kind: Counter[str] = Counter()
    for hit in hits:
        if (hit.kind, hit.evidence) not in kept and per_kind[hit.kind] < _HITS_PER_KIND:
            per_kind[hit.kind] += 1
            kept[hit.kind, hit.evidence] = InjectionHit(
                hit.kind, hit.severity, hit.message, hit.evidence
            )
    return list(kept.values())


def is_poisoned(text: str, *, tool: str | None = None, known_tools: Collection[str] = ()) -> bool:
    """True when any hit is medium or high; low hits (length, stray characters) never are."""
    hits = analyze_description(text, tool=tool, known_tools=known_tools)
    return any(h.severity != "low" for h in hits)
