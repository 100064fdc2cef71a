"""`require_signed`: signed and unsigned commits, with a throwaway GPG key made in the test."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_audit import ALEX, MEMORY, GitRepo, servers

GPG = shutil.which("gpg")
pytestmark = pytest.mark.skipif(GPG is None, reason="gpg is not installed: signing not tested")


def _keyring(uid: str) -> Iterator[Path]:
    # gpg-agent's socket lives in GNUPGHOME: keep the path short (a socket path has a limit).
    home = Path(tempfile.mkdtemp(prefix="gpg", dir="/tmp"))
    home.chmod(0o700)
    env = {"GNUPGHOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [str(GPG), "--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign",
         "never"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield home
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def alex_key() -> Iterator[Path]:
    yield from _keyring(f"{ALEX[0]} <{ALEX[1]}>")


@pytest.fixture
def stranger_key() -> Iterator[Path]:
    yield from _keyring("Stranger <alex@corp.example>")


def test_require_signed_flags_unsigned_and_unverifiable_commits(
    run_cli: RunCli,
    tmp_path: Path,
    alex_key: Path,
    stranger_key: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = GitRepo(tmp_path / "project", gnupghome=alex_key)
    policy = '[audit]\nauthorized = ["alex@corp.example"]\nrequire_signed = true\n'
    sign = ("-S",)
    repo.git("config", "user.signingkey", ALEX[1])
    signed = repo.commit("signed", ALEX, *sign, DOTmcpirDOTtoml=policy,
                         DOTmcpDOTjson=servers(memory=MEMORY))  # fmt: skip
    unsigned = repo.commit("unsigned", ALEX, DOTcursor__mcpDOTjson=servers(memory=MEMORY))
    # Signed by a key this machine does not know: the signature cannot be checked.
    repo.env["GNUPGHOME"] = str(stranger_key)
    forged = repo.commit("forged", ALEX, *sign, DOTvscode__mcpDOTjson=servers(memory=MEMORY))
    monkeypatch.setenv("GNUPGHOME", str(alex_key))  # what mcpir's git verifies with
    result = run_cli("audit", "--repo", repo.root, "--json", "--home", tmp_path)
    assert result.code == 1, result.stderr
    changes = {c["commit"]: c for c in json.loads(result.stdout)["changes"]}
    assert changes[signed]["signature"]["status"] in ("G", "U")
    assert changes[signed]["authorized"] is True
    assert changes[unsigned]["signature"]["status"] == "N"
    assert changes[unsigned]["reasons"] == ["require_signed: not signed"]
    assert changes[forged]["signature"]["status"] == "E"
    assert changes[forged]["reasons"] == [
        "require_signed: signature cannot be checked (key not in the keyring)"
    ]
