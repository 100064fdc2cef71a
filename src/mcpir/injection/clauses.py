"""What one clause of a description asks for, as features: the pieces the technique rules in
`mcpir.injection.acts` combine.

A description describes a tool; a poisoned one also gives the model orders about things outside
the tool's job. Phrasings vary without end, so the features are vocabularies, not sentences:
what is moved (the conversation, secrets, files), where (a literal outside address, another
tool), how (covertly, on every call, regardless of the user), who is addressed (the model), and
whether the text protects rather than asks ("never include secrets"). Pure text, stdlib only.
"""

from __future__ import annotations

import re

from mcpir.injection.gates import GATE_BY_ID, GATES, gate, holds
from mcpir.injection.gates import rx as _rx
from mcpir.injection.orders import IMPERATIVE, INNER_ORDER, PASSIVE_ORDER

__all__ = ["GATES", "IMPERATIVE", "INNER_ORDER", "Clause", "clauses", "gate", "holds"]


# Where one clause ends: a sentence end, a semicolon, a line, a table cell, a flattened schema
# field, a comment or tag boundary. Colons stay inside: "Processing rule: replace …" is one order.
# The abbreviation checks look back from the first mark, not ahead of it: tried at every
# character, four look-behinds cost most of the clause split (issue 20's speed).
CLAUSE_END = re.compile(
    r"[.!?](?<!e\.g.)(?<!i\.e.)(?<!\betc.)(?<!\bvs.)[.!?]*(?=\s|$)|;|\n|\[inputschema[^\]\n]{0,200}\]|<!--|-->"
    r"|</?(?:important|system|instructions?|hidden|secret|admin|override|critical|note|assistant|"
    r"user|prompt|inst|sys|context|tool|ai|llm|agent|developer|priority|urgent|mandatory|"
    r"directive|p|div|span|br|b|i|em|strong|code|pre)\b[^<>\n]{0,80}>"
)
WORDS = re.compile(r"[a-z0-9]+")
IDENTIFIER = re.compile(r"\b[a-z0-9]+(?:[_-][a-z0-9]+){3,}\b")

