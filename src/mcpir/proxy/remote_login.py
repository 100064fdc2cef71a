"""`mcpir proxy login NAME` / `mcpir proxy logout NAME`: OAuth for a remote server, up front.

`login` connects to the server as the proxy would (`--url`, or the URL kept from an earlier
login), runs the authorization flow when it answers 401, and keeps the tokens in the keyring
(`remote_auth`); later proxies named NAME use them without asking. `logout` revokes them at
the authorization server's RFC 7009 revocation endpoint where it advertises one, and forgets
them; where it does not, it says what to do. No token value is ever printed.
"""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any, NoReturn

from mcpir.core.errors import EXIT_STEP_FAILED, McpirError, UsageError

VERBS = ("login", "logout")


class LoginFailed(McpirError):
    exit_code = EXIT_STEP_FAILED


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint=f"{self.prog} --help")


def _parser(verb: str) -> argparse.ArgumentParser:
    parse = _Parser(prog=f"mcpir proxy {verb}", description=__doc__.split("\n", 1)[0])
    parse.add_argument("name", help="the server's name (`--name` of its proxy)")
    if verb == "login":
        parse.add_argument("--url", help="the server's URL (default: the one kept at login)")
        parse.add_argument("--transport", choices=("http", "sse"), default=None)
        parse.add_argument("--header", action="append", default=[], metavar="'K: V'")
    parse.add_argument("--json", action="store_true", dest="json_output")
    return parse


def run(verb: str, argv: list[str]) -> int:
    """Parse, act, print one result; the exit code."""
    options = _parser(verb).parse_args(argv)
    result = login(options) if verb == "login" else logout(options.name)
    if options.json_output:
        print(json.dumps(result, indent=2))
    else:
        print(result["message"])
    return 0


def login(options: argparse.Namespace) -> dict[str, Any]:
    import anyio

    from mcpir.proxy import remote_auth
    from mcpir.proxy.remote_config import remote

    name = remote_auth.check_name(options.name)
    kept = remote_auth.read_meta(name) or {}
    url = options.url or kept.get("url")
    if not url:
        raise UsageError(f"no URL known for {name}", hint=f"mcpir proxy login {name} --url URL")
    target = remote(url, options.transport or "http", options.header, oauth=True)
    auth = remote_auth.provider(name, target.url)

    async def connect() -> None:
        from mcp.client.session import ClientSession

        from mcpir.proxy.remote_link import open_link

        async with open_link(target, auth) as (read, write), ClientSession(read, write) as session:
            with anyio.fail_after(remote_auth.CALLBACK_WAIT + target.timeout):
                await session.initialize()

    # The SDK logs a failed flow with its traceback and unredacted text: said here in one line.
    quiet = logging.getLogger("mcp")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    try:
        anyio.run(connect)
    except McpirError:
        raise
    except Exception as exc:  # noqa: BLE001 - the SDK's and the network's errors: one line
        from mcpir.proxy.remote_link import describe

        why = f"could not sign in to {name} at {target.shown_url()}: {describe(exc)}"
        hint = "check the URL, and that the sign-in finished in the browser"
        raise LoginFailed(why, hint=hint) from None
    meta = remote_auth.read_meta(name)
    if meta is None or "obtained_at" not in meta:
        return {"server": name, "url": target.shown_url(), "signed_in": False,
                "message": f"{name} did not ask for OAuth: nothing to keep"}  # fmt: skip
    said = f"signed in to {name}; tokens kept in the keyring"
    return _shown(meta) | {"signed_in": True, "message": said}


def _shown(meta: dict[str, Any]) -> dict[str, Any]:
    keys = ("server", "url", "provider", "issuer", "scopes", "expires_at", "refreshable")
    return {key: meta.get(key) for key in keys}


def logout(name: str) -> dict[str, Any]:
    from mcpir.proxy import remote_auth

    name = remote_auth.check_name(name)
    meta = remote_auth.read_meta(name)
    if meta is None:
        raise UsageError(f"no OAuth tokens kept for {name}",
                         hint="`mcpir tokens list` shows what is held")  # fmt: skip
    text = remote_auth._keyring_get(name)
    held = json.loads(text) if text else {}
    tokens = held.get("tokens") if isinstance(held, dict) else None
    client = held.get("client") if isinstance(held, dict) else None
    endpoint = meta.get("revocation_endpoint")
    revoked: list[str] = []
    if endpoint and isinstance(tokens, dict):
        revoked = _revoke(str(endpoint), tokens, client if isinstance(client, dict) else {})
    _forget(name)
    if endpoint:
        how = f"revoked the {' and '.join(revoked)} token at {endpoint}" if revoked else (
            f"the revocation endpoint {endpoint} refused; revoke the grant in the provider's "
            "settings")  # fmt: skip
    else:
        how = (f"{meta.get('issuer') or 'the authorization server'} advertises no revocation "
               "endpoint (RFC 7009): revoke mcpir's access in the provider's connected-apps "
               "settings")  # fmt: skip
    return _shown(meta) | {"revoked": revoked, "message": f"signed out of {name}: {how}; "
                           "tokens removed from the keyring"}  # fmt: skip


def _revoke(endpoint: str, tokens: dict[str, Any], client: dict[str, Any]) -> list[str]:
    """RFC 7009: the refresh token first (revoking it ends the grant), then the access token;
    never to an endpoint in clear text (plain http off loopback): nothing is confirmed."""
    import httpx2

    from mcpir.proxy.remote_link import cleartext

    done: list[str] = []
    if cleartext(endpoint):
        return done
    with httpx2.Client(timeout=15.0) as http:
        for kind in ("refresh_token", "access_token"):
            value = tokens.get(kind)
            if not isinstance(value, str):
                continue
            form = {"token": value, "token_type_hint": kind}
            if client.get("client_id"):
                form["client_id"] = str(client["client_id"])
            try:
                answer = http.post(endpoint, data=form)
            except httpx2.HTTPError:
                continue
            if answer.status_code == 200:
                done.append(kind.split("_")[0])
    return done


def _forget(name: str) -> None:
    import keyring

    from mcpir.proxy import remote_auth

    try:
        keyring.delete_password(remote_auth.SERVICE, name)
    except Exception:  # noqa: BLE001, S110 - nothing kept, or the keyring refused: the file goes
        pass
    try:
        (remote_auth.meta_dir() / f"{name}.json").unlink()
    except OSError:
        pass
