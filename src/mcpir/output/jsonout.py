"""JSON on stdout: one document, nothing else."""

from __future__ import annotations

import json
import sys
from typing import Any


def dump(document: Any) -> None:  # noqa: ANN401
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
