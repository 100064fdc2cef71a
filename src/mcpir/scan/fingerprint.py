"""A finding's stable fingerprint: what an accepted-findings baseline records (`--baseline`).

The fingerprint of a finding is the tuple

    (rule, client, server, tool, evidence)

where `rule` is the rule id, `client` the client whose file defines the server (None for a
tool listing), `server` and `tool` the names the finding is about (None when it has none), and
`evidence` is `sha256:` and the first 32 hex digits of SHA-256 over the finding's redacted
evidence, or over its message when it has no evidence (`config-error`); when the evidence is
only an excerpt of a text the rule judged whole (a description), over the message, the excerpt
and the digest of that whole text, so accepting one poisoned description accepts no other. A
name longer than 1,024 characters is kept as such a hash too.

It holds no path and no line number, so it survives moving the checkout (a CI runner's path is
not a laptop's), lines added above the server, a file renamed by containment
(`.mcpir-disabled`) and restored. Changing what was accepted (another image, another token, a
new sentence in a description) changes the evidence, so the finding reports again. The
evidence is only ever stored as a hash: a baseline holds no secret, no argument and no URL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from mcpir.core.model import Finding

EVIDENCE_PREFIX = "sha256:"
EVIDENCE_HEX = 32
MAX_NAME = 1024


@dataclass(frozen=True, order=True)
class Fingerprint:
    rule: str
    client: str | None
    server: str | None
    tool: str | None
    evidence: str  # EVIDENCE_PREFIX + EVIDENCE_HEX hex digits

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.rule, self.client or "", self.server or "", self.tool or "", self.evidence)


def evidence_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return EVIDENCE_PREFIX + digest[:EVIDENCE_HEX]


def fingerprint(finding: Finding) -> Fingerprint:
    """The one definition of a finding's identity across runs, machines and checkouts."""
    material = finding.evidence if finding.evidence is not None else finding.message
    if finding.judged is not None:
        # An excerpt (a matched phrase) names the technique, not the text: the whole judged
        # text and what was found in it are what a person reviewed and accepted.
        material = f"{finding.message}\0{material}\0{finding.judged}"
    return Fingerprint(
        rule=finding.rule_id,
        client=_name(finding.client),
        server=_name(finding.server),
        tool=_name(finding.tool),
        evidence=evidence_hash(material),
    )


def _name(text: str | None) -> str | None:
    """A name as the baseline keeps it: a name longer than MAX_NAME (an attacker's 100 KB
    server name) is kept as its hash, so that every baseline stays within its bounds."""
    if text is None or len(text) <= MAX_NAME:
        return text
    return evidence_hash(text)
