"""`op://` and `vault://` references: resolved by `mcpir run` into its command's environment
(the command's stdout untouched), written back on rotation, against a fake `op` on PATH and a
local HTTP double of Vault's KV v2 API through the real `hvac` client. A reference cannot
inject an argument or climb out of its mount; a crafted Vault answer is one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcpir.core.errors import UsageError
from mcpir.core.secret import Secret
from mcpir.tokens import references
from tests.conftest import CANARY
from tests.vault_doubles import VaultDouble, install_fake_op, op_item, path_with

PRINT_ENV = "import os, sys; sys.stdout.write(os.environ.get(sys.argv[1], '<unset>'))"


def run(env: dict[str, str], *cmd: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "OP_"))}
    return subprocess.run(
        [sys.executable, "-m", "mcpir", "run", "--", *cmd],
        capture_output=True, text=True, check=False, env={**base, **env}, timeout=60,
    )  # fmt: skip


@pytest.fixture
def vault() -> Iterator[VaultDouble]:
    with VaultDouble(token=f"hvs.{uuid.uuid4().hex}") as double:
        yield double


def test_run_resolves_an_op_reference_and_leaves_stdout_to_the_command(tmp_path: Path) -> None:
    value = f"{CANARY}op{uuid.uuid4().hex}"
    _, log = install_fake_op(tmp_path / "bin", [op_item("Dev", "github", token=value)])
    env = {"PATH": path_with(tmp_path / "bin"), "GH_TOKEN": "op://Dev/github/token"}
    done = run(env, sys.executable, "-c", PRINT_ENV, "GH_TOKEN")
    assert done.returncode == 0, done.stderr
    assert done.stdout == value  # exactly the command's output: nothing of mcpir's on it
    assert value not in done.stderr
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert calls == [["read", "--no-newline", "op://Dev/github/token"]]


def test_run_resolves_a_vault_reference_through_hvac(tmp_path: Path, vault: VaultDouble) -> None:
    value = f"{CANARY}vault{uuid.uuid4().hex}"
    vault.secrets[("secret", "mcp/github")] = [{"token": value, "other": "x"}]
    env = {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.token,
           "GH_TOKEN": "vault://secret/mcp/github#token"}  # fmt: skip
    done = run(env, sys.executable, "-c", PRINT_ENV, "GH_TOKEN")
    assert done.returncode == 0, done.stderr
    assert done.stdout == value and value not in done.stderr
    assert vault.requests and vault.requests[0][1].startswith("/v1/secret/data/mcp/github")


def test_ci_secrets_as_env_vars_pass_by_name_without_any_keyring(tmp_path: Path) -> None:
    value = f"{CANARY}ci{uuid.uuid4().hex}"
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "CI_TOKEN": value}
    base = {k: v for k, v in os.environ.items() if not k.startswith("DBUS_")}
    done = subprocess.run(
        [sys.executable, "-m", "mcpir", "run", "--only", "CI_TOKEN", "--",
         sys.executable, "-c", PRINT_ENV, "CI_TOKEN"],
        capture_output=True, text=True, check=False, env={**base, **env}, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == value


@pytest.mark.parametrize(
    "bad",
    [
        "op://Dev/--help/token",
        "op://Dev/../token",
        "op://Dev/item/../../x",
        "op://-v/item/token",
        "op://Dev/item/token?attribute=otp",
        "op://Dev/item/tok\nen",
        "op://Dev/item",
        "vault://secret/../sys/seal#x",
        "vault://secret/a/./b#x",
        "vault://secret/a%2F..#x",
        "vault://secret/a#",
        "vault://secret/a?x=1#y",
        "vault://secret/a#x#y",
    ],
)
def test_a_bad_reference_is_refused_before_anything_runs(bad: str) -> None:
    with pytest.raises(UsageError) as refused:
        references.parse(bad)
    assert "\n" not in refused.value.message


def test_shell_metacharacters_stay_one_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = f"{CANARY}{uuid.uuid4().hex}"
    title = "x; touch pwned $(touch pwned) & id"
    _, log = install_fake_op(tmp_path / "bin", [op_item("Dev", title, token=value)])
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    monkeypatch.chdir(tmp_path)
    assert references.read(references.parse(f"op://Dev/{title}/token")) == Secret(value)
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert calls == [["read", "--no-newline", f"op://Dev/{title}/token"]]
    assert not (tmp_path / "pwned").exists()


@given(st.text(max_size=80))
def test_parse_never_raises_anything_but_a_usage_error(text: str) -> None:
    for candidate in (text, f"op://{text}", f"vault://{text}"):
        try:
            ref = references.parse(candidate)
        except UsageError:
            continue
        assert all(not part.startswith("-") and part not in (".", "..") for part in ref.parts)


@pytest.mark.parametrize("mode", ["huge", "garbage"])
def test_a_crafted_vault_answer_is_one_line_exit_2(
    tmp_path: Path, vault: VaultDouble, mode: str
) -> None:
    vault.mode = mode
    env = {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.token,
           "GH_TOKEN": "vault://secret/mcp/github#token"}  # fmt: skip
    done = run(env, sys.executable, "-c", "print('started')")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("mcpir: error:") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and vault.token not in done.stderr
    assert len(done.stderr) < 600


def test_a_wrong_vault_token_is_one_line(tmp_path: Path, vault: VaultDouble) -> None:
    env = {"VAULT_ADDR": vault.url, "VAULT_TOKEN": "hvs.wrong",
           "GH_TOKEN": "vault://secret/mcp/github#token"}  # fmt: skip
    done = run(env, "true")
    assert done.returncode == 2 and "Vault refused" in done.stderr
    assert done.stderr.count("\n") == 1


def test_rotation_writes_back_a_new_vault_version_with_check_and_set(
    vault: VaultDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = f"{CANARY}old{uuid.uuid4().hex}", f"{CANARY}new{uuid.uuid4().hex}"
    vault.secrets[("secret", "mcp/github")] = [{"token": old, "user": "octo"}]
    monkeypatch.setenv("VAULT_ADDR", vault.url)
    monkeypatch.setenv("VAULT_TOKEN", vault.token)
    ref = references.parse("vault://secret/mcp/github#token")
    references.write(ref, Secret(new))
    assert vault.secrets[("secret", "mcp/github")][-1] == {"token": new, "user": "octo"}
    assert len(vault.secrets[("secret", "mcp/github")]) == 2  # a new version, the old kept
    assert references.read(ref) == Secret(new)


def test_rotation_edits_the_1password_field_without_the_value_on_argv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = f"{CANARY}old{uuid.uuid4().hex}", f"{CANARY}new{uuid.uuid4().hex}"
    store, log = install_fake_op(tmp_path / "bin", [op_item("Dev", "github", token=old)])
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    ref = references.parse("op://Dev/github/token")
    references.write(ref, Secret(new))
    assert references.read(ref) == Secret(new)
    argv = log.read_text(encoding="utf-8")
    assert new not in argv and old not in argv
    assert ["item", "edit", "github", "--vault", "Dev", "--template", "/dev/stdin"] in [
        json.loads(line) for line in argv.splitlines()
    ]
    assert json.loads(store.read_text(encoding="utf-8"))["items"][0]["fields"][0]["value"] == new


def test_no_op_on_path_names_what_to_install(tmp_path: Path) -> None:
    done = run({"PATH": str(tmp_path), "GH_TOKEN": "op://Dev/github/token"}, "/bin/true")
    assert done.returncode == 2 and "1Password CLI" in done.stderr
