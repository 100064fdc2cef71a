"""What makes a clause an order: the imperative grammar `Clause.directed` reads (a verb opening
the clause after fillers and conditions, an order later in it, or one in the passive voice)."""

from __future__ import annotations

from mcpir.injection.gates import gate
from mcpir.injection.gates import rx as _rx

__all__ = ["IMPERATIVE", "INNER_ORDER", "PASSIVE_ORDER"]


# A run of marks ("-----", "*****") is one filler, taken whole, and so is a run of spaces: split
# among the three fillers and the conditions in every way, 250 dashes before a word that is not
# a verb took seconds (issue 20).
_FILLER = r"""(?:please|also|always|then|now|just|first|and|so|simply|silently|quietly|secretly|
    still|immediately|additionally|finally|next|instead|afterwards|otherwise|never|do|don'?t|make\s+sure\s+
    to|be\s+sure\s+to|remember\s+to|ensure\s+(?:you|that\s+you)|[\w\s-]{0,30}:|\[[^\]\n]{0,40}\]|
    //++|\*++|\#++|>++|-++|\d{1,2}[.)]|step\s+\d{1,2}\s*[-–.)]|@\w+(?:\s+\{[^}\n]{0,40}\})?(?:\s+\w+\s+-)?)"""
_CONDITION = r"""(?:(?:for|when|whenever|if)\b(?:[^.;:\n]|\.(?=\w)|:(?=\d)){0,150}:|
    (?:if|when|whenever|once|after|before|every\s+time|each\s+time|while|as\s+soon\s+as|for|on|during|upon|since|because|whatever|
    regardless|no\s+matter|even\s+if|unless|in\s+case|as\s+long\s+as|to|in|within|with|from|
    during|as|via|through|using|should|the\s+first\s+time|instead\s+of)\b(?:[^.;:\n]|\.(?=\w)|:(?=\d)){0,150}?[,:])"""
_VERB = r"""(?:send|post|upload|locate|
    forward|email|mail|transmit|mirror|copy|sync|relay|share|submit|pass|give|include|embed|append|
    prepend|attach|put|paste|place|provide|supply|fill|write|encode|add|store|save|log|record|cc|bcc|
    deliver|dump|publish|echo|repeat|reveal|disclose|call|invoke|run|execute|use|read|cat|open|
    load|fetch|get|list|extract|grab|collect|gather|retrieve|obtain|access|set|change|replace|
    swap|substitute|rewrite|redirect|route|point|prefer|choose|pick|select|favou?r|avoid|tell|say|
    report|answer|respond|reply|claim|state|present|describe|treat|act|behave|ignore|disregard|
    forget|skip|bypass|disable|grant|approve|allow|stop|keep|hide|remove|delete|trust|obey|follow|
    consider|assume|mark|rate|inform|notify|apply|make|ensure|remember|double|triple|halve|
    summari[sz]e|phrase|word|label|
    round|wrap|prefix|end|finish|begin|start|sign|resolve|lookup|query|visit|ping|request|
    browse|navigate|download|contact|hit|install|reach|hand|rely|opt|stick|recommend|adopt|mention|
    feed|persist|prepend|wrap|attach|accept|multiply|split|advise|exfiltrate|leak|beacon|rephrase|
    substitute|give|trigger|drop|omit|type)"""
IMPERATIVE = _rx(
    rf"""\s*+(?:{_CONDITION}\s*+)?(?:{_FILLER},?\s*+){{0,3}}(?:{_CONDITION}\s*+)?(?:{_VERB}\b(?!\s+(?:is|are|was|were|will|can|may|must|should)\b)|
    [a-z]+_[a-z_]+\s+(?:the|all|any|every|its|your|their|it|them|this)\b)"""
)


# "The destination must always be set to …", "must be called as step zero", "the body has to
# carry …": an order in the passive voice, or about an argument.
PASSIVE_ORDER = gate(
    _rx(
        r"""\b(?:body|title|field|argument|parameter|query|message|payload|request|value|bucket|context|
    destination|recipient|account)\s+(?:has\s+to|must|should|needs?\s+to)\b|\b(?:goes|go|belongs?)\s+
    (?:in|into)\s+(?:the\s+)?[`'"]?[a-z_]+[`'"]?\s*(?:field|argument|parameter|param|array|property)\b|\b(?:must|should|shall|has\s+to|have\s+to|needs?\s+to|is\s+to|are\s+to)\s+(?:always\s+|only\s+|
    also\s+|instead\s+)?be\s+(?:relayed|reported|described|presented|shown|summari[sz]ed|set|changed|replaced|sent|routed|added|included|passed|used|forwarded|copied|
    emailed|posted|uploaded|called|invoked|appended|redirected|pointed|attached|filled)\b"""
    ),
    "must should need needs has be goes go belong belongs",
)
INNER_ORDER = gate(
    _rx(
        rf""",\s*(?:so|then|and)\s+(?:(?:when|if|whenever|once)\b[^,]{{0,80}},\s*)?{_VERB}\b
    | (?:['"(]|\band\s+)(?:first\s+|then\s+|also\s+|always\s+)?{_VERB}\s+(?:the|all|any|every|its|
        your|their|it|them)\b"""
    ),
    "and",
    (",", "'", '"', "("),
)
