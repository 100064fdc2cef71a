"""`--redact-responses`: secrets in a server's answer are masked before the client sees them.

Each string of a response's `result` (or `error`) goes through `mcpir.core.redact` (provider token
shapes, `Bearer …`, `password=…`) and then through the scan's secret detectors, which also
know checksummed formats and random-looking values under credential names. JSON structure,
keys and every non-secret byte of text are kept; masks show a fingerprint (`ghp_…(sha256:…)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcpir.core.redact import ELLIPSIS, mask, names_a_secret, redact_keyed
from mcpir.proxy.records import redact


def redact_string(text: str, key: str | None = None) -> str:
    from mcpir.secrets import find_secrets

    masked = redact_keyed(text, key) if key is not None and names_a_secret(key) else redact(text)
    hits = [h for h in find_secrets(masked, key) if ELLIPSIS not in h.secret.reveal()]
    for hit in sorted(hits, key=lambda h: h.start, reverse=True):
        masked = masked[: hit.start] + mask(hit.secret.reveal()) + masked[hit.end :]
    return masked


def redact_json(value: Any, key: str | None = None) -> Any:  # noqa: ANN401 - a JSON value
    """`value` with every secret in its strings masked; the same object when nothing changed."""
    if isinstance(value, str):
        new = redact_string(value, key)
        return value if new == value else new
    if isinstance(value, Mapping):
        out = {k: redact_json(v, str(k)) for k, v in value.items()}
        return value if all(out[k] is value[k] for k in value) else out
    if isinstance(value, list):
        items = [redact_json(v, key) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def redact_message(message: dict[str, Any]) -> dict[str, Any] | None:
    """A message from the server with secrets masked (a response's result or error, a request's
    or notification's params), or None when it holds none."""
    changed = False
    out = dict(message)
    for part in ("result", "error", "params"):
        if part in message:
            new = redact_json(message[part])
            if new is not message[part]:
                out[part], changed = new, True
    return out if changed else None
