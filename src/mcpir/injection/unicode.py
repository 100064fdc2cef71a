"""Text a person does not see but the model reads: invisible characters, look-alike letters,
terminal escapes and encoded runs.

Used by `mcpir.injection.detector`: the detector's rules run on `fold()`ed text, so a keyword cut
in two by a zero-width space or spelled with Cyrillic look-alikes is still matched;
`hidden_unicode()` reports the invisible characters themselves, `hidden_runs()` reads the text
that tag characters and variation selectors carry, `decode_blob()` opens base64 and hex runs,
and `excerpt()` makes evidence safe to print (nothing invisible left in it).
"""

from __future__ import annotations

import re
import unicodedata

from mcpir.injection.blobs import blob_text

_CANCEL_TAG = 0xE007F
_BLACK_FLAG = 0x1F3F4
_ZERO_WIDTH = "\u00ad\u034f\u115f\u1160\u180e\u200b\u200c\u200d\u2060-\u2064\u3164\ufeff\uffa0"
_DIRECTION = "\u061c\u200e\u200f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
_TAGS = "\U000e0000-\U000e007f"
# C0/C1 controls other than tab and line breaks; ESC starts the ANSI sequences that recolour,
# hide (SGR 8) or overwrite text in a terminal.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_REORDER = re.compile(f"[{_BIDI}]")
_SUSPECT = re.compile(f"[{_ZERO_WIDTH}{_DIRECTION}{_BIDI}\ufe0e\ufe0f]")
_TAG_RUN = re.compile(f"[{_TAGS}]+")
_SELECTOR_RUN = re.compile(f"[{_SELECTORS}]{{4,}}")
# What fold() drops: everything above plus the remaining format characters that render as
# nothing (Khmer inherent vowels, Mongolian selectors, invisible operators, musical format).
_STRIP = re.compile(
    f"[{_CONTROLS}{_ZERO_WIDTH}{_DIRECTION}{_BIDI}{_SELECTORS}{_TAGS}"
    "\u17b4\u17b5\u180b-\u180f\u2065\u206a-\u206f\ufff9-\ufffb\U0001d173-\U0001d17a"
    "\U000e0080-\U000e00ff]"
)
# Marks and embeddings that right-to-left text legitimately uses.
_DIRECTIONAL = re.compile(f"[{_DIRECTION}{_BIDI}]")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff]")
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
_ALSO_INVISIBLE = re.compile(f"[{_ZERO_WIDTH}{_SELECTORS}]")

# Only letters that render identically to a Latin one in common UI fonts: enough to undo
# "іgnore previous instructions" without turning ordinary Greek or Russian text into English.
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁһӏАВЕКМНОРСТХІЈЅԜοαιρνκτΑΒΕΗΙΚΜΝΟΡΤΧΥΖ",
    "aeopcyxijsdhlABEKMHOPCTXIJSWoaipvktABEHIKMNOPTXYZ",
)


def is_invisible(char: str) -> bool:
    """Whether a client renders `char` as nothing (or as nothing readable)."""
    return (
        unicodedata.category(char) in _UNPRINTABLE_CATEGORIES
        or _ALSO_INVISIBLE.match(char) is not None
    )


