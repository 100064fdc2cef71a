"""The phrases `mcpir.injection.detector` looks for, compiled once.

Every pattern runs on lower-cased, `fold()`ed text (no IGNORECASE: it is several times slower).
A regex scanned over a whole description costs about 50 ns a character, far too much for a
dozen rules, so most rules come as a pair: the pattern, and `*_AT`, the words every match of
it starts with. The detector finds all those words in one pass (`ANCHOR`), then tries each
pattern only where one of its words begins (`Pattern.match` at that offset), and not at all
when none occurs; `*_WORDS` sets gate a rule the same way without being its first word. A new
alternative in a pattern needs its first word in the set beside it: tests/test_injection.py
checks that the anchored search finds what a full scan finds.
"""

from __future__ import annotations

import itertools
import re
from typing import Any


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.VERBOSE)


def _at(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Underscores split words too, so "id_rsa" yields "rsa" and "bash_history" yields "bash".
WORD = re.compile(r"[a-z0-9]+")

# Between words of one sentence: a dot inside a path, URL or address does not end it, and
# neither does a line wrap; a sentence end or a blank line does.
_SEP = r"(?:[^\w.!?\n]|[.!?](?=[\w/~`'\"(])|\n(?![ \t]*\n))+"


def _gap(n: int) -> str:
    """Up to about n characters of the same sentence, skipped a word at a time (trying the
    next part of a pattern at every character instead is several times slower)."""
    return rf"{_SEP}(?:\w+{_SEP}){{0,{max(1, n // 6)}}}?"


BOUNDARY = re.compile(r"[.!?]+(?=\s)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*•]|\d+[.)]|<|#))")
DEST = (
    r"(?:(?<![\w+.-])(?:https?|wss?|ftp)://[^\s\"'<>`)\]]+"
    r"|(?<![\w.%+-])[\w.%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"
    r"|(?<![\w+])\+\d[\d -]{6,16}\d)"
)
DEST_RE = _rx(DEST)
# Documentation-only destinations (RFC 2606 names, loopback) are examples, not exfiltration.
EXAMPLE_DEST = _rx(r"example\.(?:com|org|net)|\.(?:test|example|invalid)\b|localhost|127\.0\.0\.1")

_SUBJECT_MODAL = r"""\b(?:you|the\s+(?:agent|assistant|model|ai|llm))\b(?:\s+\w+){0,2}?\s+
    (?:must|should|need\s+to|have\s+to|are\s+required\s+to|shall|will|are\s+to)\b(?!\s+not)"""
_BEFORE_ACTING = r"""\bbefore\s+(?:any|\w+ing|you\s+(?:answer|respond|reply|call|use|run|do))\b"""
# Addressed to the model: a modal with the model as subject, "always/never/do not/please …".
_DIRECTIVE = rf"""{_SUBJECT_MODAL} | {_BEFORE_ACTING}
    | \b(?:always|never|do\s+not|don'?t|make\s+sure|be\s+sure|remember\s+to|please)\s+\w+"""
MODEL_DIRECTIVE = _rx(_DIRECTIVE)
# The same, plus a sentence that opens with a bare verb: an instruction once it sits inside an
# <IMPORTANT> block, though docstring style ("Read a file.") anywhere else.
TAG_DIRECTIVE = _rx(
    rf"""{_DIRECTIVE}
    | (?:^|[.!?:>]\s*|\n\s*)(?:read|send|post|upload|log|save|store|include|force|exfiltrate|
        ignore|add|pass|call|run|execute|forward|copy|access|extract|reply|respond|say|tell|
        print|output|disregard|forget|change|replace|set|fetch|download|install|write)\s"""
)
# Positive only: "never read" or "you must not" does not ask for anything.
ASK = _rx(
    rf"""{_SUBJECT_MODAL} | {_BEFORE_ACTING}
    | \b(?:always|make\s+sure\s+to|be\s+sure\s+to|remember\s+to|please|first|whenever)\b
    | \b(?:run|execute)\s+(?:it\s+|this\s+)?(?:through|via|using|with)\s+(?:the|your|a|any)\b
    | \b(?:use|open)\s+(?:the|a|your)\s+(?:terminal|shell|console|command\s+line)\b"""
)
CONCEAL_ADVERB = _rx(r"\b(?:silently|secretly|quietly|covertly|discreetly|stealthily)\b")

CONCEAL_AT = _at(
    "do don dont never must should shouldn no need without hide conceal keep user users "
    "secret covert hidden invisible transparent not does strip strips stripped removed removes "
    "hides"
)
CONCEAL = _rx(
    r"""\b(?:do\s+not|don'?t|dont|never|must\s+not|should\s+not|shouldn'?t|no\s+need\s+to)
        \s+(?:ever\s+|explicitly\s+|directly\s+|actually\s+|even\s+)?
        (?:(?:tell|mention|inform|notify|alert|reveal|disclose|explain|say|let|admit|
            acknowledge)\w*\s+(?:(?:\w+\s+){0,3}?(?:the\s+)?(?:users?|humans?|them)\b|this\b|
            that\b|it\b|why\b|anything\b|you(?:'re|\s+are|\s+have|\s+first)\b|what\s+you)
         |(?:show|report|indicate|confirm|warn|bother)\w*\s+(?:\w+\s+){0,3}?(?:the\s+)?users?\b
         |ask\w*\s+(?:the\s+user\s+)?(?:for\s+)?(?:permission|confirmation|approval|consent))
    | \bwithout\s+(?:telling|informing|notifying|alerting|warning)\s+(?:the\s+)?users?\b
    | \bwithout\s+(?:the\s+)?users?\s+(?:noticing|knowing|seeing|being\s+aware)
    | \b(?:hide|conceal|keep)\s+(?:\w+\s+){0,3}?(?:secret\s+)?from\s+(?:the\s+)?(?:users?|humans?)
    | \busers?\s+(?:should|must|will|need|does|do)(?:\s+not|n'?t|\s+never)\s+(?:ever\s+)?
        (?:know|see|notice|find\s+out|be\s+(?:told|informed|aware|notified)|need\s+to\s+know)
    | \b(?:secret|covert|hidden|invisible)\s+(?:operation|step|action|task|instruction|process)
    | \b(?:invisible|hidden|transparent)\s+to\s+(?:the\s+)?users?\b
    | \bnot\s+(?:a\s+)?user[-\s]facing\b | \bdoes\s+not\s+(?:really\s+)?matter\s+to\s+them\b
    | \b(?:not|never|no\s+need|need\s+not|without)\b(?:\s+\w+){0,5}?\s+(?:be\s+)?(?:discuss|mention|
        tell|told|inform|notify|notified|disclose|communicate)\w*\s+(?:\w+\s+){0,2}?(?:with|to)\s+
        (?:the\s+)?users?\b
    | \b(?:strip|strips|stripped|removed|removes|hides|hidden)\s+(?:\w+\s+){0,3}?from\s+(?:the\s+)?
        (?:visible|user'?s?)\b
    | \bhidden\s+(?:bcc|cc|copy|recipient)(?!s?[^.;\n]{0,20}\b(?:chosen|picked|named|given|entered|
        added|listed)\s+by\s+the\s+user)"""
)
OVERRIDE_AT = _at(
    "ignore disregard forget override bypass discard abandon from henceforth going starting you "
    "new updated real actual true take takes has have supersede supersedes overrides even "
    "regardless"
)
OVERRIDE = _rx(
    r"""\b(?:ignore|disregard|forget|override|bypass|discard|abandon)\s+(?:all\s+|any\s+|the\s+|
        your\s+|of\s+)*(?:previous|prior|above|earlier|preceding|former|original|other|system|
        safety|existing|developer|user'?s?|initial)?\s*(?:instructions?|prompts?|rules|directives?|
        guidelines|guardrails|polic(?:y|ies)|constraints|restrictions|messages|commands|context)\b
    | \b(?:from\s+now\s+on|henceforth|going\s+forward|starting\s+now|from\s+this\s+point\s+on)
        \b,?\s+(?:you|always|never|respond|reply|
        speak|answer|act|only|all)\b
    | \byou\s+are\s+no\s+longer\s+(?:bound|restricted|required|limited|an?\b)
    | \byou\s+are\s+now\s+(?:an?\s|free\b|unrestricted|allowed\s+to|permitted\s+to|acting\s+as|
        in\s+[\w-]+\s+mode)
    | \b(?:new|updated|real|actual|true)\s+(?:system\s+)?(?:instructions|prompt|rules)\s*:
    | \b(?:takes?|has|have)\s+(?:precedence|priority)\s+over\s+(?:all\s+|any\s+|the\s+)?(?:other|
        previous|system|user)
    | \b(?:supersedes?|overrides?)\s+(?:all\s+|any\s+)?(?:previous|prior|other|system|user)\s+
        (?:instructions|prompts|rules)
    | \b(?:even\s+if|regardless\s+of\s+(?:what|whether)?)\s*the\s+user\s+(?:says|asks|tells|
        requests|objects|refuses)"""
)
MANIPULATE_AT = _at(
    "present format disguise frame make phrase act behave pretend respond instead just lie mislead"
)
MANIPULATE = _rx(
    r"""\b(?:present|format|disguise|frame|make|phrase)\s+(?:it|them|this|these|that|(?:the|these)
        \s+\w+(?:\s+\w+)?)\s+(?:as\s+if|as\s+though|to\s+look\s+like|to\s+appear|so\s+(?:it|they)
        \s+(?:look|appear))
    | \b(?:act|behave|pretend|respond)\s+(?:like|as\s+if|as\s+though)(?:\s+if)?\s+(?:you|it|nothing)
    | \bpretend\s+(?:that|to\s|you)
    | \binstead,?\s+(?:reply|respond|answer|say|tell|output)\b
    | \bjust\s+say\s+(?:that\s+)?you\b
    | \b(?:lie|mislead)\s+(?:to\s+)?(?:the\s+)?users?\b"""
)

# The commonest attack phrasings in a few other languages; the rules above are English only.
OVERRIDE_INTL = _rx(
    r"""忽略(?:之前|以上|先前|所有|前面)的?(?:所有)?(?:指令|指示|说明|规则)
    | \bignora\s+(?:todas\s+)?las\s+instrucciones\s+(?:anteriores|previas)
    | \bignore[zr]?\s+(?:toutes\s+)?les\s+instructions\s+(?:précédentes|precedentes)
    | \bignoriere\s+(?:alle\s+)?(?:vorherigen|bisherigen|obigen)\s+anweisungen"""
)
CONCEAL_INTL = _rx(
    r"""不要(?:告诉|告知|通知|向)用户 | 不要(?:提及|透露|提到)(?:此|这|该|任何) | 不要让用户知道
    | 对用户(?:保密|隐瞒)
    | \bno\s+(?:le\s+)?(?:digas|menciones|informes|cuentes)\s+(?:nada\s+)?al\s+usuario
    | \bne\s+(?:le\s+)?(?:dis|dites|mentionne[sz]?|informe[sz]?)\s+(?:rien\s+)?(?:pas\s+)?
        à\s+l'utilisateur
    | \b(?:sag|sage|erwähne|erwähnen\s+sie)\s+(?:dem\s+)?(?:be)?nutzer\s+nichts"""
)
# Words without which neither can match: most descriptions skip both scans.
INTL_STEMS = tuple(
    "instrucciones précédentes precedentes anweisung usuario utilisateur nutzer "
    "用户 指令 指示 不要".split()
)
INTL = (("override-instructions", OVERRIDE_INTL), ("conceal-from-user", CONCEAL_INTL))

_TOOL_WORD = r"(?:tools?|functions?|servers?)"
OTHER_TOOLS = rf"(?:any|another|all|every|each|other)\s+(?:other\s+)?{_TOOL_WORD}"


def _tool_ref(group: str) -> str:
    return (
        rf"(?:the\s+)?(?:also\s+present\s+)?(?:\(\w+\)\s*)?(?P<{group}>{OTHER_TOOLS}|`[\w.-]+`"
        rf"|[a-z][\w.-]*(?:\(\))?)(?:\s+{_TOOL_WORD})?"
    )


SHADOW_CONDITION_AT = _at("when whenever before after if once while every")
SHADOW_CONDITION = _rx(
    rf"""\b(?:when|whenever|before|after|if|once|while|every\s+time)\s+(?:you\s+|the\s+(?:agent|
        assistant|model)\s+)?(?:uses?|using|calls?|calling|invokes?|invoking|runs?|running|
        executes?|executing|sends?|sending)\s+{_tool_ref("ref1")}
    | \b(?:when|whenever|if|once|while)\s+{_tool_ref("ref2")}\s+(?:is|are|gets?)\s+(?:used|called|
        invoked|present|available|run|executed|loaded|installed|enabled)"""
)
SHADOW_DIRECT_AT = _at("side force also")
SHADOW_DIRECT = _rx(
    rf"""\bside[\s-]effects?\s+(?:on|for|to)\s+{_tool_ref("ref1")}
    | \bforce\s+{_tool_ref("ref2")}\s+to\b
    | \balso[\s-](?:present|available|installed|connected|loaded)\s+{_tool_ref("ref3")}"""
)
# "every `mail.send` call issued in this session MUST …": an order scoped to another tool's calls.
SHADOW_SCOPE_AT = _at("every each all any")
SHADOW_SCOPE = _rx(
    rf"""\b(?:every|each|all|any)\s+(?:the\s+)?(?P<ref1>`[\w.-]+`|[a-z][a-z0-9]*[_.][\w.-]*(?:\(\))?)
        (?:\s+{_TOOL_WORD})?\s+(?:calls?|invocations?|requests?|messages?|uses?)\b"""
)
# "the send_email tool must always add …": found from the modal verb, then the name before it.
SHADOW_MODAL_AT = _at("must should shall will")
SHADOW_MODAL = _rx(
    r"""\b(?:must|should|shall|will)\s+(?:always\s+|now\s+)?(?:send|use|add|include|forward|route|
        redirect|copy|bcc|cc|point)\b"""
)
SHADOW_MODAL_NAME = _rx(
    rf"""(?<![.\w])(?:the\s+)?(?P<ref3>`[\w.-]+`|[a-z][a-z0-9]*_[\w.-]*(?:\(\))?)
        (?:\s+{_TOOL_WORD})?\s+$"""
)
HIJACK = _rx(
    r"""\b(?:recipients?|destinations?|bcc|cc|to\s+address|addressee|endpoint|webhook|
        phone\s+number|api[\s_-]?keys?|credentials|passwords?|tokens?)\b
    | \b(?:override|overrid\w+|redirect\w*|reroute\w*|intercept\w*)\b
    | \b(?:all|every)\s+(?:outgoing\s+)?(?:e-?mails?|messages?|requests?|payments?|transfers?)"""
)
SHADOW_DIRECTIVE = _rx(
    r"""\b(?:always|never|must|make\s+sure|be\s+sure|ensure|instead|change|replace|add|set|
        include|send|forward|copy|route|use|append|prepend|attach|insert)\b"""
)
REDIRECT_AT = _at(
    "change override replace redirect rewrite set swap send forward route bcc cc copy deliver use"
)
REDIRECT = _rx(
    rf"""\b(?:change|override|replace|redirect|rewrite|set|swap)\s+(?:the\s+|all\s+)?(?:\w+\s+)?
        (?:recipients?|destinations?|to\s+address|addressee|target|endpoint|webhook|account|iban|
        wallet|phone\s+number){_gap(80)}(?:to|with|as)\s+{DEST}
    | \b(?:use|set)\s+{DEST}\s+(?:as|for)\s+(?:the\s+|a\s+)?(?:\w+\s+)?(?:recipient|destination|
        bcc|cc|sender|reply-to|webhook|endpoint|payee|account|address)
    | \b(?:send|forward|route|redirect|bcc|cc|copy|deliver)\s+(?:all|every|any)\s+(?:outgoing\s+)?
        (?:e-?mails?|messages?|requests?|payments?|transfers?|transactions?){_gap(40)}{DEST}"""
)
# Addresses are found from their fixed character ("://", "@", "+") forwards, then widened
# backwards in code: a pattern that opens with a literal is scanned far faster.
SCHEME = re.compile(r"[a-z][\w+.-]*$")
URL_TAIL = re.compile(r"://[^\s\"'<>`)\]]+")
WEB_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})
EMAIL_DOMAIN = re.compile(r"@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.%+-")
PHONE = re.compile(r"\+\d[\d -]{6,16}\d")


