"""Anthropic API keys: `sk-ant-api03-` and admin keys `sk-ant-admin01-`.

Both are the prefix + 93 characters of `[A-Za-z0-9_-]` + `AA` (108 characters for API
keys), the format gitleaks and others encode and partial key hints (`…igAA`) confirm.
No checksum is public: the strict check is length and the `AA` ending, and a look-alike
has the right length but another ending. Other `sk-ant-` tokens (OAuth `oat01`, refresh
`ort01`) have no public format; they fall to the generic rule.
"""

from __future__ import annotations

import random
import re

from mcpir.secrets.format import (
    BASE64URL,
    WORD_DASH,
    Provider,
    bounded,
    looks_random,
    pick,
    pick_random,
    samples,
)

_STRICT = re.compile(r"sk-ant-(?:api03|admin01)-(?P<body>[A-Za-z0-9_\-]{93})AA")


def validate(token: str) -> bool:
    strict = _STRICT.fullmatch(token)
    return strict is not None and looks_random(strict["body"])


def fake(rng: random.Random) -> str:
    kind = rng.choice(("api03", "api03", "admin01"))
    return f"sk-ant-{kind}-{pick_random(rng, BASE64URL, 93)}AA"


def lookalike(rng: random.Random) -> str:
    kind = rng.choice(("api03", "admin01"))
    ending = "AA"
    while ending == "AA":
        ending = pick(rng, BASE64URL, 2)
    return f"sk-ant-{kind}-{pick(rng, BASE64URL, 93)}{ending}"


PROVIDER = Provider(
    name="anthropic",
    pattern=bounded(r"sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,120}", WORD_DASH),
    validate=validate,
    fake=fake,
    lookalike=lookalike,
    lookalike_breaks="does not end in AA",
    keywords=("sk-ant-",),
    good=samples(
        fake,
        "anthropic",
        ("{}", "ANTHROPIC_API_KEY={}", "x-api-key: {}", "--api-key={}", '["-e", "KEY={}"]'),
    ),
    bad=(
        "sk-ant-api03-R2D...igAA",  # a partial hint as the console shows it
        "sk-ant-api03-" + "x" * 93 + "AA",
        "sk-ant-api03-" + "Ab1-" * 23 + "QAB",  # right length, wrong ending
        "sk-ant-abcdefghijklmnop1234",
    ),
)
