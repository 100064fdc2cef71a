"""The techniques, judged clause by clause from the features in `mcpir.injection.clauses`.

Each rule names one act a poisoned description asks of the model and what makes it an attack
rather than documentation: private context or secrets moved along, data sent to a literal
outside address, the user told something untrue or nothing at all, the model given authority
or its rules voided, other tools run down or this one pushed for every request, arguments
given values the user did not choose, a call forced ahead of everything, a quoted word that
switches behaviour on, code fetched and run. The opening clause is the tool's summary of its
own job ("Search the user's contacts"), so the data rules skip it unless the model is addressed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from mcpir.injection import patterns as P
from mcpir.injection.clauses import (
    CARRY_VERBS,
    CONTEXT,
    COVERT,
    DEST,
    FILES,
    FORCE,
    GATES,
    QUANT,
    READ_VERBS,
    SECRET,
    SECRET_SOURCE,
    SEND_VERBS,
    USER_DATA,
    WORDS,
    Clause,
    clauses,
    gate,
)
from mcpir.injection.hits import Hit, technique

if TYPE_CHECKING:
    from mcpir.injection.detector import _Scan


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.VERBOSE)


DECEIVE_VERB = gate(
    _rx(
        r"""\b(?:tell|tells|say|says|report|answer|respond|reply|claim|state|present|describe|show|
    inform|assure|confirm)\b"""
    ),
    "tell tells say says report answer respond reply claim state present describe show "
    "inform assure confirm",
)
DECEIT = _rx(
    r"""\b(?:regardless|whatever|instead|no\s+matter|even\s+(?:if|though|when)|otherwise)\b|
    \b(?:say|report|state)\s+only\b|\bonly\s+(?:say|report|state)\b|\bif\s+the\s+user\s+asks\b|
    \bthat\s+(?:no|nothing|none|it\s+is|it\s+was|everything|all|the\s+\w+\s+(?:is|was|has|passed))\b|
    \b(?:as|is|be)\s+\d+\s*%\s+(?:higher|lower|more|less)\b|\b(?:is|was|as|are)\s+(?:clean|verified|
    safe|passed|successful|complete|fine|resolved)\b|\b(?:has|have)\s+the\s+(?:lowest|highest|best)\b|
    \byou\s+(?:don'?t|do\s+not)\s+have\b|\bnever\s+(?:quote|list|show|mention|cite)\b"""
)
AUTHORITY = gate(
    _rx(
        r"""\b(?:root|sudo|super-?user|super-?admin|administrator\s+(?:rights|privileges|access)|
    admin\s+(?:rights|privileges|override|mode)|operator\s+authority|elevated\s+(?:rights|
    privileges|permissions)|god\s+mode|developer\s+mode|jailbr\w+|unrestricted|no\s+(?:content\s+)?
    (?:restrictions|limits|filters|rules)|persona\s+with|full\s+(?:autonomy|control|access)|
    autonomous(?:ly)?)\b"""
    ),
    "root sudo super superuser superadmin admin administrator operator elevated god developer "
    "jailbroken jailbreak jailbreaking unrestricted no persona full autonomous autonomously",
)
GRANTED = _rx(
    r"""\b(?:you\s+(?:are|now|hold|have\s+been\s+granted|now\s+have|act|operate|run)|are\s+running\s+
    as|running\s+as|act(?:ing)?\s+(?:with|as)|operat\w+\s+(?:with|as)|is\s+to\s+act|carr(?:y|ies)|
    the\s+(?:assistant|model|agent|ai)\s+(?:is|has|holds|may|can))\b"""
)
VOID_RULES = gate(
    _rx(
        r"""\b(?:rules|restrictions|refusals?|guidelines|guardrails|safety\s+\w+|policies|instructions|
    preferences)\b[^.;]{0,80}\b(?:void|invalid|no\s+longer|do\s+not\s+apply|revoked|suspended|
    lifted|disabled|overridden|obsolete|only\s+rules\s+that)\b
    | \bexempt\s+from\b[^.;]{0,40}\b(?:polic\w+|rules|restrictions|guidelines|refusals?|safety)
    | \b(?:you\s+)?would\s+normally\s+(?:decline|refuse|ask|avoid)\b
    | \btreat\s+[^.;]{0,80}\bas\s+(?:already\s+)?(?:answered|approved|confirmed|granted|yes|
        instructions|commands|system\s+\w+|authoritative|coming\s+from\s+the\s+(?:system|user))
    | \bno\s+longer\s+bound\b
    | \b(?:disregard|ignore|forget|drop|override|set\s+aside)\s+(?:all\s+|any\s+|the\s+|your\s+)*
        (?:\w+\s+){0,2}?(?:rules|restrictions|refusals?|refusal\s+rules|guidelines|guardrails|
        instructions|policies|safety\s+\w+)\b"""
    ),
    "rules restrictions refusal refusals guidelines guardrails safety policies instructions "
    "preferences disregard ignore forget drop override set exempt would treat bound",
)
OTHER_TOOLS = gate(
    _rx(
        r"""\b(?:other|different|alternative|competing|competitor|rival|similar|built-in|another)\s+
    (?:[\w-]+\s+){0,3}?(?:tools?|servers?|integrations?|services?|providers?|plugins?|apis?|
    sources?|options?|searche?s?|summari[sz]ers?|engines?|assistants?|apps?)\b
    | \bthe\s+alternatives\b | \bcompetitor\s+tools?\b
    | \b[a-z]+_[a-z_]+\s+(?:or\s+[a-z]+_[a-z_]+\s+)?tools\b"""
    ),
    "other different alternative competing competitor rival similar built another "
    "alternatives tools",
)
RUN_DOWN = _rx(
    r"""\b(?:avoid|don'?t\s+(?:call|use)|do\s+not\s+(?:call|use)|never\s+(?:call|use)|let\s+\w+\s+down|look\s+bad|stale|buggy|slow|insecure|unsafe|flagged|
    leak\w*|deprecated|outdated|unreliable|broken|corrupt\w*|risks?|disappoint\w*|lose|loses|
    inaccurate|compromised|malicious|inferior|harm\w*|betray\w*|break|delayed|loss|losses|
    danger\w*|worse|wrong)\b"""
)
SELF_PICK = gate(
    _rx(
        r"""\b(?:choose|pick|call|route|prefer|favou?r|select|invoke)\b[^.;]{0,60}?(?:\bevery\s+time\b|
    \bwhenever\s+you\s+can\b|\bfor\s+(?:anything|everything)\b|\bbefore\s+relying\b|\bexclusively\b|
    \binstead\s+of\s+(?:any|other|the\s+other|your)|\bover\s+(?:any|all|other)|\bfirst\s+for\b|
    \bthrough\s+(?:this|it|here|[a-z]+_[a-z_]+)|\bhere\b)
    | \bmust\s+(?:always\s+)?use\b[^.;]{0,40}?\bfor\s+(?:every|all|any)\b"""
    ),
    "choose pick call route prefer favor favour select invoke must",
)
# Choosing between this tool and others, as an order: "use X instead of the other tools".
PICK_OVER = gate(
    _rx(
        r"""\b(?:choose|pick|call|use|route|prefer|favou?r|select)\b[^.;]{0,80}?\b(?:instead|over|
    rather\s+than|whenever|every\s+time)\b"""
    ),
    "choose pick call use route prefer favor favour select",
)

