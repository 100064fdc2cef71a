"""Opening a file by a path whose links were resolved and checked, with no link followed on
the way: a file or a directory on its path swapped for a symlink since the check is refused
(the root `--all-users` run reads homes their owners can change meanwhile).

Linux passes each directory with O_PATH (no read right needed). Elsewhere (macOS, the BSDs)
each directory is opened for reading with O_NOFOLLOW: a directory that cannot be read (search
right only) falls back to opening the whole path, the file itself still no link. Windows has
no O_NOFOLLOW: the path is opened as it is.
"""

from __future__ import annotations

import errno
import os

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# How a directory is passed through on the way to the file.
_WALK = os.O_PATH | os.O_DIRECTORY if hasattr(os, "O_PATH") else os.O_RDONLY | os.O_DIRECTORY
# What opening a path that became a link gives: Linux, macOS (ELOOP); FreeBSD (EMLINK);
# O_DIRECTORY on a link (ENOTDIR).
A_LINK_NOW = frozenset({errno.ELOOP, errno.EMLINK, errno.ENOTDIR})


def open_resolved(real: str) -> int:
    """`real` opened read-only, non-blocking (a FIFO must not hang the read), no link followed."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | NOFOLLOW
    if not (NOFOLLOW and os.path.isabs(real) and os.open in os.supports_dir_fd):
        return os.open(real, flags)
    parent, name = os.path.split(real)
    fd = os.open("/", _WALK)
    try:
        for part in parent.split("/"):
            if part:
                try:
                    inner = os.open(part, _WALK | NOFOLLOW, dir_fd=fd)
                except PermissionError:
                    if hasattr(os, "O_PATH"):
                        raise
                    return os.open(real, flags)  # a directory with the search right only
                os.close(fd)
                fd = inner
        return os.open(name, flags, dir_fd=fd)
    finally:
        os.close(fd)
