"""A damaged entry in the encrypted-file keyring (red team, issue 22).

With `keyrings.cryptfile`, one entry whose ciphertext fails its MAC (a flipped byte, a torn
write, a hostile edit) made `tokens list`, `tokens verify` and `mcpir run` end in
`ValueError: MAC check failed` and a traceback. Now each says, in one line, which entry is
damaged (never its value), exits 2 and changes nothing; a command that needs only the other
entries still works. Real backend, real subprocesses, no D-Bus."""

from __future__ import annotations

import base64
import configparser
import json
import uuid
from pathlib import Path

import pytest

from mcpir.core.secret import Secret
from mcpir.tokens import store
from tests.conftest import CANARY, RunCli
from tests.test_headless_keyring import PASSPHRASE, cryptfile, mcpir, subprocess_env

__all__ = ["cryptfile"]  # a fixture

DAMAGE = ("mac", "garbage", "not-json")


def _damage(file: Path, entry: str, how: str) -> None:
    from keyrings.cryptfile.escape import escape

    config = configparser.RawConfigParser()
    config.read(file, encoding="utf-8")
    option = escape(entry)  # as cryptfile names it in the file
    stored = config.get("mcpir", option)
    if how == "mac":
        record = json.loads(base64.b64decode(stored))
        data = bytearray(base64.b64decode(record["data"]))
        data[0] ^= 0x01
        record["data"] = base64.b64encode(bytes(data)).decode()
        damaged = base64.b64encode(json.dumps(record).encode()).decode()
    elif how == "garbage":
        damaged = "!!not base64!!"
    else:
        damaged = base64.b64encode(b"{not json").decode()
    config.set("mcpir", option, damaged)
    with file.open("w", encoding="utf-8") as handle:
        config.write(handle)


def _state(tmp_path: Path) -> dict[str, bytes]:
    """Every file of the keyring's data dir and of mcpir's own state, byte for byte."""
    return {
        str(p): p.read_bytes()
        for base in (tmp_path / "data", tmp_path / "mcpir-home")
        for p in sorted(base.rglob("*"))
        if p.is_file()
    }


def _one_line_naming(stderr: str, name: str, values: list[str]) -> None:
    assert "Traceback" not in stderr and "MAC check" not in stderr, stderr
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) <= 2 and name in lines[0] and "damaged" in lines[0], stderr
    assert not any(value in stderr for value in values)


def test_a_damaged_entry_is_one_line_exit_2_and_the_others_still_work(tmp_path: Path) -> None:
    # $HOME, not --home: a sandboxed --home is another machine's, whose keyring is not read.
    env = subprocess_env(tmp_path, MCPIR_KEYRING_PASSPHRASE=PASSPHRASE, HOME=str(tmp_path),
                         MCPIR_HOME=str(tmp_path / "mcpir-home"))  # fmt: skip
    broken, fine = "LEFTOVER_BROKEN", "LEFTOVER_FINE"
    values = [f"{CANARY}{uuid.uuid4().hex}", f"{CANARY}{uuid.uuid4().hex}"]
    for name, value in zip((broken, fine), values, strict=True):
        added = mcpir("tokens", "add", name, "--from-stdin", env=env, stdin=value)
        assert added.returncode == 0, added.stderr
    _damage(tmp_path / "data" / "python_keyring" / "cryptfile_pass.cfg", broken, "mac")
    before = _state(tmp_path)
    home = ("--root", str(tmp_path))

    listed = mcpir("tokens", "list", *home, env=env)
    assert listed.returncode == 2, listed.stdout + listed.stderr
    _one_line_naming(listed.stderr, broken, values)
    verified = mcpir("tokens", "verify", broken, *home, env=env)
    assert verified.returncode == 2, verified.stdout + verified.stderr
    _one_line_naming(verified.stderr, broken, values)
    ran = mcpir("run", "--", "sh", "-c", "echo started", env=env)
    assert ran.returncode == 2 and "started" not in ran.stdout, ran.stdout + ran.stderr
    _one_line_naming(ran.stderr, broken, values)
    assert _state(tmp_path) == before  # nothing changed: not the keyring, not the inventory

    # What needs only the other entry works.
    only = mcpir("run", "--only", fine, "--", "sh", "-c", f'test "${fine}" = "{values[1]}"',
                 env=env)  # fmt: skip
    assert only.returncode == 0, only.stderr
    other = mcpir("tokens", "verify", fine, *home, env=env)
    assert other.returncode != 2 and "Traceback" not in other.stderr, other.stderr
    # And the way out the hint names: store it again.
    again = mcpir("tokens", "add", broken, "--from-stdin", env=env, stdin=values[0])
    assert again.returncode == 0, again.stderr
    assert mcpir("tokens", "list", *home, env=env).returncode in (0, 1)


@pytest.mark.parametrize("how", DAMAGE)
def test_every_kind_of_damage_names_the_entry(
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    cryptfile: Path,  # noqa: F811
    how: str,
) -> None:
    """In-process, with a cheap KDF: a MAC that fails, text that is not base64, base64 that is
    not JSON. The backend's own exception never escapes."""
    monkeypatch.setenv("HOME", str(tmp_path))
    value = f"{CANARY}{uuid.uuid4().hex}"
    store.add("LEFTOVER_DAMAGED", value)
    store.add("LEFTOVER_OTHER", value + "x")
    _damage(cryptfile, "LEFTOVER_DAMAGED", how)
    with pytest.raises(store.DamagedEntry, match="LEFTOVER_DAMAGED") as raised:
        store.get("LEFTOVER_DAMAGED")
    assert value not in str(raised.value) and raised.value.exit_code == 2
    assert store.get("LEFTOVER_OTHER") == Secret(value + "x")
    before = _state(tmp_path)
    listed = run_cli("tokens", "list", "--root", tmp_path)
    assert listed.code == 2, listed.stdout + listed.stderr
    _one_line_naming(listed.stderr, "LEFTOVER_DAMAGED", [value])
    assert _state(tmp_path) == before
