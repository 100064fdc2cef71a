"""Secrets without an OS keyring: the real `keyrings.cryptfile` backend on a temp dir, with no
D-Bus at all, chosen through keyring's own mechanism; full rotations on it (manual provider and
the GitHub double); a wrong passphrase is one line and changes nothing; the passphrase never
reaches an argument, a child's environment, an output or a file; plaintext only when accepted."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcpir.core.secret import Secret
from mcpir.tokens import backends, store
from tests.conftest import CANARY, RunCli
from tests.github_double import GitHubDouble
from tests.rotation_fixtures import assert_secret_free, github_double
from tests.test_rotate_manual import digest, rotate_manually, service

CRYPTFILE = "keyrings.cryptfile.cryptfile.CryptFileKeyring"
PASSPHRASE = f"{CANARY}-pass-{uuid.uuid4().hex}"


def _forget_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.core

    # keyring reads its configuration once per process: start again from the variables.
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)


@pytest.fixture
def cryptfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """keyring's own variable chooses the encrypted file; its data dir is a temp dir; no D-Bus.
    The KDF is made cheap in-process (the file format and code paths stay the same)."""
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    monkeypatch.setattr(CryptFileKeyring, "time_cost", 1)
    monkeypatch.setattr(CryptFileKeyring, "memory_cost", 1024)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", CRYPTFILE)
    monkeypatch.setenv("MCPIR_KEYRING_PASSPHRASE", PASSPHRASE)
    _forget_backend(monkeypatch)
    yield tmp_path / "data" / "python_keyring" / "cryptfile_pass.cfg"
    _forget_backend(monkeypatch)


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "MCPIR_KEYRING"))}
    return {
        **env,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": CRYPTFILE,
        **extra,
    }


def mcpir(
    *args: str, env: dict[str, str], stdin: str = "", **kw: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "mcpir", *args],
        input=stdin, capture_output=True, text=True, check=False, env=env, timeout=120, **kw,
    )  # fmt: skip


def test_a_manual_rotation_on_the_encrypted_file_with_no_dbus(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cryptfile: Path
) -> None:
    name = f"MCPIR_HEADLESS_{uuid.uuid4().hex.upper()}"
    old, new = f"{CANARY}old{uuid.uuid4().hex}", f"{CANARY}new{uuid.uuid4().hex}"
    check, _ = service(tmp_path, old, new)
    store.add(name, old)
    import keyring

    assert backends.class_path(keyring.get_keyring()) == CRYPTFILE
    code, out, err = rotate_manually(run_cli, monkeypatch, tmp_path, name, check, new)
    assert code == 1, out + err  # the old one is for a person to revoke
    assert store.get(name) == Secret(new)
    assert cryptfile.stat().st_mode & 0o777 == 0o600
    # Neither value, nor the passphrase, in clear in the file, its neighbours or mcpir's state.
    neighbours = [p.read_bytes().decode("utf-8", "replace") for p in cryptfile.parent.iterdir()]
    assert_secret_free([old, new, PASSPHRASE], out, err, *neighbours)
    assert digest(new) not in out + err


def test_a_github_rotation_on_the_encrypted_file(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cryptfile: Path
) -> None:
    name = f"MCPIR_HEADLESS_GH_{uuid.uuid4().hex.upper()}"
    double: GitHubDouble
    with github_double() as double:
        old = double.issue("octocat", ("repo",))
        new = double.issue("octocat", ("repo", "workflow"))
        store.add(name, old)
        monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
        done = run_cli(
            "tokens", "rotate", name, "--api-url", double.url, "--new-value-stdin", "--yes",
            "--home", tmp_path, "--root", tmp_path,
        )  # fmt: skip
        assert done.code == 0, done.stdout + done.stderr
        assert store.get(name) == Secret(new) and double.revoked(old) and double.works(new)
    neighbours = [p.read_bytes().decode("utf-8", "replace") for p in cryptfile.parent.iterdir()]
    assert_secret_free([old, new, PASSPHRASE], done.stdout, done.stderr, *neighbours)


def test_a_wrong_passphrase_is_one_line_exit_2_and_changes_nothing(tmp_path: Path) -> None:
    env = subprocess_env(tmp_path, MCPIR_KEYRING_PASSPHRASE=PASSPHRASE)
    value = f"{CANARY}{uuid.uuid4().hex}"
    first = mcpir("tokens", "add", "HEADLESS_ONE", "--from-stdin", env=env, stdin=value)
    assert first.returncode == 0, first.stderr
    file = tmp_path / "data" / "python_keyring" / "cryptfile_pass.cfg"
    before = file.read_bytes()
    wrong = {**env, "MCPIR_KEYRING_PASSPHRASE": "not the passphrase"}
    for args in (("tokens", "add", "HEADLESS_TWO", "--from-stdin"), ("run", "--", "true")):
        done = mcpir(*args, env=wrong, stdin=f"{CANARY}other")
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("mcpir: error: wrong passphrase for the encrypted keyring")
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert_secret_free([value, PASSPHRASE], done.stdout, done.stderr)
    assert file.read_bytes() == before


def test_the_passphrase_never_reaches_argv_the_childs_environment_or_any_output(
    tmp_path: Path,
) -> None:
    env = subprocess_env(tmp_path, MCPIR_KEYRING_PASSPHRASE=PASSPHRASE)
    value = f"{CANARY}{uuid.uuid4().hex}"
    added = mcpir("tokens", "add", "HEADLESS_RUN", "--from-stdin", env=env, stdin=value)
    assert added.returncode == 0, added.stderr
    probe = (
        "import os, json; print(json.dumps({'env': dict(os.environ), "
        "'argv': open('/proc/self/cmdline').read()}))"
    )
    done = mcpir("run", "--only", "HEADLESS_RUN", "--", sys.executable, "-c", probe, env=env)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["env"]["HEADLESS_RUN"] == value  # the child got the token...
    assert "MCPIR_KEYRING_PASSPHRASE" not in seen["env"]  # ...and not the passphrase
    assert PASSPHRASE not in done.stdout.replace(value, "") + done.stderr + seen["argv"]
    # From a descriptor: the same, and the variable naming it does not reach the child either.
    pipe_r, pipe_w = os.pipe()
    os.write(pipe_w, PASSPHRASE.encode() + b"\n")
    os.close(pipe_w)
    by_fd = {**subprocess_env(tmp_path), "MCPIR_KEYRING_PASSPHRASE_FD": str(pipe_r)}
    done = mcpir("run", "--", sys.executable, "-c", probe, env=by_fd, pass_fds=(pipe_r,))
    os.close(pipe_r)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["env"]["HEADLESS_RUN"] == value
    assert not any(k.startswith("MCPIR_KEYRING") for k in seen["env"])


def test_no_passphrase_source_is_one_line_naming_the_ways(tmp_path: Path) -> None:
    done = mcpir(
        "tokens", "add", "HEADLESS_X", "--from-stdin", env=subprocess_env(tmp_path),
        stdin="x" * 20, start_new_session=True,  # no controlling terminal: nobody to ask
    )  # fmt: skip
    assert done.returncode == 2
    assert "MCPIR_KEYRING_PASSPHRASE" in done.stderr and done.stderr.count("\n") == 1


def test_secrets_backend_shows_and_chooses(run_cli: RunCli, cryptfile: Path) -> None:
    shown = run_cli("secrets", "backend", "--json")
    assert shown.code == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["backend"] == "cryptfile" and doc["encrypted_at_rest"] is True
    assert doc["round_trip"] == "ok" and doc["chosen_by"] == "PYTHON_KEYRING_BACKEND"
    assert doc["file"] == str(cryptfile) and cryptfile.stat().st_mode & 0o777 == 0o600


def test_plaintext_is_refused_unless_insecure_and_warned_about_each_use(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    _forget_backend(monkeypatch)
    refused = run_cli("secrets", "backend", "plaintext")
    assert refused.code == 2 and "--insecure" in refused.stderr
    assert not (Path(os.environ["MCPIR_HOME"]) / backends.CHOICE_FILE).exists()
    chosen = run_cli("secrets", "backend", "plaintext", "--insecure")
    assert chosen.code == 0, chosen.stderr
    assert "UNENCRYPTED" in chosen.stderr and "NO: plaintext" in chosen.stdout
    monkeypatch.setattr(backends, "_warned", set())  # a new process, as the next command is
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{CANARY}plain"))
    added = run_cli("tokens", "add", "PLAIN_ONE", "--from-stdin")
    assert added.code == 0 and "UNENCRYPTED" in added.stderr
    # Chosen behind mcpir's back (keyring's own variable), plaintext is refused outright.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.cryptfile.file.PlaintextKeyring")
    _forget_backend(monkeypatch)
    behind = run_cli("secrets", "backend")
    assert behind.code == 1 and "refusing the plaintext keyring backend" in behind.stdout


def test_an_unknown_or_missing_backend_names_the_install_command(run_cli: RunCli) -> None:
    missing = run_cli("secrets", "backend", "keyrings.alt.file.PlaintextKeyring", "--insecure")
    assert missing.code == 2 and "pip install keyrings.alt" in missing.stderr
    unknown = run_cli("secrets", "backend", "nosuch")
    assert unknown.code == 2 and "cryptfile" in unknown.stderr
    assert unknown.stderr.count("\n") == 1
