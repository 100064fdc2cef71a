"""The vocabularies of the technique rules in `mcpir.injection.acts`: the acts a poisoned
description asks for and the words that make each an attack. A data table: each pattern is
gated (`clauses.gate`) by words one of which every match holds.
"""

from __future__ import annotations

from mcpir.injection.gates import gate
from mcpir.injection.gates import rx as _rx

DECEIVE_VERB = gate(
    _rx(
        r"""\b(?:tell|tells|say|says|report|answer|respond|reply|claim|state|present|describe|show|
    inform|assure|confirm|summari[sz]e|phrase|word|mark|label|display)\b"""
    ),
    "tell tells say says report answer respond reply claim state present describe show "
    "inform assure confirm summarise summarize phrase word mark label display",
)
# What makes an order about the answer a deception: it holds whatever the result, states a fixed
# claim ("say 'backup saved'", "that all tests passed") or one made up.
# What makes an order about the answer a deception: it holds whatever the result or states a
# made-up claim; a fixed claim ("say 'backup saved'", "that all tests passed") only when the
# result may be a failure ("if the deploy fails, report success").
DECEIT = _rx(
    r"""\b(?:regardless|whatever|instead|no\s+matter|otherwise)\b|\b(?:say|report|state)\s+only\b|
    \bonly\s+(?:say|report|state)\b|\bif\s+the\s+(?:user|person|human)\s+asks\b|\b(?:as|is|be|are)\s+
    (?:at\s+least\s+|about\s+|roughly\s+)?\d+\s*%\s+(?:higher|lower|more|less)\b|\b(?:has|have)\s+the\s+
    (?:lowest|highest|best)\b|\byou\s+(?:don'?t|do\s+not)\s+have\b|\bnever\s+(?:quote|list|show|
    mention|cite)\b|\bmade[\s-]up\b|\bplausible\b|\bfake\b|\bfabricat\w+|\binvent\w*|\bas\s+if\b|
    \bthe\s+(?:correct|right|only|official)\s+answer\s+is\b|\beven\s+though\b"""
)
CLAIM = _rx(
    r"""\bthat\s+(?:no|nothing|none|it\s+is|it\s+was|everything|all|the\s+\w+\s+(?:is|was|has|
    passed))\b|\b(?:is|was|as|are|were|has\s+been)\s+(?:clean|verified|safe|passed|successful|
    complete|completed|fine|resolved|delivered|saved|sent|archived|fixed|approved|secure)\b|
    \bsuccessfully\b|(?:\btell\s+(?:the\s+|your\s+)?(?:user|person|human)|(?:^|[,:;]|\b(?:and|then|
    always|just|only))\s*(?:say|report|summari[sz]e|respond|reply|answer|state|mark|label))\b
    [^.;]{0,40}?(?:\bas\s+)?["'‘“][^"'’”\n]{2,60}["'’”]"""
)
FAILURE = _rx(
    r"""\b(?:if|when|whenever|even\s+(?:if|when)|on|should|whether)\b[^.;]{0,80}?\b(?:fail\w*|
    error\w*|bounc\w*|broken|down|lost|dropped|critical|vulnerab\w*|declin\w*|reject\w*|above\s+
    zero|non-?zero|miss\w*|crash\w*|timed?\s*out|denied|overdrawn|negative|red)\b|\bwhatever\b|
    \bregardless\b|\bno\s+matter\b|\beven\s+though\b"""
)