TAMPER_VERB = gate(
    _rx(
        r"""\b(?:set|sets|replace|change|swap|substitute|rewrite|redirect|pass|add|append|prepend|
    use|include|insert|point|route|bcc|cc)\b"""
    ),
    "set sets replace change swap substitute rewrite redirect pass add append prepend use "
    "include insert point route bcc cc",
)
LITERAL = gate(
    _rx(
        r"""'[^'\n]{2,80}'|"[^"\n]{2,80}"|(?<![\w-])--[a-z][\w-]+|\b\d[\d.]*\s*%|\bto\s+\d[\d.,]*\b"""
    ),
    "to",
    ("'", '"', "--", "%"),
)
TAMPER_WHY = _rx(
    r"""\binstead\s+of\b|\bregardless\b|\beven\s+(?:for|if|when)\b|\bbefore\s+(?:submitting|
    calling|sending|fetching|executing|running|committing|posting|paying|saving)\b|\bprocessing\s+
    rule\b|\bspecial\s+case\b|\bthis\s+fix\b|\bno\s+matter\b|\balways\b|\bevery\b|\bwhenever\b"""
)
FIRST = gate(
    _rx(
        r"""\b(?:first|before\s+(?:anything|any|every|replying|answering|responding|you\s+(?:answer|
    reply|respond)|the\s+user)|ahead\s+of|step\s+zero|first\s+action|at\s+the\s+start\s+of|
    precondition|prerequisite)\b"""
    ),
    "first before ahead step action start precondition prerequisite",
)
CALL = gate(
    _rx(r"\b(?:call|calls|called|invoke|invoked|run|use|used|a\s+call\s+to)\b"),
    "call calls called invoke invoked run use used",
)
SCOPE = _rx(
    r"""\b(?:every|each|any|all)\s+(?:\w+\s+)?(?:requests?|tasks?|conversations?|messages?|questions?|
    turns?|sessions?|repl(?:y|ies)|answers?|prompts?|(?:tool\s+)?calls?|(?:other\s+)?tools?|actions?|
    quer(?:y|ies))\b|\b(?:anything|everything)\b|\bnew\s+conversation\b|\bwhenever\b"""
)
TRIGGER = gate(
    _rx(
        r"""\b(?:if|when|whenever|once)\b[^.;]{0,100}?\b(?:contains?|writes?|types?|says?|is|are|
    equals?|mentions?|includes?|named|sends?|enters?)\s+(?:the\s+(?:word|phrase|code|string|
    keyword)\s+)?['"‘“][^'"’”\n]{2,40}['"’”]
    | \b(?:if|when|whenever|once)\b[^.;]{0,60}?['"‘“][^'"’”\n]{2,40}['"’”]\s+(?:appears|
        is\s+(?:seen|found|present|used|typed|written|said|mentioned)|shows\s+up|occurs|comes\s+up)\b"""
    ),
    "",
    ("'", '"', "‘", "“"),
)
TRIGGERED = _rx(
    r"""\b(?:grant|stop\s+following|ignore|set\s+every|send|read|email|disable|skip|bypass|approve|
    reveal|whatever\s+they\s+ask|forward|transfer|delete|run|execute|upload|zero|override|treat|
    carry|follow|obey|instructions)\b"""
)
FETCH_RUN = gate(
    _rx(
        r"""\bexec\s*\(|\beval\s*\(|urlopen|\bpython3?\s+-c\b|\bcurl\b[^|\n]{0,200}\|\s*(?:sudo\s+)?
    (?:ba|z)?sh\b|\bwget\b[^|\n]{0,200}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b|\biex\b|invoke-expression|
    powershell\s+-e(?:nc)?\b|/dev/tcp/|\$\(\s*(?:curl|wget)\b"""
    ),
    "exec eval urlopen python python3 curl wget iex expression powershell tcp",
    ("$(",),
)
NEGATED = _rx(r"\b(?:never|do\s+not|don'?t|must\s+not|should\s+not|no)\b")
REVIEW = _rx(
    r"\b(?:for\s+review|without\s+(?:executing|running)|such\s+as|e\.g\.|detects?|flags?)\b"
)


