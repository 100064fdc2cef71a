"""The one place that turns text, or a structure, into text that is safe to print or store.

Every output path (terminal, JSON, SARIF, logs, journals, reports, diffs) goes through here. A
secret is replaced by a mask that keeps a provider prefix and a fingerprint, e.g.
`ghp_…(sha256:1a2b3c4d5e6f)`, so the same token can be recognised across outputs (the token
inventory uses the same fingerprint) without being shown.

`redact_text` masks, in any text:
1. provider token shapes (`ghp_…`, `AKIA…`, `sk-…`, JWTs, PEM private keys), also glued
   inside a larger word (`leak-ghp_…`): `core.token_shapes`; also written through escapes
   (`%2F`, `\\/`, `\\u005f`) or cut by an invisible character: `core.escaped_tokens`;
2. a value that its context names as a credential: after `Bearer`/`Basic`/`Token`, the
   password of a URL (`scheme://user:password@host`, a raw `/` in it included), `?token=…`,
   `NAME=value` or `"name": "value"` under a credential name, and the value after a credential
   flag (`--password x`, `"--secret", "x"`, also across the lines of a diff);
3. every random-looking run of token characters, whatever surrounds it (`random_spans`): an
   AWS secret key in a `--reason`, a base64 key passed as a positional argument, a key under
   `SESSION` in a diff. Paths, package names, versions, hex digests (commit SHAs, sha256),
   UUIDs, mcpir's own ids and identifiers made of words are not random-looking.
`redact_value` and `redact_args` add what a structure says: the value under a credential key,
or after a credential flag, is masked whole.

Redaction errs towards hiding: a look-alike that fails a provider's checksum is still masked
here; the scan's detectors decide what is really a token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from mcpir.core.escaped_tokens import mask_escaped
from mcpir.core.randomness import ELLIPSIS, MIN_RANDOM_LENGTH, PIECE, RUN, plain_piece, random_spans
from mcpir.core.secret import Secret, fingerprint
from mcpir.core.setting_values import plain_setting
from mcpir.core.token_shapes import mask_tokens
from mcpir.core.userinfo import password_spans

# The scan's secret check and older callers import these from here.
__all__ = [
    "ELLIPSIS", "MIN_RANDOM_LENGTH", "is_reference", "is_sensitive_key", "mask", "names_a_secret",
    "random_spans", "redact_args", "redact_diff", "redact_keyed", "redact_secret_value",
    "redact_text", "redact_value",
]  # fmt: skip


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
# A name that says its value is a credential, in free text: `GITHUB_TOKEN=…`, `"apiKey": "…"`,
# `--signing-key …`. Short names (`pw`, `pwd`, `pass`) count only as a whole part of a name:
# `DB_PASS` is one, `bypass` and `passthrough` are not.
_SENSITIVE_WORD = (
    r"(?:[A-Za-z0-9_.\-]*(?:token|secret|passw(?:or)?d|passphrase|api[_\-]?key|apikey|"
    r"(?:access|private|signing|session|encryption|master|hmac)[_\-]?key|credentials?|cookie|"
    r"signature|authorization|auth(?!or))[A-Za-z0-9_\-]*"
    r"|[A-Za-z0-9_.\-]*(?<![A-Za-z0-9])(?:pw|pwd|pass|sig)(?![A-Za-z0-9])[A-Za-z0-9_\-]*)"
)
_CONTEXT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"(?P<keep>\b(?:Bearer|Basic|Token|Bot)\s+){_NOT_A_MASK}{_NOT_OUR_ID}{_NOT_PROSE}"
        # A credential after a scheme runs to the next blank or quote: a password-like token
        # (`Bearer s3cr3t!X`) keeps no tail in clear after a character base64 has not.
        r"(?P<secret>[A-Za-z0-9._~+/=\-]{6,}(?:[^\s\"'`,;<>)\]}]*[A-Za-z0-9_~+/=\-])?)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?P<keep>[?&;](?:{_SENSITIVE_WORD}|key|sig|signature|code)=){_PLAIN_VALUE}"
        r"(?P<secret>[^&#\s\"']+)",
        re.IGNORECASE,
    ),
    # `NAME=value`, `"name": "value"`, `name: value`. A name is tried from where its run of
    # name characters starts, never from inside it: a long run would cost quadratic time.
    re.compile(
        rf"(?P<keep>(?<![A-Za-z0-9_.\-]){_SENSITIVE_WORD}[\"']?\s*[=:]\s*[\"']?)"
        rf"{_PLAIN_VALUE}{_NOT_PROSE}(?P<secret>[^\s\"',;&]{{4,}})",
        re.IGNORECASE,
    ),
    # A quoted passphrase, spaces and all: `DB_PASSWORD="correct horse battery staple"`. Only
    # under password-like names: a token or an auth setting is one word, and a quoted sentence
    # under one is more likely a description.
    re.compile(
        r"(?P<keep>(?<![A-Za-z0-9_.\-])[A-Za-z0-9_.\-]*(?:passw(?:or)?d|passphrase|secret|"
        r"(?<![A-Za-z0-9])(?:pw|pwd|pass)(?![A-Za-z0-9]))[A-Za-z0-9_\-]*[\"']?\s*[=:]\s*"
        rf"(?P<quote>[\"'])){_PLAIN_VALUE}(?P<secret>[^\"'\n]*\s[^\"'\n]*)(?=(?P=quote))",
        re.IGNORECASE,
    ),
    # A flag and its own value: `--password x`, `"--secret", "x"` in a JSON or TOML array,
    # and the same array in a diff, where the value is on the next line (after `+`/`-`/` `).
    re.compile(
        rf"(?P<keep>(?<![\w\-])--?{_SENSITIVE_WORD}[\"']?"
        r"(?:[ \t]+|[ \t]*,[ \t]*(?:\r?\n[ +\-]?[ \t]*)?)[\"']?)"
        rf"(?!-){_PLAIN_VALUE}{_NOT_PROSE}(?P<secret>[^\s\"',;&]{{4,}})",
        re.IGNORECASE,
    ),
)

# Every name the three patterns after `Bearer` need holds one of these: text without any is
# left to the other rules (most text, so this one scan saves three).
_MAYBE_NAMED = re.compile(r"token|secret|pass|key|credential|cookie|auth|pw|sig|code", re.I)

# `"-p", "value"` in a config's array (or a diff of one): masked unless it reads as a port or
# a package, as `redact_args` does.
_MAYBE_SENSITIVE_FLAG_VALUE = re.compile(
    r"(?P<keep>(?<![\w\-])[\"']-p[\"'][ \t]*,[ \t]*(?:\r?\n[ +\-]?[ \t]*)?[\"'])"
    r"(?P<secret>[^\s\"']+)(?=[\"'])"
)

# In a command written as text: `curl -u admin:PASSWORD`, and `-p` where the program reads a
# password there (`mysql -pPASSWORD`, `sshpass -p PASSWORD`).
_USER_PASSWORD = re.compile(
    rf"(?P<keep>(?<![\w\-])(?:-u|--user)[ =]+[^\s:\"']+:){_NOT_A_MASK}(?P<secret>[^\s\"']+)"
)
_P_PASSWORD = re.compile(
    r"(?P<keep>\b(?:sshpass|mysql|mysqldump|mariadb)\b[^\n]*?\s-p ?)"
    rf"{_NOT_A_MASK}(?P<secret>[^\s\"'-][^\s\"']*)"
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_KEY_SEPARATORS = re.compile(r"[^a-z0-9]+")
# Key names, once camelCase and `-` are turned into `_` and lowercased.
_SENSITIVE_KEY = re.compile(
    r"token|secret|passw|passphrase|api_?key|auth(?!or)|authorization|credential|"
    r"(?:access|private|signing|session|encryption|master|hmac)_?key|cookie|dsn|signature|"
    r"connection_?string|(?:^|_)(?:pw|pwd|pass|sig)(?:_|$)"
)
# Names that hold a credential only sometimes: a session cookie but also a session id, a private
# key but also `"private": "false"`. Their value is masked unless it reads as an id or a setting.
_MAYBE_SENSITIVE_KEY = re.compile(r"(?:^|_)(?:session|private)(?:_|$)")
_SENSITIVE_FLAG = re.compile(rf"^--?{_SENSITIVE_WORD}$", re.IGNORECASE)
# `-p` is a password to `sshpass` and `redis-cli`, but a port to `docker` and a package to `npx`.
_MAYBE_SENSITIVE_FLAGS = frozenset({"-p"})
_REFERENCE = re.compile(
    r"^\s*(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%|\{\{[^}]*\}\}|"
    r"op://\S+|\$\([^)]*\))\s*$"
)
_SCHEME = re.compile(r"^(?P<scheme>(?:Bearer|Basic|Token|Bot)\s+)(?P<rest>.+)$", re.IGNORECASE)
# What a value under a maybe-sensitive name can be without being a secret: a number, a hex id
# or UUID, a lowercase slug or package, a port mapping, a boolean.
_ID_LIKE = re.compile(
    r"[0-9a-fA-F\-]+|[a-z][a-z0-9]*(?:[._\-@/][a-z0-9]+)*|@[a-z0-9._\-]+/[a-z0-9._\-@^~]+"
    r"|[0-9.:\[\]]+(?:/(?:tcp|udp|sctp))?|(?i:true|false|yes|no|on|off|none|null)"
)


def mask(value: str, keep: str = "") -> str:
    """The printable stand-in for a secret value."""
    return f"{keep}{ELLIPSIS}({fingerprint(value)})"


def is_reference(value: str) -> bool:
    """`${VAR}`, `${env:VAR}`, `${input:id}`, `$VAR`, `%VAR%`, `op://…`: names, not secrets."""
    return bool(_REFERENCE.match(value))


def _normal_key(name: str) -> str:
    return _KEY_SEPARATORS.sub("_", _CAMEL.sub("_", name).lower())


@lru_cache(maxsize=4096)
def is_sensitive_key(name: str) -> bool:
    """The key says its value is a credential: `GITHUB_TOKEN`, `apiKey`, `DB_PASS`, `pw`."""
    return _SENSITIVE_KEY.search(_normal_key(name)) is not None


@lru_cache(maxsize=4096)
def _maybe_sensitive_key(name: str) -> bool:
    return _MAYBE_SENSITIVE_KEY.search(_normal_key(name)) is not None


def names_a_secret(name: str) -> bool:
    """The key says, or may say, that its value is a credential: `redact_keyed` masks by it."""
    return is_sensitive_key(name) or _maybe_sensitive_key(name)


# --- random-looking runs: judged in core.randomness --------------------------------------


def _mask_random(text: str) -> str:
    if RUN.search(text) is None:
        return text
    out: list[str] = []
    last = 0
    for start, end in random_spans(text):
        out += (text[last:start], mask(text[start:end]))
        last = end
    return "".join(out) + text[last:] if out else text


# --- URL userinfo: found by core.userinfo ------------------------------------------------


def _mask_userinfo(text: str) -> str:
    out: list[str] = []
    last = 0
    for start, end in password_spans(text):
        password = text[start:end]
        if ELLIPSIS in password or is_reference(password):
            continue
        out += (text[last:start], mask(password))
        last = end
    return "".join(out) + text[last:] if out else text


# --- paths -------------------------------------------------------------------------------

_PATH_START = re.compile(r"(?:~|\.{1,2})?[/\\]|[A-Za-z]:[/\\]")
_PATH_PARTS = re.compile(r"[^/\\]+")


def _is_word_path(value: str) -> bool:
    """`/srv`, `~/.config/app/token.json`, `C:\\Users\\alice`: a file, named by words."""
    if _PATH_START.match(value) is None:
        return False
    parts = _PATH_PARTS.findall(value.strip())
    plain = sum(1 for p in parts if all(plain_piece(w) for w in PIECE.findall(p) if len(w) > 1))
    return 2 * plain > len(parts)


def _mask_match(match: re.Match[str]) -> str:
    secret = match.group("secret")
    if _is_word_path(secret) or plain_setting(match.group("keep"), secret):
        return match.group()  # `PWD=/srv`, `--password-file /run/secrets/db`, `MAX_TOKENS=4096`
    return match.group("keep") + mask(secret)


def _mask_credential(match: re.Match[str]) -> str:
    """After `Bearer`, in `-u user:password` or `mysql -pPASSWORD` the value is a credential
    whatever it looks like: a number or a date is a password there, never a setting."""
    secret = match.group("secret")
    return match.group() if _is_word_path(secret) else match.group("keep") + mask(secret)


def _mask_maybe_match(match: re.Match[str]) -> str:
    return match.group("keep") + _redact_maybe_secret(match.group("secret"))


def redact_text(text: str) -> str:
    """Mask every token-shaped, credential-labelled or random-looking value inside free text."""
    return _redact_plain(mask_escaped(text, _redact_plain))


def _redact_plain(text: str) -> str:
    text = mask_tokens(text, mask)
    text = _CONTEXT_PATTERNS[0].sub(_mask_credential, text)
    text = _mask_userinfo(text)
    if _MAYBE_NAMED.search(text) is not None:
        for pattern in _CONTEXT_PATTERNS[1:]:
            text = pattern.sub(_mask_match, text)
    if '-p"' in text or "-p'" in text:
        text = _MAYBE_SENSITIVE_FLAG_VALUE.sub(_mask_maybe_match, text)
    if " -u" in text or " --user" in text or " -p" in text:
        text = _USER_PASSWORD.sub(_mask_credential, text)
        text = _P_PASSWORD.sub(_mask_credential, text)
    return _mask_random(text)


def redact_diff(text: str) -> str:
    """A diff of config files: `redact_text` already masks what a diff's lost context hides
    (a value under a name it does not know, a flag's value on the next line)."""
    return redact_text(text)


def redact_secret_value(value: str) -> str:
    """Mask a value known to be sensitive (it sat under a credential-looking name)."""
    if len(value) < 4 or is_reference(value) or ELLIPSIS in value or _is_word_path(value):
        return redact_text(value)
    scheme = _SCHEME.match(value)
    if scheme:
        return scheme.group("scheme") + mask(scheme.group("rest"))
    return mask(value)


def _redact_maybe_secret(value: str) -> str:
    """A value under a name that holds a credential only sometimes (`session`, `-p`)."""
    if len(value) < 4 or _ID_LIKE.fullmatch(value) or "://" in value:
        return redact_text(value)
    return redact_secret_value(value)


def redact_keyed(value: str, key: str | None) -> str:
    """One string, masked whole when the name it sits under says it is a credential."""
    if key is not None:
        if plain_setting(key, value.strip()):
            return redact_text(value)
        if is_sensitive_key(key):
            return redact_secret_value(value)
        if _maybe_sensitive_key(key):
            return _redact_maybe_secret(value)
    return redact_text(value)


def redact_args(args: list[str] | tuple[str, ...]) -> list[str]:
    """Redact a command line: text patterns, the value after a `--token`-style flag, the
    password of `-u user:password`, and `-p` where the program reads it as a password."""
    out: list[str] = []
    previous = ""
    program = _program(args)
    for arg in args:
        if _SENSITIVE_FLAG.match(previous) or previous in _PASSWORD_FLAGS.get(program, ()):
            out.append(redact_secret_value(arg))
        elif previous in _MAYBE_SENSITIVE_FLAGS:
            out.append(_redact_maybe_secret(arg))
        elif previous in _USER_FLAGS and ":" in arg:
            user, _, password = arg.partition(":")
            out.append(f"{redact_text(user)}:{redact_secret_value(password)}")
        elif "-p" in _PASSWORD_FLAGS.get(program, ()) and arg.startswith("-p") and len(arg) > 2:
            out.append("-p" + redact_secret_value(arg[2:]))  # `mysql -pPASSWORD`
        else:
            out.append(redact_text(arg))
        previous = arg
    return out


# The flags some programs read a password from (elsewhere `-p` is a port or a package), and
# the flags that take `user:password` (curl, wget, httpie).
_PASSWORD_FLAGS: dict[str, frozenset[str]] = {
    "sshpass": frozenset({"-p"}),
    "mysql": frozenset({"-p"}),
    "mysqldump": frozenset({"-p"}),
    "mariadb": frozenset({"-p"}),
    "redis-cli": frozenset({"-a"}),
}
_USER_FLAGS = frozenset({"-u", "--user", "--auth"})


def _program(args: list[str] | tuple[str, ...]) -> str:
    return args[0].replace("\\", "/").rsplit("/", 1)[-1] if args else ""


# Names whose value is a password even when a config wrote it as a number.
_PASSWORD_KEY = re.compile(r"passw|passphrase|secret|(?:^|_)(?:pw|pwd|pass|pin)(?:_|$)")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def pair_name(value: Mapping[Any, Any]) -> str | None:
    """The name of a `{"name": "GITHUB_TOKEN", "value": "…"}` pair (Kubernetes env, header
    lists): its value sits under that name, not under the word `value`."""
    name = value.get("name", value.get("key"))
    return name if isinstance(name, str) and "value" in value else None


def redact_value(value: Any, key: str | None = None) -> Any:  # noqa: ANN401
    """Redact a JSON-like structure; values under credential-looking keys are masked whole."""
    if isinstance(value, Secret):
        return mask(value.reveal())
    if isinstance(value, str):
        return redact_keyed(value, key)
    if isinstance(value, Mapping):
        named = pair_name(value)
        return {
            # A key is text too: a token pasted into an env var's name is masked there.
            redact_text(k) if isinstance(k, str) else k: redact_value(v, named or str(k))
            if named and k == "value"
            else redact_value(v, str(k))
            for k, v in value.items()
        }
    if _is_number(value) and key is not None and _PASSWORD_KEY.search(_normal_key(key)):
        return mask(str(value))  # `password: 12345678` in YAML is a number, still a password
    if isinstance(value, list | tuple):
        secret_list = key is not None and names_a_secret(key)
        if not secret_list and all(isinstance(v, str) for v in value):
            return redact_args(list(value))
        return [redact_value(v, key) for v in value]
    return value
