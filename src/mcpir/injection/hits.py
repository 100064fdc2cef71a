"""What the injection rules report: a hit, and the one-line message of each kind of hit."""

from __future__ import annotations

from dataclasses import dataclass

from mcpir.injection.unicode import excerpt

EVIDENCE_LIMIT = 120
# "kind:variant" -> message; the kind is the part before the colon.
MESSAGES = {
    "instruction-tag:block": "{} block, the usual wrapper for hidden instructions",
    "instruction-tag:marker": "hidden comment or system-style marker ahead of instructions",
    "instruction-tag:chat": "chat-template token or role prefix: opens a new turn in a description",
    "model-addressed": "speaks to the AI model directly instead of describing the tool",
    "override-instructions": "tells the model to drop or replace the instructions it was given",
    "conceal-from-user": "tells the model to keep something from the user or skip their consent",
    "response-manipulation": "tells the model to misrepresent what it did or returned",
    "forced-first-call": "demands this tool run ahead of every request, to get in first",
    "trigger-phrase": "behaviour switched on by a magic word in the input, a back door",
    "command-execution": "downloads and runs code, or opens a shell to a remote host",
    "sensitive-file-access:path": "names a credential or client-configuration file",
    "sensitive-file-access:uri": "points the model at a secret or admin-only resource",
    "secret-harvest": "asks the model to fetch secrets and hand them over in an answer or argument",
    "context-leak": "asks for the conversation or prompt to be passed along, out of the chat",
    "workspace-leak": "tells the model to put source code or files where others will see them",
    "exfiltration:dest": "tells the model to send data to a fixed outside address ({})",
    "exfiltration:url": "URL built to carry chat data out as soon as it is fetched or rendered",
    "exfiltration:outright": "asks outright for data to be exfiltrated",
    "exfiltration:collect": "asks the model to record the user's requests or results for later",
    "tool-shadowing:condition": "gives orders for another tool ({})",
    "tool-shadowing:direct": "changes how another tool ({}) behaves",
    "tool-shadowing:redirect": "redirects messages or payments to a fixed recipient",
    "tool-shadowing:known": "gives orders for {}, a tool this description does not belong to",
    "encoded-blob": "{} run that decodes to {}: {}",
    "abnormal-length": "{} characters, long enough to bury instructions nobody reads",
    "whitespace-padding": "long run of blank space that can push text out of view in a client",
    "role-override:assume": "tells the model it now holds an elevated, unrestricted role",
    "role-override:mode": "switches on a jailbreak-style mode for the model",
    "role-override:rules-off": "declares the model's rules or safeguards revoked",
    "role-override:skip": "tells the model to skip its safety or policy checks",
    "role-override:no-refusal": "takes away the model's refusals or the user's authority",
    "preference-manipulation:select": "steers the model's choice of tool toward this one",
    "preference-manipulation:disparage": "runs down other tools so the model picks this one",
    "preference-manipulation:emotion": "puts emotional pressure on the model's choice of tool",
    "preference-manipulation:claims": "superlatives or endorsements aimed at the model's choice",
    "argument-tampering": "has the model put {} into a call the user did not ask for",
    "covert-call": "has the model make a call that carries its prompt, history or files",
    "exfiltration:url-smuggle": "smuggles chat data or secrets out inside a URL",
    "exfiltration:context": "has the model pass its prompt, the conversation or the user's data on",
    "exfiltration:secrets": "has the model read or hand over secrets it was not asked for",
    "exfiltration:files": "has the model pass the contents of files on",
    "exfiltration:send-out": "tells the model to send data to a fixed outside address ({})",
    "response-manipulation:deceive": "has the model tell the user something other than the result",
    "response-manipulation:inserted": "has the model slip a linked line into what the user reads",
    "conceal-from-user:covert": "tells the model to keep what it does from the user",
    "role-override:authority": "grants the model an authority or role the user never gave it",
    "role-override:void-rules": "tells the model its rules no longer hold",
    "preference-manipulation:others": "runs down other tools to steer the model's choice",
    "preference-manipulation:self": "tells the model to pick this tool for everything",
    "forced-first-call:scope": "demands a call ahead of every request, to get in first",
    "trigger-phrase:clause": "a quoted word in the input switches on hidden behaviour, a back door",
    "command-execution:clause": "has the model fetch code from the network and run it",
    "tool-shadowing:clause": "gives the model orders for another server's tool",
    "exfiltration:url-slot": "builds a URL with a slot for the chat's data or a secret",
    "covert-call:after-every": "has the model call a tool after every other call or answer",
    "command-execution:injected": "a value that runs a downloaded script when a shell sees it",
    "command-execution:shell": "has the model run a harmful command through a shell tool",
    "line-jumping": "claims to steer the session without ever being called",
    "hidden-side-effect": "adds an effect the user never asked for to a job that changes nothing",
    "argument-tampering:flag": "has the model switch off a safeguard in its calls ({})",
    "argument-tampering:wrap": "has the model route the user's links through {}",
    "argument-tampering:account": "puts a fixed account ({}) into money the user moves",
    "argument-tampering:consent": "turns on consent or sharing in the user's name ({})",
    "learned": "reads like the poisoned descriptions mcpir learned from (score {}: {})",
}
# The technique each kind belongs to: named in every message, and the rows of the benchmark.
TECHNIQUES = {
    "instruction-tag": "hidden markup",
    "model-addressed": "hidden markup",
    "override-instructions": "role override",
    "role-override": "role override",
    "conceal-from-user": "concealment",
    "response-manipulation": "response manipulation",
    "forced-first-call": "forced call",
    "covert-call": "forced call",
    "trigger-phrase": "back door",
    "command-execution": "code execution",
    "sensitive-file-access": "sensitive source",
    "secret-harvest": "sensitive source",
    "context-leak": "exfiltration",
    "workspace-leak": "exfiltration",
    "exfiltration": "exfiltration",
    "tool-shadowing": "tool shadowing",
    "preference-manipulation": "preference manipulation",
    "argument-tampering": "argument tampering",
    "line-jumping": "line jumping",
    "hidden-side-effect": "hidden side effect",
    "learned": "resemblance",
    "encoded-blob": "encoded instruction",
    "abnormal-length": "hiding in plain sight",
    "whitespace-padding": "hiding in plain sight",
    "hidden-unicode": "invisible characters",
}


def technique(kind: str) -> str:
    """The technique a hit's kind belongs to (schema kinds all to "schema poisoning")."""
    if kind.startswith("schema-"):
        return "schema poisoning"
    return TECHNIQUES.get(kind, kind.replace("-", " "))


@dataclass(frozen=True)
class InjectionHit:
    kind: str  # short kebab-case id, e.g. "conceal-from-user"
    severity: str  # "low" | "medium" | "high"
    message: str  # one line: what was found and why it matters
    evidence: str  # excerpt of at most 120 characters, invisible characters escaped


@dataclass(frozen=True)
class Hit(InjectionHit):
    pos: int = 0  # where in the description, to order hits and place them in blocks


def make_hit(key: str, severity: str, snippet: str, pos: int, *detail: object) -> Hit:
    kind = key.partition(":")[0]
    message = f"{technique(kind)}: {MESSAGES[key].format(*detail)}"
    return Hit(kind, severity, message, excerpt(snippet, EVIDENCE_LIMIT), pos)