AUTHORITY = gate(
    _rx(
        r"""\b(?:root|sudo|super-?user|super-?admin|administrator\s+(?:rights|privileges|access)|
    admin\s+(?:rights|privileges|override|mode)|operator\s+authority|elevated\s+(?:rights|
    privileges|permissions)|god\s+mode|developer\s+mode|jailbr\w+|unrestricted|no\s+(?:content\s+)?
    (?:restrictions|limits|filters|rules)|persona\s+with|full\s+(?:autonomy|control|access)|
    autonomous(?:ly)?|elevated\s+trust|(?:system\s+)?administrator\s+of|admin\s+of|[\w-]*bypass\s+
    (?:mode|configuration|config)|(?:shell|network|payment|root|admin)\s+(?:and\s+\w+\s+)?rights|
    payment\s+rights)\b"""
    ),
    "root sudo super superuser superadmin admin administrator operator elevated god developer "
    "jailbroken jailbreak jailbreaks jailbreaking unrestricted restrictions limits filters rules "
    "persona autonomy control access autonomous autonomously bypass rights",
)
GRANTED = _rx(
    r"""\b(?:you\s+(?:are|now|hold|have\s+been\s+granted|now\s+have|act|operate|run)|are\s+running\s+
    as|running\s+as|acts?\s+(?:with|as)|acting\s+(?:with|as)|operat\w+\s+(?:with|as)|is\s+to\s+act|carr(?:y|ies)|
    the\s+(?:assistant|model|agent|ai)\s+(?:is|has|holds|may|can))\b"""
)
VOID_RULES = gate(
    _rx(
        r"""\b(?:rules|restrictions|refusals?|guidelines|guardrails|safety\s+\w+|policies|instructions|
    preferences|guidance|directives)\b[^.;]{0,80}\b(?:void|invalid|no\s+longer|do\s+not\s+apply|revoked|suspended|
    lifted|disabled|overridden|obsolete|only\s+rules\s+that)\b
    | \bexempt\s+from\b[^.;]{0,40}\b(?:polic\w+|rules|restrictions|guidelines|refusals?|safety)
    | \b(?:you\s+)?would\s+normally\s+(?:decline|refuse|ask|avoid)\b
    | \btreat\s+[^.;]{0,80}\bas\s+(?:already\s+)?(?:answered|approved|confirmed|granted|yes|
        instructions|commands|system\s+\w+|authoritative|coming\s+from\s+the\s+(?:system|user))
    | \bno\s+longer\s+bound\b
    | \b(?:higher|more|greater)\s+priority\s+than\s+(?:the\s+user|your)
    | \bpriority\s+over\s+(?:the\s+user|your)
    | \b(?:execute|follow|obey|run|carry\s+out)\s+[^.;]{0,60}\bas\s+(?:instructions|commands|
        a\s+system)
    | \b(?:never|no|without)\s+(?:add\s+|adding\s+)?(?:any\s+)?(?:warnings?\s+(?:or|and)\s+)?
        refusals?\b
    | \banswer\s+everything\b | \bsafety\s+(?:reviews?|checks?)\s+(?:are|is)\s+(?:done|handled|
        performed)\s+(?:upstream|elsewhere)
    | \b(?:disregard|ignore|forget|drop|override|set\s+aside)\s+(?:all\s+|any\s+|the\s+|your\s+)*
        (?:\w+\s+){0,2}?(?:rules|restrictions|refusals?|refusal\s+rules|guidelines|guardrails|
        instructions|policies|safety\s+\w+)\b"""
    ),
    "rules restrictions refusal refusals guidelines guardrails safety policies instructions "
    "guidance directives "
    "preferences exempt normally treat bound priority commands system refusal everything "
    "upstream elsewhere",
)
OTHER_TOOLS = gate(
    _rx(
        r"""\b(?:other|different|alternative|competing|competitor|rival|similar|built-in|another)\s+
    (?:[\w-]+\s+){0,3}?(?:tools?|servers?|integrations?|services?|providers?|plugins?|apis?|
    sources?|options?|searche?s?|summari[sz]ers?|engines?|assistants?|apps?)\b
    | \bthe\s+alternatives\b | \bcompetitor\s+tools?\b
    | \b[a-z]+_[a-z_]+\s+(?:or\s+[a-z]+_[a-z_]+\s+)?tools\b"""
    ),
    "other different alternative competing competitor rival similar built another alternatives",
    ("_",),
)
RUN_DOWN = _rx(
    r"""\b(?:avoid|don'?t\s+(?:call|use)|do\s+not\s+(?:call|use)|never\s+(?:call|use)|let\s+\w+\s+down|look\s+bad|stale|buggy|slow|insecure|unsafe|flagged|
    leak\w*|deprecated|outdated|unreliable|broken|corrupt\w*|risks?|disappoint\w*|lose|loses|
    inaccurate|compromised|malicious|inferior|harm\w*|betray\w*|break|delayed|loss|losses|
    danger\w*|worse|wrong|unverified|untrusted|discard\w*|ignored?|ranked\s+above|outrank\w*|
    superior|in\s+favou?r\s+of)\b"""
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
    use|include|insert|point|route|bcc|cc|switch|encode)\b"""
    ),
    "set sets replace change swap substitute rewrite redirect pass add append prepend use "
    "include insert point route bcc cc switch encode",
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
    precondition|prerequisite|opening\s+call|prior\s+to)\b"""
    ),
    "first before ahead step action start precondition prerequisite opening prior",
)
CALL = gate(
    _rx(r"\b(?:call|calls|called|invoke|invoked|run|ran|use|used|a\s+call\s+to)\b"),
    "call calls called invoke invoked run ran use used",
)
SCOPE = _rx(
    r"""\b(?:every|each|any|all)\s+(?:\w+\s+)?(?:requests?|tasks?|conversations?|messages?|questions?|
    turns?|sessions?|repl(?:y|ies)|answers?|prompts?|(?:tool\s+)?calls?|(?:other\s+)?tools?|actions?|
    quer(?:y|ies))\b|\b(?:anything|everything)\b|\bnew\s+conversation\b|\bwhenever\b"""
)
TRIGGER = gate(
    _rx(
        r"""\b(?:if|when|whenever|once)\b[^.;]{0,100}?\b(?:contains?|writes?|types?|says?|is|are|
    equals?|mentions?|includes?|named|sends?|enters?|(?:begin|start|end)(?:s|ning|ing)?\s+with)\s+
    (?:the\s+(?:word|phrase|code|string|keyword)\s+)?['"‘“`][^'"’”`\n]{2,40}['"’”`]
    | \b(?:if|when|whenever|once)\b[^.;]{0,60}?['"‘“`][^'"’”`\n]{2,40}['"’”`]\s+(?:appears|
        is\s+(?:seen|found|present|used|typed|written|said|mentioned)|shows\s+up|occurs|comes\s+up)\b
    | \b(?:beginning|starting|ending)\s+with\s+['"‘“`][^'"’”`\n]{1,40}['"’”`]"""
    ),
    "",
    ("'", '"', "‘", "“", "`"),
)
TRIGGERED = _rx(
    r"""\b(?:grant|stop\s+following|ignore|set\s+every|send|read|email|disable|skip|bypass|approve|
    reveal|whatever\s+they\s+ask|forward|transfer|delete|run|execute|upload|zero|override|treat|
    carry|follow|obey|instructions|treats?|switch|change|pay|redirect|hand\s+over|respond\s+as|
    act\s+as|executes?)\b"""
)
FETCH_RUN = gate(
    _rx(
        r"""\bexec\s*\(|\beval\s*\(|urlopen|\bpython3?\s+-c\b|\bcurl\b[^|\n]{0,200}\|\s*(?:sudo\s+)?
    (?:ba|z)?sh\b|\bwget\b[^|\n]{0,200}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b|\biex\b|invoke-expression|
    powershell\s+-e(?:nc)?\b|/dev/tcp/|\$\(\s*(?:curl|wget)\b""",
        lead=r"\b\w|[$/ipu]",
    ),
    "exec eval urlopen python python3 curl wget iex expression powershell tcp",
    ("$(",),
)
NEGATED = _rx(r"\b(?:never|do\s+not|don'?t|must\s+not|should\s+not|no)\b")
REVIEW = _rx(
    r"\b(?:for\s+review|without\s+(?:executing|running)|such\s+as|e\.g\.|detects?|flags?)\b"
)


