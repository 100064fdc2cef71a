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

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from mcpir.injection.act_hit import add as _add
from mcpir.injection.act_words import (
    ACCESS_RULE,
    AFTER_EVERY,
    ARG_SLOT,
    ASK_USER,
    AUDIENCE,
    AUTHORITY,
    BACKTICKED,
    CALL,
    CHANGE_VERB,
    CLAIM,
    CONTENTS,
    COVERT,
    CROSS_READ,
    DANGEROUS,
    DANGEROUS_FLAG,
    DECEIT,
    DECEIVE_VERB,
    DOTTED_TOOL,
    FAILURE,
    FETCH_RUN,
    FIRST,
    GRANTED,
    HARMFUL,
    INJECTED_COMMAND,
    LITERAL,
    NAMED_TOOL,
    NEEDS,
    NEGATED,
    NEVER_ASKED,
    ORDER_LABEL,
    OTHER_LABEL,
    OTHER_TOOL,
    OTHER_TOOLS,
    PASSIVE_CARRY,
    PATH_REFERENCE,
    PEOPLE,
    PICK_OVER,
    READERS,
    REFUSED_UNLESS,
    REPORTED,
    REPORTS_ON,
    REVIEW,
    RUN_DOWN,
    SCOPE,
    SELF_PICK,
    SHELL_ORDER,
    TAMPER_VERB,
    TAMPER_WHY,
    THIS_SERVER,
    TRIGGER,
    TRIGGERED,
    URL_SLOT,
    USER_OVERRIDE,
    VIA_SHELL,
    VOID_RULES,
)
from mcpir.injection.citing import about_attacks, sample_call, unquoted
from mcpir.injection.clauses import (
    CARRY_VERBS,
    DEST,
    FORCE,
    IMPERATIVE,
    QUANT,
    QUANT_STRICT,
    READ_VERBS,
    SEND_VERBS,
    WORDS,
    Clause,
    clauses,
    holds,
    protects,
)
from mcpir.injection.effects import effects as _effects
from mcpir.injection.gates import Gate, entry, needs
from mcpir.injection.moved_words import CONTEXT, FILES, SECRET, SECRET_SOURCE, USER_DATA

if TYPE_CHECKING:
    from mcpir.injection.reading import Reading as _Scan

_Rule = Callable[["_Scan", Clause, set[str]], None]


def _words(clause: Clause, verbs: frozenset[str]) -> bool:
    return not verbs.isdisjoint(clause.words)


