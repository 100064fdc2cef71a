"""Reading the history of the config paths: one `git log --raw -z` of every commit, filtered
here to the config paths, then one `git log --no-walk` for the matching commits' details.

Fields are NUL-separated and read by position, so a commit subject or author name holding a
separator character cannot shift them.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from mcpir.audit.git import AuditError, Repo, first_line

ZERO = "0" * 40
_MARK = "\x1e"
# %G? asks git (and gpg) about each listed commit's signature; only commits that touched a
# config path are listed, so that stays cheap.
_FIELDS = ("%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%G?", "%GS", "%s")
FORMAT = _MARK + "%x00".join(_FIELDS)
SYMLINK, GITLINK = "120000", "160000"  # modes whose "blob" is a link target / a commit


def printable(text: str) -> str:
    """git's bytes are read with `surrogateescape` (a path must reach git again as it was);
    what is reported shows a byte that is not UTF-8 as `\\xff`, so JSON and SARIF stay UTF-8."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class RawChange:
    """One file changed by one commit, as `git log --raw` reports it."""

    status: str  # A, M, D, T, R, C; "merge" for a merge's own resolution (`-c`)
    path: str  # the path after the change (for D: the deleted path)
    old_path: str | None  # the path before (renames and copies, and M/T/D: the same path)
    old_blob: str | None  # None: the file did not exist before
    new_blob: str | None  # None: deleted
    other_parents: tuple[str | None, ...] = ()  # a merge: the file in its other parents
    # git's modes, in the order of (old_blob, *other_parents, new_blob): a symlink or a
    # submodule at a config path is a change to judge, though it has no config to read.
    modes: tuple[str, ...] = ()

    @property
    def old_mode(self) -> str:
        return self.modes[0] if self.modes else ""

    @property
    def new_mode(self) -> str:
        return self.modes[-1] if self.modes else ""

    @property
    def other_modes(self) -> tuple[str, ...]:
        return self.modes[1:-1]


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    author_email: str
    date: str
    committer: str
    committer_email: str
    committer_date: str
    signature: str  # git's %G?: G, B, U, X, Y, R, E, N
    subject: str
    changes: tuple[RawChange, ...] = field(default=())
    signer: str = ""  # git's %GS: who the signature says signed (a key's UID, an SSH principal)

    @property
    def author_id(self) -> str:
        return f"{self.author} <{self.author_email}>"


def _blob(sha: str) -> str | None:
    return None if sha == ZERO or not sha.strip("0") else sha


def _raw(meta: str, tokens: Iterator[str]) -> RawChange:
    colons = len(meta) - len(meta.lstrip(":"))
    parts = meta[colons:].split(" ")
    modes, shas, status = parts[: colons + 1], parts[colons + 1 : 2 * colons + 2], parts[-1]
    if len(shas) != colons + 1:
        raise ValueError(f"unexpected raw line: {meta[:80]}")
    kinds = tuple(modes)
    if colons > 1:  # a merge's combined entry: the file differs from every parent
        path = next(tokens)
        return RawChange("merge", path, path, _blob(shas[0]), _blob(shas[-1]),
                         tuple(_blob(s) for s in shas[1:-1]), kinds)  # fmt: skip
    letter = status[:1]
    first = next(tokens)
    if letter in ("R", "C"):
        second = next(tokens)
        return RawChange(letter, second, first, _blob(shas[0]), _blob(shas[1]), (), kinds)
    old = None if letter == "A" else first
    return RawChange(letter, first, old, _blob(shas[0]), _blob(shas[1]), (), kinds)


def parse_log(data: str) -> list[Commit]:
    """Commits from `git log -z [--raw] --format=FORMAT` output, in git's order."""
    return parse_tokens(iter(data.split("\0")))


def parse_tokens(tokens: Iterator[str]) -> list[Commit]:
    commits: list[Commit] = []
    header: list[str] | None = None
    changes: list[RawChange] = []

    def close() -> None:
        if header is not None:
            sha, parents, an, ae, ad, cn, ce, cd, sig, signer, subject = header
            commits.append(Commit(sha, tuple(parents.split()), an, ae, ad, cn, ce, cd,
                                  sig.strip() or "N", subject, tuple(changes), signer))  # fmt: skip

    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith(_MARK):
            close()
            header = [token[1:]] + [next(tokens, "") for _ in _FIELDS[1:]]
            changes = []
        elif token.startswith(":") and header is not None:
            changes.append(_raw(token, tokens))
    close()
    return commits


