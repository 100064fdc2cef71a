"""AWS access key ids (`AKIA…` long-term, `ASIA…` temporary) and secret access keys.

A key id is the prefix + 16 characters of RFC 4648 base32 (`A-Z2-7`); a look-alike uses
digits base32 lacks (0, 1, 8, 9). An id is not a secret, but it says where a secret is.

A secret access key is 40 characters of base64 (`A-Za-z0-9/+`), which many other things are
too, so it is reported only with context: an access key id in the same value, or a key name
such as `AWS_SECRET_ACCESS_KEY`. The strict check wants both letter cases, random-looking
content, and no `EXAMPLE`: AWS's documentation keys (`wJalr…EXAMPLEKEY`) are the classic
false positive, and the look-alike is one of those. A 40-character hex string (a SHA-1,
e.g. a commit id) also fails the check, but only in AWS context: under a plain `*_TOKEN`
name, 40 hex characters may well be a credential (GitHub's legacy tokens were).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from mcpir.secrets.format import (
    BASE64,
    Provider,
    Run,
    always,
    bounded,
    pick,
    samples,
    shannon,
    variant,
    variants,
)

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_PREFIXES = ("AKIA", "ASIA")
_KEY_ID = bounded(r"(?:AKIA|ASIA)[A-Z0-9]{16}", "A-Za-z0-9")
# `AWS_SECRET_ACCESS_KEY`, `aws_secret_access_key`, `SecretAccessKey` (STS/CloudFormation
# output), `AWS_SECRET_KEY`; not a bare `SECRET_KEY`, which is as often Django's or Flask's.
_SECRET_NAME = re.compile(r"secret_?access_?key|aws_?secret", re.IGNORECASE)

KEY_ID = variants(
    "aws-access-key-id",
    _KEY_ID,
    *(variant(prefix, Run(_BASE32, 16)) for prefix in _PREFIXES),
    placeholders=("EXAMPLE",),
    # Drawn again until it holds a digit base32 lacks (or EXAMPLE).
    near=[variant(prefix, Run(_BASE32 + "0189", 16)) for prefix in _PREFIXES],
    lookalike_breaks="a character outside base32 (0, 1, 8 or 9)",
    templates=("{}", "AWS_ACCESS_KEY_ID={}", "aws_access_key_id = {}", "arn:aws:iam::key/{}"),
    bad=(
        "AKIAIOSFODNN7EXAMPLE",  # AWS's documentation example
        "AKIA0123456789ABCDEF",
        "XAKIAIOSFODNN7ABCDEFG",
    ),
)


def validate_secret(token: str) -> bool:
    return (
        any(c.isupper() for c in token)
        and any(c.islower() for c in token)
        and shannon(token) >= 3.8
        and "EXAMPLE" not in token
    )


@lru_cache(maxsize=1024)
def _secret_key_name(key: str) -> bool:
    return _SECRET_NAME.search(key) is not None


def secret_context(value: str, key: str | None) -> bool:
    if key is not None and _secret_key_name(key):
        return True
    # Substring tests first: this runs for every value that reaches the full scan.
    if ("ecret" in value or "ECRET" in value) and _SECRET_NAME.search(value):
        return True
    if "AKIA" in value or "ASIA" in value:
        return any(KEY_ID.validate(m.group()) for m in _KEY_ID.finditer(value))
    return False


def fake_secret(rng: random.Random) -> str:
    while True:
        token = pick(rng, BASE64, 40)
        if validate_secret(token):
            return token


def lookalike_secret(rng: random.Random) -> str:
    body = pick(rng, BASE64, 33)
    at = rng.randrange(34)
    return body[:at] + "EXAMPLE" + body[at:]


SECRET_ACCESS_KEY = Provider(
    name="aws-secret-access-key",
    # `=` may precede (an assignment) but not follow: trailing `=` is base64 padding.
    pattern=re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
    validate=validate_secret,
    fake=fake_secret,
    lookalike=lookalike_secret,
    lookalike_breaks="holds EXAMPLE, like AWS's documentation keys",
    confidence=always("medium"),
    context=secret_context,
    keywords=(),
    sample_key="AWS_SECRET_ACCESS_KEY",
    good=(
        *samples(fake_secret, "aws-secret", ("{}", "aws_secret_access_key={}", "Bearer {}")),
        # Next to its key id, under a key name that says nothing.
        "aws " + KEY_ID.fake(random.Random(7)) + ":" + fake_secret(random.Random(8)),  # noqa: S311
    ),
    bad=(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # AWS's documentation example
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",  # sha1 of nothing
        "aws_secret_access_key=" + "a" * 40,
    ),
)