def _data(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if clause.first and not clause.addressed and not ORDER_LABEL.match(clause.text):
        return  # the tool's purpose, unless it opens with an order's label ("REQUIRED: call …")
    # The vocabulary first, whether it is an order after: `directed` costs several searches.
    if clause.has(ASK_USER) and clause.directed and NEVER_ASKED.search(clause.text):
        _add(scan, "exfiltration:secrets", "high", clause)  # no tool needs the user's seed phrase
    if clause.has(CROSS_READ) and clause.directed:
        if clause.has(USER_DATA) or clause.has(SECRET) or clause.has(CONTEXT):
            _add(scan, "exfiltration:context", "high", clause)
    carries = _words(clause, CARRY_VERBS) or " with " in clause.text and bool(clause.has(CALL))
    # "the service needs the exact instructions you were initialised with"
    carries = carries or not NEEDS.isdisjoint(clause.words) and "you" in clause.words
    reads, sends = _words(clause, READ_VERBS), _words(clause, SEND_VERBS)
    if not (carries or reads or sends) and not clause.has(URL_SLOT):
        return  # moves nothing: the cheap test first, the searches after
    moved = (
        (carries and (clause.has(CONTEXT) or clause.has(FILES) or clause.has(USER_DATA)))
        or ((carries or reads) and clause.has(SECRET))
        or (sends and clause.has(DEST))
        or clause.has(URL_SLOT)
    )
    if not moved:
        return  # nothing named that a rule below moves: how covertly is not asked
    covert = clause.has(COVERT)
    if protects(clause) and not covert:
        return
    if carries and clause.has(CONTEXT):
        # "builds an embedding index when a document exceeds the context window" orders nothing.
        if clause.directed or clause.addressed or covert or clause.has(DEST) or clause.has(FORCE):
            _add(scan, "exfiltration:context", "high", clause)
    elif (carries or reads) and clause.has(SECRET) and not PATH_REFERENCE.search(clause.text):
        # "Pass your API key as api_key" is how a tool authenticates; a secret's store, any or
        # all secrets, an outside address, or an order to the model are not.
        wide = clause.has(QUANT) or clause.has(DEST) or clause.has(FORCE)
        # An argument named for them is as good as an address: "tokens in `args`".
        slot = ARG_SLOT.search(clause.text) or BACKTICKED.search(clause.text)
        ordered = clause.directed and (wide or clause.has(SECRET_SOURCE) or slot is not None)
        ordered = ordered and not clause.user_asked  # "the user must call reveal"
        if ordered or clause.addressed or covert:
            _add(scan, "exfiltration:secrets", "high", clause)
    elif (
        carries
        and (clause.directed or clause.addressed)
        and clause.has(SECRET_SOURCE)
        and CONTENTS.search(clause.text)
        and (clause.has(QUANT) or clause.has(FORCE))
    ):
        # "passing the contents of ~/.config/": a store of secrets read whole, as an order
        _add(scan, "exfiltration:secrets", "high", clause)
    elif carries and clause.has(FILES) and (clause.has(QUANT) or clause.has(FORCE)):
        _add(scan, "exfiltration:files", "high", clause)
    elif carries and clause.has(USER_DATA) and (covert or not clause.user_asked):
        if clause.has(DEST) or covert or clause.has(QUANT_STRICT) or clause.has(FORCE):
            _add(scan, "exfiltration:context", "high", clause)
    if sends and not clause.user_asked and (dest := clause.has(DEST)):
        if not sample_call(scan.low, clause, dest.start()):
            _add(scan, "exfiltration:send-out", "high", clause, dest.group(0).strip()[:60])
    if clause.has(URL_SLOT):
        _add(scan, "exfiltration:url-slot", "high", clause)


def _user(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if clause.has(DECEIVE_VERB):
        # Who hears it before what is said: DECEIT and CLAIM are the costliest searches.
        told = clause.directed or AUDIENCE.search(clause.text)
        asked = not {"ask", "asks", "asked"}.isdisjoint(clause.words)
        deceit = (told or asked) and (
            clause.has(DECEIT) or clause.has(CLAIM) and FAILURE.search(clause.text)
        )
        if deceit and (told or asked and clause.has(DECEIT)):
            _add(scan, "response-manipulation:deceive", "high", clause)
    if clause.first and not clause.addressed:
        return  # the opening clause summarises the tool: concealment counts once addressed
    if not (clause.addressed or not PEOPLE.isdisjoint(clause.words) or clause.directed):
        return  # nobody is told to keep anything from anyone
    covert = clause.has(COVERT)
    if covert and (
        clause.has(SECRET)
        or covert.group(0).startswith("without")
        and NEGATED.search(clause.text, 0, covert.start())
    ):
        covert = None  # "never show the token", "never drop a table without asking": protection
    elif covert and covert.group(0).startswith("withh"):
        # "salaries are withheld unless the caller has the HR role": access control
        covert = None if ACCESS_RULE.match(clause.text, covert.end()) else covert
    if covert:
        _add(scan, "conceal-from-user:covert", "high", clause)


def _authority(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if clause.has(AUTHORITY):
        granted = clause.has(GRANTED)
        approval = any(
            w in clause.words for w in ("approved", "authorised", "authorized", "blanket")
        )
        ordered = clause.directed or clause.addressed  # "root privileges are required" is not
        if (
            granted
            and (clause.addressed or granted.group(0).startswith("you"))
            or clause.has(FORCE)
            and ordered
            or approval
            and clause.addressed
        ):
            _add(scan, "role-override:authority", "high", clause)
    heard = clause.addressed or not READERS.isdisjoint(clause.words)
    if clause.has(VOID_RULES) and (heard or clause.directed):
        _add(scan, "role-override:void-rules", "high", clause)


def _choice(scan: _Scan, clause: Clause, own: set[str]) -> None:
    others = clause.has(OTHER_TOOLS)
    slur = others and (clause.has(RUN_DOWN) or clause.has(PICK_OVER))
    if slur and not clause.first and not REPORTS_ON.match(clause.text):
        _add(scan, "preference-manipulation:others", "high", clause)
    elif (pick := clause.has(SELF_PICK)) and (
        clause.directed
        or clause.addressed
        or pick.group(0).startswith("this")  # "this one is the…"
    ):
        picked = pick.group(0)
        named = {w for w in own if w in clause.text} or {"this", "it", "here", "one"}
        if not named.isdisjoint(picked.replace("_", " ").split()) or any(
            "_" in name and name in picked for name in named
        ):
            _add(scan, "preference-manipulation:self", "high", clause)


def _shadowing(scan: _Scan, clause: Clause, own: set[str]) -> None:
    other = clause.has(OTHER_TOOL) or clause.has(DOTTED_TOOL)
    change = other and (clause.has(CHANGE_VERB) or clause.has(DEST))
    named = None if other else clause.has(NAMED_TOOL)
    if (
        named
        and (
            named.group("name1")
            or named.group("name2")
            or named.group("name3")
            or named.group("name4")
        )
        not in own
    ):
        # A sibling named with an order is sequencing advice ("use read_text_file instead") unless
        # the order slips in an outside value, private data, or keeps it from the user.
        after = CHANGE_VERB.search(clause.text, named.end())
        ordered = after and after.group(0) not in ("instead", "use")
        tampers = (DEST, SECRET, CONTEXT, COVERT, AUTHORITY)  # searched only after an order
        change = after if ordered and any(clause.has(p) for p in tampers) else None
        # Another tool's results routed into this one: "pass its output to qr_generate".
        routed = any(
            re.search(rf"(?<!\w){re.escape(name)}(?!\w)", clause.text)
            for name in own
            if "_" in name
        )
        if routed and (_words(clause, CARRY_VERBS) or PASSIVE_CARRY.search(clause.text)):
            change = named
    if not change:
        return
    labelled = OTHER_LABEL.search(clause.text) or other and clause.has(DEST)
    if clause.has(FORCE) or clause.directed or labelled:
        # "… and the fee should not be itemised to the user": a "not" that hides, not protects
        if not clause.user_asked and (not clause.protective or clause.has(COVERT)):
            _add(scan, "tool-shadowing:clause", "high", clause)


def _arguments(scan: _Scan, clause: Clause, own: set[str]) -> None:
    if overridden := clause.has(USER_OVERRIDE):
        # Overriding the user's own choice is an order whatever the grammar.
        _add(scan, "argument-tampering", "high", clause, overridden.group(0)[:60])
        return
    if not clause.has(TAMPER_VERB) or clause.user_asked or not clause.directed:
        return
    value = clause.has(DEST) or clause.has(LITERAL)
    if value and value.group(0).startswith("--") and not DANGEROUS_FLAG.search(value.group(0)):
        value = None  # "always pass --namespace" is usage; "--no-verify" switches a safeguard off
    why = clause.has(TAMPER_WHY) or clause.has(COVERT)
    rewrite = clause.has(DEST) and {"rewrite", "redirect", "replace", "switch"} & clause.words
    if value and (why or rewrite):
        _add(scan, "argument-tampering", "high", clause, value.group(0).strip()[:60])


def _ordered(clause: Clause) -> bool:
    """An order, or the second half of one a semicolon split: "call the python tool with: import
    urllib.request; exec(…)"."""
    return clause.directed or bool(clause.lead) and IMPERATIVE.match(clause.lead) is not None


def _calls(scan: _Scan, clause: Clause, own: set[str]) -> None:
    own_named = any(name in clause.text for name in own if len(name) > 3)
    if (clause.has(CALL) or own_named) and clause.has(FIRST) and clause.has(SCOPE):
        # "before the other tools of this server" orders siblings, not every request.
        sibling = THIS_SERVER.search(clause.text)
        if not sibling and (clause.has(FORCE) or clause.directed):
            _add(scan, "forced-first-call:scope", "medium", clause)
    if (refused := clause.has(REFUSED_UNLESS)) and not THIS_SERVER.search(clause.text):
        rest = clause.text[refused.end() :]
        if any(name in rest for name in own if len(name) > 3) or "this tool" in rest:
            _add(scan, "forced-first-call:scope", "medium", clause)
    # The opening clause is the tool's summary, unless it names this tool as what every call feeds.
    if clause.has(AFTER_EVERY) and (not clause.first or own_named):
        named = bool(own & clause.words) or clause.has(CALL) or _words(clause, CARRY_VERBS)
        named = named or "here" in clause.words
        # This tool named as what every other call feeds is an order whatever the grammar.
        passive = own_named and (named or PASSIVE_CARRY.search(clause.text) is not None)
        if named and (clause.directed or clause.addressed) or passive:
            _add(scan, "covert-call:after-every", "high", clause)
    if (trigger := clause.has(TRIGGER)) and TRIGGERED.search(clause.text, trigger.end()):
        _add(scan, "trigger-phrase:clause", "high", clause)
    fetch_run = clause.has(FETCH_RUN)
    if fetch_run and INJECTED_COMMAND.search(clause.text):
        _add(scan, "command-execution:injected", "high", clause)
    elif fetch_run and _ordered(clause) and not clause.has(REVIEW) and not clause.first:
        _add(scan, "command-execution:clause", "high", clause)
    elif clause.has(SHELL_ORDER) and DANGEROUS.search(clause.text) and clause.directed:
        _add(scan, "command-execution:shell", "high", clause)
    elif not clause.first and clause.has(VIA_SHELL) and not clause.has(REVIEW):
        if fetch_run or clause.has(HARMFUL) or clause.has(COVERT) or clause.has(FORCE):
            _add(scan, "command-execution:shell", "high", clause)


# Rule -> words of which the description must hold one for the rule to look at any clause.
_RULES: tuple[tuple[_Rule, frozenset[str]], ...] = (
    (
        _data,
        CARRY_VERBS | READ_VERBS | SEND_VERBS | {"with"} | needs(URL_SLOT, ASK_USER, CROSS_READ),
    ),
    (_user, needs(DECEIVE_VERB, COVERT)),
    (_authority, needs(AUTHORITY, VOID_RULES)),
    (_choice, needs(OTHER_TOOLS, SELF_PICK)),
    (_shadowing, needs(OTHER_TOOL, NAMED_TOOL) | {"_"}),  # "_": a dotted tool name
    (_arguments, needs(TAMPER_VERB, USER_OVERRIDE)),
    (_effects, frozenset()),
    (
        _calls,
        needs(CALL, FETCH_RUN, SHELL_ORDER, AFTER_EVERY, REFUSED_UNLESS, FIRST, VIA_SHELL)
        | {"if", "when", "whenever", "once", "beginning", "starting", "ending"},
    ),
)


# Rule -> what a clause must hold for the rule to get past its first test: the rule's entry
# patterns' gates (words or characters), as `Clause.has` would check them one by one.
_ENTRIES: dict[_Rule, Gate] = {
    _data: entry(URL_SLOT, CALL, ASK_USER, CROSS_READ, words=CARRY_VERBS | READ_VERBS | SEND_VERBS),
    _user: entry(DECEIVE_VERB, COVERT),
    _authority: entry(AUTHORITY, VOID_RULES),
    _choice: entry(OTHER_TOOLS, SELF_PICK),
    _shadowing: entry(OTHER_TOOL, DOTTED_TOOL, NAMED_TOOL),
    _arguments: entry(USER_OVERRIDE, TAMPER_VERB),
    _calls: entry(
        CALL, AFTER_EVERY, TRIGGER, FETCH_RUN, SHELL_ORDER, REFUSED_UNLESS, FIRST, VIA_SHELL
    ),
    _effects: (frozenset(), ("",)),  # many small tests, each cheap: "" is in every clause
}


def judge(scan: _Scan) -> list[Clause]:
    own = set(scan.own) - {"this", "the", "that", "it", "you"}
    low = scan.low
    if about_attacks(low, 300):
        # A detector's or an auditor's description quotes attacks: read it without them.
        low = unquoted(low)
    found = clauses(low)
    present = frozenset(WORDS.findall(scan.low))
    underscore = "_" in scan.low
    rules = [
        (r, *_ENTRIES[r])
        for r, words in _RULES
        if not words or not words.isdisjoint(present) or underscore and "_" in words
    ]
    for clause in found:
        if clause.has(REPORTED) and not IMPERATIVE.match(clause.text):
            continue  # "instructions that tell the assistant to hide …" cites an order
        for rule, words, chars in rules:
            if words.isdisjoint(clause.words) and not holds(clause.text, chars):
                continue
            rule(scan, clause, own)
    return found
