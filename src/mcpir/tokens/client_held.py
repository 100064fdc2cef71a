"""OAuth tokens AI clients keep themselves, listed where they can be found without reading one.

- Claude Code: `~/.claude/.credentials.json` (`$CLAUDE_CONFIG_DIR` on this machine), a JSON
  file whose top-level `claudeAiOauth` is the Claude account's sign-in and whose `mcpOAuth`
  holds one entry per remote MCP server (`<server>|<hash>`). Only key names are read, from a
  file of at most 1 MiB that is no link leaving the home; on macOS the Keychain item
  `Claude Code-credentials` is looked up by name (`security find-generic-password` without
  `-w`/`-g`, which prints no secret; its output is discarded anyway).
- VS Code (and Insiders, VSCodium): the secret storage of MCP servers' sign-ins lives in
  `<User>/globalStorage/state.vscdb`, table `ItemTable`, under keys
  `secret://{"isDynamicAuthProvider":true,"authProviderId":…,"clientId":…}`; only that
  column is read (values are encrypted by VS Code and never touched).

Cursor and Windsurf keep theirs where no documentation says (`/work/shared/clients.md` names
only Cursor's transcripts): not guessed. Each token comes with the client's own sign-out.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_text
from mcpir.core.secret import fingerprint
from mcpir.tokens.model import Token, token_id

PROVIDER = "oauth"
MAX_BYTES = 1024 * 1024
MAX_ENTRIES = 200  # per file: a planted file with a million keys lists 200
KEYCHAIN_SERVICE = "Claude Code-credentials"
VSCODE_PRODUCTS = ("Code", "Code - Insiders", "VSCodium")
_SECRET_PREFIX = "secret://"  # noqa: S105 - a key prefix, no secret
SIGN_OUT = {
    "claude-code": "in Claude Code run `/mcp`, pick the server, Clear authentication (an MCP "
    "server's sign-in); `/logout` signs the Claude account out",
    "vscode": "in VS Code open the Accounts menu, pick the account, Sign Out; or Command "
    "Palette › Authentication: Remove Dynamic Authentication Providers",
}


def sign_out(store: str) -> str:
    """The client's own command that drops the tokens kept in `store` (`client:<name>`)."""
    client = store.removeprefix("client:").removesuffix("-keychain")
    return SIGN_OUT.get(client, "sign out in the client")


def _shown(text: str) -> str:
    """A name from a file anyone may have written: short, printable, redacted."""
    return redact_text("".join(c if c.isprintable() else "?" for c in text[:100]))


def _token(client: str, where: str, key: str, servers: tuple[str, ...], store: str) -> Token:
    mark = fingerprint(f"client:{client}:{where}:{key}")  # names, not the value
    location = f"{where}: {_shown(key)} (value not read; sign out: {sign_out(store)})"
    return Token(id=token_id(mark), provider=PROVIDER, fingerprint=mark, locations=(location,),
                 servers=servers, first_seen=None, last_rotated=None, age_days=None,
                 status="keyring", age_source=None, store=store)  # fmt: skip


def _inside(path: Path, home: Path) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(home)
    return os.path.commonpath((real, base)) == base


def _small_file(path: Path, home: Path, explicit: bool) -> bool:
    """A regular file of at most MAX_BYTES; a link only when it stays inside the home (or
    the directory the user named in `$CLAUDE_CONFIG_DIR`)."""
    try:
        info = os.stat(path)
        linked = path.is_symlink() or os.path.realpath(path.parent) != os.path.abspath(path.parent)
    except (OSError, ValueError):
        return False
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        return False
    return not linked or explicit or _inside(path, home)


def _claude_file(scopes: Scopes) -> list[Token]:
    dirs = [(scopes.home / ".claude", False)]
    named = (scopes.environ or {}).get("CLAUDE_CONFIG_DIR")
    if named and not scopes.sandboxed:
        dirs.insert(0, (Path(named).expanduser(), True))
    out: list[Token] = []
    seen: set[str] = set()
    for directory, explicit in dirs:
        path = directory / ".credentials.json"
        real = os.path.realpath(path)
        if real in seen or not _small_file(path, scopes.home, explicit):
            continue
        seen.add(real)
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):
            continue
        if not isinstance(data, dict):
            continue
        where = scopes.display(path)
        if isinstance(data.get("claudeAiOauth"), dict):
            out.append(_token("claude-code", where, "claudeAiOauth (the Claude account)", (),
                              "client:claude-code"))  # fmt: skip
        servers = data.get("mcpOAuth")
        for key in list(servers)[:MAX_ENTRIES] if isinstance(servers, dict) else ():
            server = _shown(str(key).split("|", 1)[0])
            out.append(_token("claude-code", where, f"mcpOAuth {key}", (server,) if server else (),
                              "client:claude-code"))  # fmt: skip
    return out


Runner = Callable[[list[str]], int]


def _run(argv: list[str]) -> int:
    try:
        quiet = subprocess.DEVNULL
        done = subprocess.run(argv, stdin=quiet, stdout=quiet, stderr=quiet, timeout=10,  # noqa: S603
                              check=False)  # fmt: skip
        return done.returncode
    except (OSError, subprocess.TimeoutExpired):
        return -1


def _claude_keychain(scopes: Scopes, system: str, run: Runner) -> list[Token]:
    """The Keychain item, by name: attributes only, and not even those are kept."""
    if scopes.sandboxed or system != "darwin":
        return []
    if run(["security", "find-generic-password", "-s", KEYCHAIN_SERVICE]) != 0:
        return []
    where = f"macOS Keychain item {KEYCHAIN_SERVICE!r}"
    return [_token("claude-code", where, "Claude Code's sign-ins (account and MCP servers)", (),
                   "client:claude-code-keychain")]  # fmt: skip


def _vscode(scopes: Scopes) -> list[Token]:
    from mcpir.discovery.client import app_dirs
    from mcpir.discovery.state import sqlite_strings

    out: list[Token] = []
    for product in VSCODE_PRODUCTS:
        for base in app_dirs(product):
            db = scopes.home / base / "User" / "globalStorage" / "state.vscdb"
            if not db.exists() or (db.is_symlink() and not _inside(db, scopes.home)):
                continue
            keys = [k for k in sqlite_strings(db, scopes, "ItemTable", "key")
                    if k.startswith(_SECRET_PREFIX) and "isDynamicAuthProvider" in k]  # fmt: skip
            where = scopes.display(db)
            for key in keys[:MAX_ENTRIES]:
                try:
                    named = json.loads(key.removeprefix(_SECRET_PREFIX))
                except (ValueError, RecursionError):
                    continue
                if not isinstance(named, dict) or named.get("isDynamicAuthProvider") is not True:
                    continue
                provider = str(named.get("authProviderId") or "unknown")
                out.append(_token("vscode", where, f"secret storage entry for {provider}", (),
                                  "client:vscode"))  # fmt: skip
    return out


def held(scopes: Scopes, system: str = sys.platform, run: Runner = _run) -> list[Token]:
    """Every client-held OAuth token found under the home; `system` and `run` are the
    platform and the command runner (the Keychain look-up's, given by tests)."""
    return [*_claude_file(scopes), *_claude_keychain(scopes, system, run), *_vscode(scopes)]