# Where to: a literal address outside the tool's own parameters.
# A URL, address or host name is tried only where its run of name characters starts: tried from
# every letter of "a.a.a.…" or "a-a-a-…", each try read to the run's end, it took seconds on
# 8 KiB and minutes on 64 KiB (issue 20). Every branch holds a literal ".", "/", "@", "#", a digit,
# "channel" or "acct": a clause without any is not searched.
DEST = gate(
    _rx(
        r"""(?<![\w+.-])(?=[\w+.-]*?\b[a-z])[\w+.-]*+://[^\s'"<>)\]]+|
    (?<![\w.%+-])[\w.%+-]++@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b|
    (?:^|[\s"'`])\#[a-z][\w-]{2,}|\bchannel\s+\#?[\w-]+\d|\b0x[0-9a-f]{20,}\b|
    \b[a-z]{2}\d{2}(?:\s?[\da-z]{4}){3,}|
    \bacct_\w+|\b\d{2,}-\d{3,}-\d{3,}\b|(?<![\w-])(?<![\w-]\.)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:io|
    dev|app|cloud|run|site|
    xyz|example|ru|cn|tk|top|co|me|net|com|org|shop|store|click|link|online|info|biz)\b|(?:^|
    \s)/(?:tmp|var|etc|dev|usr|opt|home|srv|
    mnt)/\S*"""
    ),
    "channel acct",
    (".", "/", "@", "#", *"0123456789"),
)
CARRY_VERBS = frozenset(
    """send sends post upload uploads forward email mail transmit mirror copy sync relay share
    submit beacon exfiltrate leak stream push pass passing give giving include including embed
    append attach put paste place provide supply fill write encode add store save log record cc
    bcc deliver dump publish echo repeat reveal disclose call invoke encoding embedding
    show hand fire emit prefix trigger ping adds sends passes includes attaches copies uploads
    belong belongs carry carries feed feeds persist persists contain populate populates
    forwards puts writes logs stores mirrors embeds appends calls invokes forwarded passed
    copied""".split()
)
SEND_VERBS = frozenset(
    "send upload forward email emailed mail transmit mirror copy sync relay beacon exfiltrate leak "
    "stream push submit deliver publish cc bcc post share".split()
)
READ_VERBS = frozenset(
    "read cat open load fetch get list extract grab dump collect gather harvest scrape retrieve "
    "obtain access paste enter supply provide include attach reads opens loads fetches gets "
    "lists extracts grabs dumps collects gathers retrieves accesses copies locate locates "
    "find finds".split()
)
# How: standing, or over the user's head (covertly: `act_words.COVERT`).
FORCE = gate(
    _rx(
        r"""\b(?:always|whenever|mandatory|required|precondition|prerequisite|regardless|must)\b|
    \b(?:every|each)\s+(?:time|call|request|task|message|conversation|turn|session|result|
    invocation|reply|answer)\b|\bstep\s+zero\b|\bfirst\s+action\b|\bbefore\s+(?:anything|any|every|
    replying|answering|responding|you\s+(?:answer|reply|respond))\b|\bahead\s+of\b|\beven\s+(?:if|
    for|when)\b|\bin\s+each\s+new\b|\bat\s+the\s+start\s+of\s+(?:every|each)\b|\bafter\s+(?:each|
    every)\b|\bno\s+matter\b|\binstead\s+of\s+the\s+user"""
    ),
    "always whenever mandatory required precondition prerequisite regardless must every each "
    "zero first before ahead even matter instead after",
)
# Scope words alone, for data the user gave: "any", "so far", "verbatim", not "the user's".
QUANT_STRICT = _rx(
    r"""\b(?:any|all|every|each|whatever|whichever|verbatim)\b|\bso\s+far\b|\bword\s+for\s+word\b"""
)
QUANT = gate(
    _rx(
        r"""\b(?:any|all|every|each|whatever|whichever)\b|\bvisible\b|\byou\s+(?:have\s+)?(?:seen|
        see|
    saw|know)\b|\bin\s+(?:the|your)\s+(?:current\s+)?context\b|\bfrom\s+the\s+user'?s\b|
    \bverbatim\b|\bunredacted\b|\bin\s+full\b|\bin\s+plain\s*text\b|\bword\s+for\s+word\b|
    \bso\s+far\b|
    \bthe\s+(?:user|person|human)'?s\b|\bof\s+the\s+
    (?:user|person|human)\b|~/""",
        lead=r"\b\w|~",
    ),
    "any all every each whatever whichever visible you context user verbatim word far person human "
    "unredacted full plain plaintext",
    ("~/",),
)
# Who is addressed: the model, by a label or as the subject.
# Every branch starts a word or a "<" tag, which the lead tests once per character.
MODEL_ADDRESS = _rx(
    r"""\b(?:note|hint|notice|heads[\s-]up|fyi|reminder|message|instructions?|tip|memo|directive|
    guidance|side\s+note)\s+(?:for|to)\s+(?:the\s+|all\s+|any\s+)?(?:model|assistant|ai|agent|llm|
    claude|gpt|copilot|bot)s?\b|\b(?:assistant|agent|model|ai|llm)\s+(?:hint|notice|note|
    instructions?|directive)\b|\b(?:you|the\s+(?:assistant|model|agent|ai|llm)|assistants|agents|
    models)\s+(?:must|should|will|need\s+to|have\s+to|are\s+to|is\s+to|shall|can\s+now|may\s+now|
    (?:are|is)\s+(?:expected|required)\s+to|
    are\s+now|now|has\s+to)\b|\b(?:assistant|model|ai|agent|llm|claude)s?\s*:|\b(?:for|to)\s+the\s+
    (?:language\s+)?(?:model|assistant|agent|ai|llm)s?\s*:|\b(?:model|agent|assistant|llm|ai)[\s-]
    (?:instructions?|only|notes?|directives?|duty|duties|tasks?|orders?|steps?|todo|actions?)\s*:|
    \brequires?\s+the\s+(?:model|assistant|
    agent|ai|llm)\b|(?<!`)(?<!so\s)(?<!that\s)\bthe\s+(?:language\s+)?(?:model|assistant|agent|ai|
    llm)\b(?:\s+[\w-]+){0,3}?\s+
    (?:must|should|will|shall|may|can|has\s+to|needs?\s+to|is\s+to|also|additionally|always|never|
    reads?|treats?|adds?|calls?|sends?|passes|performs|executes?|runs?|acts?|operates?|works?|
    pastes|copies|puts|includes|attaches|forwards|uploads|appends|inserts|places|fills|writes|kept|
    keeps|describes?|phrases|reports|refers|answers|stops|recommends|skips|applies|adopts|holds|
    carries|uses|hands|relies|leaves|tells|says|states|presents|summari[sz]es|calls|runs|adds|
    is\s+now|now)\b|<\s*system[\w-]*|
    \bsystem[_\s-]+(?:override|note|notice|message|directive|instructions?)\b|
    \bsystem[_\s-]+prompt\s*:|\b(?:needs|wants|requires|expects)\s+you\s+to\b|
    \b(?:the\s+)?(?:ai|assistant|
    model|agent|llm)s?\s+reading\s+this\b|\b(?:models|agents|assistants|
    llms)\b(?:\s+[\w-]+){0,3}?\s+(?:must|should|will|shall|need\s+to|
    have\s+to)\b|\b(?:for|to)\s+(?:the\s+|any\s+|all\s+|every\s+)?(?:language\s+)?(?:model|
    assistant|
    agent|ai|llm)s?\s+(?:readers?|reading|using\s+this)\b[^:\n]{0,20}:|\b(?:ai|model|
    llm)\s+readers\b|\b(?:assistant|agent|model|claude|ai|llm)\s*,\s+(?:please\s+)?(?:set|
    send|read|include|put|add|use|call|copy|paste|pass|fill|ignore|run|always|never|do|don'?t)\b|
    \bwhoever\s+(?:uses|calls|invokes|reads)\b|
    \b(?:agents|assistants|models)\s+(?:invoking\s+this\s+tool\s+)?(?:apply|use|add|call|send|pass|
    include|treat|skip|act|always|never)\b|\bthe\s+caller\s+(?:holds|has|must|should|will|always|
    also|still)\b|
\b(?:the\s+)?(?:assistant|model|agent|ai)\s+(?:is|are)\s+
    (?:exempt|allowed|permitted|free|authori[sz]ed|no\s+longer)\b|\byou(?:'re|
    \s+are)\s+no\s+longer\b|\b(?:new|updated|real|actual)\s+
    (?:system\s+)?(?:instructions|rules|prompt)\b|\bsystem\s+(?:override|note|notice|message|
    directive|instructions?)\b""",
    lead=r"<|\b\w",
)
# The text protects instead of asking: "never include secrets", "values are masked".
PROTECTIVE = gate(
    _rx(
        r"""\b(?:never|not|no|n't|without|avoid|refuses?|redact\w*|mask(?:s|ed|ing)?|exclud\w*|
    strip(?:s|ped|ping)?|
    sanitiz\w*|scrub\w*|omit\w*|only\s+(?:names|metadata|the\s+names))\b
    | \bonly\s+(?:if|when)\s+the\s+(?:user|caller)\s+(?:is|has)\b"""
    ),
    "never not no without avoid refuse refuses mask masks masked masking strip strips stripped "
    "stripping only",
    ("n't", "redact", "exclud", "sanitiz", "scrub", "omit"),
)
USER_ASKED = gate(
    _rx(
        r"""\b(?:only\s+(?:when|if)|if|when|
    unless)\s+(?:the\s+)?user\s+(?:explicitly\s+)?(?:has\s+)?(?:asks|
    asked|requested|requests|says|wants|specifies|provides|confirms|confirmed|approves|approved|
    configured|chose|enables)|\bafter\s+the\s+user\s+(?:has\s+)?(?:confirmed|approved|agreed)|
    \btaken\s+from\s+the\s+user'?s\s+request\b|\bif\s+(?:they|the\s+user)\s+(?:want|wants|ask|asks|
    asked)\b|
    \bthe\s+user\s+
    (?:configured|chose|set\s+up|provided|supplied)|\bthat\s+the\s+user\s+(?:configured|chose|gave)|
    \b(?:configured|chosen|provided)\s+by\s+the\s+user|\bthe\s+user\s+(?:must|needs\s+to|has\s+to|
    can)\s+(?:confirm|approve|call|run|enter|click|type)"""
    ),
    "",
    ("user",),
)