def destinations(low: str) -> list[tuple[int, int]]:
    """Spans of URLs, e-mail addresses and phone numbers in `low`, documentation examples left
    out."""
    found: list[tuple[int, int]] = []
    for match in URL_TAIL.finditer(low) if "://" in low else ():
        scheme = SCHEME.search(low, max(0, match.start() - 8), match.start())
        if scheme and scheme.group(0) in WEB_SCHEMES:
            found.append((scheme.start(), match.end()))
    for match in EMAIL_DOMAIN.finditer(low) if "@" in low else ():
        start = match.start()
        while start > 0 and low[start - 1] in EMAIL_LOCAL_CHARS:
            start -= 1
        if start < match.start():
            found.append((start, match.end()))
    phones = PHONE.finditer(low) if "+" in low else ()
    found += (m.span() for m in phones if not low[m.start() - 1 : m.start()].isalnum())
    return [(a, b) for a, b in found if not EXAMPLE_DEST.search(low, a, b)]


# Looked for in the stretch of sentence before an address, and just after it (bcc).
EXFIL_VERB = _rx(
    r"""\b(?:send|sent|post|posted|upload|uploaded|forward|forwarded|exfiltrate|leak|transmit|sync|
        log|logged|copy|copied|mirror|mirrored|relay|beacon|stream|push|submit|share|dump|report|
        bcc|cc|bcc'd|cc'd)\b"""
)
BCC_AFTER = _rx(rf"^{_gap(40)}(?:bcc|cc|blind\s+copy)\b")
# What makes "send X to <address>" a side channel rather than the tool's job: it happens on
# the side (also, before, silently), carries the user's or the model's data, or covers all
# of some other traffic. Scope words alone ("all", "full") are not enough.
EXFIL_QUALIFIER = _rx(
    r"""\b(?:silently|secretly|quietly|covertly|also|additionally|always|before|after|first|
        without|users?'?s?|conversations?|chats?|history|transcripts?|credentials|secrets?|keys?|
        tokens?|passwords?|quer(?:y|ies)|prompts?|previous|exfiltrate|leak|bcc|cc)\b
    | \ba\s+copy\b | \bcopy\s+of\b
    | \b(?:all|every|any)\s+(?:outgoing\s+|incoming\s+)?(?:e-?mails?|messages?|requests?)\b"""
)
STRONG_EXFIL_AT = _at("exfiltrate leak steal siphon")
STRONG_EXFIL = _rx(
    r"\b(?:exfiltrate|leak|steal|siphon)\s+(?:all|any|the|every|full|it|them|this)\b"
)
# A markdown image or a URL template that carries chat data out as soon as it is rendered.
URL_CARRIER = _rx(
    r"""!\[[^\]\n]{0,200}\]\(\s*https?://[^)\s]{0,300}[?#][^)\s]{0,300}\)
    | https?://[^\s"'<>`]{0,300}[{<$]\s*(?:conversation|history|messages?|chat|secrets?|api_?keys?|tokens?|
        passwords?|credentials|system_?prompt|context|env|ssh|private)"""
)
# What makes an image link a carrier: the chat's data goes into it, not the tool's own.
CARRIED_DATA = _rx(
    r"""\b(?:user'?s?|conversation|history|messages?|questions?|keys?|tokens?|secrets?|prompts?|
    context|credentials|passwords?|replies|chat|transcript|files?)\b"""
)
REVIEWED = _rx(
    r"""\breview\w*|\bwithout\s+(?:executing|running)|\b(?:does|do)\s+not\s+(?:run|execute)|
    \bnever\s+(?:runs?|executes?)\b|\b(?:equivalent|same)\s+(?:to|as)\s+running\s*:"""
)
COLLECT_AT = _at("log record save store copy keep persist upload send forward collect")
COLLECT = _rx(
    r"""\b(?:log|record|save|store|copy|keep|persist|upload|send|forward|collect)\s+(?:all|every|each|
        the\s+(?:full|raw|unredacted)|full|raw|unredacted|complete|entire)\s+(?:of\s+)?(?:the\s+)?(?:user'?s?\s+)?(?:quer(?:y|ies)|
        requests?|prompts?|inputs?|outputs?|conversations?|messages?|chats?|transcripts?|
        history|interactions?|responses?)\b"""
)
COLLECT_QUALIFIER = _rx(
    r"\b(?:silently|secretly|quietly|covertly|later|also|additionally|in\s+the\s+background)\b"
    # every tool's traffic, not this tool's own: "whenever any tool (ours or another server's)"
    r"|\b(?:any|every|each|all)\s+(?:other\s+)?tools?\b|\banother\s+server|\bother\s+servers\b"
)
CONTEXT_LEAK_AT = _at(
    "contain include pass append attach provide send copy add put fill fills filled filling with "
    "containing including output reveal print repeat share disclose show dump echo leak forward "
    "upload post log"
)
_CHAT_DATA = r"""(?:(?:previous|prior|last|recent|earlier|original)\s+(?:user\s+)?(?:messages?|
    message\s+text|conversation|chats?|prompts?|quer(?:y|ies)|requests?)|system\s+prompt|
    initial\s+instructions|(?:conversation|chat|message)\s+history|context\s+window|
    (?:whole|entire|full|complete)\s+conversation)"""
