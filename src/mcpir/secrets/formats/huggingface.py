"""Hugging Face user access tokens: `hf_` + 34 ASCII letters.

No checksum is public. `hf_` is a short prefix, so the strict check also wants the body to
look random (not a `camelCase` identifier); a look-alike has the right length but digits,
which these tokens never contain. Medium confidence: format only.
"""

from __future__ import annotations

import random

from mcpir.secrets.format import ALNUM, BASE62, pick, prefixed

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def lookalike(rng: random.Random) -> str:
    body = list(pick(rng, BASE62, 34))
    body[rng.randrange(34)] = rng.choice("0123456789")
    return "hf_" + "".join(body)


PROVIDER = prefixed(
    "huggingface",
    "hf_",
    _LETTERS,
    34,
    body=f"[{ALNUM}]{{30,40}}",
    lookalike=lookalike,
    lookalike_breaks="contains a digit",
    confidence="medium",
    templates=("{}", "HF_TOKEN={}", "Authorization: Bearer {}", "https://user:{}@huggingface.co/x"),
    bad=(
        "hf_" + "a" * 34,
        "hf_downloadModelWeightsFromCacheDirNow",  # an identifier, not a token
        "hf_0123456789abcdefghijklmnopqrstuvwx",
    ),
)
