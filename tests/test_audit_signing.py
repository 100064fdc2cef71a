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


def test_a_squash_merge_counts_as_a_pull_request_only_when_signed(
    run_cli: RunCli, tmp_path: Path, alex_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "project", gnupghome=alex_key)
    repo.git("config", "user.signingkey", ALEX[1])
    policy = '[audit]\nauthorized = ["alex@corp.example"]\nrequire_review = true\n'
    repo.commit("start", ALEX, DOTmcpirDOTtoml=policy, DOTmcpDOTjson=servers(memory=MEMORY))
    web_flow = ("GitHub", "noreply@github.com")
    commits = {}
    for name, extra in (("signed", ("-S",)), ("unsigned", ())):
        repo.write(f"{name}/.mcp.json", servers(memory=MEMORY))
        repo.git("add", "-A")
        repo.git("commit", "-q", *extra, "-m", f"{name} (#9)", who=ALEX, committer=web_flow)
        commits[name] = repo.git("rev-parse", "HEAD")
    monkeypatch.setenv("GNUPGHOME", str(alex_key))
    result = run_cli("audit", "--repo", repo.root, "--json", "--home", tmp_path)
    changes = {c["commit"]: c for c in json.loads(result.stdout)["changes"]}
    assert changes[commits["signed"]]["reached"]["via"] == "pull-request"
    assert changes[commits["signed"]]["authorized"] is True
    assert changes[commits["unsigned"]]["reached"]["via"] == "direct"
    assert changes[commits["unsigned"]]["authorized"] is False


@pytest.fixture
def team_keys() -> Iterator[Path]:
    """Alex's and Bob's keys, both in the keyring that verifies."""
    for home in _keyring(f"{ALEX[0]} <{ALEX[1]}>"):
        env = {"GNUPGHOME": str(home), "PATH": "/usr/bin:/bin"}
        subprocess.run(
            [str(GPG), "--batch", "--passphrase", "", "--quick-gen-key",
             "Bob Builder <bob@corp.example>", "ed25519", "sign", "never"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        yield home


def test_require_signed_wants_the_authors_own_signature(
    run_cli: RunCli, tmp_path: Path, team_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "project", gnupghome=team_keys)
    policy = '[audit]\nauthorized = ["alex@corp.example"]\nrequire_signed = true\n'
    repo.git("config", "user.signingkey", ALEX[1])
    own = repo.commit("own", ALEX, "-S", DOTmcpirDOTtoml=policy,
                      DOTmcpDOTjson=servers(memory=MEMORY))  # fmt: skip
    repo.git("config", "user.signingkey", "bob@corp.example")
    # Bob signs with his own (trusted) key a commit that names Alex as its author.
    posed = repo.commit("posed", ALEX, "-S", DOTcursor__mcpDOTjson=servers(memory=MEMORY))
    monkeypatch.setenv("GNUPGHOME", str(team_keys))
    result = run_cli("audit", "--repo", repo.root, "--json", "--home", tmp_path)
    assert result.code == 1, result.stderr
    changes = {c["commit"]: c for c in json.loads(result.stdout)["changes"]}
    assert changes[own]["authorized"] is True
    assert changes[posed]["signature"]["status"] in ("G", "U")
    assert changes[posed]["signature"]["signer"] == "Bob Builder <bob@corp.example>"
    assert changes[posed]["reasons"] == [
        "require_signed: signed by Bob Builder <bob@corp.example>, not by the author"
    ]
