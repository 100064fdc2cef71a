"""The `manual` provider end to end: the new value from stdin, the user's own check run with
each value in its environment (never on its command line), and exact steps to revoke the old
one by hand, since mcpir has no API for the service."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shlex
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcpir.core.secret import Secret
from mcpir.tokens import rotate, store
from tests.conftest import CANARY, RunCli
from tests.rotation_fixtures import keyring_entry

pytestmark = pytest.mark.keyring

# The "service": accepts the values whose SHA-256 is listed, and logs what it was given.
CHECK = """
import hashlib, json, os, sys
accepted, log = sys.argv[1], sys.argv[2]
value = os.environ.get("MCPIR_TOKEN", "")
digest = hashlib.sha256(value.encode()).hexdigest()
with open(log, "a") as out:
    out.write(json.dumps({"argv": sys.argv, "digest": digest}) + "\\n")
sys.exit(0 if digest in open(accepted).read().split() else 1)
"""


@pytest.fixture
def name() -> Iterator[str]:
    yield from keyring_entry("MCPIR_MANUAL")


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def service(tmp_path: Path, *accepted: str) -> tuple[str, Path]:
    script, allowed, log = tmp_path / "check.py", tmp_path / "accepted", tmp_path / "calls.jsonl"
    script.write_text(CHECK, encoding="utf-8")
    allowed.write_text("\n".join(digest(v) for v in accepted) + "\n", encoding="utf-8")
    return shlex.join([sys.executable, str(script), str(allowed), str(log)]), log


def rotate_manually(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, check: str,
    new: str,
) -> tuple[int, str, str]:  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
    done = run_cli(
        "tokens", "rotate", name, "--provider", "manual", "--verify-command", check,
        "--new-value-stdin", "--yes", "--home", tmp_path, "--root", tmp_path,
    )  # fmt: skip
    return done.code, done.stdout, done.stderr


def test_a_manual_rotation_from_stdin_to_the_printed_revoke_steps(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    old, new = f"{CANARY}old{uuid.uuid4().hex}", f"{CANARY}new{uuid.uuid4().hex}"
    check, calls = service(tmp_path, old, new)
    store.add(name, old)
    code, out, err = rotate_manually(run_cli, monkeypatch, tmp_path, name, check, new)
    assert code == 1, out + err  # the old one is for a person to revoke
    assert store.get(name) == Secret(new)
    # The check ran twice, old value then new, each in its environment, never on its argv.
    seen = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]
    assert [s["digest"] for s in seen] == [digest(old), digest(new)]
    assert all(CANARY not in " ".join(s["argv"]) for s in seen)
    assert "Create a replacement in the provider's console, then paste it here" in err
    assert out.splitlines()[-2] == (
        "needs you: revoke the old token by hand: sign in to the service that issued it, open "
        "its list of API tokens, delete the one this rotation replaced (fingerprint "
        f"{Secret(old).fingerprint}), then check that `{check}` with the old value in "
        "$MCPIR_TOKEN exits non-zero"
    )
    assert out.splitlines()[-1] == f"needs-you: rotated {name}"
    assert "verified  the new token works" in out
    stored = [p.read_text(encoding="utf-8") for p in Path(os.environ["MCPIR_HOME"]).rglob("*")
              if p.is_file()]  # fmt: skip
    assert CANARY not in out + err + "".join(stored)
    # Finished: a re-run starts a new rotation of the new value rather than replaying this one.
    log = rotate.RotationLog.open_for(name)
    assert log is None


def test_a_value_the_users_check_refuses_is_not_stored(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    old, bad = f"{CANARY}old{uuid.uuid4().hex}", f"{CANARY}bad{uuid.uuid4().hex}"
    check, _ = service(tmp_path, old)
    store.add(name, old)
    code, out, err = rotate_manually(run_cli, monkeypatch, tmp_path, name, check, bad)
    assert code == 1 and "the new token does not work: the verification command exited 1" in out
    assert store.get(name) == Secret(old)
    assert CANARY not in out + err
    # Without a check mcpir cannot tell whether either value works, and a re-run would stop at
    # the same place: bad usage (exit 2), one line, before anything is recorded.
    monkeypatch.setattr(sys, "stdin", io.StringIO(bad + "\n"))
    blind = run_cli(
        "tokens", "rotate", name, "--provider", "manual", "--new-value-stdin", "--yes",
        "--home", tmp_path, "--root", tmp_path,
    )  # fmt: skip
    assert blind.code == 2 and "--verify-command CMD" in blind.stderr
    assert blind.stderr.count("\n") == 1 and store.get(name) == Secret(old)
