"""Red-team reproductions for issue 22 (headless keyring, `op://` and `vault://` references).

Each test is an attack that worked before its fix: a Vault redirect carrying the token to
another host, a damaged encrypted file re-keyed by a wrong passphrase, the keyring passphrase
reaching `op` and the command `mcpir run` starts, a vault or `op` echoing a written value in
its error, an `op` that writes without end or hangs, and one that answers bytes, not text."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mcpir.core.secret import Secret
from mcpir.tokens import backends, references, rotate, store
from tests.conftest import CANARY, RunCli
from tests.github_double import GitHubDouble
from tests.rotation_fixtures import assert_secret_free, github_double
from tests.test_headless_keyring import (
    CRYPTFILE,
    PASSPHRASE,
    _forget_backend,
    cryptfile,  # noqa: F401 - a fixture
    subprocess_env,
)
from tests.vault_doubles import VaultDouble, op_item

PASS = f"{CANARY}-pass-{uuid.uuid4().hex}"


class _Server:
    """A tiny HTTP server on `host`: `answer(handler)` writes the response; headers logged."""

    def __init__(self, host: str, answer: Any) -> None:  # noqa: ANN401 - a callable
        self.seen: list[dict[str, str]] = []
        self.bodies: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # noqa: ANN401
                pass

            def _any(self) -> None:
                outer.seen.append(dict(self.headers))
                length = int(self.headers.get("Content-Length", "0"))
                outer.bodies.append(self.rfile.read(length) if length else b"")
                answer(self)

            do_GET = do_POST = do_PUT = _any  # noqa: N815

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _json(handler: BaseHTTPRequestHandler, code: int, doc: object) -> None:
    body = json.dumps(doc).encode()
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def elsewhere() -> Iterator[_Server]:
    """Another host (127.0.0.2): what a redirect would send the token to."""
    kv = {"data": {"data": {"token": "from-elsewhere"}, "metadata": {"version": 1}}}
    server = _Server("127.0.0.2", lambda h: _json(h, 200, kv))
    yield server
    server.close()


@pytest.mark.parametrize("code", [302, 307, 308])
def test_a_vault_redirect_is_not_followed_so_the_token_stays_home(
    monkeypatch: pytest.MonkeyPatch, elsewhere: _Server, code: int
) -> None:
    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        handler.send_header("Location", f"{elsewhere.url}{handler.path}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    first = _Server("127.0.0.1", redirect)
    token = f"hvs.{CANARY}{uuid.uuid4().hex}"
    value = f"{CANARY}new{uuid.uuid4().hex}"
    monkeypatch.setenv("VAULT_ADDR", first.url)
    monkeypatch.setenv("VAULT_TOKEN", token)
    try:
        ref = references.parse("vault://secret/mcp#token")
        with pytest.raises(references.ReferenceFailed) as failed:
            references.read(ref)
        assert "redirect" in failed.value.message
        with pytest.raises(references.ReferenceFailed):
            references.write(ref, Secret(value))
    finally:
        first.close()
    assert elsewhere.seen == []  # neither the token nor the value went to the other host
    assert not any(value.encode() in body for body in elsewhere.bodies)


def test_a_vault_echoing_the_written_value_in_its_error_prints_no_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def echo(handler: BaseHTTPRequestHandler) -> None:
        if handler.command == "GET":
            _json(handler, 404, {"errors": []})
            return
        _json(handler, 400, {"errors": [f"invalid body {vault.bodies[-1].decode()}"]})

    vault = _Server("127.0.0.1", echo)
    value = f"{CANARY} multi\nline {uuid.uuid4().hex}"
    monkeypatch.setenv("VAULT_ADDR", vault.url)
    monkeypatch.setenv("VAULT_TOKEN", "hvs.t")
    try:
        with pytest.raises(references.ReferenceFailed) as failed:
            references.write(references.parse("vault://secret/mcp#token"), Secret(value))
    finally:
        vault.close()
    message = failed.value.message
    assert "invalid body" in message and "\n" not in message
    for spelled in (value, json.dumps(value)[1:-1], " ".join(value.split())):
        assert spelled not in message
    assert uuid.UUID(value[-32:]).hex not in message


# -- the keyring's encrypted file -------------------------------------------------------------


@pytest.mark.parametrize("damage", ["version", "password_20reference"])
def test_a_damaged_encrypted_file_is_not_rekeyed_by_a_wrong_passphrase(
    cryptfile: Path,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
) -> None:
    value = f"{CANARY}kept{uuid.uuid4().hex}"
    store.add("GH_TOKEN", value)
    lines = cryptfile.read_text(encoding="utf-8").splitlines(keepends=True)
    # Drop the option (and its continuation lines): a file cut short or edited by hand.
    kept, skipping = [], False
    for line in lines:
        if line.startswith(damage + " "):
            skipping = True
            continue
        if skipping and line.startswith("\t"):
            continue
        skipping = False
        kept.append(line)
    cryptfile.write_text("".join(kept), encoding="utf-8")
    before = cryptfile.read_bytes()
    _forget_backend(monkeypatch)
    monkeypatch.setenv("MCPIR_KEYRING_PASSPHRASE", "a wrong passphrase")
    with pytest.raises(backends.KeyringUnavailable) as refused:
        backends.active()
    assert "damaged" in refused.value.message and "\n" not in refused.value.message
    assert cryptfile.read_bytes() == before  # no fresh check written for the wrong passphrase


def test_a_corrupted_encrypted_file_is_one_line_and_left_alone(
    cryptfile: Path,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store.add("GH_TOKEN", f"{CANARY}{uuid.uuid4().hex}")
    garbage = b"\x00\xffnot a config at all\n" + cryptfile.read_bytes()[7:]
    cryptfile.write_bytes(garbage)
    _forget_backend(monkeypatch)
    monkeypatch.setenv("MCPIR_KEYRING_PASSPHRASE", PASS)
    with pytest.raises(backends.KeyringUnavailable):
        backends.active()
    assert cryptfile.read_bytes() == garbage


# -- the passphrase stays mcpir's ---------------------------------------------------------


def _op_dumping_env(bin_dir: Path, dump: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "op"
    script.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"json.dump(dict(os.environ), open({str(dump)!r}, 'w'))\n"
        "sys.stdout.write('resolved-value')\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_op_never_inherits_the_keyring_passphrase(tmp_path: Path) -> None:
    dump = tmp_path / "op-env.json"
    _op_dumping_env(tmp_path / "bin", dump)
    env = subprocess_env(
        tmp_path,
        PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
        MCPIR_KEYRING_PASSPHRASE=PASS,
        GH_TOKEN="op://Dev/github/token",
    )
    probe = "import os, sys; sys.stdout.write(os.environ['GH_TOKEN'] + '|' + str(list(os.environ)))"
    done = subprocess.run(
        [sys.executable, "-m", "mcpir", "run", "--", sys.executable, "-c", probe],
        capture_output=True, text=True, check=False, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("resolved-value|") and "MCPIR_KEYRING" not in done.stdout
    seen = json.loads(dump.read_text(encoding="utf-8"))
    assert PASS not in json.dumps(seen)
    assert not any(name.startswith("MCPIR_KEYRING_PASSPHRASE") for name in seen)


def test_the_passphrase_descriptor_is_closed_before_the_command_starts(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, PASS.encode())
    os.close(write_end)
    env = subprocess_env(tmp_path, MCPIR_KEYRING_PASSPHRASE_FD=str(read_end))
    probe = (
        "import os, sys\n"
        f"try:\n    sys.stdout.write(os.read({read_end}, 4096).decode())\n"
        "except OSError:\n    sys.stdout.write('closed')\n"
    )
    try:
        done = subprocess.run(  # no keyring entry is needed: mcpir never reads the descriptor
            [sys.executable, "-m", "mcpir", "run", "--", sys.executable, "-c", probe],
            capture_output=True, text=True, check=False, env=env, timeout=120,
            pass_fds=(read_end,),
        )  # fmt: skip
    finally:
        os.close(read_end)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "closed"
    assert PASS not in done.stdout + done.stderr


# -- a hostile or broken `op` -----------------------------------------------------------------


def _fake_op(bin_dir: Path, body: str) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "op"
    script.write_text(f"#!{sys.executable}\nimport json, sys, time\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_an_op_echoing_the_template_in_its_error_prints_no_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = f"{CANARY}other{uuid.uuid4().hex}"
    item = op_item("Dev", "mcp", token=f"{CANARY}old{uuid.uuid4().hex}", other=other)
    _fake_op(
        tmp_path / "bin",
        f"item = {json.dumps(item)!r}\n"
        "if sys.argv[1:3] == ['item', 'get']:\n    sys.stdout.write(item); sys.exit(0)\n"
        "sys.stderr.write('[ERROR] invalid template: ' + sys.stdin.read().replace(chr(10), ' '))\n"
        "sys.exit(1)",
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    value = f"{CANARY}new-horse-battery-{uuid.uuid4().hex}"
    with pytest.raises(references.ReferenceFailed) as failed:
        references.write(references.parse("op://Dev/mcp/token"), Secret(value))
    message = failed.value.message
    assert "invalid template" in message
    assert value not in message and other not in message


def test_an_op_that_writes_without_end_is_cut_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_op(tmp_path / "bin", "while True:\n    sys.stdout.write('A' * 65536)")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(references.ReferenceFailed) as failed:
        references.read(references.parse("op://Dev/mcp/token"))
    assert "more than" in failed.value.message


def test_an_op_that_hangs_with_a_child_holding_its_pipes_times_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The child keeps stdout and stderr open after `op` itself is killed.
    _fake_op(
        tmp_path / "bin",
        "import subprocess\nsubprocess.Popen(['sleep', '60'])\ntime.sleep(60)",
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(references, "TIMEOUT", 1)
    started = time.monotonic()
    with pytest.raises(references.ReferenceFailed) as failed:
        references.read(references.parse("op://Dev/mcp/token"))
    assert "did not answer" in failed.value.message
    assert time.monotonic() - started < 15


def test_an_op_answering_bytes_that_are_not_text_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_op(tmp_path / "bin", "sys.stdout.buffer.write(b'\\xff\\xfe' + b'x' * 10)")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(references.ReferenceFailed) as failed:
        references.read(references.parse("op://Dev/mcp/token"))
    assert "not UTF-8" in failed.value.message


def test_the_plaintext_backend_by_keyrings_own_variable_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.cryptfile.file.PlaintextKeyring")
    _forget_backend(monkeypatch)
    with pytest.raises(backends.KeyringUnavailable) as refused:
        backends.active()
    assert "plaintext" in refused.value.message
    assert CRYPTFILE  # the encrypted one stays the advice


# -- rotation of a token kept in Vault ----------------------------------------------------------

REF = "vault://secret/mcp/github#token"


class _Crash(BaseException):
    """Ctrl-C, as a test raises it."""


@pytest.fixture
def kv(monkeypatch: pytest.MonkeyPatch) -> Iterator[VaultDouble]:
    with VaultDouble(token=f"hvs.{uuid.uuid4().hex}") as double:
        monkeypatch.setenv("VAULT_ADDR", double.url)
        monkeypatch.setenv("VAULT_TOKEN", double.token)
        yield double


def _rotate_ref(double: GitHubDouble, new: str, out: list[str]) -> rotate.Outcome:
    from mcpir.tokens.providers.github import GitHubProvider

    provider = GitHubProvider(timeout=10, api_url=double.url)
    request = rotate.Request(REF, provider, double.url, yes=True, reference=references.parse(REF))
    hooks = rotate.Hooks(ask=lambda _: Secret(new), say=out.append, confirm=lambda _: True)
    return rotate.rotate(request, hooks)


@pytest.mark.usefixtures("cryptfile")
def test_a_vault_that_reads_back_another_value_keeps_the_old_token_unrevoked(
    kv: VaultDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    out: list[str] = []
    with github_double() as double:
        old = double.issue("octocat", ("repo",))
        new = double.issue("octocat", ("repo",))
        kv.secrets[("secret", "mcp/github")] = [{"token": old}]
        real_read = references.read
        # The write is accepted, yet what is read back is still the old value.
        monkeypatch.setattr(references, "read", lambda ref: Secret(old))
        first = _rotate_ref(double, new, out)
        assert first.status == "stopped" and "read back" in first.detail
        assert not double.revoked(old) and double.works(old)
        monkeypatch.setattr(references, "read", real_read)
        again = _rotate_ref(double, new, out)
        assert again.status == "done", again
        assert double.revoked(old) and double.works(new)
        assert kv.secrets[("secret", "mcp/github")][-1] == {"token": new}
    assert_secret_free([old, new], *out)


@pytest.mark.usefixtures("cryptfile")
def test_ctrl_c_after_the_vault_write_and_before_the_log_says_so_resumes(
    kv: VaultDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    out: list[str] = []
    with github_double() as double:
        old = double.issue("octocat", ("repo",))
        new = double.issue("octocat", ("repo",))
        kv.secrets[("secret", "mcp/github")] = [{"token": old}]
        real_write = references.write

        def write_then_interrupt(ref: references.Reference, value: Secret) -> None:
            real_write(ref, value)
            raise _Crash

        monkeypatch.setattr(references, "write", write_then_interrupt)
        with pytest.raises(_Crash):
            _rotate_ref(double, new, out)
        assert not double.revoked(old)  # the vault holds the new one; the old still works
        monkeypatch.setattr(references, "write", real_write)
        again = _rotate_ref(double, new, out)
        assert again.status == "done", again
        assert double.revoked(old) and double.works(new)
        assert kv.secrets[("secret", "mcp/github")][-1] == {"token": new}
    assert_secret_free([old, new], *out)


# -- externalize --to on a config edited while the vault is written ---------------------------


def test_a_config_edited_during_the_vault_write_is_left_as_edited(
    run_cli: RunCli, tmp_path: Path, kv: VaultDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcpir.tokens import externalize_to
    from tests.test_externalize_to import externalize, project

    value = f"{CANARY}{uuid.uuid4().hex}"
    home, root, config = project(tmp_path, value)
    edited = config.read_bytes().replace(b'"mcpServers"', b'"mcpServers" ', 1)
    real = externalize_to.store_in_vault

    def store_then_edit(plan: Any, to: Any) -> None:  # noqa: ANN401
        real(plan, to)
        config.write_bytes(edited)  # the user saves the file meanwhile

    monkeypatch.setattr(externalize_to, "store_in_vault", store_then_edit)
    done = externalize(run_cli, home, root, "vault://secret/mcp", "--yes")
    assert done.code != 0
    assert config.read_bytes() == edited  # their edit stands, nothing of mcpir's over it
    assert done.stderr.count("\n") <= 2


def test_a_cleartext_vault_off_this_machine_is_warned_about_on_stderr_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAULT_TOKEN", "hvs.t")
    monkeypatch.setattr(references, "_warned", set())
    monkeypatch.setenv("VAULT_ADDR", "http://127.0.0.1:1")
    references._client()
    monkeypatch.setenv("VAULT_ADDR", "http://vault.example.internal:8200")
    references._client()
    references._client()
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("warning") == 1 and "vault.example.internal" in err


def test_an_encrypted_file_replaced_by_a_symlink_is_refused_and_its_target_untouched(
    cryptfile: Path,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    store.add("GH_TOKEN", f"{CANARY}{uuid.uuid4().hex}")
    target = tmp_path / "elsewhere.cfg"
    cryptfile.rename(target)
    cryptfile.symlink_to(target)
    before = target.read_bytes()
    _forget_backend(monkeypatch)
    with pytest.raises(backends.KeyringUnavailable) as refused:
        backends.active()
    assert "symlink" in refused.value.message
    assert target.read_bytes() == before and cryptfile.is_symlink()


def test_a_world_readable_encrypted_file_is_made_private_and_a_wrong_passphrase_keeps_it(
    cryptfile: Path,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    value = f"{CANARY}{uuid.uuid4().hex}"
    store.add("GH_TOKEN", value)
    cryptfile.chmod(0o644)
    before = cryptfile.read_bytes()
    _forget_backend(monkeypatch)
    monkeypatch.setenv("MCPIR_KEYRING_PASSPHRASE", "wrong")
    with pytest.raises(backends.KeyringUnavailable) as refused:
        backends.active()
    assert "wrong passphrase" in refused.value.message
    assert cryptfile.read_bytes() == before
    _forget_backend(monkeypatch)
    monkeypatch.setenv("MCPIR_KEYRING_PASSPHRASE", PASSPHRASE)
    assert store.get("GH_TOKEN") == Secret(value)
    assert cryptfile.stat().st_mode & 0o777 == 0o600


@pytest.mark.usefixtures("cryptfile")
def test_a_verify_command_of_a_vault_rotation_never_gets_the_keyring_passphrase(
    kv: VaultDouble, tmp_path: Path
) -> None:
    from mcpir.tokens.providers.manual import ManualProvider

    dump = tmp_path / "verify-env.jsonl"
    check = tmp_path / "check.py"
    check.write_text(
        f"import json, os\nopen({str(dump)!r}, 'a').write(json.dumps(dict(os.environ)) + '\\n')\n",
        encoding="utf-8",
    )
    old, new = f"{CANARY}old{uuid.uuid4().hex}", f"{CANARY}new{uuid.uuid4().hex}"
    kv.secrets[("secret", "mcp/github")] = [{"token": old}]
    request = rotate.Request(
        REF, ManualProvider([sys.executable, str(check)]), yes=True, reference=references.parse(REF)
    )
    hooks = rotate.Hooks(ask=lambda _: Secret(new), say=lambda _: None, confirm=lambda _: True)
    outcome = rotate.rotate(request, hooks)
    assert outcome.status == "needs-you", outcome  # manual: the old one is revoked by hand
    seen = dump.read_text(encoding="utf-8")
    assert seen.count("\n") == 2  # the old value checked, then the new one
    assert PASSPHRASE not in seen and "MCPIR_KEYRING_PASSPHRASE" not in seen


def test_a_reference_whose_value_holds_a_nul_byte_is_one_line(tmp_path: Path) -> None:
    tail = f"{CANARY}{uuid.uuid4().hex}"
    _fake_op(tmp_path / "bin", f"sys.stdout.write('abc\\0{tail}')")
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "GH_TOKEN": "op://Dev/github/token"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "mcpir", "run", "--", sys.executable, "-c", "pass"],
        capture_output=True, text=True, check=False, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "NUL" in done.stderr and done.stderr.count("\n") <= 2
    assert tail not in done.stdout + done.stderr


def test_a_write_that_fails_half_way_loses_no_entry_of_the_encrypted_file(
    cryptfile: Path,  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import configparser
    import errno

    kept = f"{CANARY}kept{uuid.uuid4().hex}"
    store.add("GH_TOKEN", kept)
    real_write = configparser.RawConfigParser.write

    def disk_full(self: configparser.RawConfigParser, handle: Any, *args: Any) -> None:  # noqa: ANN401
        handle.write("[keyring")  # a first piece reaches the file, then the disk is full
        handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(configparser.RawConfigParser, "write", disk_full)
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the store makes of it
        store.add("OTHER_TOKEN", f"{CANARY}{uuid.uuid4().hex}")
    with pytest.raises(Exception):  # noqa: B017, PT011
        backends.active().delete_password(store.SERVICE, "GH_TOKEN")
    monkeypatch.setattr(configparser.RawConfigParser, "write", real_write)
    assert store.get("GH_TOKEN") == Secret(kept)
    assert [p.name for p in cryptfile.parent.iterdir()] == [cryptfile.name]  # no copy left
    assert cryptfile.stat().st_mode & 0o777 == 0o600
