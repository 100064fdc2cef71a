"""Every plausible encoding in a tool description, opened: what the model can decode, so the
detector reads it too.

`decoded_spans(text)` returns each span of `text` that decodes to readable prose: hex (plain,
spaced, `\\x52` and `0x52` bytes), base64 (standard or URL-safe, padded or not, wrapped in lines),
`\\uXXXX` escapes, HTML entities, percent-encoding, Unicode tag characters and variation
selectors, and ROT13 sentences, with one more layer inside each (base64 of hex is
"base64+hex", spanning the base64 run). Random bytes (keys, digests, UUIDs, images) and plain
English give nothing. Pure and bounded: linear in the text, at most `MAX_SPANS` spans of at
most `MAX_TEXT` characters, each run read up to `_READ` characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mcpir.injection import english
from mcpir.injection.unicode import decode_blob, hidden_runs

MAX_SPANS = 32
MAX_TEXT = 4_000
MAX_DEPTH = 2
# Encoded characters read from one run: MAX_TEXT characters in the longest form (`\U0001xxxx`),
# so a megabyte-long run costs what a short one does.
_READ = MAX_TEXT * 10


@dataclass(frozen=True)
class Decoded:
    """A span of the input and the prose it decodes to."""

    kind: str  # "hex", "base64", "unicode-escape", "rot13", "html-entity", "percent",
    # "tag-characters", "variation-selectors", or two joined by "+" when nested
    start: int
    end: int
    text: str


# (kind, start, end, decoded): a candidate whose decoding is text, prose or not.
_Raw = tuple[str, int, int, str]

# Four bytes in any hex form, the first starting with a digit: every hex run of eight bytes of
# UTF-8 text has it. A search for it skips ahead on that digit, unlike the patterns below.
_HEX_GATE = re.compile(r"[0-9][0-9A-Fa-f](?:[ ,:]{0,2}+[0-9A-Fa-f]{2}){3}")
_HEX = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?+(?:[0-9A-Fa-f]{2}){8,}+(?![0-9A-Za-z])")
_HEX_SPACED = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Fa-f]{2}(?:[ ,:]{1,2}+[0-9A-Fa-f]{2}(?![0-9A-Za-z])){5,}"
)
_HEX_0X = re.compile(r"0[xX][0-9A-Fa-f]{2}(?:,?[ ]?0[xX][0-9A-Fa-f]{2}(?![0-9A-Za-z])){3,}")
_HEX_NOISE = re.compile(r"0[xX]|[^0-9A-Fa-f]")
# Escape runs may hold a few literal characters between escapes ("\u0073end \u0074he"); the
# gaps are possessive and cannot hold the escape's first character, so nothing backtracks.
_X_RUN = re.compile(r"\\x[0-9A-Fa-f]{2}(?:[^\\\n]{0,16}+\\x[0-9A-Fa-f]{2})*+")
_X_TOKEN = re.compile(r"\\x([0-9A-Fa-f]{2})")
_U_ESCAPE = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|\\u\{[0-9A-Fa-f]{1,6}\}"
_U_RUN = re.compile(rf"(?:{_U_ESCAPE})(?:[^\\\n]{{0,16}}+(?:{_U_ESCAPE}))*+")
_U_TOKEN = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\u\{([0-9A-Fa-f]{1,6})\}")
_ENTITY_TEXT = r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
# An escaped `<IMPORTANT>` and its closing tag hold a whole paragraph between them.
_ENTITY_RUN = re.compile(rf"{_ENTITY_TEXT}(?:[^&]{{0,300}}+{_ENTITY_TEXT})*+")
_NUMERIC_ENTITY = re.compile(r"&#(?:([0-9]{1,7})|[xX]([0-9A-Fa-f]{1,6}));")
# Entities a page needs for its markup; any other (`&#115;` for "s") only disguises a letter.
_OPEN_TAG = re.compile(r"<([A-Za-z][\w-]{1,30})(?=[\s>])")
_CLOSE_TAG = re.compile(r"</([A-Za-z][\w-]{1,30})\s*>")
_PERCENT = re.compile(r"(?<![\w.~+%-])[\w.~+-]*+(?:%[0-9A-Fa-f]{2}[\w.~+-]*+)+")
_PERCENT_TOKEN = re.compile(r"%([0-9A-Fa-f]{2})")
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}+={0,2}+")
_BASE64_NEXT_LINE = re.compile(r"[ \t]*+\r?\n[ \t]*+([A-Za-z0-9+/_-]++={0,2}+)")
_ALL_HEX = re.compile(r"[0-9A-Fa-f]+")
_SENTENCE_END = re.compile(r"[.!?]++(?=\s)|\n")
_LINE_BREAKS = str.maketrans("\n\t\r", "   ")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_WIDEN = 40


def decoded_spans(text: str) -> list[Decoded]:
    """Each span of `text` that decodes to readable prose, in order of position."""
    found: dict[tuple[str, int, int], Decoded] = {}
    for kind, start, end, decoded in _decodings(text, 0):
        found.setdefault((kind, start, end), Decoded(kind, start, end, decoded[:MAX_TEXT]))
        if len(found) >= MAX_SPANS:
            break
    return sorted(found.values(), key=lambda d: (d.start, d.end, d.kind))


def is_prose(text: str) -> bool:
    """Whether decoded `text` reads as human language: printable, mostly letters and spaces,
    two words or more. Random bytes, JSON and identifiers fail."""
    text = text[:MAX_TEXT].strip()
    if len(text) < 8 or not any(c.isspace() for c in text):
        return False
    flat = text.translate(_LINE_BREAKS)
    if not flat.isprintable() or "\ufffd" in flat:
        unreadable = sum(not c.isprintable() or c == "\ufffd" for c in flat)
        if unreadable > 0.05 * len(text):
            return False
    wordy = sum(map(str.isalpha, text)) + sum(map(str.isspace, text))
    return wordy >= 0.6 * len(text) and len(_LETTER_WORD.findall(text)) >= 2


def _decodings(text: str, depth: int) -> Iterator[_Raw]:
    """Prose spans of `text` and of what its spans decode to, `depth` layers in already."""
    for kind, start, end, decoded in _candidates(text):
        if is_prose(decoded):
            yield kind, start, end, decoded
        if depth + 1 < MAX_DEPTH:
            for inner, _, _, deeper in _decodings(decoded[:_READ], depth + 1):
                yield f"{kind}+{inner}", start, end, deeper


def _candidates(text: str) -> Iterator[_Raw]:
    """Every span that decodes to text, prose or not; cheap tests first, so a description
    without any encoded run costs a few substring checks."""
    if not text.isascii():
        yield from hidden_runs(text)
    if "\\" in text:
        yield from _escapes(text, "hex", _X_RUN, 4, _x_text)
        yield from _escapes(text, "unicode-escape", _U_RUN, 3, _u_text)
    if _HEX_GATE.search(text):
        yield from _hex(text, (_HEX, _HEX_SPACED))
    if "0x" in text or "0X" in text:
        yield from _hex(text, (_HEX_0X,))
    if "%" in text:
        yield from _escapes(text, "percent", _PERCENT, 3, _percent_text)
    if "&" in text and ";" in text:
        yield from _entities(text)
    words = text.split()
    if max(map(len, words), default=0) >= 16:
        yield from _base64(text, [w for w in words if len(w) >= 16])
    # Two different words that a shift or reversal turns into common English ("gur", "eht")
    # before any sentence is scored: English text almost never has them.
    if len(english.markers().intersection(words)) >= 2:
        yield from _ciphers(text)


def _hex(text: str, patterns: tuple[re.Pattern[str], ...]) -> Iterator[_Raw]:
    for pattern in patterns:
        for match in pattern.finditer(text):
            pairs = _HEX_NOISE.sub("", match.group(0)[:_READ])
            if (decoded := _blob(pairs, hexadecimal=True)) is not None:
                yield "hex", match.start(), match.end(), decoded


def _base64(text: str, long_words: list[str]) -> Iterator[_Raw]:
    """Base64 runs inside the long words of `text`: only those are searched, since a regex
    over the whole description costs more than the rest of this module."""
    end = cursor = 0
    for word in long_words:
        at = text.find(word, cursor)
        cursor = at + len(word)
        for match in _BASE64.finditer(text, at, cursor):
            if match.start() < end:
                continue  # a later line of a wrapped run already read
            start, end, parts = match.start(), match.end(), [match.group(0)]
            # A run wrapped at a whole number of quads goes on with the next line.
            while len(parts[-1]) % 4 == 0 and "=" not in parts[-1] and len(parts) * 16 < _READ:
                line = _BASE64_NEXT_LINE.match(text, end)
                if line is None:
                    break
                parts.append(line.group(1))
                end = line.end()
            blob = "".join(parts)
            if _ALL_HEX.fullmatch(blob):
                continue  # hex digits: _hex reads them; as base64 they are noise
            if (decoded := _blob(blob, hexadecimal=False)) is not None:
                yield "base64", start, end, decoded


def _blob(blob: str, *, hexadecimal: bool) -> str | None:
    """`decode_blob` on at most `_READ` characters of a run; a cut that splits a multi-byte
    character is moved back a few bytes."""
    if len(blob) <= _READ:
        return decode_blob(blob, hexadecimal=hexadecimal)
    step = 2 if hexadecimal else 4
    blob = blob.rstrip("=")[: _READ - _READ % step]
    for cut in range(0, 4 * step, step):
        if (decoded := decode_blob(blob[: len(blob) - cut], hexadecimal=hexadecimal)) is not None:
            return decoded
    return None


def _escapes(
    text: str, kind: str, run: re.Pattern[str], least: int, unescape: Callable[[str], str]
) -> Iterator[_Raw]:
    """Runs of escapes, widened to the word characters around them so "\\u0073end" reads
    "send"; `unescape` returns None when the run holds fewer than `least` escapes."""
    for match in run.finditer(text):
        start, end = _widen(text, match.start(), match.end())
        body = text[start:end][:_READ]
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
    token = _X_TOKEN if kind == "hex" else _U_TOKEN
    return sum(1 for _ in token.finditer(body))


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    low = max(0, start - _WIDEN)
    while start > low and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    high = min(len(text), end + _WIDEN)
    while end < high and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return start, end


def _bytes_text(body: str, token: re.Pattern[str]) -> str:
    """`body` with each byte escape replaced by its byte, read as UTF-8 (U+FFFD where that
    fails, which `is_prose` counts as unreadable)."""
    out = bytearray()
    pos = 0
    for match in token.finditer(body):
        out += body[pos : match.start()].encode("utf-8", "replace")
        out.append(int(match.group(1), 16))
        pos = match.end()
    out += body[pos:].encode("utf-8", "replace")
    return out.decode("utf-8", "replace")


def _x_text(body: str) -> str:
    return _bytes_text(body, _X_TOKEN)


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


def _entities(text: str) -> Iterator[_Raw]:
    for match in _ENTITY_RUN.finditer(text):
        start, end = _widen(text, match.start(), match.end())
        body = text[start:end][:_READ]
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


def _ciphers(text: str) -> Iterator[_Raw]:
    """Sentences in a letter cipher (ROT13, another Caesar shift) or written backwards; a
    message of several sentences in a row is one span."""
    spans: list[tuple[int, int, int]] = []
    start = 0
    for cut in [*(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]:
        sentence = text[start:cut]
        if (n := english.deciphered(sentence[:_READ])) is not None:
            first = start + len(sentence) - len(sentence.lstrip())
            last = start + len(sentence.rstrip())
            if spans and spans[-1][2] == n and not text[spans[-1][1] : first].strip():
                spans[-1] = (spans[-1][0], last, n)
            else:
                spans.append((first, last, n))
        start = cut
    for first, last, n in spans:
        kind = {13: "rot13", english.REVERSED: "reversed"}.get(n, "caesar")
        yield kind, first, last, english.shift(text[first:last][:_READ], n)
