"""Stripe secret (`sk_`) and restricted (`rk_`) keys, live and test.

`sk_live_`/`rk_live_` + 24 to 99 alphanumerics (older keys have 24, newer ones about 99).
Live keys are high confidence; test-mode keys are medium, as they move no money. No
checksum is public; a look-alike has a body too short for any Stripe key.
Publishable keys (`pk_`) are meant to be public and are not reported.
"""

from __future__ import annotations

from mcpir.secrets.format import ALNUM, BASE62, WORD, Run, bounded, variant, variants

_KINDS = ("sk", "rk")
_BODY = Run(BASE62, range(24, 100), random=True)

PROVIDER = variants(
    "stripe",
    bounded(rf"[sr]k_(?:live|test)_[{ALNUM}]{{8,120}}", WORD),
    *(variant(f"{kind}_live_", _BODY, weight=2) for kind in _KINDS),
    *(variant(f"{kind}_test_", _BODY, confidence="medium") for kind in _KINDS),
    keywords=("k_live_", "k_test_"),
    near=[
        variant(f"{kind}_{mode}_", Run(BASE62, range(8, 24)))
        for kind in _KINDS
        for mode in ("live", "test")
    ],
    lookalike_breaks="body shorter than 24 characters",
    templates=(
        "{}",
        "STRIPE_SECRET_KEY={}",
        "Authorization: Bearer {}",
        "https://{}:@api.stripe.com",
    ),
    bad=(
        "sk_live_" + "0" * 24,
        "sk_live_abc123",
        "pk_live_" + "aB3dE5gH7jK9mN1pQ3sT5vX7",  # publishable: public by design
    ),
)