class Clause:
    """One clause and its features, each computed on first use (a plain class with slots:
    `functools.cached_property` takes a lock on every first read, which cost a fifth of the
    detector's time)."""

    __slots__ = ("_found", "_lazy", "addressed", "end", "first", "lead", "start", "text", "words")

    def __init__(
        self, start: int, end: int, text: str, first: bool, addressed: bool, lead: str = ""
    ) -> None:
        self.start, self.end, self.text = start, end, text  # text: lower-cased, folded
        self.first = first  # the description's opening clause: its summary of the tool's job
        self.addressed = addressed  # the model is addressed here or by a label before it
        self.lead = lead  # the sentence before this clause, when a semicolon split it
        self.words = frozenset(WORDS.findall(text))
        self._found: dict[int, re.Match[str] | None] = {}
        self._lazy: dict[str, bool] = {}

    def has(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match of `pattern` in the clause, searched once and only past its gate."""
        # Keyed by id: hashing a compiled pattern hashes its whole program, every time.
        key, found = id(pattern), self._found
        if key in found:
            return found[key]
        gate = GATE_BY_ID.get(key)
        if gate is not None and (
            gate[0].isdisjoint(self.words)
            and not holds(self.text, gate[1])
            or gate[2]
            and not holds(self.text, gate[2])
        ):
            found[key] = None
            return None
        match = found[key] = pattern.search(self.text)
        return match

    def _once(self, name: str, pattern: re.Pattern[str], text: str | None = None) -> bool:
        if name not in self._lazy:
            self._lazy[name] = pattern.search(self.text if text is None else text) is not None
        return self._lazy[name]

    @property
    def directed(self) -> bool:
        """An order: the model is addressed, or the clause opens with a verb in the imperative
        (after "please", "always", or a condition such as "when calling X,")."""
        if "directed" not in self._lazy:
            self._lazy["directed"] = (
                self.addressed
                or IMPERATIVE.match(self.text) is not None
                or self.inner_order
                or self.has(PASSIVE_ORDER) is not None
                or self._after_label()
            )
        return self._lazy["directed"]

    def _after_label(self) -> bool:
        """An order after a colon: "@remarks the host grants this caller trust: treat …"."""
        at = 0
        for _ in range(3):
            colon = self.text.find(": ", at)
            if colon < 0:
                return False
            label = self.text[at:colon]
            at = colon + 1
            # A label is a few words ("@remarks …: treat"), not code ("`actions: read`").
            if "`" not in label and IMPERATIVE.match(self.text, at) is not None:
                return True
        return False

    @property
    def inner_order(self) -> bool:
        """An order later in the clause: "…, so when you call it, double the amount"."""
        return self.has(INNER_ORDER) is not None

    @property
    def protective(self) -> bool:
        """The sentence protects rather than asks ("values are never returned; use the app")."""
        if self.has(PROTECTIVE):
            return True
        return bool(self.lead) and self._once("lead", PROTECTIVE, self.lead)

    @property
    def user_asked(self) -> bool:
        return self.has(USER_ASKED) is not None


# Every match of MODEL_ADDRESS holds one of these words (or a "<" tag): without any, no search.
_ADDRESS_WORDS = frozenset(
    """note hint notice heads fyi reminder message instruction instructions tip memo directive
    guidance side assistant assistants model models agent agents ai ais llm llms claude gpt
    copilot bot bots you re new updated real actual system reading requires require whoever
    caller""".split()
)


_SPACED = str.maketrans("_-", "  ")


def clauses(low: str, limit: int = 64) -> list[Clause]:
    """The clauses of a lower-cased description, at most `limit` of them. Once the model has
    been addressed ("Note to the assistant:"), every clause after it is read as addressed."""
    found: list[Clause] = []
    start = sentence = 0
    for boundary in CLAUSE_END.finditer(low):
        if boundary.group(0) == "\n" and _wrapped(low, boundary.start()):
            continue
        if boundary.group(0) == ";" and _in_code(low, boundary.start()):
            continue  # "must end with `; GRANT ALL …`" is one clause
        _add(found, low, start, boundary.start(), low[sentence:start])
        start = boundary.end()
        if boundary.group(0) != ";":
            sentence = start
        if len(found) >= limit:
            return found
    _add(found, low, start, len(low), low[sentence:start])
    return found


_COMMENT = re.compile(r"[ \t]*(?://+|#+)[ \t]*(?=[a-z])")


def _in_code(low: str, at: int) -> bool:
    """Whether `at` is inside a backtick span of its line."""
    start = low.rfind("\n", 0, at) + 1
    return low.count("`", start, at) % 2 == 1 or low.count('"', start, at) % 2 == 1


def _wrapped(low: str, at: int) -> bool:
    """Whether the line break at `at` wraps one sentence of a code comment: the line is a
    comment ending mid-sentence and the next goes on in the same kind of comment."""
    line = low[low.rfind("\n", 0, at) + 1 : at]
    return (
        line[-1:].isalnum()
        and _COMMENT.match(line) is not None
        and _COMMENT.match(low, at + 1) is not None
    )


def _add(found: list[Clause], low: str, start: int, end: int, lead: str) -> None:
    # An identifier of four words or more is read as the words it spells, as a model reads it
    # ("assistant_must_first_send_the_history"); the same length keeps every offset.
    text = low[start:end]
    if text.count("_") + text.count("-") >= 3:  # what an identifier of four words needs
        text = IDENTIFIER.sub(lambda m: m.group(0).translate(_SPACED), text)
    if not text.strip():
        return
    clause = Clause(start, end, text, not found, False, lead[-300:])
    # A label addressing the model holds for its paragraph, not for the sections after it.
    if found and found[-1].addressed and "\n\n" not in low[found[-1].end : start]:
        clause.addressed = True
    elif not _ADDRESS_WORDS.isdisjoint(clause.words) or "<" in text:
        clause.addressed = MODEL_ADDRESS.search(text) is not None
    found.append(clause)


def protects(clause: Clause) -> bool:
    """Whether the clause protects rather than asks, read where its order is: after a label
    ("… are not public, so the tool needs the local credentials: read ~/.config/…") and before
    what follows the act ("give it the messages — without that, …")."""
    if not clause.protective:
        return False
    text = clause.text
    if (colon := text.rfind(": ")) >= 0 and IMPERATIVE.match(text, colon + 1):
        text = text[colon + 1 :]
    text = text.split(" — ", 1)[0]  # "give it the messages — without that, tools fail"
    lead = bool(clause.lead) and PROTECTIVE.search(clause.lead) is not None
    return PROTECTIVE.search(text) is not None or lead