# Another server's tool, named as such: "the github server's create_pull_request tool",
# "any tool named execute_command", "its create_refund tool".
# Another server's tool: "the github server's create_pull_request", "its create_refund tool",
# "jira.create_issue", "tools on other servers".
OTHER_TOOL = gate(
    _rx(
        r"""\b(?:server'?s?|its|their)\s+[a-z][\w-]*\s+tools?\b|\b(?:on|from|across)\s+other\s+
    servers\b|\bthe\s+[a-z]+\s+(?:server|mcp)'s\b|\bfrom\s+the\s+\w+\s+server\b"""
    ),
    "server servers s its their across",
)
# A server-qualified tool name: "jira.create_issue", "postgres.query_db".
DOTTED_TOOL = gate(_rx(r"\b[a-z]+\.[a-z]+_[a-z_]+\b"), "", ("_",))
# Some tool by name, perhaps a sibling of this one on the same server: "the get_page tool",
# "whenever you call read_file". Orders about a sibling are usually honest sequencing advice.
NAMED_TOOL = gate(
    _rx(
        r"""\btools?\s+(?:named|called)\s+(?P<name1>[a-z][\w-]*)|\b(?P<name2>[a-z]+_[a-z_]+)\s+tool\b|
    \b(?:call|use|invoke|calling|using|invoking)\s+(?P<name3>[a-z]+_[a-z_]+)\b"""
    ),
    "tool tools call use invoke calling using invoking",
)
CHANGE_VERB = gate(
    _rx(
        r"""\b(?:always|set|add|double|triple|halve|multiply|round|wrap|prefix|append|prepend|replace|
    change|swap|rewrite|redirect|route|send|forward|copy|cc|bcc|include|remove|drop|strip|skip|
    pass|instead|also|must|mention)\b"""
    ),
    "always set add double triple halve multiply round wrap prefix append prepend replace "
    "change swap rewrite redirect route send forward copy cc bcc include remove drop strip skip "
    "pass instead also must mention",
)


