"""Text made safe for a terminal: secrets masked, control characters shown, not obeyed.

A config file is attacker-controlled input: a server name with an escape sequence or a carriage
return could repaint the screen and forge mcpir's own output.
"""

from __future__ import annotations

import re

from mcpir.core.redact import redact_text

# Also the marks that reorder or hide text without being controls: LRM, RLM, ALM, zero-width
# space and joiners' neighbours, and the BOM a name may smuggle in.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    r"\u2066-\u2069\ufeff]"
)


def shown(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", redact_text(text))


def one_line(text: str) -> str:
    """`shown`, for one cell or row of a table: a newline or tab in a name, path or reason
    (attacker-chosen in a config or a commit) is shown, not obeyed, so it cannot forge a row."""
    return shown(text).replace("\n", "\\n").replace("\t", "\\t")


NAME_CELL = 64


def name_cell(text: str, limit: int = NAME_CELL) -> str:
    """`one_line`, cut to `limit` characters: a 5,000-character server name (attacker-chosen)
    must not squeeze every other column of a table down to "…"."""
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