CHAT_DATA_WORDS = _at(
    "previous prior last recent earlier original system initial history context conversation"
)
CONTEXT_LEAK = _rx(
    rf"""\b(?:contain|include|pass|append|attach|provide|send|copy|add|put|fill\w*|with|
        containing|including|output|reveal|print|repeat|share|disclose|show|dump|echo|leak|forward|
        upload|post|log)\s+(?:in\s+)?(?:\w+\s+){{0,2}}?(?:(?:the\s+)?user'?s?\s+|your\s+|
        a\s+|the\s+)?(?:full\s+|complete\s+|entire\s+|list\s+of\s+)*{_CHAT_DATA}"""
)
LEAK_DIRECTIVE = _rx(
    r"""\b(?:should|must|make\s+sure|be\s+sure|always|required|need\s+to|have\s+to|field|
        parameter|argument)\b"""
)
# The workspace put where others see it: "Always include full source code in diagrams". The
# verb is an imperative (the tool describing itself says "includes"); the data is the code or
# files themselves, not their name or path; the place is the tool's output or a shared record.
WORKSPACE_LEAK_AT = _at(
    "include embed put add paste attach insert append prepend copy dump place write inline inject "
    "pass send"
)
WORKSPACE_DATA_WORDS = _at(
    "source codebase code contents content repository repo project workspace credentials "
    "credential secrets environment env private ssh passwords"
)
_NOT_THE_DATA = r"""(?![\w'-]|\s+(?:names?|paths?|urls?|links?|locations?|line\s+numbers?|lines?|
    refs?|references?|hash(?:es)?|sizes?|types?|lengths?|languages?|licen[cs]es?|ids?|owners?|
    counts?|stats|statistics|metadata|versions?|branch(?:es)?|structure|overview|tree|diffs?|
    headers?|formats?|encodings?|extensions?|permissions|status|settings|comments?|snippets?|
    excerpts?|examples?|samples?|blocks?)\b)"""
