"""A report in the format asked for (`--format`), to stdout or to the file `--output` names.

Shared by `mcpir scan` and `mcpir audit`: each passes its own renderers.
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, assert_never


class ReportFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


def emit(
    fmt: ReportFormat,
    output: Path | None,
    *,
    table: Callable[[bool], str],
    document: Callable[[], Any],
    sarif: Callable[[], str],
    written: str,
) -> None:
    """Render and write. `table` gets whether to colour (only on a terminal, never in a file);
    `document` is the JSON document; `written` names what a file got, for the note on stderr."""
    if fmt is ReportFormat.JSON:
        text = json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
    elif fmt is ReportFormat.SARIF:
        text = sarif()
    elif fmt is ReportFormat.TABLE:
        text = table(output is None and sys.stdout.isatty())
    else:
        assert_never(fmt)
    if output is None:
        sys.stdout.write(text)
        return
    from mcpir.core.fileio import atomic_write_text

    atomic_write_text(output, text)
    print(f"{written} written to {output}", file=sys.stderr)