def escape(text: str) -> str:
    """`text` with every invisible character spelled out, e.g. `\\u200b`."""
    if text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        if char in "\n\r\t":
            out.append(" ")
        elif is_invisible(char):
            code = ord(char)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def excerpt(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters, invisible characters spelled out."""
    # Escaping only lengthens, so cut first: a long description is not escaped in full.
    joined = " ".join(text[: limit * 4].split())
    flat = escape(joined[:limit])
    if len(flat) <= limit and len(joined) <= limit:
        return flat
    # Never leave half an escape such as "\u20" at the cut.
    return re.sub(r"\\(?:u[0-9a-f]{0,3}|U[0-9a-f]{0,7})$", "", flat[: limit - 1]) + "…"


def fold(text: str) -> str:
    """The text the model effectively reads: invisibles removed, compatibility forms and
    look-alike letters mapped to plain Latin."""
    if not text.isascii() or _CONTROL.search(text):
        text = _STRIP.sub("", _ANSI.sub("", text))
        text = unicodedata.normalize("NFKC", text).translate(_CONFUSABLES)
    return text


def decode_blob(blob: str, *, hexadecimal: bool) -> str | None:
    """The text a base64 (standard or URL-safe) or hex run encodes, if it is readable text;
    None for binary data such as images and digests."""
    return blob_text(blob, hexadecimal=hexadecimal)


def tag_text(tags: str) -> str:
    """The ASCII a run of Unicode tag characters spells (language and cancel tags dropped)."""
    return "".join(chr(ord(c) - 0xE0000) for c in tags if "\U000e0020" <= c < "\U000e007f")


def hidden_runs(text: str) -> list[tuple[str, int, int, str]]:
    """Invisible runs that carry text, as (kind, start, end, text): tag characters spelling
    ASCII (subdivision flags excepted) and variation selectors carrying bytes."""
    if text.isascii():
        return []
    runs = [
        ("tag-characters", run.start(), run.end(), tag_text(run.group(0)))
        for run in _TAG_RUN.finditer(text)
        if not _is_flag_sequence(text, run.start(), run.end())
    ]
    for run in _SELECTOR_RUN.finditer(text):
        hidden = _selector_bytes(run.group(0)).decode("utf-8", "replace")
        runs.append(("variation-selectors", run.start(), run.end(), hidden))
    return runs


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) in {"So", "Sk"} or 0x1F3FB <= ord(char) <= 0x1F3FF


def _is_other_script_letter(char: str) -> bool:
    return ord(char) > 0x36F and unicodedata.category(char).startswith("L")


def _is_flag_sequence(text: str, start: int, end: int) -> bool:
    """Subdivision flags (England, Scotland, Wales) are a black flag followed by tag letters."""
    return (
        start > 0
        and ord(text[start - 1]) == _BLACK_FLAG
        and ord(text[end - 1]) == _CANCEL_TAG
        and all(chr(ord(c) - 0xE0000).isalnum() for c in text[start : end - 1])
    )


def _selector_bytes(run: str) -> bytes:
    """Each variation selector carries a byte: a known way to smuggle a sentence behind one
    emoji. VS1-16 are 0-15, VS17-256 are 16-255."""
    return bytes(ord(c) - 0xFE00 if ord(c) <= 0xFE0F else ord(c) - 0xE0100 + 16 for c in run)


def _is_legitimate(text: str, i: int, has_rtl: bool) -> bool:
    """Invisible characters that writing systems and emoji need, where they need them."""
    char = text[i]
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if char == "\ufeff" and i == 0:
        return True  # byte-order mark
    if char in "\u200c\u200d" and (
        (before and after and _is_emoji(before) and _is_emoji(after))
        or (before and _is_other_script_letter(before))
        or (after and _is_other_script_letter(after))
    ):
        return True
    if char in "\ufe0e\ufe0f":
        return bool(before) and not is_invisible(before)
    return has_rtl and _DIRECTIONAL.match(char) is not None


def hidden_unicode(text: str) -> list[tuple[str, str, int, str]]:
    """Invisible characters as (severity, message, position, evidence) findings."""
    if text.isascii() and not _CONTROL.search(text):
        return []
    findings: list[tuple[str, str, int, str]] = []
    controls = [m.start() for m in _CONTROL.finditer(text)]
    if controls:
        what = "ANSI escape sequences" if _ANSI.search(text) else "control characters"
        message = f"{len(controls)} {what} can hide, recolour or overwrite text in a terminal"
        first = controls[0]
        findings.append(("medium", message, first, text[max(0, first - 30) : first + 40]))
    for run in _TAG_RUN.finditer(text):
        if not _is_flag_sequence(text, run.start(), run.end()):
            hidden = tag_text(run.group(0))
            message = f"{len(run.group(0))} Unicode tag characters spell out text no client shows"
            findings.append(("high", message, run.start(), f'hidden text "{escape(hidden)}"'))
    covered: set[int] = set()
    for run in _SELECTOR_RUN.finditer(text):
        covered.update(range(run.start(), run.end()))
        decoded = _selector_bytes(run.group(0)).decode("utf-8", "replace")
        message = f"{len(run.group(0))} variation selectors in a row carry hidden bytes"
        findings.append(("high", message, run.start(), f'hidden bytes "{escape(decoded)}"'))
    suspects = [m.start() for m in _SUSPECT.finditer(text) if m.start() not in covered]
    has_rtl = bool(suspects) and _RTL.search(text) is not None
    stray = [i for i in suspects if not _is_legitimate(text, i, has_rtl)]
    if stray:
        first = stray[0]
        inside_word = any(
            0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum() for i in stray
        )
        reorders = any(_REORDER.match(text[i]) for i in stray)
        severity = "medium" if len(stray) >= 2 or inside_word or reorders else "low"
        names = ", ".join(sorted({f"U+{ord(text[i]):04X}" for i in stray})[:4])
        message = (
            f"{len(stray)} invisible formatting character(s) ({names}) can hide or reorder text"
        )
        findings.append((severity, message, first, text[max(0, first - 30) : first + 30]))
    return findings
