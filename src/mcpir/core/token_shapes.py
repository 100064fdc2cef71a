"""Provider token shapes in free text (`ghp_…`, `AKIA…`, `sk-…`, JWTs, PEM private keys), each
masked with its provider prefix kept, wherever it sits.

A token is found at the start of a word, and glued inside a larger word after `-`, `_`, `.`,
`/`, `:` or `=` (`leak-ghp_…`, `x-sk-ant-api03-…`, `id-AKIA…`, `name_xoxb-…`): a log or an
action line joins a token to whatever name comes before it. Never after a letter or a digit:
the `sk-` in `/src/task-management-service/` is a path. Glued after `-`, `_`, `.` or `/`, where
names, paths and packages are made (`atom-inc-…-sk-hynix-mcp-poisoning`, `/opt/sk-tools-…`),
a body of lowercase words joined the same way is a name: a real token's body is one random run
of mixed cases and digits.

One scan finds every place a shape can start, left to right; there the shapes are tried in
order, the first that matches is masked and the scan goes on after it. A prefix inside another
token's body (an `_AIza` in a JWT's signature) is never cut out of it, and each character is
looked at a bounded number of times: a 1 MB line of tokens stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mcpir.core.randomness import PIECE, plain_piece

_JWT = r"(?P<keep>)(?P<secret>eyJ[A-Za-z0-9_-]{8,}+\.eyJ[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]{8,}+)"
# Each shape: group "keep" is shown, group "secret" is masked. Tried at a place `_START` found.
_SHAPES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"(?P<keep>gh[pousr]_)(?P<secret>[A-Za-z0-9]{30,255})",
        r"(?P<keep>github_pat_)(?P<secret>[A-Za-z0-9_]{22,255})",
        # A routable token ends `.01.<length><crc>` or `.<length><crc>`: masked with the rest,
        # also when a word is glued after it.
        r"(?P<keep>glpat-)(?P<secret>[A-Za-z0-9_\-]{20,}(?:(?:\.[0-9a-z]{2})?\.[0-9a-z]{9})?)",
        r"(?P<keep>sk-ant-)(?P<secret>[A-Za-z0-9_\-]{20,})",
        r"(?P<keep>sk-(?:proj-|svcacct-|admin-)?)(?P<secret>[A-Za-z0-9_\-]{20,})",
        r"(?P<keep>(?:AKIA|ASIA|ABIA|ACCA))(?P<secret>[A-Z0-9]{16})(?![A-Za-z0-9])",
        r"(?P<keep>xox[abposre]-)(?P<secret>[A-Za-z0-9-]{10,})",
        r"(?P<keep>hooks\.slack\.com/services/)(?P<secret>[A-Za-z0-9/]{20,})",
        r"(?P<keep>(?:sk|rk|pk)_(?:live|test)_)(?P<secret>[A-Za-z0-9]{16,})",
        r"(?P<keep>AIza)(?P<secret>[0-9A-Za-z_\-]{35})",
        r"(?P<keep>npm_)(?P<secret>[A-Za-z0-9]{36})",
        r"(?P<keep>hf_)(?P<secret>[A-Za-z0-9]{30,})",
        _JWT,
        r"(?P<keep>-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----)(?P<secret>[\s\S]+?"
        r"(?:-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|\Z))",
    )
)

# Where one of the shapes can start: not after a letter or a digit, unless that letter or digit
# ends an escape (`\nAKIA…` in a JSON string, `%20AKIA…` in a URL, `\u0022AKIA…`): there the
# token starts a word of the text the escape stands for.
_START = re.compile(
    r"(?:(?<![A-Za-z0-9])|(?<=\\[nrtbfv])|(?<=%[0-9A-Fa-f]{2})|(?<=\\u[0-9A-Fa-f]{4})|"
    r"(?<=\\x[0-9A-Fa-f]{2}))(?:gh[pousr]_|github_pat_|glpat-|sk-|AKIA|ASIA|ABIA|ACCA|xox[abposre]-|"
    r"hooks\.slack\.com/services/|[srp]k_(?:live|test)_|AIza|npm_|hf_|eyJ|-----BEGIN )"
)
_VOWEL = re.compile(r"[aeiouy]")
_JOIN = re.compile(r"[-_./]|\\/|%(?:2[DdEeFf]|5[Ff])|\\u00(?:2[DdEeFf]|5[Ff])")
_JWT_SHAPE = next(shape for shape in _SHAPES if shape.pattern == _JWT)
# A JWT's first segment runs to the end of its run of token characters.
_RUN_END = re.compile(r"[A-Za-z0-9_-]*")


def _a_name(text: str, at: int, secret: str) -> bool:
    """A match glued into a name after `-`, `_`, `.` or `/` (or an escape of one: `%2F`, `\\/`)
    whose body is lowercase words joined the same way: `mcp-sk-hynix-…`, a package, a path, an
    incident id's slug. One run (`ghp_aaaa…`) or runs of digits (`xoxb-1111…-2222…-bbbb…`) are
    look-alikes: masked."""
    if not any(_joined(text, at, size) for size in (1, 2, 3, 6)):
        return False
    if secret != secret.lower():
        return False
    pieces = PIECE.findall(secret)
    if len(pieces) < 2 or not all(plain_piece(p) for p in pieces):
        return False
    # A ticket's number in a branch (`feature/sk-1234-fix-login`) among words is a name; runs
    # of digits with no words (`xoxb-1111…-2222…-bbbb…`) are a look-alike's.
    words = [p for p in pieces if not p.isdigit()]
    return len(words) == len(pieces) or (len(words) >= 2 and all(map(_VOWEL.search, words)))


def _joined(text: str, at: int, size: int) -> bool:
    """`size` characters before `at` are a join, after a letter or a digit."""
    return (
        at > size
        and _JOIN.fullmatch(text, at - size, at) is not None
        and text[at - size - 1].isalnum()
    )


def mask_tokens(text: str, mask: Callable[[str, str], str]) -> str:
    """`text` with each provider token replaced by `mask(token, prefix kept)`."""
    out: list[str] = []
    last = pos = 0
    # Where a JWT that failed to match had its first segment end: every `eyJ` before it (in
    # `eyJ-eyJ-eyJ-…`) fails the same way, and trying each would take quadratic time.
    no_jwt_before = -1
    while (start := _START.search(text, pos)) is not None:
        at = start.start()
        found = None
        for shape in _SHAPES:
            if shape is _JWT_SHAPE and at < no_jwt_before:
                continue
            found = shape.match(text, at)
            if found is not None:
                break
            if shape is _JWT_SHAPE and text.startswith("eyJ", at):
                no_jwt_before = _RUN_END.match(text, at).end()  # type: ignore[union-attr]
        if found is None:
            pos = at + 1
            continue
        if _a_name(text, at, found["secret"]):
            # A name runs to the match's end, and no real token's body is made of words:
            # a start inside it would be judged again on the same run (quadratic time).
            pos = found.end()
            continue
        out += (text[last:at], mask(found.group(), found["keep"]))
        last = pos = found.end()
    return "".join(out) + text[last:] if out else text
