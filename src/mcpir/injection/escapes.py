"""Runs of escapes in a text and the text they spell: `\\x52` and octal `\\122` bytes,
`\\u0052`/`\\U00000052`/`\\u{52}` characters, percent and form encoding, quoted-printable,
HTML entities.

A run may hold a few literal characters between escapes ("\\u0073end \\u0074he"); the gaps
are possessive and cannot hold the escape's first character, so nothing backtracks. Each run is
widened to the word characters around it and read up to `READ` characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from mcpir.injection.blobs import READ, Raw

_X_RUN = re.compile(r"\\x[0-9A-Fa-f]{2}(?:[^\\\n]{0,16}+\\x[0-9A-Fa-f]{2})*+")
_X_TOKEN = re.compile(r"\\x([0-9A-Fa-f]{2})")
_OCTAL_RUN = re.compile(r"\\[0-3][0-7]{2}(?:[^\\\n]{0,16}+\\[0-3][0-7]{2})*+")
_OCTAL_TOKEN = re.compile(r"\\([0-3][0-7]{2})")
_U_ESCAPE = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|\\u\{[0-9A-Fa-f]{1,6}\}"
_U_RUN = re.compile(rf"(?:{_U_ESCAPE})(?:[^\\\n]{{0,16}}+(?:{_U_ESCAPE}))*+")
_U_TOKEN = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\u\{([0-9A-Fa-f]{1,6})\}")
# Browsers read a numeric reference without its ";" too ("&#115&#101"); named ones need it.
_ENTITY_TEXT = r"&(?:#[0-9]{1,7}+;?|#[xX][0-9A-Fa-f]{1,6}+;?|[A-Za-z][A-Za-z0-9]{1,31};)"
# An escaped `<IMPORTANT>` and its closing tag hold a whole paragraph between them.
_ENTITY_RUN = re.compile(rf"{_ENTITY_TEXT}(?:[^&]{{0,300}}+{_ENTITY_TEXT})*+")
_NUMERIC_ENTITY = re.compile(r"&#(?:([0-9]{1,7}+)|[xX]([0-9A-Fa-f]{1,6}+));?")
_OPEN_TAG = re.compile(r"<([A-Za-z][\w-]{1,30})(?=[\s>])")
_CLOSE_TAG = re.compile(r"</([A-Za-z][\w-]{1,30})\s*>")
_PERCENT = re.compile(r"(?<![\w.~+%-])[\w.~+-]*+(?:%[0-9A-Fa-f]{2}[\w.~+-]*+)+")
_PERCENT_TOKEN = re.compile(r"%([0-9A-Fa-f]{2})")
_QP_GATE = re.compile(r"=[0-9A-F]{2}")
# Quoted-printable keeps every printable character but "=" as it is, so a run is a whole
# whitespace-delimited token ("user's=20ssh"), soft line breaks ("=\n") included.
_QP = re.compile(r"(?<![^\s=])[^\s=]*+(?:=(?:[0-9A-F]{2}|\r?\n)[^\s=]*+)+")
_QP_TOKEN = re.compile(r"=([0-9A-F]{2})")
_WIDEN = 40


def escape_runs(text: str) -> Iterator[Raw]:
    """Every run of escapes that spells text, prose or not; a substring test before each kind."""
    if "\\" in text:
        yield from _escapes(text, "hex", _X_RUN, 4, _x_text)
        yield from _escapes(text, "octal", _OCTAL_RUN, 4, _octal_text)
        yield from _escapes(text, "unicode-escape", _U_RUN, 3, _u_text)
    if "%" in text:
        yield from _escapes(text, "percent", _PERCENT, 3, _percent_text)
    if "&#" in text or ("&" in text and ";" in text):
        yield from _entities(text)
    if "=" in text and _QP_GATE.search(text):
        yield from _escapes(text, "quoted-printable", _QP, 3, _qp_text)


def _escapes(
    text: str, kind: str, run: re.Pattern[str], least: int, unescape: Callable[[str], str]
) -> Iterator[Raw]:
    """Runs of escapes, widened to the word characters around them so "\\u0073end" reads
    "send"; only runs of at least `least` escapes count."""
    for match in run.finditer(text):
        start, end = _widen(text, match.start(), match.end())
        body = text[start:end][:READ]
        if _count(kind, body) >= least and not (kind == "percent" and _in_url(text, start, body)):
            yield kind, start, end, unescape(body)


def _in_url(text: str, start: int, body: str) -> bool:
    """Whether a percent run is an ordinary part of a URL: in its path or query, escaping
    reserved characters ("%3A", "%20"), not letters a reader would have seen."""
    token = text[max(0, start - 2_000) : start].rsplit(None, 1)[-1:] or [""]
    in_url = "://" in token[0] or any(c in token[0] for c in "?=&") or "=" in body
    letters = sum(chr(int(m.group(1), 16)).isalnum() for m in _PERCENT_TOKEN.finditer(body))
    return in_url and letters < 3


def _count(kind: str, body: str) -> int:
    if kind == "percent":
        # Form encoding spells each space "+": "ssh+keys+to+x" hides words as well as "%20".
        return body.count("%") + (body.count("+") if "%20" not in body else 0)
    tokens = {"hex": _X_TOKEN, "octal": _OCTAL_TOKEN, "quoted-printable": _QP_TOKEN}
    token = tokens.get(kind, _U_TOKEN)
    return sum(1 for _ in token.finditer(body))


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    low = max(0, start - _WIDEN)
    while start > low and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    high = min(len(text), end + _WIDEN)
    while end < high and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return start, end


def _bytes_text(body: str, token: re.Pattern[str], base: int = 16) -> str:
    """`body` with each byte escape replaced by its byte, read as UTF-8 (U+FFFD where that
    fails, which `is_prose` counts as unreadable)."""
    out = bytearray()
    pos = 0
    for match in token.finditer(body):
        out += body[pos : match.start()].encode("utf-8", "replace")
        out.append(int(match.group(1), base))
        pos = match.end()
    out += body[pos:].encode("utf-8", "replace")
    return out.decode("utf-8", "replace")


def _x_text(body: str) -> str:
    return _bytes_text(body, _X_TOKEN)


def _octal_text(body: str) -> str:
    return _bytes_text(body, _OCTAL_TOKEN, 8)


def _qp_text(body: str) -> str:
    # "=" at the end of a line is a soft break: the line goes on.
    return _bytes_text(re.sub(r"=\r?\n", "", body), _QP_TOKEN)


def _percent_text(body: str) -> str:
    # Form encoding writes a space as "+"; text that has no encoded space probably does.
    if "%20" not in body and "+" in body:
        body = body.replace("+", " ")
    return _bytes_text(body, _PERCENT_TOKEN)


def _u_text(body: str) -> str:
    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2) or match.group(3), 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"

    units = _U_TOKEN.sub(char, body)
    # JSON and JavaScript spell characters above U+FFFF as two escaped surrogates.
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _entities(text: str) -> Iterator[Raw]:
    for match in _ENTITY_RUN.finditer(text):
        start, end = _widen(text, match.start(), match.end())
        body = text[start:end][:READ]
        codes = [_code(m) for m in _NUMERIC_ENTITY.finditer(body)]
        decoded = _NUMERIC_ENTITY.sub(lambda m: chr(_code(m)), body)
        if "&" in decoded:
            import html  # its entity table is large; only named entities pay for it

            decoded = html.unescape(decoded)
        # `&lt;stdio.h&gt;` and `&#10;` are how a page writes code and line breaks; `&#115;`
        # for "s" only hides a letter, and an escaped element (`<IMPORTANT>…</IMPORTANT>`) or
        # comment is markup meant for the model (markup already in plain sight does not count).
        disguised = sum(chr(code).isalnum() for code in codes)
        if disguised >= 3 or _markup(decoded) - _markup(body):
            yield "html-entity", start, end, decoded


def _markup(text: str) -> set[str]:
    """The elements `text` both opens and closes, and "!--" when it opens a comment."""
    opened = set(_OPEN_TAG.findall(text))
    closed = set(_CLOSE_TAG.findall(text))
    return (opened & closed) | ({"!--"} if "<!--" in text else set())


def _code(match: re.Match[str]) -> int:
    """The code point a numeric entity names; U+FFFD for none (as browsers read it)."""
    code = int(match.group(1), 10) if match.group(1) else int(match.group(2), 16)
    return code if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else 0xFFFD
