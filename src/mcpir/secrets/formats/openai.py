"""OpenAI API keys: `sk-proj-`, `sk-svcacct-`, `sk-admin-` and legacy `sk-` keys.

Every known format embeds `T3BlbkFJ` (base64 of "OpenAI") between two random runs:
74 or 58 (older project keys: 20) characters of `[A-Za-z0-9_-]` on each side for prefixed
keys, exactly 20 alphanumerics on each side for legacy keys (the lengths gitleaks and
betterleaks encode). No checksum is public, so this is a strict format check; the look-alike
keeps the marker but breaks a run length. Other vendors' `sk-…` keys (OpenRouter, DeepSeek)
lack the marker and are left to the generic rule.
"""

from __future__ import annotations

import random
import re

from mcpir.secrets.format import (
    ALNUM,
    BASE62,
    BASE64URL,
    WORD_DASH,
    Provider,
    bounded,
    looks_random,
    pick,
    pick_random,
    samples,
)

MARKER = "T3BlbkFJ"
_RUN = r"(?:[A-Za-z0-9_\-]{74}|[A-Za-z0-9_\-]{58}|[A-Za-z0-9_\-]{20})"
_STRICT = re.compile(
    rf"sk-(?:proj|svcacct|admin)-(?P<a>{_RUN}){MARKER}(?P<b>{_RUN})"
    rf"|sk-(?P<c>[{ALNUM}]{{20}}){MARKER}(?P<d>[{ALNUM}]{{20}})"
)


def validate(token: str) -> bool:
    strict = _STRICT.fullmatch(token)
    return strict is not None and looks_random("".join(p for p in strict.groups() if p))


def fake(rng: random.Random) -> str:
    kind = rng.choice(("proj", "svcacct", "admin", "legacy"))
    if kind == "legacy":
        return f"sk-{pick_random(rng, BASE62, 20)}{MARKER}{pick(rng, BASE62, 20)}"
    before, after = rng.choice((74, 58)), rng.choice((74, 58))
    return f"sk-{kind}-{pick_random(rng, BASE64URL, before)}{MARKER}{pick(rng, BASE64URL, after)}"


def lookalike(rng: random.Random) -> str:
    kind = rng.choice(("proj-", "svcacct-", "admin-", ""))
    before = rng.choice([n for n in range(12, 90) if n not in (20, 58, 74)])
    return f"sk-{kind}{pick(rng, BASE62, before)}{MARKER}{pick(rng, BASE62, 74)}"


PROVIDER = Provider(
    name="openai",
    pattern=bounded(
        rf"sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{{10,200}}?{MARKER}[A-Za-z0-9_\-]{{10,200}}",
        WORD_DASH,
    ),
    validate=validate,
    fake=fake,
    lookalike=lookalike,
    lookalike_breaks="a run beside the T3BlbkFJ marker has the wrong length",
    keywords=(MARKER,),
    good=samples(
        fake,
        "openai",
        ("{}", "OPENAI_API_KEY={}", "Authorization: Bearer {}", '{"apiKey": "{}"}', "{}", "{}"),
    ),
    bad=(
        "sk-" + "a" * 20 + MARKER + "a" * 20,
        "sk-proj-" + "AbCdEfGh12" * 3 + MARKER + "AbCdEfGh12" * 3,  # runs of 30
        "sk-or-v1-0123456789abcdef",
        "sk-1234567890abcdef1234567890abcdef",
    ),
)
