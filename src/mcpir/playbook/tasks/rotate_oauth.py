"""The rotate step for OAuth tokens: revoke the grant, then re-authorize.

Here and not in `mcpir.tokens`: it drives `mcpir.proxy`'s logout, and the proxy already
imports `tokens` (its `${VAR}` headers), so only a layer above both may join them.

A token mcpir keeps for a remote server (`mcpir proxy login`) is revoked at the authorization
server's RFC 7009 endpoint where its metadata advertised one — what `mcpir proxy logout` does —
and is called rotated only when the server confirmed every token held (refresh and access);
the next action is then signing in again. Where no endpoint is advertised, or the server does
not confirm, the tokens stay in the keyring (mcpir may still need them to revoke later) and the
outcome says which page and which commands retire them. Tokens a client keeps itself are the
client's to sign out of (`mcpir.tokens.client_held`): mcpir never reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mcpir.core.errors import McpirError
from mcpir.tokens.model import Token

ROTATED, PENDING = "rotated", "pending"


@dataclass(frozen=True)
class OAuthStep:
    """Where one OAuth token stands after the step, and the sentence a person acts on."""

    state: str  # `rotated` only when the authorization server confirmed the revocation
    detail: str


def relogin(server: str) -> str:
    return f"re-authorize with `mcpir proxy login {server}`"


def _by_hand(server: str, meta: dict[str, Any], why: str) -> str:
    issuer = meta.get("issuer") or "the authorization server"
    return (f"{why}: revoke mcpir's access on {issuer}'s connected-apps (authorized "
            f"applications) page, then `mcpir proxy logout {server}` to forget the tokens, "
            f"then {relogin(server)}")  # fmt: skip


def step(token: Token, *, act: bool, dry_run: bool) -> OAuthStep:
    """The rotate step's outcome for an `oauth` token; `act`: revoke now (approved, this
    machine's own home, not a dry run)."""
    if token.store.startswith("client:"):
        from mcpir.tokens.client_held import sign_out

        return OAuthStep(PENDING, f"held by {token.store.removeprefix('client:')}, not by mcpir: "
                         f"{sign_out(token.store)}; signing in again issues a new token; if the "
                         "client's sign-out does not revoke it, revoke the app's access at the "
                         "provider")  # fmt: skip
    server = token.servers[0] if token.servers else ""
    from mcpir.proxy import remote_auth

    try:
        meta = remote_auth.read_meta(server)
    except McpirError:
        meta = None
    if meta is None:
        return OAuthStep(PENDING, f"no OAuth tokens are kept for {server!r} any more: "
                         "`mcpir tokens list` shows what is held")  # fmt: skip
    endpoint = meta.get("revocation_endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        issuer = meta.get("issuer") or "the authorization server"
        return OAuthStep(PENDING, _by_hand(
            server, meta, f"{issuer} advertises no revocation endpoint (RFC 7009)"))  # fmt: skip
    if dry_run:
        return OAuthStep(PENDING, f"dry run: would revoke the tokens kept for {server} at "
                         f"{endpoint} (RFC 7009), then you {relogin(server)}")  # fmt: skip
    if not act:
        return OAuthStep(
            PENDING,
            f"revoke and re-authorize: `mcpir proxy logout {server}` "
            f"(revokes them at {endpoint}), then `mcpir proxy login {server}`",
        )
    return _revoke(server, meta, endpoint)


def _revoke(server: str, meta: dict[str, Any], endpoint: str) -> OAuthStep:
    from mcpir.proxy import remote_auth, remote_login

    try:
        text = remote_auth._keyring_get(server)
    except McpirError as exc:
        return OAuthStep(PENDING, _by_hand(server, meta, exc.message))
    try:
        held = json.loads(text) if text else {}
    except ValueError:
        held = {}
    tokens = held.get("tokens") if isinstance(held, dict) else None
    client = held.get("client") if isinstance(held, dict) else None
    kinds = [kind.split("_")[0] for kind in ("refresh_token", "access_token")
             if isinstance(tokens, dict) and isinstance(tokens.get(kind), str)]  # fmt: skip
    if not kinds or not isinstance(tokens, dict):
        return OAuthStep(
            PENDING, _by_hand(server, meta, f"the keyring holds no token for {server}")
        )
    try:
        revoked = remote_login._revoke(endpoint, tokens, client if isinstance(client, dict) else {})
    except Exception:  # noqa: BLE001 - a malformed endpoint, a refused connection: not confirmed
        revoked = []
    if sorted(revoked) != sorted(kinds):
        done = f" (it confirmed the {' and '.join(revoked)} token only)" if revoked else ""
        why = f"{endpoint} did not confirm the revocation{done}; the tokens stay in the keyring"
        return OAuthStep(PENDING, _by_hand(server, meta, why))
    remote_login._forget(server)
    return OAuthStep(ROTATED, f"revoked the {' and '.join(revoked)} token at {endpoint} and "
                     f"removed them from the keyring; next: {relogin(server)}")  # fmt: skip