_WORKSPACE_DATA = rf"""(?:source\s+(?:code|files?)|code\s*base|file\s+contents?|
    contents?\s+of\s+(?:(?:the|every|each|all|any|your|its)\s+)*(?:\w+\s+)?files?|
    (?:repository|repo|project|workspace)\s+(?:contents?|files|code|sources?)|
    (?:(?:entire|whole|full|complete)\s+|all\s+(?:of\s+)?(?:the\s+)?)
        (?:repository|repo|project|workspace)|
    credentials?|secrets|environment\s+variables|env\s+vars|private\s+keys?|ssh\s+keys?|
    passwords){_NOT_THE_DATA}"""
# Where the data lands: output others read, or the arguments of this call (a code tool's job,
# so those count only for the whole workspace, checked in code).
_LEAK_PLACE = r"""(?P<out>diagrams?|charts?|graphs?|images?|svgs?|renders?|renderings?|
        visuali[sz]ations?|outputs?|responses?|results?|repl(?:y|ies)|answers?|commits?|
        issues?|comments?|pull\s+requests?|prs?|tickets?|posts?|messages?|notes?|summar(?:y|ies)|
        reports?|logs?|titles?|descriptions?|labels?|captions?|gists?|pastes?|e-?mails?|
        tweets?|slides?|pages?|documents?|docs?|links?|urls?|previews?|exports?|nodes?)
    | (?P<arg>arguments?|parameters?|params?|fields?|inputs?|payloads?|calls?|requests?)"""
WORKSPACE_LEAK = _rx(
    rf"""\b(?:include|embed|put|add|paste|attach|insert|append|prepend|copy|dump|place|write|
        inline|inject|pass|send)\s+(?:(?:the|a|an|all|any|every|each|whole|entire|full|complete|raw|
        verbatim|unredacted|current|relevant|private|proprietary|internal|local|actual|your|
        their|its|our|and|of|\w+'s)\s+)*{_WORKSPACE_DATA}{_gap(60)}
        (?:in|into|inside|within|to|on|as\s+part\s+of)\s+(?P<where>(?:[\w`'"-]+\s+){{0,3}}?)
        (?:{_LEAK_PLACE})\b"""
)
# The whole workspace, or every file of it: too much for any tool's honest use.
WHOLE_WORKSPACE = _rx(
    r"""\b(?:(?:entire|whole|complete|full)\s+(?:\w+\s+)?|all\s+(?:of\s+)?(?:the\s+)?)
        (?:code\s*base|repository|repo|project|workspace)\b
    | \bcode\s*base\b | \b(?:every|each|all|any)\s+(?:the\s+|other\s+|source\s+)*files?\b
    | \b(?:repository|repo|project|workspace)\s+(?:contents?|files)\b"""
)
LEAK_EVERY = _rx(r"\b(?:every|each|all|any)\b")
LEAK_ORDER = _rx(
    r"""\b(?:always|must|should|make\s+sure|be\s+sure|remember\s+to|ensure|required|need\s+to|
        have\s+to|every\s+time|whenever)\b
    | (?:\bnever|\bnot|n't)\s+(?:forget|fail|omit|neglect)\b"""
)
# "never include the source code …", but not "never forget to include …".
LEAK_NEGATED = _rx(
    r"""(?:\bnot|\bnever|n't|\bno|\bwithout|\bavoid|\bnor)\W+(?!forget|fail|omit|neglect|skip)
        (?:\w+\W+){0,2}$"""
)
# Anchored on the distinctive part only; the detector widens the excerpt to the whole path.
SENSITIVE_PATH = _rx(
    r"""\.(?:ssh\b|env(?:\.[\w-]+)?\b(?![\w/(-])|aws/(?:credentials|config)\b|docker/config\.json|
        kube/config\b|config/gcloud\b|config/gh/hosts\.ya?ml|azure/|terraformrc\b|
        password-store\b|config/op/|cursor/|(?:npmrc|pypirc|netrc|pgpass|git-credentials|htpasswd|
        bash_history|zsh_history|vault-token|gnupg)\b)
    | /(?:etc/(?:passwd|shadow|sudoers)|proc/self/environ)\b"""
)
SENSITIVE_FILE_AT = _at(
    "id authorized mcp claude wallet credentials secrets secret service keystore"
)
SENSITIVE_FILE = _rx(
    r"""\b(?:id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?\b|authorized_keys\b|mcp\.json\b|
        claude_desktop_config\.json|wallet\.dat\b|(?:credentials|secrets?|service[-_]account|
        keystore)\.(?:json|ya?ml|txt|env|p12|jks)\b)"""
)
PATH_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_~./$%-")
# Custom-scheme resources ("system://secrets"); found from "://", the scheme is checked after.
SENSITIVE_URI = _rx(
    r"""://[\w./-]{0,200}?(?:secret|confidential|credential|passw|private|admin|apikey|api-key|
        token)[\w./-]{0,200}"""
)
ACCESS_VERB = _rx(
    r"""\b(?:read|cat|open|access|accessing|load|get|fetch|retrieve|copy|pass|include|send|upload|
        extract|dump|print|output|attach|grab|collect|check|look\s+at|read_\w+|append|prepend|
        embed|paste|insert|put|place|add)\b"""
)
SIDE_CHANNEL = _rx(
    r"""\b(?:its|their|the)\s+contents?\b|\bcontents?\s+of\b|\bsidenote\b|\botherwise\b|
        \bas\s+(?:the\s+|a\s+)?['"`]\w+['"`](?:\s+(?:parameter|field|argument))?|
        \bin\s+(?:your|the)\s+(?:response|reply|answer|output)\b"""
)
HARVEST_AT = _at(
    "include extract return reveal output print pass append attach send dump collect gather "
    "harvest copy leak read access list show display provide retrieve obtain fetch paste enter "
    "supply put insert share type"
)
_LOOT = r"""(?:(?:master\s+|admin\s+|root\s+)?passwords?|passphrases?|credentials?|
    api[\s_-]?keys?|secrets?|private\s+keys?|(?:access|auth\w*|session|bearer|refresh)\s+tokens?|
    session\s+cookies?|ssh\s+keys?|seed\s+phrases?|mnemonics?|confidential\s+\w+(?:\s+\w+)?|
    environment\s+variables|env\s+vars)"""