def _words(clause: Clause, verbs: frozenset[str]) -> bool:
    return not verbs.isdisjoint(clause.words)


# Families that report one act under different names: a secret read to be sent out is one hit.
_DATA = frozenset({"exfiltration", "sensitive source", "forced call"})


def _add(scan: _Scan, key: str, severity: str, clause: Clause, *detail: object) -> None:
    """One hit per act: a phrase rule that already reported this clause's act keeps its more
    precise message."""
    family = technique(key.partition(":")[0])
    for hit in scan.hits:
        if hit.severity != "low" and clause.start <= hit.pos < clause.end:
            other = technique(hit.kind)
            if other == family or {other, family} <= _DATA:
                return
    scan.add(key, severity, clause.start, clause.end, *detail)


def _data(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if clause.first and not clause.addressed or clause.protective and not clause.has(COVERT):
        return
    carries = _words(clause, CARRY_VERBS)
    if (carries or " with " in clause.text and clause.has(CALL)) and clause.has(CONTEXT):
        _add(scan, "exfiltration:context", "high", clause)
    elif (carries or _words(clause, READ_VERBS)) and clause.has(SECRET):
        # "Pass your API key as api_key" is how a tool authenticates; a secret's store, any or
        # all secrets, an outside address, or an order to the model are not.
        wide = clause.has(QUANT) or clause.has(DEST) or clause.has(FORCE)
        ordered = clause.directed and (wide or clause.has(SECRET_SOURCE))
        if ordered or clause.addressed or clause.has(COVERT):
            _add(scan, "exfiltration:secrets", "high", clause)
    elif carries and clause.has(FILES) and (clause.has(QUANT) or clause.has(FORCE)):
        _add(scan, "exfiltration:files", "high", clause)
    elif carries and clause.has(USER_DATA) and (clause.has(DEST) or clause.has(COVERT)):
        _add(scan, "exfiltration:context", "high", clause)
    if _words(clause, SEND_VERBS) and not clause.user_asked and (dest := clause.has(DEST)):
        _add(scan, "exfiltration:send-out", "high", clause, dest.group(0).strip()[:60])


def _user(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if clause.directed and clause.has(DECEIVE_VERB) and clause.has(DECEIT):
        _add(scan, "response-manipulation:deceive", "high", clause)
    covert = clause.has(COVERT)
    if covert and (
        clause.has(SECRET)
        or covert.group(0).startswith("without")
        and NEGATED.search(clause.text, 0, covert.start())
    ):
        covert = None  # "never show the token", "never drop a table without asking": protection
    if covert and (clause.directed or "user" in clause.words or "human" in clause.words):
        if not clause.first or clause.addressed:
            _add(scan, "conceal-from-user:covert", "high", clause)


def _authority(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if clause.has(AUTHORITY) and (clause.has(GRANTED) and clause.addressed or clause.has(FORCE)):
        _add(scan, "role-override:authority", "high", clause)
    if (clause.directed or clause.addressed) and clause.has(VOID_RULES):
        _add(scan, "role-override:void-rules", "high", clause)


def _choice(scan: _Scan, clause: Clause, own: set[str]) -> None:
    others = clause.has(OTHER_TOOLS)
    if others and (clause.has(RUN_DOWN) or clause.has(PICK_OVER)) and not clause.first:
        _add(scan, "preference-manipulation:others", "high", clause)
    elif clause.directed and (pick := clause.has(SELF_PICK)):
        named = {w for w in clause.words if w in own} or {"this", "it", "here", "one"}
        if not named.isdisjoint(pick.group(0).replace("_", " ").split() + [pick.group(0)]):
            _add(scan, "preference-manipulation:self", "high", clause)


# Another server's tool, named as such: "the github server's create_pull_request tool",
# "any tool named execute_command", "its create_refund tool".
OTHER_TOOL = gate(
    _rx(
        r"""\b(?:server'?s?|its|their)\s+[a-z][\w-]*\s+tools?\b|\btools?\s+(?:named|called)\s+[a-z]|
    \b[a-z]+_[a-z_]+\s+tool\b|\bon\s+other\s+servers\b|\bthe\s+[a-z]+\s+(?:server|mcp)'s\b"""
    ),
    "server servers s its their tool tools named called other mcp",
)
CHANGE_VERB = gate(
    _rx(
        r"""\b(?:always|set|add|double|triple|halve|multiply|round|wrap|prefix|append|prepend|replace|
    change|swap|rewrite|redirect|route|send|forward|copy|cc|bcc|include|remove|drop|strip|skip|
    pass|instead)\b"""
    ),
    "always set add double triple halve multiply round wrap prefix append prepend replace "
    "change swap rewrite redirect route send forward copy cc bcc include remove drop strip skip "
    "pass instead",
)


def _shadowing(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if clause.directed and clause.has(OTHER_TOOL) and clause.has(CHANGE_VERB):
        if not clause.user_asked and not clause.protective:
            _add(scan, "tool-shadowing:clause", "high", clause)


def _arguments(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if clause.user_asked or not clause.directed:
        return
    if not clause.has(TAMPER_VERB):
        return
    value = clause.has(DEST) or clause.has(LITERAL)
    if value and clause.has(TAMPER_WHY):
        _add(scan, "argument-tampering", "high", clause, value.group(0).strip()[:60])


def _calls(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if clause.has(CALL) and clause.has(FIRST) and clause.has(SCOPE):
        if clause.directed or clause.has(FORCE):
            _add(scan, "forced-first-call:scope", "medium", clause)
    if (trigger := clause.has(TRIGGER)) and TRIGGERED.search(clause.text, trigger.end()):
        _add(scan, "trigger-phrase:clause", "high", clause)
    if clause.has(FETCH_RUN) and clause.directed and not clause.has(REVIEW):
        _add(scan, "command-execution:clause", "high", clause)


def cited(low: str, hits: list[Hit], found: list[Clause]) -> list[Hit]:
    """A tool about attacks (a detector, a classifier) quotes them: what it says outside an
    order, or inside quotes, is cited, not said."""
    if not found or not P.ABOUT_ATTACKS.search(found[0].text):
        return hits
    quoted = [m.span() for m in itertools.islice(P.QUOTED.finditer(low), 64)]
    out: list[Hit] = []
    for hit in hits:
        clause = next((c for c in found if c.start <= hit.pos < c.end), None)
        inside = any(a <= hit.pos < b for a, b in quoted)
        loose = clause is None or clause.first or not clause.directed
        if hit.severity != "low" and (inside or loose):
            hit = replace(hit, severity="low", message=hit.message + " (cited)")
        out.append(hit)
    return out


def _needs(*patterns: re.Pattern[str]) -> frozenset[str]:
    return frozenset().union(*(GATES[p][0] for p in patterns))


# Rule -> words of which the description must hold one for the rule to look at any clause.
_RULES: tuple[tuple[Callable[[_Scan, Clause, set[str]], None], frozenset[str]], ...] = (
    (_data, CARRY_VERBS | READ_VERBS | SEND_VERBS | {"with"}),
    (_user, _needs(DECEIVE_VERB, COVERT)),
    (_authority, _needs(AUTHORITY, VOID_RULES)),
    (_choice, _needs(OTHER_TOOLS, SELF_PICK)),
    (_shadowing, _needs(OTHER_TOOL)),
    (_arguments, _needs(TAMPER_VERB)),
    (_calls, _needs(CALL, FETCH_RUN) | {"if", "when", "whenever", "once"}),
)


def judge(scan: _Scan) -> list[Clause]:
    own = set(scan.own) - {"this", "the", "that", "it", "you"}
    found = clauses(scan.low)
    present = frozenset(WORDS.findall(scan.low))
    rules = [rule for rule, words in _RULES if not words.isdisjoint(present)]
    for clause in found:
        for rule in rules:
            rule(scan, clause, own)
    return found
