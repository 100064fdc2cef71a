"""Secrets inside MCP config values: provider tokens (checksum- or format-checked) and
random-looking values where a credential is expected.

`find_secrets` runs on every string of every config, so the common case, a value with no
secret under a non-credential key, costs a couple of character-class scans: a value can
only hold a provider token if it has a run of 20 token characters, and a credential in
context only if `=`, `:` or a scheme word (`Bearer`) is followed by 8 credential
characters. Per-provider work happens only for the values that pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import attrgetter

from mcpir.core.secret import Secret
from mcpir.secrets.entropy import (
    CREDENTIAL_CHAR,
    MIN_PASSWORD_LENGTH,
    Kind,
    generic_spans,
    is_reference,
    key_kind,
    may_hold_inline,
)
from mcpir.secrets.format import Provider
from mcpir.secrets.formats import REGISTRY

__all__ = ["GENERIC", "Provider", "SecretHit", "find_secrets", "providers"]

GENERIC = "generic-high-entropy"

# Together, a cheap superset of what the scan can report under a non-credential key:
# - every provider token sits in a run of 20+ token characters holding an uppercase letter
#   or a digit (a lowercase-only run is a word or a package name: `modelcontextprotocol`);
# - every credential found in context follows `=` or `:` (not `://`), or a scheme word
#   (`Bearer`), and has 8+ credential characters (one starting with `$` or `\` is never
#   accepted, so it need not pass here); and the value passes the inline search's own
#   gates (a telling name, a scheme word, or `://…@`).
# Each is a simple scan, which `re` runs far faster than one alternation of everything.
_RUN = re.compile(r"[A-Za-z0-9_\-]{20,}")
_CASED = re.compile(r"[A-Z0-9]")
_IN_CONTEXT = re.compile(
    r"(?:[=:](?!//)[\"']?[ \t]*[\"']?|(?:[Bb]earer|BEARER|[Tt]oken|TOKEN|[Bb]asic|BASIC)[ \t]+)"
    rf"(?![$\\]){CREDENTIAL_CHAR}{{8}}"
)
_SHORTEST = 9  # a separator and 8 characters; every provider token is longer


def _worth_scanning(value: str) -> bool:
    if len(value) < _SHORTEST:
        return False
    run = _RUN.search(value)
    while run is not None:
        if _CASED.search(run.group()):
            return True
        run = _RUN.search(value, run.end())
    if "=" in value or ":" in value or " " in value or "\t" in value:
        return _IN_CONTEXT.search(value) is not None and may_hold_inline(value)
    return False


@dataclass(frozen=True)
class SecretHit:
    provider: str  # a Provider name, or "generic-high-entropy"
    secret: Secret  # the matched text; repr shows only a fingerprint
    start: int  # offset of the match in the scanned string
    end: int
    confidence: str  # "high" (checksum/unambiguous format) | "medium" (format) | "low" (entropy)


def providers() -> tuple[Provider, ...]:
    """The registry, one module per provider."""
    return REGISTRY


def find_secrets(value: str, key: str | None = None) -> list[SecretHit]:
    """Secrets inside one config value (an env value, header value, arg, URL). `key` is the name the
    value sits under (env var name, header name, or the preceding `--flag`), used by the
    high-entropy rule. References (`${VAR}`, `${env:VAR}`, `${input:id}`, `$VAR`, `%VAR%`,
    `op://…`) are never secrets."""
    kind = key_kind(key) if key else None
    if kind is None:
        if not _worth_scanning(value):
            return []
    elif len(value) < MIN_PASSWORD_LENGTH:
        return []
    if is_reference(value):
        return []
    return _scan(value, key, kind)


# One pass says whether any keyword-gated provider needs to look at all.
_KEYWORDS = re.compile("|".join(re.escape(k) for p in REGISTRY for k in p.keywords))


def _has_keyword(value: str, keywords: tuple[str, ...]) -> bool:
    for keyword in keywords:
        if keyword in value:
            return True
    return False


def _scan(value: str, key: str | None, kind: Kind | None) -> list[SecretHit]:
    hits: list[SecretHit] = []
    lookalikes: list[tuple[int, int]] = []
    keyworded = _KEYWORDS.search(value) is not None
    for provider in REGISTRY:
        if provider.context is not None:
            if not provider.context(value, key):
                continue
        elif not keyworded or not _has_keyword(value, provider.keywords):
            continue
        for match in provider.pattern.finditer(value):
            token = match.group()
            if provider.validate(token):
                start, end = match.span()
                grade = provider.confidence(token)
                hits.append(SecretHit(provider.name, Secret(token), start, end, grade))
            else:
                lookalikes.append(match.span())
    if len(hits) > 1:
        hits = _without_overlaps(hits)
    taken = [(hit.start, hit.end) for hit in hits] + lookalikes
    for start, end in generic_spans(value, kind, taken):
        hits.append(SecretHit(GENERIC, Secret(value[start:end]), start, end, "low"))
    hits.sort(key=attrgetter("start"))
    return hits


_RANK = {"high": 0, "medium": 1, "low": 2}


def _without_overlaps(hits: list[SecretHit]) -> list[SecretHit]:
    """Where two providers claim overlapping text, the surer (then longer) claim wins."""
    ordered = sorted(hits, key=lambda h: (_RANK[h.confidence], h.start - h.end, h.start))
    kept: list[SecretHit] = []
    for hit in ordered:
        if all(hit.end <= k.start or k.end <= hit.start for k in kept):
            kept.append(hit)
    return kept