def _git_tokens(
    repo: Repo, args: list[str], stdin: bytes, on_chunk: Callable[[bytes], None]
) -> Iterator[str]:
    """git's NUL-separated stdout, token by token as it arrives (a huge history is never held
    whole); fails with git's own reason once the output ends."""
    # stderr goes to a file: read only at the end, a pipe could fill up (a warning per broken
    # ref, per bad object) and stall git while stdout is still being read.
    errors = tempfile.TemporaryFile()  # closed in `finally`
    process = repo.popen(*args, stderr=errors)
    assert process.stdin is not None and process.stdout is not None  # noqa: S101
    try:
        if stdin:
            # `--stdin` revisions are all read before any output: no deadlock, however many.
            process.stdin.write(stdin)
        process.stdin.close()
        stdout, carry = process.stdout, b""
        while True:
            chunk = stdout.read1(1 << 16) if hasattr(stdout, "read1") else stdout.read(1 << 16)
            if not chunk:
                break
            on_chunk(chunk)
            data = carry + chunk
            cut = data.rfind(b"\0")  # never inside a UTF-8 sequence
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1 :]
            yield from data[:cut].decode("utf-8", "surrogateescape").split("\0")
        if carry:
            yield carry.decode("utf-8", "surrogateescape")
        if process.wait() != 0:
            errors.seek(0)
            first = first_line(errors.read(1 << 16).decode(errors="replace"))
            raise AuditError(f"git {args[0]}: {first}",
                             hint="the repository may be damaged: try `git fsck`")  # fmt: skip
    finally:
        if process.poll() is None:  # the reader stopped early
            process.kill()
            process.wait()
        errors.close()


def _config_changes(
    tokens: Iterator[str], is_config: Callable[[str], bool]
) -> dict[str, list[RawChange]]:
    """From `git log --raw -z --format=<mark>%H` of every commit: the config files each
    changed, in git's commit order. Only the (few) matching entries are parsed further."""
    found: dict[str, list[RawChange]] = {}
    sha = ""
    for token in tokens:
        if token[:1] == "\n":
            token = token[1:]
        first = token[:1]
        if first == _MARK:
            sha = token[1:]
        elif first == ":":
            status = token[token.rfind(" ") + 1 :]
            paths = [next(tokens)]
            if status[:1] in ("R", "C") and token[1:2] != ":":
                paths.append(next(tokens))
            if any(is_config(path) for path in paths):
                found.setdefault(sha, []).append(_raw(token, iter(paths)))
    return found


def _renames(repo: Repo, sha: str, changes: list[RawChange]) -> list[RawChange]:
    """A commit that deleted one config and added another may have renamed it: ask git's
    rename detection, for these paths only."""
    specs = [f":(top,literal){c.path}" for c in changes]
    args = ["diff-tree", "-r", "-z", "--no-abbrev", "-M", "--raw", "--no-commit-id", sha]
    data = repo.run(*args, "--", *specs)
    tokens = iter(data.split("\0"))
    out: list[RawChange] = []
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith(":"):
            out.append(_raw(token, tokens))
    return out or changes


def read_log(
    repo: Repo,
    revs: list[str],
    is_config: Callable[[str], bool],
    since: str | None,
    on_commit: Callable[[int], None] | None = None,
) -> list[Commit]:
    """Every commit reachable from `revs` that changed a config path, newest first.

    One `git log --raw` of every commit with no pathspec, filtered here: git matching `**/`
    glob pathspecs at every tree level costs several times more. Every commit is listed (the
    `--full-history` view: an add and its revert on a merged side branch both show), and `-c`
    lists what a merge itself changed. Author, signature (%G?, which may run gpg) and subject
    are then asked for the matching commits only.
    """
    seen = [0]

    def count(chunk: bytes) -> None:
        if on_commit is not None:
            seen[0] += chunk.count(_MARK.encode())
            on_commit(seen[0])

    args = ["log", "--raw", "-z", "--no-abbrev", "-c", "--no-renames", "--no-color",
            "--no-ext-diff", "--no-textconv", f"--format={_MARK}%H"]  # fmt: skip
    if since:
        args.append(f"--since={since}")
    try:
        found = _config_changes(_git_tokens(repo, [*args, *revs, "--"], b"", count), is_config)
        if not found:
            return []
        listing = "\n".join(found).encode() + b"\n"
        meta = ["log", "--no-walk=unsorted", "--stdin", "-z", f"--format={FORMAT}"]
        commits = parse_tokens(_git_tokens(repo, meta, listing, lambda chunk: None))
    except (ValueError, StopIteration) as exc:
        raise AuditError(f"git log: output not understood ({exc})") from None
    out: list[Commit] = []
    for commit in commits:
        changes = found.get(commit.sha, [])
        statuses = {change.status for change in changes}
        if {"A", "D"} <= statuses and len(commit.parents) < 2:
            changes = _renames(repo, commit.sha, changes)
        out.append(dataclasses.replace(commit, changes=tuple(changes)))
    return out
