"""Which records mcpir trusts: the ones it sealed itself, on this machine, for this user.

`.atom-trail/` lives inside a repository, so anyone who can push to it can plant a journal there.
Each journal record therefore carries `mac`, an HMAC-SHA256 over the record and the incident it
belongs to, keyed with 32 random bytes kept in mcpir's user data dir (`journal.key`, mode 0600,
created on first use, never inside a repository). A record whose MAC does not verify was not
written by this user's mcpir: readers drop it, so `restore`, `report`, `close` and `--resume`
act only on incidents this machine opened.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from pathlib import Path
from typing import Any

from mcpir.core.errors import UsageError
from mcpir.core.paths import data_dir

KEY_FILE = "journal.key"
KEY_BYTES = 32
MAC = "mac"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

_cache: dict[Path, bytes] = {}


def key_path() -> Path:
    return data_dir() / KEY_FILE


def _load(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read mcpir's journal key ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        # A directory or FIFO planted at the key path: refuse it by name, never read it.
        data = os.read(fd, KEY_BYTES + 1) if stat.S_ISREG(info.st_mode) else b""
    finally:
        os.close(fd)
    own = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    # A key that others can read or replace cannot tell this user's records from theirs.
    if not stat.S_ISREG(info.st_mode) or not own or info.st_mode & 0o077 or len(data) != KEY_BYTES:
        raise UsageError(
            f"{path}: not a private {KEY_BYTES}-byte key file owned by you; "
            "mcpir will not trust journals sealed with it",
            hint="move it away; mcpir makes a new one (older incidents: restore by hand)",
        )
    return data


def machine_key(*, create: bool) -> bytes | None:
    """This user's journal key; with `create`, made on first use. None: none exists yet."""
    path = key_path()
    if path in _cache:
        return _cache[path]
    key = _load(path)
    if key is None and create:
        from mcpir.core.fileio import private_dirs

        private_dirs(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        except FileExistsError:  # another mcpir made it first: use theirs
            key = _load(path)
        else:
            key = os.urandom(KEY_BYTES)
            try:
                os.write(fd, key)
                os.fsync(fd)
            finally:
                os.close(fd)
    if key is not None:
        _cache[path] = key
    return key


def _message(scope: str, record: dict[str, Any]) -> bytes:
    body = {k: v for k, v in record.items() if k != MAC}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return scope.encode("utf-8", "backslashreplace") + b"\0" + canonical.encode("ascii")


def seal(scope: str, record: dict[str, Any]) -> dict[str, Any]:
    """`record` as JSON will carry it, with its MAC for `scope` (what it belongs to: a project
    root and incident id, or a pins folder and file)."""
    key = machine_key(create=True)
    assert key is not None  # noqa: S101 - create=True makes one
    # The MAC covers the record as a reader will parse it back, not the Python objects.
    plain = json.loads(json.dumps(record, default=str))
    plain[MAC] = hmac.new(key, _message(scope, plain), hashlib.sha256).hexdigest()
    return dict(plain)


def verified(scope: str, record: dict[str, Any]) -> bool:
    """Whether this user's mcpir sealed `record` for `scope`."""
    mac = record.get(MAC)
    if not isinstance(mac, str):
        return False
    key = machine_key(create=False)
    if key is None:
        return False
    try:
        message = _message(scope, record)
    except (TypeError, ValueError, RecursionError):
        return False
    return hmac.compare_digest(mac, hmac.new(key, message, hashlib.sha256).hexdigest())
