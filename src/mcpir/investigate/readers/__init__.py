"""Every transcript source, registered in one place. Adding one: a module and a line here."""

from mcpir.investigate.readers import (
    claude_code,
    claude_desktop,
    cline,
    codex,
    gemini,
    invocations,
)
from mcpir.investigate.readers.base import Reader

READERS: tuple[Reader, ...] = (
    claude_code.READER,
    codex.READER,
    gemini.READER,
    claude_desktop.READER,
    cline.CLINE,
    cline.ROO,
    cline.KILO,
    invocations.READER,
)
