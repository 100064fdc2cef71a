"""The generic rule: a random-looking value where a credential is expected.

Where a credential is expected:
- under a key name such as `*_TOKEN`, `*_KEY`, `*SECRET*`, `*API_KEY*`, `*CREDENTIAL*`,
  `*_PAT`, `*_AUTH`, `AUTHORIZATION` (camelCase and `-` count as `_`; `--api-key` flags too),
  unless the name ends in `_ID`, `_URL`, `_PATH`, `_FILE`, `_NAME`… or says public;
- inside a value: `NAME=…` / `"name": "…"` with such a name, `Bearer …` / `Token …` /
  `Basic …`, the password of `scheme://user:password@host`.

Random-looking (the "secret" tier), measured on the credential after any scheme word:
- at least 16 characters, no whitespace, not made of words (`us-east-1-prod`);
- Shannon entropy >= 3.5 bits/char, or log2(length) - 0.7 when that is lower (a 16-character
  string cannot exceed 4 bits: 3.3 keeps 99% of random base62 strings of that length);
  for hex-only values >= 3.0, or log2(length) - 1.3 (hex caps at 4 bits).
Password tier (names with PASSWORD/PASSWD/PWD/PASS, URL passwords, `Basic` credentials, and
`user:password` under a credential name when the whole is not random-looking): at least 8
characters and >= 2.5 bits/char (at least 6 distinct characters or so), may contain
spaces, and is not the user name again.
Neither tier fires on references, placeholders, paths, URLs, e-mail addresses, booleans,
numbers, or anything over 4 KiB. Hits are "low" confidence: the entropy says random, not
which service.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Literal

from mcpir.secrets.format import shannon, word_like

Tier = Literal["secret", "password", "basic", "userinfo"]
Kind = Literal["secret", "password"]

MIN_RANDOM_LENGTH = 16
RANDOM_BITS = 3.5
HEX_BITS = 3.0
MIN_PASSWORD_LENGTH = 8
PASSWORD_BITS = 2.5
# Longer is a blob, not a credential (a JWT or a stateless `ghs_` token is well under), and
# capping it bounds the work any one hostile value can cause.
MAX_CANDIDATE_LENGTH = 4096

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_PASSWORD_NAME = re.compile(r"passw|passphrase|(?:^|_)(?:pwd|pass)(?:_|$)")
_SECRET_NAME = re.compile(
    r"secret|credential|api_?key|private_?key|access_?key"
    r"|(?:^|_)(?:token|key|pat|auth|authorization)$"
)
_NOT_A_SECRET_NAME = re.compile(
    r"public|publishable|key_?id$|(?:^|_)(?:id|url|uri|endpoint|host|path|file|dir|name|type"
    r"|header|prefix|env|var|length|size|count|expiry|expires|ttl)$"
)

# `${VAR:-x}` counts only while its default is too short to be a credential (or is
# another reference): a long default is a literal, and may be a live token.
_REFERENCE = re.compile(
    r"\s*(?:\$\{(?:[A-Za-z]+:)?[A-Za-z_][\w.\-]*(?::?-(?:[^${}]{0,7}|\$\{[^{}]*\}|\$\w+))?\}"
    r"|\$[A-Za-z_]\w*|%[A-Za-z_]\w*%"
    r"|\{\{[^{}]*\}\}|\$\([^()]*\)|op://\S+)\s*"
)
# Matched against the lowercased text. The hint is a cheap first pass: most real
# credentials contain none of these, so the full expression rarely runs.
_PLACEHOLDER_HINT = re.compile(
    r"[<\[{*.…]|your|here|redact|xxxx|change|exampl|placehold|dummy|sampl|test|fake|insert"
    r"|replace|enter|123456|abcdef|qwerty"
)
# Bracket pairs exclude their opening character so that a run of `<` stays linear.
_PLACEHOLDER = re.compile(
    r"your|(?:^|[_\-\s])here$|<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\}|redacted|x{4,}|\*{3,}|\.{3}|…"
    r"|change[_\-]?me|example|placeholder|dummy|sample|(?<![a-z])test|fake|insert[_\-\s]"
    r"|replace[_\-\s]?(?:me|with)|enter[_\-\s]|123456|abcdef|qwerty"
)
_PLACEHOLDER_WORDS = frozenset(
    "none null nil undefined empty todo tbd n/a na secret password passwd token apikey api_key"
    " api-key key value string admin root default".split()
)
_WHITESPACE = re.compile(r"\s")
_PATH = re.compile(
    r"(?:~|\.{1,2})?[/\\]|[A-Za-z]:[/\\]|file:|[\w.\-]+(?:[/\\][\w.\-]+)*[/\\][\w\-]+\.\w{1,5}$"
)
_PATH_PARTS = re.compile(r"[/\\]+")
_EMAIL = re.compile(r"[^@\s]++@(?:[^@\s.]++\.)++[A-Za-z]{2,}+")
_LITERAL = re.compile(
    r"(?:true|false|yes|no|on|off|enabled?|disabled?|[+-]?[0-9]+(?:\.[0-9]+)?)", re.IGNORECASE
)
_HEX = re.compile(r"[0-9a-fA-F]+")
_SCHEME_WORD = r"[Bb]earer|BEARER|[Tt]oken|TOKEN|[Bb]asic|BASIC"
_SCHEME_HINTS = ("earer", "EARER", "oken", "OKEN", "asic", "ASIC")
_SCHEME = re.compile(rf"(?P<scheme>{_SCHEME_WORD})[ \t]+")
# What a credential inside a larger value may be made of; `find_secrets`'s prefilter
# relies on it (keep the two in step).
CREDENTIAL_CHAR = r"[^\s\"',;&(){}\[\]<>]"
_CREDENTIAL = rf"(?P<cred>{CREDENTIAL_CHAR}+)"
_USER_PASSWORD = re.compile(r"(?P<user>[^\s:/@$%]+):(?P<password>[^\s/]+)")
_USERINFO = re.compile(r"://(?P<user>[^/\s:@]*):(?P<cred>[^\s\"',;&(){}\[\]<>/@]+)@")
# The lookbehinds start a name or scheme only at the start of a run: without them every
# position inside a long token would re-scan the rest of the run (quadratic time).
_SCHEMED = re.compile(rf"(?<![\w.\-])(?P<scheme>{_SCHEME_WORD})[ \t]+{_CREDENTIAL}")
_NAMED = re.compile(
    r"(?<![\w.\-])(?P<name>-{0,2}[A-Za-z_][\w.\-]*)[\"']?[ \t]*[:=](?!//)[ \t]*[\"']?"
    rf"(?:(?P<scheme>{_SCHEME_WORD})[ \t]+)?{_CREDENTIAL}"
)
# Every name `key_kind` accepts contains one of these (lowercased); most values contain none.
_NAME_HINT = re.compile(r"tok|key|secr|pass|pwd|cred|auth|pat")


@lru_cache(maxsize=4096)
def key_kind(name: str) -> Kind | None:
    """What a key name (env var, header, `--flag`, JSON key) says its value holds."""
    normal = _SEPARATORS.sub("_", _CAMEL.sub("_", name).lower()).strip("_")
    if not normal or _NOT_A_SECRET_NAME.search(normal):
        return None
    if _PASSWORD_NAME.search(normal):
        return "password"
    if _SECRET_NAME.search(normal):
        return "secret"
    return None


def is_reference(value: str) -> bool:
    """`${VAR}`, `${env:VAR}`, `${input:id}`, `$VAR`, `%VAR%`, `{{x}}`, `$(cmd)`, `op://…`."""
    return _REFERENCE.fullmatch(value) is not None


def _is_path(text: str) -> bool:
    # Base64 may start with `/` too; a path's segments are mostly words.
    if ("/" not in text and "\\" not in text) or _PATH.match(text) is None:
        return False
    parts = [p for p in _PATH_PARTS.split(text) if p]
    return 2 * sum(word_like(p.lstrip("~.:")) for p in parts) > len(parts)


def is_placeholder(text: str) -> bool:
    """`YOUR_TOKEN_HERE`, `<token>`, `REDACTED`, `xxxx`, `changeme`, `test…`, `aaaa…`."""
    low = text.lower()
    if low in _PLACEHOLDER_WORDS or len(set(low)) <= 1:
        return True
    return _PLACEHOLDER_HINT.search(low) is not None and _PLACEHOLDER.search(low) is not None


def _not_a_credential(text: str) -> bool:
    return (
        text.startswith(("$", "%", "op://", "{{", "\\"))
        or "${" in text
        or "://" in text
        or _LITERAL.fullmatch(text) is not None
        or is_placeholder(text)
        or _is_path(text)
        or ("@" in text and _EMAIL.fullmatch(text) is not None)
    )


def is_random(text: str) -> bool:
    """The "secret" tier: long, unbroken, not words, and high in entropy for its length."""
    size = len(text)
    if size < MIN_RANDOM_LENGTH or _WHITESPACE.search(text) is not None:
        return False
    if _not_a_credential(text) or word_like(text):
        return False
    if _HEX.fullmatch(text):
        need = min(HEX_BITS, math.log2(size) - 1.3)
    else:
        need = min(RANDOM_BITS, math.log2(size) - 0.7)
    return shannon(text) >= need


def is_password(text: str, user: str | None = None) -> bool:
    """The password tier: a chosen secret need not look random, only not like a stand-in."""
    return (
        len(text.strip()) >= MIN_PASSWORD_LENGTH
        and text != user
        and shannon(text) >= PASSWORD_BITS
        and not _not_a_credential(text.strip())
    )


def _basic(text: str) -> bool:
    """`Basic` carries base64 of `user:password`; judge the password, else the blob."""
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return is_random(text)
    user, colon, password = decoded.partition(":")
    return is_password(password, user) if colon else is_random(text)


def accepts(text: str, tier: Tier, user: str | None = None) -> bool:
    if tier == "secret":
        return is_random(text)
    if tier == "basic":
        return _basic(text)
    return is_password(text, user)


def _whole_value(value: str, kind: Kind) -> Iterator[tuple[int, int, Tier, str | None]]:
    start, end = 0, len(value)
    while start < end and (value[start].isspace() or value[start] in "\"'"):
        start += 1
    while end > start and (value[end - 1].isspace() or value[end - 1] in "\"'"):
        end -= 1
    scheme = _SCHEME.match(value, start)
    if scheme is not None and kind == "secret":
        yield scheme.end(), end, _tier(scheme["scheme"], kind), None
        return
    yield start, end, kind, None
    # Failing that, `BASIC_AUTH=alice:s3cret` or `…_CREDENTIALS=sid:token`: after the colon.
    pair = _USER_PASSWORD.fullmatch(value, start, end)
    if pair is not None:
        yield pair.start("password"), end, "userinfo", pair["user"]


def _tier(scheme: str | None, otherwise: Tier) -> Tier:
    if scheme is None:
        return otherwise
    return "basic" if scheme.lower() == "basic" else "secret"


def _may_hold_userinfo(value: str) -> bool:
    return "@" in value and "://" in value


def _may_hold_scheme(value: str) -> bool:
    for hint in _SCHEME_HINTS:
        if hint in value:
            return True
    return False


def _may_hold_named(value: str) -> bool:
    return ("=" in value or ":" in value) and _NAME_HINT.search(value.lower()) is not None


def may_hold_inline(value: str) -> bool:
    """False when `_inline` cannot find anything in `value`: its gates, without its work."""
    return _may_hold_userinfo(value) or _may_hold_scheme(value) or _may_hold_named(value)


def _inline(value: str) -> Iterator[tuple[int, int, Tier, str | None]]:
    """Credentials inside the value: URL passwords, `Bearer x`, `NAME=x` with a telling name.

    Each form has its own expression behind a substring test, as one alternation over all
    three costs several times more on the many values that hold none of them.
    """
    if _may_hold_userinfo(value):
        for m in _USERINFO.finditer(value):
            yield m.start("cred"), m.end("cred"), "userinfo", m["user"]
    if _may_hold_scheme(value):
        for m in _SCHEMED.finditer(value):
            yield m.start("cred"), m.end("cred"), _tier(m["scheme"], "secret"), None
    if _may_hold_named(value):
        for m in _NAMED.finditer(value):
            kind = key_kind(m["name"])
            if kind is not None:
                yield m.start("cred"), m.end("cred"), _tier(m["scheme"], kind), None


def generic_spans(
    value: str, kind: Kind | None, taken: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Spans of `value` the generic rule reports, skipping (and extending) `taken`."""
    found: list[tuple[int, int]] = []
    candidates: list[tuple[int, int, Tier, str | None]] = []
    if kind is not None:
        candidates.extend(_whole_value(value, kind))
    candidates.extend(_inline(value))
    for start, end, tier, user in candidates:
        if not 0 < end - start <= MAX_CANDIDATE_LENGTH:
            continue
        if any(s < end and start < e for s, e in taken):
            continue
        if accepts(value[start:end], tier, user):
            found.append((start, end))
            taken.append((start, end))
    return found
