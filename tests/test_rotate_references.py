"""`mcpir tokens rotate op://…|vault://…`: the new value is stored back where the token lives
(a new Vault version; the 1Password field edited), two-phase as for the keyring: the old one is
revoked only after the new one is verified, stored and read back. The rotation's own stash sits
in the encrypted-file keyring, with no D-Bus."""

from __future__ import annotations

import io
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CANARY, RunCli
from tests.rotation_fixtures import assert_secret_free, github_double
from tests.test_headless_keyring import cryptfile  # noqa: F401 - a fixture
from tests.test_rotate_manual import service
from tests.vault_doubles import VaultDouble, install_fake_op, op_item, path_with

pytestmark = pytest.mark.usefixtures("cryptfile")
REF = "vault://secret/mcp/github#token"


@pytest.fixture
def vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[VaultDouble]:
    with VaultDouble(token=f"hvs.{uuid.uuid4().hex}") as double:
        monkeypatch.setenv("VAULT_ADDR", double.url)
        monkeypatch.setenv("VAULT_TOKEN", double.token)
        yield double


def rotate(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, new: str,
           *args: str) -> tuple[int, str, str]:  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
    done = run_cli("tokens", "rotate", *args, "--new-value-stdin", "--yes",
                   "--home", tmp_path, "--root", tmp_path)  # fmt: skip
    return done.code, done.stdout, done.stderr


def test_a_vault_token_rotates_into_a_new_version(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vault: VaultDouble
) -> None:
    old, new = f"{CANARY}old{uuid.uuid4().hex}", f"{CANARY}new{uuid.uuid4().hex}"
    vault.secrets[("secret", "mcp/github")] = [{"token": old, "user": "octo"}]
    check, _ = service(tmp_path, old, new)
    code, out, err = rotate(run_cli, monkeypatch, tmp_path, new,
                            REF, "--provider", "manual", "--verify-command", check)  # fmt: skip
    assert code == 1, out + err  # manual: the old one is for a person to revoke
    versions = vault.secrets[("secret", "mcp/github")]
    assert versions == [{"token": old, "user": "octo"}, {"token": new, "user": "octo"}]
    assert f"stored    {REF}" in out
    assert_secret_free([old, new], out, err)


def test_an_op_token_rotates_with_the_github_double_old_revoked_after_the_store(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with github_double() as double:
        old = double.issue("octocat", ("repo",))
        new = double.issue("octocat", ("repo",))
        items, log = install_fake_op(tmp_path / "bin", [op_item("Dev", "github", token=old)])
        monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
        code, out, err = rotate(run_cli, monkeypatch, tmp_path, new,
                                "op://Dev/github/token", "--api-url", double.url)  # fmt: skip
        assert code == 0, out + err
        assert double.revoked(old) and double.works(new)
        stored = json.loads(items.read_text(encoding="utf-8"))["items"][0]["fields"][0]
        assert stored["value"] == new
        argv = log.read_text(encoding="utf-8")
        assert old not in argv and new not in argv
    assert_secret_free([old, new], out, err)


def test_a_vault_that_refuses_the_write_keeps_the_old_token_unrevoked(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vault: VaultDouble
) -> None:
    with github_double() as double:
        old = double.issue("octocat", ("repo",))
        new = double.issue("octocat", ("repo",))
        vault.secrets[("secret", "mcp/github")] = [{"token": old}]
        vault.read_only = True
        code, out, err = rotate(run_cli, monkeypatch, tmp_path, new, REF, "--api-url", double.url)
        assert code == 3 and "Vault refused: 1 error occurred: * permission denied" in out
        assert not double.revoked(old) and double.works(old)
        assert vault.secrets[("secret", "mcp/github")] == [{"token": old}]
        # Allowed to write again, the same command resumes and finishes.
        vault.read_only = False
        code, out, err = rotate(run_cli, monkeypatch, tmp_path, new, REF, "--api-url", double.url)
        assert code == 0, out + err
        assert double.revoked(old) and vault.secrets[("secret", "mcp/github")][-1] == {"token": new}
    assert_secret_free([old, new], out, err)


def test_verify_in_ci_reads_an_env_var_by_name_and_a_reference(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vault: VaultDouble
) -> None:
    with github_double() as double:
        token = double.issue("octocat", ("repo",))
        monkeypatch.setenv("GITHUB_API_URL", double.url)
        monkeypatch.setenv("CI_GITHUB_TOKEN", token)  # as a GitHub Actions secret arrives
        by_name = run_cli("tokens", "verify", "CI_GITHUB_TOKEN", "--json")
        assert by_name.code == 0, by_name.stderr
        assert json.loads(by_name.stdout)["token"] == "env:CI_GITHUB_TOKEN"
        vault.secrets[("secret", "mcp/github")] = [{"token": token}]
        by_ref = run_cli("tokens", "verify", REF, "--json")
        assert by_ref.code == 0, by_ref.stderr
        assert json.loads(by_ref.stdout)["login"] == "octocat"
    assert_secret_free([token], by_name.stdout, by_ref.stdout, by_name.stderr, by_ref.stderr)