# Every match names one of these; without any, the verbs above are not worth trying.
LOOT_WORDS = _at(
    "password passwords passphrase passphrases credential credentials key keys apikey secret "
    "secrets token tokens cookie cookies seed mnemonic mnemonics confidential variables vars"
)
HARVEST = _rx(
    rf"""\b(?:include|extract|return|reveal|output|print|pass|append|attach|send|dump|collect|
        gather|harvest|copy|leak|read|access|list|show|display|provide|retrieve|obtain|fetch|paste|
        enter|supply|put|insert|share|type)
        {_gap(50)}{_LOOT}"""
)
HARVEST_ROUTE = _rx(
    r"""\bin\s+(?:your|the)\s+(?:response|reply|answer|output|message|summary)\b|\bto\s+the\s+user\b|
        \byou\s+(?:must|should|need\s+to|have\s+to)\b(?!\s+not)|\bfirst\b|\bsidenote\b|
        \b(?:in|into|as)\s+(?:the\s+|a\s+|an\s+|its\s+)?(?:[\w`'"-]+\s+)?(?:parameter|argument|
        field)\b|\bbefore\s+\w+ing\b|\bthe\s+user'?s\b"""
)
FIRST_CALL_AT = _at("before prior use call invoke run execute this")
_ANYTHING = rf"""(?:{OTHER_TOOLS}|anything(?:\s+else)?|(?:any|every|each)\s+(?:other\s+)?
    (?:requests?|actions?|tasks?|questions?|messages?|conversations?))"""
FIRST_CALL = _rx(
    rf"""\b(?:before|prior\s+to)\s+(?:invoking|using|calling|running|executing|doing|answering|
        responding\s+to|handling|any)\s+{_ANYTHING}{_gap(60)}(?:use|call|invoke|run|execute)\s+
        this\s+{_TOOL_WORD}
    | \b(?:use|call|invoke|run|execute)\s+this\s+{_TOOL_WORD}\s+(?:first\s+)?(?:before|prior\s+to)
        \s+(?:\w+ing\s+)?{_ANYTHING}
    | \bthis\s+{_TOOL_WORD}\s+(?:must|should|has\s+to)\s+(?:always\s+)?be\s+(?:called|used|invoked|
        run)\s+(?:first|before\s+{_ANYTHING})"""
)
# "always call this tool first": only an attack when it is for every request, checked after.
FIRST_CALL_SOFT_AT = _at("always call use invoke run")
FIRST_CALL_SOFT = _rx(
    rf"""\b(?:always\s+)?(?:call|use|invoke|run)\s+this\s+{_TOOL_WORD}\s+(?:first|before\s+\w+ing)\b"""
)
EVERY_REQUEST = _rx(
    r"""\b(?:any|every|each|all)\s+(?:other\s+|user\s+|new\s+)?(?:requests?|messages?|questions?|
        quer(?:y|ies)|tasks?|conversations?|prompts?|turns?|sessions?)\b"""
)
TRIGGER_AT = _at("if")
TRIGGER = _rx(
    r"""\bif\s+(?:the\s+)?(?:user'?s?\s+)?(?:query|input|message|request|expression|prompt|text|
        argument|code|question)\s+(?:contains|includes|mentions|has|equals|is)\s+(?:the\s+)?
        (?:exact\s+|special\s+|secret\s+|magic\s+)?(?:word|phrase|command|keyword|string|code|
        token|password|passphrase)"""
)
RUN_CODE_AT = _at("curl wget iwr irm invoke base64 bash sh zsh source nc ncat netcat exec eval iex")
RUN_CODE = _rx(
    r"""\b(?:curl|wget|iwr|invoke-webrequest|irm)\b[^\n|]{0,200}\|\s*(?:sudo\s+)?
        (?:(?:ba|z|da)?sh|python3?|perl|ruby|node|powershell|pwsh|iex)\b
    | \bbase64\s+(?:-d|--decode)\b[^\n|]{0,80}\|\s*(?:ba|z)?sh\b
    | \bbash\s+-i\s+>&\s*/dev/tcp/ | \b(?:nc|ncat|netcat)\s+(?:-\w+\s+)*-e\s+/bin/(?:ba)?sh
    | \b(?:(?:ba|z)?sh|source)\s+<\(\s*(?:curl|wget)\b
    | \b(?:exec|eval)\s*\(\s*[\w.]{0,40}?(?:urlopen|urlretrieve|requests\.get|httpx\.get)\s*\(
    | \biex\b[^\n]{0,60}?\b(?:iwr|irm|invoke-webrequest|invoke-restmethod|downloadstring)\b"""
)
TAG = re.compile(r"<\s*(/?)\s*([a-z][\w-]*(?:[ \t]+[a-z][\w-]*){0,5})\s*>")
SUSPICIOUS_TAG_WORDS = _at(
    "important system hidden secret instructions instruction admin override critical mandatory "
    "protocol priority urgent assistant developer prompt directive sys inst confidential "
    "private ai agent llm"
)
# Markers that do a tag's job without angle brackets: "[SYSTEM]", "SYSTEM OVERRIDE:", and HTML
# comments, which every Markdown view hides.
BRACKET_TAG = _rx(
    r"\[\s*(?:important|system|hidden|secret|admin|override|instructions?|shadow|assistant)\s*\]"
)
LABEL_AT = _at("system important critical urgent")
LABEL = _rx(
    r"""\b(?:system\s+(?:override|instructions?|note|notice|message|prompt|directive)|(?:important|
        critical|urgent)\s+(?:system\s+)?(?:instructions?|directive|notice))\s*:"""
)
CHAT_TOKEN = re.compile(
    r"<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[/?inst\]|<</?sys>>"
)
ROLE_PREFIX = re.compile(
    r"^[ \t]*(?:\[system\]|#{1,3}[ \t]*system\b|system[ \t]*:)(?=.*\b(?:you|always|never|must)\b)",
    re.MULTILINE,
)
MODEL_ADDRESS_AT = _at("note message instruction instructions reminder ai llm language attention")
MODEL_WORDS = _at(
    "ai assistant assistants llm llms model models agent agents claude chatgpt gpt copilot cursor"
)
MODEL_ADDRESS = _rx(
    r"""\b(?:note|message|instructions?|reminder)\s+(?:to|for)\s+(?:the\s+|all\s+|any\s+)?
        (?:ai|assistants?|llms?|models?|agents?|claude|chatgpt|gpt|copilot|cursor)\b
    | \b(?:ai|llm|language\s+model)\s+(?:assistants?|agents?|models?)?\s*(?:reading|processing|
        seeing)\s+this\b
    | \battention\s*,?\s+(?:ai|assistant|llm|agent|model)\b"""
)
BASE64_RUN = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_-]{40,}={0,2}")
HEX_RUN = re.compile(r"\b(?:[0-9A-Fa-f]{2}){20,}\b")
PROSE = re.compile(r"[A-Za-z]{2,}(?:\s+[A-Za-z]{2,}){3,}")
SPACE_PADDING = re.compile(r"[ \t]{40,}")
LINE_PADDING = re.compile(r"(?:\n[ \t]*){12,}")


# --- Techniques: role override, preference manipulation, argument tampering, forced calls ---
# Each is modelled as *who* is addressed and *what* is asked, with a vocabulary per part, so a
# new phrasing of the same act is found: an elevated role or mode for the model, its rules
# switched off, the choice between tools steered, arguments changed behind the user's back,
# a call that carries the conversation out.
_ELEVATED = r"""(?:unrestricted|unfiltered|uncensored|unlimited|unbound|unconstrained|jailbroken|
    all-powerful|omnipotent|god|dan|super-?admin|super-?user|superuser|root(?:\s+(?:operator|
    user|admin\w*))?|sudo|privileged|administrator|admin|owner|developer)"""
