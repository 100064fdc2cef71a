"""OpenAI API keys: `sk-proj-`, `sk-svcacct-`, `sk-admin-` and legacy `sk-` keys.

Every known format embeds `T3BlbkFJ` (base64 of "OpenAI") between two random runs:
74 or 58 (older project keys: 20) characters of `[A-Za-z0-9_-]` on each side for prefixed
keys, exactly 20 alphanumerics on each side for legacy keys (the lengths gitleaks and
betterleaks encode). No checksum is public, so this is a strict format check; the look-alike
keeps the marker but breaks a run length. Other vendors' `sk-…` keys (OpenRouter, DeepSeek)
lack the marker and are left to the generic rule.
"""

from __future__ import annotations

from mcpir.secrets.format import BASE62, BASE64URL, WORD_DASH, Run, bounded, variant, variants

MARKER = "T3BlbkFJ"
_KINDS = ("proj-", "svcacct-", "admin-")
_RUN = Run(BASE64URL, (74, 58, 20), random=True)
_LEGACY_RUN = Run(BASE62, 20, random=True)
_WRONG_RUN = Run(BASE62, tuple(n for n in range(12, 90) if n not in (20, 58, 74)))

PROVIDER = variants(
    "openai",
    bounded(
        rf"sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{{10,200}}?{MARKER}[A-Za-z0-9_\-]{{10,200}}",
        WORD_DASH,
    ),
    *(variant(f"sk-{kind}", _RUN, MARKER, _RUN) for kind in _KINDS),
    variant("sk-", _LEGACY_RUN, MARKER, _LEGACY_RUN),
    keywords=(MARKER,),
    near=[variant(f"sk-{kind}", _WRONG_RUN, MARKER, Run(BASE62, 74)) for kind in (*_KINDS, "")],
    lookalike_breaks="a run beside the T3BlbkFJ marker has the wrong length",
    templates=(
        "{}",
        "OPENAI_API_KEY={}",
        "Authorization: Bearer {}",
        '{"apiKey": "{}"}',
        "{}",
        "{}",
    ),
    bad=(
        "sk-" + "a" * 20 + MARKER + "a" * 20,
        "sk-proj-" + "AbCdEfGh12" * 3 + MARKER + "AbCdEfGh12" * 3,  # runs of 30
        "sk-or-v1-0123456789abcdef",
        "sk-1234567890abcdef1234567890abcdef",
    ),
)
