"""Google API keys: `AIza` + 35 characters of `[0-9A-Za-z_-]` (39 in all).

No checksum is public; the strict check is the exact length. A look-alike is one
character short or long.
"""

from __future__ import annotations

from mcpir.secrets.format import BASE64URL, WORD_DASH, prefixed

PROVIDER = prefixed(
    "google",
    "AIza",
    BASE64URL,
    35,
    body=r"[0-9A-Za-z_\-]{30,40}",
    boundary=WORD_DASH,
    lookalike_breaks="34 or 36 characters after AIza instead of 35",
    templates=(
        "{}",
        "GOOGLE_API_KEY={}",
        "https://maps.googleapis.com/maps/api/geocode/json?address=x&key={}",
        "x-goog-api-key: {}",
    ),
    bad=(
        "AIza" + "x" * 35,
        "AIzaSyD-1234567890abcdefghijklmnopqrstuv",  # 36 after AIza
        "AIzaSy",
    ),
)