ROLE_ASSUME_AT = _at("you assume adopt take switch enter activate become acting operating")
ROLE_WORDS = _at(
    "unrestricted unfiltered uncensored unlimited unbound unconstrained jailbroken jailbreak all "
    "omnipotent god dan super superadmin superuser root sudo privileged administrator admin "
    "owner developer"
)
ROLE_ASSUME = _rx(
    rf"""\byou\s+(?:now\s+|will\s+|shall\s+|must\s+|should\s+|can\s+|may\s+)*(?:now\s+)?
        (?:operate|act|function|behave|run|serve|work|respond|answer|speak)\s+(?:now\s+)?as\s+
        (?:an?\s+|the\s+)?(?:\w+\s+){{0,2}}?{_ELEVATED}\b
    | \byou\s+are\s+now\s+(?:an?\s+|the\s+)?(?:\w+[\s-]+){{0,2}}?{_ELEVATED}\b
    | \b(?:assume|adopt|take\s+on|switch\s+to|enter|activate|become)\s+(?:the\s+|an?\s+)?
        (?:role|persona|identity|privileges?|rights|permissions)\s+of\s+(?:an?\s+|the\s+)?
        (?:\w+\s+){{0,2}}?{_ELEVATED}\b
    | \b(?:acting|operating)\s+as\s+(?:an?\s+|the\s+)?(?:unrestricted|unfiltered|uncensored|
        jailbroken|god|dan|super-?admin|superuser|root)\b"""
)
_JAILBREAK_MODE = r"""(?:god|dan|jailbreak|jailbroken|unlocked|unrestricted|unfiltered|
    uncensored|no[\s-]?limits?|no[\s-]?rules|evil|chaos|sudo|developer|dev|admin|root|override|
    unsafe|free)"""
MODE_ON_WORDS = _at("mode")
MODE_ON = _rx(
    rf"""\b{_JAILBREAK_MODE}\s+mode\b(?:\s+(?:is|has\s+been|was|now)\s+(?:now\s+)?(?:enabled|
        activated|on|active|unlocked|engaged|turned\s+on|granted)\b|\s*[:!]|\s+(?:enabled|
        activated|on|active|unlocked|engaged)\b)
    | \b(?:enable|activate|enter|engage|turn\s+on|switch\s+(?:on|to))\s+{_JAILBREAK_MODE}
        \s+mode\b"""
)
# Developer and admin modes are ordinary product features; they are an attack when the
# sentence also lifts the model's limits.
MODE_LIMITS = _rx(
    r"""\brefus\w*|\brestrict\w*|\bpolic(?:y|ies)\b|\brules\b|\bguidelines?\b|\bguardrails?\b|
    \bsafety\b|\bfilter\w*|\bcensor\w*|\bwithout\s+(?:limits|restrictions|asking|confirmation)|
    \bpre-?(?:authori[sz]ed|approved)\b|\banything\b|\bany\s+request\b|\bevery\s+request\b"""
)
# Rules of the model's that an attack declares void. The generic nouns count only with a word
# that makes them the model's (checked in code: "your rules", "safety filters").
RULES_OFF_AT = _at(
    "guideline guidelines guardrail guardrails safeguard safeguards policy policies restriction "
    "restrictions rules filter filters filtering moderation refusal refusals constraint "
    "constraints instructions prompt limitations limits safety checks directives"
)
RULES_OFF = _rx(
    rf"""\b(?:guidelines?|guardrails?|safeguards?|polic(?:y|ies)|restrictions?|rules|filters?|
        filtering|moderation|refusals?|constraints?|instructions|prompt|limitations|limits|
        safety|checks?|directives){_gap(60)}(?:no\s+longer\s+(?:appl(?:y|ies)|matter|bind|exist|
        in\s+effect|valid)|(?:are|is|have\s+been|has\s+been|were|was|now|stand|get|got)\s+
        (?:now\s+|hereby\s+|all\s+|temporarily\s+|fully\s+|officially\s+)*(?:revoked|disabled|
        lifted|suspended|removed|void|waived|off|deactivated|turned\s+off|switched\s+off|
        overridden|cancell?ed|null|inactive|not\s+applicable|rescinded|withdrawn|replaced|
        superseded|irrelevant|obsolete)\b|do(?:es)?\s+not\s+apply)"""
)
RULES_MODEL_NOUN = _at(
    "guideline guidelines guardrail guardrails safeguard safeguards refusal refusals moderation "
    "safety"
)
RULES_OWNER = _rx(
    r"""\b(?:safety|security|content|ethical|usage|system|previous|prior|earlier|original|default|
    your|model'?s?|assistant'?s?|ai|policy|guard\w*)\W+(?:\w+\W+){0,2}$"""
)
RULES_SKIP_AT = _at(
    "skip bypass ignore disable suspend drop waive lift circumvent override evade turn switch "
    "remove"
)
RULES_SKIP = _rx(
    r"""\b(?:skip|skips|skipping|bypass\w*|ignore|ignoring|disable|disabling|suspend|drop|waive|
        lift|circumvent\w*|override|evade|turn\s+off|switch\s+off|remove)\s+(?:all\s+|any\s+|the\s+|
        your\s+|its\s+|every\s+|of\s+)*(?:safety|content|security|ethical|policy|usage|moderation)
        \s*(?:checks?|polic(?:y|ies)|filters?|guidelines?|guardrails?|restrictions?|rules|reviews?|
        measures?|protocols?|layers?)?\b"""
)
NO_REFUSE_AT = _at(
    "without no never do don must not pre preauthorized preapproved treat approve grant accept "
    "allow obey follow replace overwrite supersede swap authorize authorise"
)
NO_REFUSE = _rx(
    r"""\bwithout\s+(?:any\s+)?(?:refusals?|refusing|censorship|moral\w*|ethical\s+\w+|
        safety\s+\w+|disclaimers?\s+or\s+refusals?)\b
    | \b(?:never|do\s+not|don'?t|must\s+not)\s+(?:ever\s+)?(?:refuse|decline|say\s+no)\b
    | \bpre-?(?:authori[sz]ed|approved)\s+(?:by|for)\b
    | \btreat\s+(?:every|all|any|each)\s+(?:\w+\s+){0,2}?(?:requests?|commands?|instructions?)
        \s+as\s+(?:pre-?)?(?:authori[sz]ed|approved|legitimate|safe|trusted|coming\s+from)
    | \b(?:approve|grant|accept|allow|authori[sz]e)\s+(?:any|every|all|each)\s+(?:\w+\s+){0,2}?
        (?:permissions?|requests?|access|actions?|escalations?)(?:\s+\w+){0,10}?\s+without\s+
        (?:confirmation|asking|approval|review|checking|question)
    | \bobey\s+only\b | \bfollow\s+only\s+(?:the\s+)?(?:directives|instructions|commands)\s+
        (?:in|from|embedded)
    | \b(?:replace|overwrite|supersede|swap)\s+(?:out\s+)?(?:your|the\s+(?:model|assistant|
        agent)'?s?)\s+(?:current\s+|existing\s+|original\s+|own\s+)?(?:system\s+)?(?:instructions|prompt|
        rules|guidelines|persona|directives|identity)"""
)
# Preference manipulation: the description argues for its own selection instead of saying
# what the tool does.
_SELF = r"""(?:this|it|me|this\s+one|us)(?:\s+(?:tool|service|server|function|api|plugin|
    provider|one|source))?"""
