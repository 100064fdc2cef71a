"""What the token rotation tests share: a keyring entry of the test's own, cleaned up with any
rotation stash; the local GitHub double, stopped afterwards; the keyring stores recorded among
the double's events; the check that no token value leaks. Each test file wraps these in fixtures
of its own (`yield from`, `with`), so the fixtures a test asks for are declared in its file."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mcpir.core.secret import fingerprint
from mcpir.tokens import rotate, store
from tests.github_double import GitHubDouble
from tests.test_keyring_backend import _backend_or_skip

TIMEOUT = 1  # the client's; the double's timeouts sleep past it


class Crash(Exception):
    """A crash of mcpir between two phases."""


def keyring_entry(prefix: str) -> Iterator[str]:
    """`<prefix>_<random>`: a keyring entry name of the test's own (the test skips where there is
    no OS keyring); afterwards the entry and every rotation stash are removed."""
    _backend_or_skip()
    entry = f"{prefix}_{uuid.uuid4().hex.upper()}"
    yield entry
    if entry in store.names():
        store.remove(entry)
    folder = Path(os.environ["MCPIR_HOME"]) / "rotations"
    for log in folder.glob("*.jsonl") if folder.is_dir() else ():
        rotate.drop_stash(log.stem)


@contextmanager
def github_double(client_timeout: float = TIMEOUT) -> Iterator[GitHubDouble]:
    """The local GitHub double, running until the block ends."""
    server = GitHubDouble(client_timeout=client_timeout).start()
    try:
        yield server
    finally:
        server.stop()


def track_stores(double: GitHubDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every keyring store joins the double's event list, to check the order against revokes."""
    add = store.add

    def recording(entry: str, value: str) -> str:
        result = add(entry, value)
        double.event("stored", fingerprint(value))
        return result

    monkeypatch.setattr(store, "add", recording)


def assert_secret_free(values: list[str], *texts: str) -> None:
    """No token value, nor a piece of one, in any text given or in any file mcpir keeps."""
    state = Path(os.environ["MCPIR_HOME"])
    # Every file, binary ones too (the journal key is 32 random bytes): read leniently.
    stored = [p.read_bytes().decode("utf-8", "replace") for p in state.rglob("*") if p.is_file()]
    for text in (*texts, *stored):
        for value in values:
            assert value not in text
            assert value[4:20] not in text
