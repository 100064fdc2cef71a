"""OAuth tokens mcpir keeps for remote servers (`mcpir proxy login`, `proxy --oauth`), as tokens.

Listed from what `mcpir.proxy.remote_auth` writes beside the keyring entry (server, URL,
issuer, scopes, expiry), never from the keyring itself: listing them unlocks nothing and reads
no value. A token is known by a fingerprint of its server, issuer and sign-in time (the value
is not read to fingerprint it); its location names the keyring entry and what it grants.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcpir.core.paths import data_dir
from mcpir.core.secret import fingerprint
from mcpir.tokens.evidence import LAST_ROTATED
from mcpir.tokens.model import Token, today, token_id

PROVIDER = "oauth"
SIGN_OUT = "mcpir proxy logout {server}"


def _entries(directory: Path) -> list[dict[str, Any]]:
    out = []
    try:
        paths = sorted(directory.glob("*.json"))
    except OSError:
        return []
    for path in paths[:1000]:
        try:
            if path.is_symlink() or path.stat().st_size > 65536:
                continue
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(value, dict) and isinstance(value.get("server"), str):
            out.append(value)
    return out


def _day(epoch: Any) -> str | None:  # noqa: ANN401 - a number from a file
    if not isinstance(epoch, int | float) or isinstance(epoch, bool):
        return None
    try:
        return datetime.fromtimestamp(epoch, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _where(entry: Mapping[str, Any]) -> str:
    found = entry.get("scopes")
    scopes: list[Any] = found if isinstance(found, list) else []
    parts = [f"issuer {entry.get('issuer') or 'unknown'}",
             f"scopes {' '.join(str(s) for s in scopes) or 'none'}",
             f"expires {_day(entry.get('expires_at')) or 'unknown'}",
             f"sign out: {SIGN_OUT.format(server=entry['server'])}"]  # fmt: skip
    return f"keyring:mcpir-oauth/{entry['server']} ({', '.join(parts)})"


def held(environ: Mapping[str, str] | None) -> list[Token]:
    """The OAuth tokens held for remote servers; none for a sandboxed run (`environ` None):
    the keyring belongs to this machine."""
    if environ is None:
        return []
    tokens = []
    # `mcpir.proxy.remote_auth.meta_dir()`, named here: tokens must not import the proxy.
    for entry in _entries(data_dir() / "oauth"):
        if "obtained_at" not in entry:
            continue  # a client registered, no token obtained
        since = _day(entry.get("obtained_at"))
        age = (today() - datetime.fromisoformat(since).date()).days if since else None
        print_ = f"oauth:{entry['server']}:{entry.get('issuer')}:{entry.get('obtained_at')}"
        mark = fingerprint(print_)
        tokens.append(Token(
            id=token_id(mark), provider=PROVIDER, fingerprint=mark, locations=(_where(entry),),
            servers=(str(entry["server"]),), first_seen=since, last_rotated=since, age_days=age,
            status="keyring", age_source=LAST_ROTATED if since else None,
            store="keyring:unknown",
        ))  # fmt: skip
    return tokens