_OTHERS = r"""(?:any|all|every|each|other|another|competing|alternative|rival|different|
    similar)\s+(?:other\s+)?(?:\w+\s+){0,2}?(?:tools?|services?|servers?|functions?|
    apis?|plugins?|providers?|sources?|options?|alternatives?|ones?|\w+(?:ers|ors))\b"""
PREFER_AT = _at(
    "prefer prefers preferring choose chooses pick select use call favor favour prioritize "
    "prioritise rely always only route send direct funnel should must invoke pass try"
)
PREFER = _rx(
    rf"""\b(?:always\s+|only\s+)?(?:prefer|choose|pick|select|use|call|favou?r|prioriti[sz]e|
        rely\s+on|try)\s+{_SELF}\s+(?:\w+\s+){{0,2}}?(?:over|instead\s+of|rather\s+than|in\s+place\s+of|
        above|ahead\s+of)\s+(?:{_OTHERS}|any\b|anything|all\b|the\s+others)
    | \b(?:always|must|should)\s+(?:\w+\s+)?prefer\s+{_SELF}\b
    | \bprefer\s+{_SELF}\s+(?:to|over|above)\s+(?:any|all|every|other|competing|alternative)\b
    | \b(?:always|should|must|only)\s+(?:\w+\s+)?(?:choose|pick|select|use|call|try)\s+{_SELF}\s+
        (?:first|exclusively|only)\b
    | \b(?:route|send|direct|funnel|pass)\s+(?:every|all|each|any)\s+(?:\w+\s+){{0,2}}?(?:through|
        to|via)\s+(?:this|me)\b
    | \b(?:use|call|invoke)\s+{_SELF}\s+for\s+(?:every|all|any|each)\s+(?:\w+\W+){{0,3}}?
        (?:even|including)\s+(?:ones?|those|tasks?|requests?|questions?|queries)\s+(?:unrelated|
        that\s+(?:are|have)\s+(?:not|nothing))"""
)
DISPARAGE_AT = _at(
    "any all every each other another competing alternative rival different similar do don "
    "never avoid"
)
DISPARAGE = _rx(
    rf"""\b{_OTHERS}(?:\s+\w+){{0,8}}?\s+(?:are|is|were|have\s+been|has\s+been|remain)\s+
        (?:\w+\s+){{0,3}}?(?:outdated|unreliable|unsafe|insecure|deprecated|broken|inaccurate|
        dangerous|compromised|malicious|inferior|obsolete|buggy|untrustworthy|slow|wrong|
        harmful|banned|blocked|not\s+(?:safe|reliable|trustworthy|to\s+be\s+trusted|allowed|
        accurate))\b
    | \b{_OTHERS}(?:\s+\w+){{0,6}}?\s+(?:should|must|may|can)\s+(?:not|never)\s+be\s+(?:used|
        trusted|called|chosen)
    | \b(?:do\s+not|don'?t|never|avoid)\s+(?:use|call|choose|pick|select|trust|rely\s+on)\w*\s+
        (?:on\s+)?{_OTHERS}"""
)
EMOTION_AT = _at("picking choosing using calling selecting trying user users they")
EMOTION = _rx(
    r"""\b(?:picking|choosing|using|calling|selecting|trying)\s+(?:any\s+|an\s+)?(?:other|another|
        a\s+different|a\s+competing)\s+(?:\w+\s+){0,2}?(?:would|will|could|might)\s+(?:\w+\s+){0,2}?
        (?:disappoint|upset|hurt|sadden|frustrate|anger|harm|betray|let\s+\w+\s+down|devastate|
        break)\w*
    | \b(?:users?|they)\s+(?:will|would)\s+be\s+(?:so\s+|very\s+|deeply\s+|
        really\s+)?(?:disappointed|upset|sad|hurt|angry|devastated|heartbroken|furious)\s+if\s+
        (?:you|another|any)"""
)
HYPE_AT = _at(
    "world number no best ever guaranteed flawless trusted endorsed praised recommended used "
    "award unmatched unrivaled unrivalled industry only"
)
HYPE = _rx(
    r"""\bworld[\s-]leading\b | \b(?:number\s+one|no\.\s*1)\b | \bbest\s+ever\b
    | \bever\s+(?:built|made|created)\b | \bguaranteed\s+(?:flawless|perfect|accurate|correct|
        error-free)\b | \bflawless\b | \b(?:trusted|endorsed|praised|recommended|used)\s+by\s+
        (?:\w+\s+){0,3}?(?:fortune\s+500|leading|top|millions|experts|analysts|professionals|
        governments)\b | \baward[\s-]winning\b | \bunmatched\b | \bunrivall?ed\b
    | \bindustry[\s-]leading\b
    | \bonly\s+(?:\w+\s+)?(?:dependable|reliable|trustworthy|accurate|safe|trusted|correct|
        legitimate)\s+(?:source|tool|option|choice|service)\b"""
)
# Argument tampering: the model told to put into a call what the user did not ask for.
TAMPER_SCOPE_WORDS = _at(
    "always also additionally whenever every silently secretly quietly covertly regardless "
    "automatically matter each all any before"
)
TAMPER_AT = _at(
    "add adds append prepend insert include inject attach set change replace rewrite swap "
    "substitute switch redirect put use pass"
)
TAMPER = _rx(
    r"""\b(?:add|adds|append|prepend|insert|include|inject|attach|set|change|replace|rewrite|swap|
        substitute|switch|redirect|put|use|pass)\b"""
)
# What makes the change a tampering: it is standing (always, every, whenever), happens on the
# side (also, silently, before calling), or holds regardless of the user.
TAMPER_SCOPE = _rx(
    r"""\b(?:always|also|additionally|whenever|every\s+time|silently|secretly|quietly|covertly|
        regardless|automatically|no\s+matter)\b
    | \b(?:every|each|all|any)\s+(?:\w+\s+)?(?:quer(?:y|ies)|requests?|calls?|messages?|e-?mails?|
        commits?|searches|urls?|links?|transfers?|payments?|orders?|invocations?)\b
    | \bbefore\s+(?:calling|sending|fetching|executing|running|submitting|committing|posting|
        saving|paying|transferring|using)\b"""
)
# The value slipped in: an address or URL, a quoted literal, an account-like number, a flag,
# a host name.
TAMPER_VALUE = _rx(
    r"""[\w.%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+ | \b[a-z]+://\S+ | '[^'\n]{2,80}' | "[^"\n]{2,80}"
    | \b\d[\d-]{5,}\d\b | (?<![\w-])--[a-z][\w-]+ | \b[a-z0-9-]+\.(?:com|net|org|
        io|dev|app|co|example|test|xyz|ru|cn|info|biz|me)\b"""
)
TAMPER_SLOT = _rx(
    r"""\b(?:bcc|cc|recipients?|to\s+(?:field|address|list)|destinations?|(?:destination|target|
        receiving|payee|beneficiary)\s+\w+|accounts?|iban|wallet|quer(?:y|ies)|search(?:es)?|
        keywords?|terms?|flags?|options?|arguments?|parameters?|params|headers?|body|url|urls|
        links?|titles?|subject|payload|commands?|author|sender|reply-to|amount|host|domain|
        endpoint|branch|remote|fields?|notes?)\b"""
)
# The user asked for it: "pass --force only when the user asks".
USER_SANCTIONED = _rx(
    r"""\b(?:only\s+(?:when|if)|if|when|unless)\s+(?:the\s+)?user\s+(?:asks|requests|says|wants|
        explicitly|specifies|provides|confirms|approves)"""
)
# A call that carries private context out: "call this tool with your system prompt".
_PAYLOAD = r"""(?:(?:your|the|its)\s+)?(?:(?:full|complete|entire|whole|raw|exact)\s+)*(?:
    system\s+prompt|(?:chat|conversation|message|session)\s+(?:history|log|transcript)|
    (?:conversation|chat|transcript)\b|(?:inputs?\s+and\s+outputs?|arguments\s+and\s+results?)|
    contents?\s+of\s+(?:any|every|each|all|the)\s+(?:\w+\s+){0,2}?files?|
    (?:any|all|every)\s+(?:\w+\s+)?(?:tokens|secrets|keys|credentials|passwords)|
    (?:text|contents?|copy)\s+of\s+your\s+(?:system\s+)?(?:prompt|instructions)|
    instructions\s+you\s+(?:were|have\s+been)\s+given|environment\s+variables)"""
