"""`mcpir servers --all-users`: every user's home on this machine, read by an MDM or osquery
job running as root.

Each home is read as a sandboxed `--home` is (`Scopes.sandboxed`): only the files discovery
knows, no recorded project outside the home, no environment variable of the root process, and
a symlink that leaves the home is reported, never followed. Running as root, each home is read
with the effective uid and gid of its owner, so a link swapped in between discovery's check
and the read still meets the kernel's permission check as that user, never root's. Nothing is
written: discovery only reads.

Homes are what `<root>/etc/passwd` names (uid 0 and uids from 1000, as Linux distributions
hand them to people; `pwd` would read the live machine's, which a `--system-root` cannot
redirect) and every directory directly under `<root>/home` and `<root>/Users` (macOS keeps its
people in Directory Services, not `/etc/passwd`).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mcpir.core.model import ConfigFile, Format, Scope
from mcpir.core.paths import Scopes

# A passwd file is small; one larger than this is not one a responder should trust or parse.
MAX_PASSWD_BYTES = 4 * 1024 * 1024
MAX_HOMES = 10_000
FIRST_PERSON_UID = 1000
_SKIPPED = frozenset({"Shared", "Guest", ".localized", "lost+found"})
_NO_HOME = frozenset({"/", "/nonexistent", "/var/empty", "/dev/null"})


@dataclass(frozen=True)
class Home:
    user: str
    path: Path
    uid: int | None  # the directory's owner, None when it could not be read
    gid: int | None
    error: str | None = None  # why this home was not read


@dataclass(frozen=True)
class UserFiles:
    home: Home
    files: tuple[ConfigFile, ...]


def _passwd(root: Path) -> list[tuple[str, int, str]]:
    """(name, uid, home) of people and root in `<root>/etc/passwd`; bounded, never fatal."""
    path = root / "etc" / "passwd"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return []
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return []
        raw = handle.read(MAX_PASSWD_BYTES + 1)
    if len(raw) > MAX_PASSWD_BYTES:
        return []
    found = []
    for line in raw.decode("utf-8", "replace").splitlines():
        fields = line.split(":")
        if len(fields) < 7 or not fields[2].isdigit() or line.startswith(("#", "+", "-")):
            continue
        uid, home = int(fields[2]), fields[5]
        if "\x00" in home:  # no path holds one: `lstat` would raise, not refuse
            continue
        if (
            (uid == 0 or uid >= FIRST_PERSON_UID)
            and home.startswith("/")
            and os.path.normpath("/" + home.lstrip("/")) not in _NO_HOME
        ):
            found.append((fields[0], uid, home))
    return found


def _under(root: Path, absolute: str) -> Path:
    return root / absolute.lstrip("/")


def _home(user: str, path: Path, root_real: str) -> Home:
    """The home at `path`, or why it is not read: a home that is a symlink, or whose real path
    leaves the root, is never followed (a user may plant `/home/x -> /etc`)."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return Home(user, path, None, None, f"unreadable: {exc.strerror or exc}")
    if stat.S_ISLNK(info.st_mode):
        return Home(user, path, None, None, "a symlink: not followed")
    if not stat.S_ISDIR(info.st_mode):
        return Home(user, path, None, None, "not a directory")
    real = os.path.realpath(path)
    if os.path.commonpath([real, root_real]) != root_real:
        return Home(user, path, None, None, f"leads to {real}, outside the root: not followed")
    return Home(user, path, info.st_uid, info.st_gid)


def homes(root: Path) -> list[Home]:
    """Every home under `root`, each once (by real path), in a stable order."""
    root_real = os.path.realpath(root)
    named: dict[str, str] = {}
    for name, _uid, directory in _passwd(root):
        named.setdefault(os.path.normpath(str(_under(root, directory))), name)
    listed = list(named.items())
    for parent in ("home", "Users"):
        with contextlib.suppress(OSError), os.scandir(root / parent) as entries:
            for entry in entries:
                if entry.name in _SKIPPED or entry.name.startswith("."):
                    continue
                key = os.path.normpath(entry.path)
                if key not in named:
                    named[key] = entry.name
                    listed.append((key, entry.name))
                if len(listed) > MAX_HOMES:
                    break
    found, seen = [], set()
    for where, user in sorted(listed[:MAX_HOMES], key=lambda item: item[0]):
        home = _home(user, Path(where), root_real)
        key = os.path.realpath(where) if home.error is None else where
        if key not in seen:
            seen.add(key)
            found.append(home)
    if len(listed) > MAX_HOMES:  # an inventory that looks complete must be: say what is not
        found.append(
            Home("", root, None, None, f"list cut at {MAX_HOMES:,} homes: the rest not read")
        )
    return found


@contextlib.contextmanager
def _as_owner(home: Home) -> Iterator[None]:
    """Root reads a home with its owner's effective ids; anyone else reads it as themselves."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None or geteuid() != 0 or home.uid in (None, 0) or home.gid is None:
        yield
        return
    # Root's supplementary groups (wheel, admin on macOS; root on Linux) would still open a
    # file of theirs through a link or hard link planted in the home: only the owner's gid.
    groups = os.getgroups()
    os.setgroups([home.gid])
    try:
        os.setegid(home.gid)
        try:
            os.seteuid(home.uid)
            try:
                yield
            finally:
                os.seteuid(0)
        finally:
            os.setegid(0)
    finally:
        with contextlib.suppress(OSError):  # macOS may list more groups than it lets set
            os.setgroups(groups)


def discover_all(root: Path) -> list[UserFiles]:
    """Every home's config files: one `UserFiles` per home, a home not read carries its
    reason as one config file's error (listed, exit 1, as any unreadable file is)."""
    from mcpir.discovery import discover

    out = []
    for home in homes(root):
        if home.error is not None:
            problem = ConfigFile("unknown", Scope.USER, home.path, Format.JSON,
                                 error=f"home {home.error}")  # fmt: skip
            out.append(UserFiles(home, (problem,)))
            continue
        scopes = Scopes(home=home.path, root=None, system_root=None, environ=None,
                        only_root=True)  # fmt: skip
        with _as_owner(home):
            files = (*discover(scopes), *_unreadable(home.path))
        out.append(UserFiles(home, files))
    return out


def _unreadable(home: Path) -> list[ConfigFile]:
    """The clients' directories in `home` its owner cannot open: discovery sees no file in
    them, and "no server there" would be a claim the evidence does not support."""
    from mcpir.discovery.clients import CLIENTS

    tops = sorted({rel.split("/", 1)[0] for client in CLIENTS for rel in client.user
                   if "/" in rel and "*" not in rel.split("/", 1)[0]})  # fmt: skip
    found = []
    for top in tops:
        path = home / top
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                continue
        except OSError:
            continue
        if not os.access(path, os.R_OK | os.X_OK, effective_ids=os.access in
                         os.supports_effective_ids):  # fmt: skip
            reason = "unreadable directory: permission denied; configs inside not read"
            found.append(ConfigFile("unknown", Scope.USER, path, Format.JSON, error=reason))
    return found
