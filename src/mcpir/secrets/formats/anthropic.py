"""Anthropic API keys: `sk-ant-api03-` and admin keys `sk-ant-admin01-`.

Both are the prefix + 93 characters of `[A-Za-z0-9_-]` + `AA` (108 characters for API
keys), the format gitleaks and others encode and partial key hints (`…igAA`) confirm.
No checksum is public: the strict check is length and the `AA` ending, and a look-alike
has the right length but another ending. Other `sk-ant-` tokens (OAuth `oat01`, refresh
`ort01`) have no public format; they fall to the generic rule.
"""

from __future__ import annotations

from mcpir.secrets.format import BASE64URL, WORD_DASH, Run, bounded, variant, variants

_PREFIXES = ("sk-ant-api03-", "sk-ant-admin01-")
_BODY = Run(BASE64URL, 93, random=True)

PROVIDER = variants(
    "anthropic",
    bounded(r"sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,120}", WORD_DASH),
    variant("sk-ant-api03-", _BODY, "AA", weight=2),
    variant("sk-ant-admin01-", _BODY, "AA"),
    keywords=("sk-ant-",),
    # Any ending but AA (a draw that ends in AA is a valid key, and drawn again).
    near=[variant(prefix, Run(BASE64URL, 93), Run(BASE64URL, 2)) for prefix in _PREFIXES],
    lookalike_breaks="does not end in AA",
    templates=("{}", "ANTHROPIC_API_KEY={}", "x-api-key: {}", "--api-key={}", '["-e", "KEY={}"]'),
    bad=(
        "sk-ant-api03-R2D...igAA",  # a partial hint as the console shows it
        "sk-ant-api03-" + "x" * 93 + "AA",
        "sk-ant-api03-" + "Ab1-" * 23 + "QAB",  # right length, wrong ending
        "sk-ant-abcdefghijklmnop1234",
    ),
)
