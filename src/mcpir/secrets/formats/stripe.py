"""Stripe secret (`sk_`) and restricted (`rk_`) keys, live and test.

`sk_live_`/`rk_live_` + 24 to 99 alphanumerics (older keys have 24, newer ones about 99).
Live keys are high confidence; test-mode keys are medium, as they move no money. No
checksum is public; a look-alike has a body too short for any Stripe key.
Publishable keys (`pk_`) are meant to be public and are not reported.
"""

from __future__ import annotations

import random

from mcpir.secrets.format import (
    ALNUM,
    BASE62,
    WORD,
    Confidence,
    Provider,
    bounded,
    looks_random,
    pick,
    pick_random,
    samples,
)

_PREFIX = len("sk_live_")


def validate(token: str) -> bool:
    body = token[_PREFIX:]
    return 24 <= len(body) <= 99 and looks_random(body)


def _grade(token: str) -> Confidence:
    return "high" if token[3:7] == "live" else "medium"


def fake(rng: random.Random) -> str:
    prefix = rng.choice(("sk", "rk")) + rng.choice(("_live_", "_live_", "_test_"))
    return prefix + pick_random(rng, BASE62, rng.choice((24, 99)))


def lookalike(rng: random.Random) -> str:
    prefix = rng.choice(("sk", "rk")) + rng.choice(("_live_", "_test_"))
    return prefix + pick(rng, BASE62, rng.randrange(8, 24))


PROVIDER = Provider(
    name="stripe",
    pattern=bounded(rf"[sr]k_(?:live|test)_[{ALNUM}]{{8,120}}", WORD),
    validate=validate,
    fake=fake,
    lookalike=lookalike,
    lookalike_breaks="body shorter than 24 characters",
    confidence=_grade,
    keywords=("k_live_", "k_test_"),
    good=samples(
        fake,
        "stripe",
        ("{}", "STRIPE_SECRET_KEY={}", "Authorization: Bearer {}", "https://{}:@api.stripe.com"),
    ),
    bad=(
        "sk_live_" + "0" * 24,
        "sk_live_abc123",
        "pk_live_" + "aB3dE5gH7jK9mN1pQ3sT5vX7",  # publishable: public by design
    ),
)
