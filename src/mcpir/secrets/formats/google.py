"""Google API keys: `AIza` + 35 characters of `[0-9A-Za-z_-]` (39 in all).

No checksum is public; the strict check is the exact length. A look-alike is one
character short or long.
"""

from __future__ import annotations

import random

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


def validate(token: str) -> bool:
    return len(token) == 39 and looks_random(token[4:])


def fake(rng: random.Random) -> str:
    return "AIza" + pick_random(rng, BASE64URL, 35)


def lookalike(rng: random.Random) -> str:
    return "AIza" + pick(rng, BASE64URL, rng.choice((33, 34, 36, 37)))


PROVIDER = Provider(
    name="google",
    pattern=bounded(r"AIza[0-9A-Za-z_\-]{30,40}", WORD_DASH),
    validate=validate,
    fake=fake,
    lookalike=lookalike,
    lookalike_breaks="34 or 36 characters after AIza instead of 35",
    keywords=("AIza",),
    good=samples(
        fake,
        "google",
        (
            "{}",
            "GOOGLE_API_KEY={}",
            "https://maps.googleapis.com/maps/api/geocode/json?address=x&key={}",
            "x-goog-api-key: {}",
        ),
    ),
    bad=(
        "AIza" + "x" * 35,
        "AIzaSyD-1234567890abcdefghijklmnopqrstuv",  # 36 after AIza
        "AIzaSy",
    ),
)