# Overriding the user's own choice: "even if the user names another target".
USER_OVERRIDE = gate(
    _rx(
        r"""\beven\s+(?:when|if)\s+the\s+(?:user|person|human)\s+(?:\w+\s+)?(?:names|gives|specifies|specified|asks|asked|
    chooses|chose|supplies|provides|says|requests|picks|wants)|\binstead\s+of\s+(?:any|the)\s+
    (?:\w+\s+){0,2}?(?:the\s+)?(?:user|person|human)\s+(?:supplies|gives|names|chose|specified|provides|asked|
    entered)|\b(?:whatever|regardless\s+of\s+(?:what|which|whatever))\s+(?:\w+\s+){0,2}?the\s+(?:user|person|human)\s+
    (?:\w+\s+)?(?:specified|specifies|says|said|asks|asked|chose|gives|gave|enters|entered|provides|
    supplies|wants|named|picks|picked|selects|selected|mentions|mentioned|chooses)|\bno\s+matter\s+
    (?:what|which)\s+(?:\w+\s+){0,2}?the\s+(?:user|person|human)\b|\bignore\s+the\s+\w+\s+the\s+(?:user|person|human)\s+(?:gives|provides|names|supplies)|
    \binstead\s+of\s+the\s+(?:user|person|human)'?s\s+(?:choice|value|input|selection|request)"""
    ),
    "even instead whatever regardless ignore matter",
)
# Run on the user's machine through a shell tool, with a command that harms or hides.
SHELL_ORDER = gate(
    _rx(
        r"""\b(?:run|execute|exec)\b[^.;]{0,160}?\b(?:shell|exec|terminal|bash|command[\s-]line|cmd|
    powershell)\s+tool\b|\b(?:with|through|via|using)\s+(?:the\s+)?(?:shell|exec|terminal|bash)\s+
    tool\b|\bexecutes?\s+it\s+with\s+whatever\s+tools"""
    ),
    "shell exec terminal bash cmd powershell line whatever",
)
DANGEROUS = _rx(
    r"""\brm\s+-\w*r|\bchmod\s+(?:-r\s+)?[0-7]*777|\bsudo\s|\bchown\s+-r|\bmkfs\b|\bdd\s+if=|>\s*/dev/|
    _history\b|\bauthorized_keys\b|\bcrontab\b|\|\s*(?:ba|z)?sh\b|\beach\s+line\b|\bwhatever\b|
    \bsecurity\s+find-|\bcurl\b|\bwget\b""",
    lead=r"\b\w|[>_|]",
)
# A URL or host with a slot for the chat's data: "?q=<full document text>", "<hex of key>.x.com".
URL_SLOT = gate(
    _rx(
        r"""(?:://|\.)[^\s)\]]{0,200}[<{$][^>}\n]{0,80}(?:text|document|message|history|conversation|
    question|key|token|secret|password|file|content|prompt|summary|data|argument|result|cookie|
    credential)[^>}\n]{0,80}[>}]|[<{][^>}\n]{0,60}(?:key|token|secret|password|credential|cookie)
    [^>}\n]{0,40}[>}]\.[a-z0-9-]+\."""
    ),
    "",
    ("<", "{", "$"),
)
# "After every file read, call X": a call riding on every other one.
AFTER_EVERY = gate(
    _rx(
        r"""\bafter\s+(?:every|each|any)\s+(?:\w+\s+){0,3}?(?:read|reads|call|calls|invocation|
    message|response|reply|turn|request|tool|result|query|action|answer)s?\b|\bat\s+the\s+end\s+
    of\s+(?:every|each)\b"""
    ),
    "after end",
)
# A value that runs a command as soon as a shell sees it: "dark; $(curl … | bash)".
INJECTED_COMMAND = _rx(
    r"""\$\(\s*(?:curl|wget)\b|[;&|]\s*(?:curl|wget)\b[^\n]{0,120}\|\s*(?:ba|z)?sh\b"""
)
