"""Runs of encoded bytes in a text and the text they hold: hex (plain, spaced, `0x52`), base64,
base32, binary digits, decimal character codes and zero-width binary.

Each finder yields (kind, start, end, text) for every run whose bytes read as text (UTF-8, or
UTF-16 as PowerShell's `-EncodedCommand` writes it); whether that text is prose is for
`mcpir.injection.decoding` to say. Every pattern is possessive or anchored by a lookbehind, so a
megabyte of digits or base64 letters costs one pass; a run is read up to `READ` characters.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from collections.abc import Iterator

# Characters read from one run: enough for 4,000 decoded characters in the longest form.
READ = 40_000
MIN_TEXT = 12  # bytes of text; shorter runs are names and numbers more often than text

# (kind, start, end, decoded)
Raw = tuple[str, int, int, str]

# Four bytes in any hex form, the first starting with a digit: every hex run of eight bytes of
# UTF-8 text has it. A search for it skips ahead on that digit, unlike the patterns below.
_HEX_GATE = re.compile(r"[0-9][0-9A-Fa-f](?:(?:[ ,:-]|\r?\n){0,2}+[0-9A-Fa-f]{2}){3}")
_HEX = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?+(?:[0-9A-Fa-f]{2}){8,}+(?![0-9A-Za-z])")
_HEX_SPACED = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Fa-f]{2}"
    r"(?:(?:[ ,:-]|\r?\n){1,2}+[0-9A-Fa-f]{2}(?![0-9A-Za-z])){5,}"
)
_HEX_0X = re.compile(r"0[xX][0-9A-Fa-f]{2}(?:,?[ ]?0[xX][0-9A-Fa-f]{2}(?![0-9A-Za-z])){3,}")
_HEX_NOISE = re.compile(r"0[xX]|[^0-9A-Fa-f]")
_ALL_HEX = re.compile(r"[0-9A-Fa-f]+")
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}+={0,2}+")
_BASE64_NEXT_LINE = re.compile(
    r"[ \t]*+\r?\n[ \t]*+([A-Za-z0-9+/_-]++={0,2}+)(?=[ \t]*+(?:\r?\n|$))"
)
_BASE32 = re.compile(r"[A-Z2-7]{16,}={0,6}")
# No lookahead after a possessive run: failing there would retry from every later group and
# cost quadratic time; a run that goes on in digits decodes to noise instead.
_BINARY = re.compile(r"(?<![0-9])[01]{8}(?:[ ,]?+[01]{8}){5,}+")
# Three numbers of two or three digits in a row ("82, 101, 97"): what every run of character
# codes for text has; a search for it skips ahead on the first digit.
_CODES_GATE = re.compile(r"[1-9][0-9]{1,2}(?:,\s?|\s)[1-9][0-9]{1,2}(?:,\s?|\s)[1-9][0-9]{1,2}")
_CODES = re.compile(r"(?<![\w.])[0-9]{2,7}(?:(?:,\s?+|\s)[0-9]{2,7}){7,}+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\u2062\u2063\u2064\ufeff]{16,}")


def hex_runs(text: str) -> Iterator[Raw]:
    if _HEX_GATE.search(text):
        yield from _hex(text, _HEX)
        yield from _hex(text, _HEX_SPACED)
    if "0x" in text or "0X" in text:
        yield from _hex(text, _HEX_0X)


def _hex(text: str, pattern: re.Pattern[str]) -> Iterator[Raw]:
    for match in pattern.finditer(text):
        digits = _HEX_NOISE.sub("", match.group(0)[:READ])
        if (decoded := blob_text(digits, hexadecimal=True)) is not None:
            yield "hex", match.start(), match.end(), decoded


def base64_runs(text: str, long_words: list[str]) -> Iterator[Raw]:
    """Base64 and base32 runs inside the long words of `text`: only those are searched, since
    a regex over the whole description costs more than the rest of the decoding."""
    end = cursor = 0
    for word in long_words:
        at = text.find(word, cursor)
        cursor = at + len(word)
        for match in _BASE64.finditer(text, at, cursor):
            if match.start() < end:
                continue  # a later line of a wrapped run already read
            lines = [(match.group(0), match.start(), match.end())]
            # A wrapped run goes on with each next line that is all base64, until one is
            # padded or short.
            while len(lines[-1][0]) >= 16 and "=" not in lines[-1][0] and len(lines) * 16 < READ:
                line = _BASE64_NEXT_LINE.match(text, lines[-1][2])
                if line is None:
                    break
                lines.append((line.group(1), line.start(1), line.end(1)))
            end = lines[-1][2]
            found = _blob_run("".join(part for part, _, _ in lines))
            if found is not None:
                yield found[0], match.start(), end, found[1]
            elif len(lines) > 1:
                # Lines that only looked like one run are read one by one, each once: going
                # back to the search would join the same lines again from each of them.
                for part, first, last in lines:
                    if (alone := _blob_run(part)) is not None:
                        yield alone[0], first, last, alone[1]


def _blob_run(blob: str) -> tuple[str, str] | None:
    if _ALL_HEX.fullmatch(blob):
        return None  # hex digits: hex_runs reads them; as base64 they are noise
    if _BASE32.fullmatch(blob) and (decoded := _base32(blob)) is not None:
        return "base32", decoded
    if (decoded := blob_text(blob, hexadecimal=False)) is not None:
        return "base64", decoded
    return None


def _base32(blob: str) -> str | None:
    core = blob.rstrip("=")[: READ - READ % 8]
    try:
        raw = base64.b32decode(core + "=" * (-len(core) % 8))
    except (binascii.Error, ValueError):
        return None
    return bytes_text(raw)


def binary_runs(text: str) -> Iterator[Raw]:
    """Bytes written as eight binary digits each ("01010010 01100101 …")."""
    for match in _BINARY.finditer(text):
        bits = "".join(c for c in match.group(0)[: READ * 2] if c in "01")
        raw = int(bits, 2).to_bytes(len(bits) // 8, "big")
        if (decoded := bytes_text(raw)) is not None:
            yield "binary", match.start(), match.end(), decoded


def code_runs(text: str) -> Iterator[Raw]:
    """Characters written as decimal code points ("82, 101, 97, 100", `String.fromCharCode`)."""
    if not _CODES_GATE.search(text):
        return
    for match in _CODES.finditer(text):
        codes = [int(n) for n in re.findall(r"[0-9]+", match.group(0)[:READ])]
        if all(9 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF for code in codes):
            decoded = "".join(map(chr, codes))
            if _readable(decoded, len(decoded.encode("utf-8", "replace"))):
                yield "char-codes", match.start(), match.end(), decoded


def zero_width_runs(text: str) -> Iterator[Raw]:
    """Bits written as two kinds of zero-width character (the rest read as separators), in
    either assignment of 0 and 1."""
    for match in _ZERO_WIDTH.finditer(text):
        run = match.group(0)[: READ * 8]
        common = [char for char, _ in Counter(run).most_common(2)]
        if len(common) < 2:
            continue
        for zero, one in (common, common[::-1]):
            bits = "".join("0" if c == zero else "1" for c in run if c in (zero, one))
            bits = bits[: len(bits) - len(bits) % 8]
            if not bits:
                continue
            raw = int(bits, 2).to_bytes(len(bits) // 8, "big")
            if (decoded := bytes_text(raw)) is not None:
                yield "zero-width-binary", match.start(), match.end(), decoded
                break


def blob_text(blob: str, *, hexadecimal: bool) -> str | None:
    """The text a hex or base64 (standard or URL-safe, padding optional) run encodes, if it is
    readable text; None for binary data such as images and digests. A run longer than `READ`
    is read up to there, the cut moved back a little if it splits a character."""
    if len(blob) > READ:
        step = 2 if hexadecimal else 4
        blob = blob.rstrip("=")[: READ - READ % step]
        for cut in range(0, 4 * step, step):
            raw = blob_bytes(blob[: len(blob) - cut], hexadecimal=hexadecimal)
            if raw is not None and (decoded := bytes_text(raw)) is not None:
                return decoded
        return None
    raw = blob_bytes(blob, hexadecimal=hexadecimal)
    return None if raw is None else bytes_text(raw)


def blob_bytes(blob: str, *, hexadecimal: bool) -> bytes | None:
    try:
        if hexadecimal:
            return bytes.fromhex(blob)
        core = blob.rstrip("=").replace("-", "+").replace("_", "/")
        return base64.b64decode(core + "=" * (-len(core) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def bytes_text(raw: bytes) -> str | None:
    """`raw` as text if it is UTF-8 (or UTF-16, when every other byte is zero) of at least
    `MIN_TEXT` bytes, 95 % of its characters printable."""
    try:
        if len(raw) % 2 == 0 and raw.count(0) * 3 >= len(raw):
            little = raw[1::2].count(0) >= raw[0::2].count(0)
            decoded = raw.decode("utf-16-le" if little else "utf-16-be").lstrip("\ufeff")
        else:
            decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return decoded if _readable(decoded, len(raw)) else None


def _readable(decoded: str, size: int) -> bool:
    if size < MIN_TEXT:
        return False
    if decoded.isprintable():
        return True
    return sum(c.isprintable() or c in "\n\t" for c in decoded) >= 0.95 * len(decoded)
