"""The `pass` (password-store) backend through keyring-pass, on a real store: a throwaway gpg key
and `pass init` in temp dirs. Skipped with why where `pass` or `gpg` is not installed (CI
installs both: see .ci/run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcpir.core.secret import Secret
from mcpir.tokens import store
from tests.conftest import CANARY


@pytest.fixture
def password_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    if shutil.which("pass") is None or shutil.which("gpg") is None:
        pytest.skip("`pass` and `gpg` are not installed here: apt-get install pass gnupg")
    gnupg, passwords = tmp_path / "gnupg", tmp_path / "password-store"
    gnupg.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(gnupg), "PASSWORD_STORE_DIR": str(passwords)}
    subprocess.run(
        ["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
         "--quick-gen-key", "mcpir-test@example.invalid", "default", "default", "never"],
        env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    subprocess.run(
        ["pass", "init", "mcpir-test@example.invalid"],
        env=env, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    for name in ("GNUPGHOME", "PASSWORD_STORE_DIR"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring_pass.PasswordStoreBackend")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    try:
        yield passwords
    finally:
        monkeypatch.setattr(keyring.core, "_keyring_backend", None)
        # The agent gpg started for this store is ours to stop.
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False, timeout=30)


def mcpir(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # A child process: keyring-pass hands its stderr to `pass`, which needs a real descriptor.
    return subprocess.run(
        [sys.executable, "-m", "mcpir", *args],
        input=stdin, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_tokens_round_trip_through_a_real_password_store(password_store: Path) -> None:
    name, value = f"PASS_{uuid.uuid4().hex.upper()}", f"{CANARY}pass{uuid.uuid4().hex}"
    added = mcpir("tokens", "add", name, "--from-stdin", stdin=value)
    assert added.returncode == 0, added.stderr
    assert store.get(name) == Secret(value)
    files = [p for p in password_store.rglob("*") if p.is_file()]
    assert any(p.name == f"{name}.gpg" for p in files)
    assert all(value.encode() not in p.read_bytes() for p in files)  # gpg-encrypted at rest
    shown = mcpir("secrets", "backend", "--json")
    doc = json.loads(shown.stdout)
    assert shown.returncode == 0 and doc["backend"] == "pass" and doc["encrypted_at_rest"] is True
    assert doc["round_trip"] == "ok" and CANARY not in shown.stdout + added.stdout
    store.remove(name)
    assert store.get(name) is None


def test_a_value_of_several_lines_is_refused_not_cut(password_store: Path) -> None:
    pem = f"-----BEGIN KEY-----\n{CANARY}{uuid.uuid4().hex}\n-----END KEY-----\n"
    done = mcpir("tokens", "add", "PASS_PEM", "--from-stdin", stdin=pem)
    assert done.returncode == 2 and "one line only" in done.stderr
    assert CANARY not in done.stderr and not list(password_store.rglob("PASS_PEM*"))
