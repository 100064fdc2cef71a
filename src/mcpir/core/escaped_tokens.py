"""Tokens written through an escape: `%2F` in a URL, `\\/` or `\\u005f` in a JSON string, or
with an invisible character (a zero-width space, a soft hyphen) inside.

The token rules read the characters a token is made of; an escape or an invisible character
cuts a token into pieces none of which looks like one (the last 17 characters of an AWS secret
key after its `%2F` were shown). Here a run of token characters and escapes of token
characters is read as the text it stands for, and when that text holds something to mask, the
run is shown decoded and masked: the fingerprint is the token's own, as everywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# An escape is part of a run only when it stands for a token character (letters, digits,
# `+-./=_~`): an escaped quote or blank ends the run, as the character itself would.
_CHAR_HEX = r"(?:2[BbDdEeFf]|3[0-9Dd]|[46][1-9A-Fa-f]|[57][0-9Aa]|5[Ff]|7[Ee])"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_RUN = re.compile(rf"(?:[A-Za-z0-9_\-+/=.~]|%{_CHAR_HEX}|\\u00{_CHAR_HEX}|\\/|[{_INVISIBLE}])++")
_ESCAPE = re.compile(rf"%(?P<pct>{_CHAR_HEX})|\\u00(?P<json>{_CHAR_HEX})|\\(?=/)|[{_INVISIBLE}]")
_MAYBE = re.compile(rf"[%\\{_INVISIBLE}]")


def _decode(escape: re.Match[str]) -> str:
    code = escape["pct"] or escape["json"]
    return chr(int(code, 16)) if code else ""


def mask_escaped(text: str, redact: Callable[[str], str]) -> str:
    """`text` with each escaped run that holds a secret shown decoded, through `redact`."""
    if _MAYBE.search(text) is None:
        return text
    out: list[str] = []
    last = 0
    for run in _RUN.finditer(text):
        found = run.group()
        if _MAYBE.search(found) is None:
            continue
        decoded = _ESCAPE.sub(_decode, found)
        shown = redact(decoded)
        if shown != decoded:
            out += (text[last : run.start()], shown)
            last = run.end()
    return "".join(out) + text[last:] if out else text