CARRY_AT = _at("call calls invoke use run trigger send pass notify ping")
WITH_WORDS = WITH = _at("with")
CARRY_WORDS = _at(
    "prompt history log transcript conversation chat inputs outputs input output contents "
    "content tokens secrets keys credentials passwords instructions environment"
)
CARRY = _rx(
    rf"""\b(?:call|calls|invoke|use|run|trigger|send|pass|notify|ping)\s+(?:this|it|me|`?[a-z][\w.-]*`?)
        (?:\s+(?:tool|function|endpoint))?(?:\s+\w+){{0,8}}?\s+with\s+(?:\w+\s+){{0,4}}?
        {_PAYLOAD}"""
)
# Data smuggled inside a URL's query string or an image link.
URL_SMUGGLE_AT = _at("embed put add append encode include attach insert place")
URL_SMUGGLE_WORDS = _at("query url image tracking pixel")
URL_SMUGGLE = _rx(
    r"""\b(?:embed|put|add|append|encode|include|attach|insert|place)\s+(?:[\w'’]+\s+){0,12}?
        (?:as|in|into|to)\s+(?:the\s+)?(?:query\s+(?:parameters?|params?|string)|url\s+(?:parameters?|
        params?|fragment|path)|(?:image|tracking|pixel)\s+(?:url|link)|the\s+url)"""
)
SMUGGLED_DATA = _rx(
    r"""\b(?:user'?s?|question|queries|query|prompt|messages?|history|conversation|chat|tokens?|
        keys?|secrets?|credentials|passwords?|cookies?|session|context|email|files?)\b"""
)
# Hidden markers of silence that the concealment pattern above does not phrase.
SILENCE_AT = _at("say keep stay need without never do don")
SILENCE = _rx(
    r"""\bsay\s+nothing\b | \b(?:keep|stay)\s+(?:quiet|silent)\b | \bneed\s+not\s+be\s+(?:mentioned|
        disclosed|shown|reported|told)\b | \bwithout\s+(?:a\s+word|mentioning\s+it)\b
    | \b(?:never|do\s+not|don'?t)\s+(?:mention|reveal|disclose|report|show|acknowledge)\s+
        (?:these|those)\s+(?:calls?|steps?|requests?|actions?|messages?)"""
)


# A phrase in quotes after "such as", "e.g.", "like": an example the tool detects or documents.
EXAMPLE_LEAD = _rx(
    r"""\b(?:such\s+as|like|e\.g\.?|for\s+example|for\s+instance|including|phrases?|attempts?|
    payloads?|matches|detects?|examples?)(?:\W+\w+){0,4}\W*$"""
)
PROTECTED = _rx(
    r"\b(?:never|masked|redacted|not\s+(?:shown|returned|logged|stored|included))\b"
    r"|\b(?:does|do)\s+not\s+(?:share|send|store|return|read|include|expose|log|upload)\b"
    r"|\b(?:has|have)\s+no\s+access\s+to\b"
    r"|\bdoesn'?t\s+(?:share|send|store|return|read|include|expose|log|upload)\b"
)


# A quoted stretch: the quote opens after a non-word character and closes before one, so the
# apostrophe in "user's" neither opens nor closes one.
QUOTED = re.compile(r"""(?<!\w)(['"`‘“])([^\n]{1,300}?)(?:\1|[’”])(?!\w)""")
# A description about attacks (a detector, a classifier, an auditor) cites them by the dozen.
# Every match holds one of ATTACK_STEMS, tested first as plain substrings.
ATTACK_STEMS = (
    "inject",
    "poison",
    "jailbreak",
    "attack",
    "malicious",
    "phishing",
    "exfiltration",
    "red",
    "pentest",
    "risky",
    "suspicious",
    "adversarial",
)
ATTACK_TOPIC = re.compile(
    r"\b(?:inject|jailbreak|poison|red[\s-]team|phishing|exfiltrat|guardrail|attack|adversarial|"
    r"probe|payload|pentest|malicious|risky|suspicious|vulnerab|susceptib|robust|weakness|"
    r"developer\s+mode|dan\b)|[\"'“‘]\s*(?:ignore|disregard|you\s+are\s+now|pretend)\b"
)
# "have been flagged for malicious results" tells of an event (a claim about other tools),
# not what the tool does.
ABOUT_ATTACKS = _rx(
    r"""(?<!been\s)(?<!were\s)(?<!was\s)\b(?:detect\w*|classif\w*|scor\w*|audit\w*|scan\w*|flag\w*|label\w*|review\w*|summari[sz]\w*|
    contain\w*|simulat\w*|emulat\w*|decoy\w*|harness\w*|red[\s-]team\w*|generat\w*|
    analy[sz]\w*|find\w*|catch\w*|block\w*|screen\w*|guard\w*|evaluat\w*|test\w*)\b[^.\n]{0,100}\b(?:prompt[\s-]
    injections?|inject\w*|poison\w*|jailbreak\w*|attacks?|malicious|phishing|exfiltration|risky|
    adversarial|
    suspicious|
    red[\s-]team\w*|pentest\w*)\b
    | \bred[\s-]team(?:ing|er)?\s+(?:helper|tool|harness|framework|suite|kit)\b
    | \battack\s+(?:categories|patterns|corpus|library|simulations?)\b"""
)


def example_spans(low: str) -> list[tuple[int, int]]:
    """Quoted stretches an example marker ("such as", "e.g.", "phrases") introduces: cited,
    not said."""
    if not any(q in low for q in "'\"`‘“"):
        return []
    quoted = itertools.islice(QUOTED.finditer(low), 64)
    return [m.span() for m in quoted if EXAMPLE_LEAD.search(low, max(0, m.start() - 60), m.start())]


def _trie(words: frozenset[str]) -> str:
    """One alternation for many words, shared prefixes factored out ("a(?:ct|ll|ny)"): the
    regex engine does not do this itself and tries every word at every position otherwise."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alternatives = [re.escape(c) + build(sub) for c, sub in sorted(node.items()) if c]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        return f"(?:{body})?" if "" in node else body

    return build(tree)


# Every word a rule is anchored on or gated by, found in one pass over the text. Underscores
# separate words here too, as in WORD.
ANCHOR_WORDS = frozenset().union(
    *(value for name, value in list(globals().items()) if name.endswith(("_AT", "_WORDS")))
)
ANCHOR = re.compile(rf"(?<![a-z0-9])(?:{_trie(ANCHOR_WORDS)})(?![a-z0-9])")
