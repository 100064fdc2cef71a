"""Where the paths a client recorded are on this machine, for a client module that looks its
own per-project state up by path: the re-rooting `projects.collect` gives the projects it reads.

With another machine's home as `--home`, Claude Code's `projects["/home/alex/src/app"]` belongs
to `<--home>/src/app`: a lookup by the path as recorded would miss it, and a server the user
switched off there would show as on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from mcpir.core.paths import Scopes
from mcpir.discovery.projects import _locate, normalized, original_home


def here(path: Path) -> Path:
    """`path` as a key of `located`: absolute, `..` and links left as they are."""
    return Path(os.path.abspath(path))


def located(recorded: Iterable[object], scopes: Scopes) -> dict[Path, list[str]]:
    """Each place on this machine and the recorded paths that stand for it; a recorded path that
    is nowhere here (outside the home another machine's `--home` stands for, a Windows path on
    POSIX, not an absolute path) stands for none."""
    texts = [text for text in recorded if isinstance(text, str)]
    norms = {text: normalized(text) for text in texts}
    home_then = original_home(n for n in norms.values() if n) if scopes.sandboxed else None
    found: dict[Path, list[str]] = {}
    for text, norm in norms.items():
        if norm is None:
            continue
        path, _ = _locate(norm, scopes, home_then)
        if path is not None:
            found.setdefault(here(path), []).append(text)
    return found
