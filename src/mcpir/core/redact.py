"""The one place that turns text, or a structure, into text that is safe to print or store.

Every output path (terminal, JSON, SARIF, logs, journals, reports) goes through here. A secret
is replaced by a mask that keeps a provider prefix and a fingerprint, e.g.
`ghp_…(sha256:1a2b3c4d5e6f)`, so the same token can be recognised across outputs (the token
inventory uses the same fingerprint) without being shown.

Redaction errs towards hiding: a look-alike that fails a provider's checksum is still masked
here; the scan's detectors decide what is really a token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mcpir.core.secret import Secret, fingerprint

ELLIPSIS = "…"

# Each pattern: group "keep" is shown, group "secret" is masked. A token starts a word: the
# `sk-` inside `/src/task-management-service/` is a path, not an OpenAI key.
_TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(r"(?<![A-Za-z0-9_\-])" + p)
    for p in (
        r"(?P<keep>gh[pousr]_)(?P<secret>[A-Za-z0-9]{30,255})",
        r"(?P<keep>github_pat_)(?P<secret>[A-Za-z0-9_]{22,255})",
        r"(?P<keep>glpat-)(?P<secret>[A-Za-z0-9_\-]{20,})",
        r"(?P<keep>sk-ant-)(?P<secret>[A-Za-z0-9_\-]{20,})",
        r"(?P<keep>sk-(?:proj-|svcacct-|admin-)?)(?P<secret>[A-Za-z0-9_\-]{20,})",
        r"\b(?P<keep>(?:AKIA|ASIA|ABIA|ACCA))(?P<secret>[A-Z0-9]{16})\b",
        r"(?P<keep>xox[abposre]-)(?P<secret>[A-Za-z0-9-]{10,})",
        r"(?P<keep>hooks\.slack\.com/services/)(?P<secret>[A-Za-z0-9/]{20,})",
        r"(?P<keep>(?:sk|rk|pk)_(?:live|test)_)(?P<secret>[A-Za-z0-9]{16,})",
        r"(?P<keep>AIza)(?P<secret>[0-9A-Za-z_\-]{35})",
        r"(?P<keep>npm_)(?P<secret>[A-Za-z0-9]{36})",
        r"(?P<keep>hf_)(?P<secret>[A-Za-z0-9]{30,})",
        r"(?P<keep>)(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
        r"(?P<keep>-----BEGIN [A-Z ]*PRIVATE KEY-----)(?P<secret>[\s\S]+?-----END [A-Z ]*"
        r"PRIVATE KEY-----)",
    )
)

# A value already masked (it holds the ellipsis) is left as it is, so redaction is idempotent.
_NOT_A_MASK = rf"(?![^\s\"',;&@]*{ELLIPSIS})"
# `API_KEY=${input:key}` names where a secret comes from; it is not one.
_NOT_A_REFERENCE = r"(?!\$\{|\$[A-Za-z_]|%[A-Za-z_][A-Za-z0-9_]*%|op://|\{\{)"
# mcpir's own names for a token (`tok_1a2b3c4d5e6f`, `sha256:1a2b3c4d5e6f`) are how output
# refers to secrets without showing them: masking them would hide which token is meant.
_NOT_OUR_ID = r"(?!(?:tok_|sha256:)[0-9a-f]{12}\b)"
# A plain short word ("auth: required", "token inventory") is prose, not a credential.
_NOT_PROSE = r"(?![A-Za-z]{1,10}[.:)]?(?:[\s\"',;&]|$))"
_PLAIN_VALUE = _NOT_A_MASK + _NOT_A_REFERENCE + _NOT_OUR_ID
# Values that follow a credential-looking word in free text: `GITHUB_TOKEN=…`, `"apiKey": "…"`.
_SENSITIVE_WORD = (
    r"[A-Za-z0-9_.\-]*(?:token|secret|passw(?:or)?d|api[_\-]?key|apikey|"
    r"access[_\-]?key|private[_\-]?key|credentials?|auth(?!or))[A-Za-z0-9_\-]*"
)
_CONTEXT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"(?P<keep>\b(?:Bearer|Basic|Token|Bot)\s+){_NOT_A_MASK}{_NOT_OUR_ID}{_NOT_PROSE}"
        r"(?P<secret>[A-Za-z0-9._~+/=\-]{6,})",
        re.IGNORECASE,
    ),
    # user:password@ in URLs and DSNs
    re.compile(rf"(?P<keep>://[^/\s:@]+:){_PLAIN_VALUE}(?P<secret>[^@\s/]+)(?=@)"),
    re.compile(
        rf"(?P<keep>[?&;](?:{_SENSITIVE_WORD}|key|sig|signature|code)=){_PLAIN_VALUE}"
        r"(?P<secret>[^&#\s\"']+)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?P<keep>\b{_SENSITIVE_WORD}[\"']?\s*[=:]\s*[\"']?){_PLAIN_VALUE}{_NOT_PROSE}"
        r"(?P<secret>[^\s\"',;&]{4,})",
        re.IGNORECASE,
    ),
)

_SENSITIVE_KEY = re.compile(
    r"token|secret|passw|api[_\-]?key|apikey|auth(?!or)|credential|"
    r"private[_\-]?key|access[_\-]?key|cookie|dsn|connection[_\-]?string",
    re.IGNORECASE,
)
_SENSITIVE_FLAG = re.compile(rf"^--?{_SENSITIVE_WORD}$", re.IGNORECASE)
_REFERENCE = re.compile(
    r"^\s*(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%|\{\{[^}]*\}\}|"
    r"op://\S+|\$\([^)]*\))\s*$"
)
_SCHEME = re.compile(r"^(?P<scheme>(?:Bearer|Basic|Token|Bot)\s+)(?P<rest>.+)$", re.IGNORECASE)


def mask(value: str, keep: str = "") -> str:
    """The printable stand-in for a secret value."""
    return f"{keep}{ELLIPSIS}({fingerprint(value)})"


def is_reference(value: str) -> bool:
    """`${VAR}`, `${env:VAR}`, `${input:id}`, `$VAR`, `%VAR%`, `op://…`: names, not secrets."""
    return bool(_REFERENCE.match(value))


def is_sensitive_key(name: str) -> bool:
    return bool(_SENSITIVE_KEY.search(name))


def _mask_match(match: re.Match[str]) -> str:
    return match.group("keep") + mask(match.group("secret"))


def redact_text(text: str) -> str:
    """Mask every token-shaped or credential-labelled value inside free text."""
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(lambda m: mask(m.group(0), m.group("keep")), text)
    for pattern in _CONTEXT_PATTERNS:
        text = pattern.sub(_mask_match, text)
    return text


# In a diff, context is gone (a value and its `--api-key` flag sit on different lines of JSON):
# any long, random-looking run of token characters is masked there.
_RUN = re.compile(r"(?<![A-Za-z0-9_\-+/=.])[A-Za-z0-9_\-+/=.]{16,}(?![A-Za-z0-9_\-+/=.])")


def _looks_random(run: str) -> bool:
    import math
    from collections import Counter

    if ELLIPSIS in run or "/" in run or run.count(".") > 2:
        return False  # a path, a host name, a version
    if not (any(c.isdigit() for c in run) and any(c.isalpha() for c in run)):
        return False
    counts = Counter(run)
    entropy = -sum(n / len(run) * math.log2(n / len(run)) for n in counts.values())
    return entropy >= 3.5


def redact_diff(text: str) -> str:
    """`redact_text`, plus every random-looking run masked: for diffs of config files."""
    text = redact_text(text)
    return _RUN.sub(lambda m: mask(m.group()) if _looks_random(m.group()) else m.group(), text)


def redact_secret_value(value: str) -> str:
    """Mask a value known to be sensitive (it sat under a credential-looking name)."""
    if len(value) < 4 or is_reference(value) or ELLIPSIS in value:
        return redact_text(value)
    scheme = _SCHEME.match(value)
    if scheme:
        return scheme.group("scheme") + mask(scheme.group("rest"))
    return mask(value)


def redact_args(args: list[str] | tuple[str, ...]) -> list[str]:
    """Redact a command line: text patterns, and the value after a `--token`-style flag."""
    out: list[str] = []
    sensitive_next = False
    for arg in args:
        if sensitive_next:
            out.append(redact_secret_value(arg))
        else:
            out.append(redact_text(arg))
        sensitive_next = bool(_SENSITIVE_FLAG.match(arg))
    return out


def redact_value(value: Any, key: str | None = None) -> Any:  # noqa: ANN401
    """Redact a JSON-like structure; values under credential-looking keys are masked whole."""
    if isinstance(value, Secret):
        return mask(value.reveal())
    if isinstance(value, str):
        if key is not None and is_sensitive_key(key):
            return redact_secret_value(value)
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if all(isinstance(v, str) for v in value):
            return redact_args(list(value))
        return [redact_value(v, key) for v in value]
    return value
