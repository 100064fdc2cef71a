"""git, run as a subprocess: no gitpython objects, so a 50,000-commit history costs one `git log`.

Every failure becomes a one-line error (`AuditError`, or `UsageError` for a path that is not a
repository) with git's own first line, never a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mcpir.core.documents import MAX_BYTES
from mcpir.core.errors import McpirError, UsageError

# Variables that would point git at another repository than the one asked for (inside a hook).
_REPO_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
)


class AuditError(McpirError):
    """git could not read the repository: a corrupt object, an unreadable ref (exit 2)."""


def first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return "git failed"


@dataclass(frozen=True)
class Repo:
    """A repository as git sees it."""

    git: str  # the git executable
    path: Path  # what `git -C` is given
    top: Path | None  # the working tree's top level (None for a bare repository)
    git_dir: Path
    shallow: bool

    @property
    def root(self) -> Path:
        return self.top or self.git_dir

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _REPO_VARIABLES}
        env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
        return env

    def argv(self, *args: str) -> list[str]:
        return [self.git, "-C", str(self.path), "-c", "core.quotePath=false", *args]

    def run(self, *args: str, check: bool = True) -> str:
        # A fixed argument list and no shell; git is the one on PATH.
        done = subprocess.run(  # noqa: S603
            self.argv(*args), env=self.env(), capture_output=True, check=False
        )
        if check and done.returncode != 0:
            raise AuditError(f"git {args[0]}: {first_line(done.stderr.decode(errors='replace'))}")
        return done.stdout.decode("utf-8", "surrogateescape")

    def popen(
        self, *args: str, stderr: IO[bytes] | int = subprocess.PIPE
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603
            self.argv(*args),
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )

    def verify(self, rev: str) -> str | None:
        # The ref alone, not `^{commit}`: a damaged commit must reach `git log` and be reported.
        out = self.run("rev-parse", "-q", "--verify", "--end-of-options", rev, check=False)
        return out.strip() or None

    def shallow_boundary(self) -> frozenset[str]:
        """Commits whose parents a shallow clone does not have."""
        if not self.shallow:
            return frozenset()
        # `--git-path`: a linked worktree keeps it in the common directory, not its own.
        where = Path(self.run("rev-parse", "--path-format=absolute", "--git-path", "shallow",
                              check=False).strip() or self.git_dir / "shallow")  # fmt: skip
        try:
            text = where.read_text(encoding="ascii", errors="replace")
        except OSError:
            return frozenset()
        return frozenset(text.split())


def open_repo(path: Path) -> Repo:
    """The repository at (or above) `path`; `UsageError` when there is none."""
    git = shutil.which("git")
    if git is None:
        raise UsageError("git is not installed", hint="install git to audit history")
    if not path.is_dir():
        raise UsageError(f"--repo {path}: no such directory")
    probe = Repo(git, path, None, path, False)
    done = subprocess.run(  # noqa: S603
        probe.argv(
            "rev-parse",
            "--is-bare-repository",
            "--is-shallow-repository",
            "--absolute-git-dir",
        ),
        env=probe.env(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        reason = first_line(done.stderr.decode(errors="replace"))
        if "not a git repository" in reason:
            raise UsageError(f"{path} is not a git repository", hint="give --repo PATH")
        if "dubious ownership" in reason:  # a copy from another machine, owned by someone else
            raise UsageError(
                f"{path}: git refuses a repository owned by another user",
                hint=f"audit a copy you own, or if you trust it: git config --global --add "
                f"safe.directory {path}",
            )
        raise UsageError(f"{path}: {reason}")
    bare, shallow, git_dir = done.stdout.decode().split("\n")[:3]
    top = None
    if bare.strip() != "true":
        top = Path(probe.run("rev-parse", "--show-toplevel").strip())
    return Repo(git, path, top, Path(git_dir.strip()), shallow.strip() == "true")


def default_branch(repo: Repo) -> str | None:
    """The branch changes must reach: the remote's default (`origin/HEAD`, else another
    remote's), else the branch checked out, else `init.defaultBranch`, `main` or `master`
    (local, then on a remote), else the only local branch; a detached HEAD last. None in a
    repository without commits."""
    heads = repo.run("for-each-ref", "--format=%(refname)", "refs/heads/", check=False).split()
    remote_heads = [
        ref
        for ref in repo.run(
            "for-each-ref", "--format=%(symref)", "refs/remotes/", check=False
        ).split()
        if ref.startswith("refs/remotes/")
    ]
    candidates: list[str] = []
    remote = repo.run("symbolic-ref", "-q", "refs/remotes/origin/HEAD", check=False).strip()
    candidates += [remote] if remote else []
    candidates += sorted(remote_heads)
    head = repo.run("symbolic-ref", "-q", "HEAD", check=False).strip()
    candidates += [head] if head else []
    initial = repo.run("config", "--get", "init.defaultBranch", check=False).strip()
    names = [initial] if initial else []
    names += ["main", "master"]
    candidates += [f"refs/heads/{name}" for name in names]
    candidates += [f"refs/remotes/origin/{name}" for name in names]
    if len(heads) == 1:
        candidates.append(heads[0])
    candidates.append("HEAD")
    for ref in candidates:
        if repo.verify(ref):
            return ref
    return None


def cat_blobs(repo: Repo, shas: Iterable[str]) -> dict[str, bytes | str]:
    """Each blob's bytes, or a one-line reason (missing, corrupt) instead: one `git cat-file
    --batch` for all of them; a corrupt object ends that process, so the rest get another."""
    todo = list(dict.fromkeys(shas))
    found: dict[str, bytes | str] = {}
    # A config is at most 5 MiB (discovery's limit): a bigger blob, planted in history to
    # exhaust memory, is named by its size and never read.
    for sha, size in _sizes(repo, todo).items():
        if size > MAX_BYTES:
            found[sha] = f"too large: {size} bytes (limit 5 MiB)"
    todo = [sha for sha in todo if sha not in found]
    while todo:
        process = repo.popen("cat-file", "--batch")
        out, err = process.communicate(("\n".join(todo) + "\n").encode())
        done = _parse_batch(out, todo, found)
        todo = todo[done:]
        if todo and process.returncode != 0:
            found[todo[0]] = f"unreadable object: {first_line(err.decode(errors='replace'))}"
            todo = todo[1:]
        elif todo:  # git stopped without saying why: do not loop forever
            for sha in todo:
                found[sha] = "unreadable object"
            break
    return found


def blob_sizes(repo: Repo, shas: Iterable[str]) -> dict[str, int | None]:
    """Each object's size before any is read (to budget a walk), None for one the repository
    does not have (a partial or damaged clone: nothing to read). One `git cat-file
    --batch-check` for all of them; an object that ends it (a corrupt one) is left out, could
    not be sized, and the rest get another."""
    todo = list(dict.fromkeys(shas))
    sizes: dict[str, int | None] = {}
    while todo:
        process = repo.popen("cat-file", "--batch-check=%(objecttype) %(objectsize)")
        out, _ = process.communicate(("\n".join(todo) + "\n").encode())
        lines = out.decode(errors="replace").split("\n")[:-1]  # whole lines only
        for sha, line in zip(todo, lines, strict=False):
            kind, _, size = line.partition(" ")
            if size.isdigit() and kind != "missing":
                sizes[sha] = int(size)
            elif line.endswith((" missing", " ambiguous")):
                sizes[sha] = None
        done = len(lines)
        if done < len(todo) and process.returncode == 0:
            break  # git stopped without saying why: do not loop forever
        todo = todo[done + 1 :]  # past the one that ended it
    return sizes


def _sizes(repo: Repo, asked: list[str]) -> dict[str, int]:
    """Each object's size, as far as `--batch-check` gets (a damaged one may end it early:
    the rest are then sized by reading them)."""
    if not asked:
        return {}
    process = repo.popen("cat-file", "--batch-check=%(objecttype) %(objectsize)")
    out, _ = process.communicate(("\n".join(asked) + "\n").encode())
    sizes: dict[str, int] = {}
    for sha, line in zip(asked, out.decode(errors="replace").splitlines(), strict=False):
        kind, _, size = line.partition(" ")
        if size.isdigit() and kind != "missing":
            sizes[sha] = int(size)
    return sizes


def _parse_batch(out: bytes, asked: Sequence[str], found: dict[str, bytes | str]) -> int:
    """Fill `found` from a `--batch` answer; returns how many of `asked` were answered."""
    pos = 0
    for count, sha in enumerate(asked):
        end = out.find(b"\n", pos)
        if end < 0:
            return count
        header = out[pos:end].split()
        if len(header) == 2 and header[1] == b"missing":
            found[sha] = "missing object (a partial or damaged clone)"
            pos = end + 1
            continue
        if len(header) != 3:
            return count
        size = int(header[2])
        body = out[end + 1 : end + 1 + size]
        if len(body) < size:
            return count
        found[sha] = body if header[1] == b"blob" else f"not a blob: {header[1].decode()}"
        pos = end + 1 + size + 1
    return len(asked)
