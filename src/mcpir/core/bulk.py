"""Building many long-lived objects at once without the cycle collector walking them again.

Discovery turns every server of every config into a `Server` (with its dicts, secrets and
tuples) and keeps them all until the scan ends. CPython's cycle collector runs a full pass over
every tracked object each time the long-lived ones grow by a quarter, so a large scan spent a
fifth of its time (`benchmarks/secrets.py`, 50 MiB of configs) re-walking servers it had just
built. None of these objects form cycles that need collecting while the work runs: reference
counting frees the rest as before, and the collector resumes, with everything, afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def building() -> Iterator[None]:
    """Pause the cycle collector for the block. Nested or concurrent blocks are harmless: the
    block that found it enabled turns it back on, whatever happened inside."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
