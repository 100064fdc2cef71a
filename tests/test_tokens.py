"""The token inventory, the keyring store and `mcpir run`: found where they live, never shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mcpir.core.paths import Scopes
from mcpir.core.secret import Secret, fingerprint
from mcpir.tokens import Token, list_tokens
from mcpir.tokens.model import INVENTORY_FILE
from tests.conftest import CANARY, FIXTURES, RunCli
from tests.test_keyring_backend import _backend_or_skip

FIELDS = [
    "id", "provider", "fingerprint", "locations", "servers",
    "first_seen", "last_rotated", "age_days", "status", "store", "age_source", "exposed",
    "exposure",
]  # fmt: skip
POLICY_EXCLUDE = ("ignored-by-policy",)
Tree = Callable[[str], Path]


def planted(label: str) -> str:
    return f"{CANARY}{label}{uuid.uuid4().hex}"


def state_dir() -> Path:
    return Path(os.environ["MCPIR_HOME"])


def assert_not_leaked(*texts: str) -> None:
    """No planted value in the given output, nor in any file mcpir keeps."""
    stored = [p.read_text(encoding="utf-8") for p in state_dir().rglob("*") if p.is_file()]
    for text in (*texts, *stored):
        assert CANARY not in text


@pytest.fixture
def machine(fixture_tree: Tree) -> tuple[Path, Path]:
    """Copies of the Linux home and the project, with `.env` files beside project configs."""
    home, root = fixture_tree("homes/linux"), fixture_tree("project")
    (root / ".env").write_text(
        f"GITHUB_TOKEN={planted('dotenv')}\nUNUSED_TOKEN={planted('unused')}\n", encoding="utf-8"
    )
    api = root / "packages" / "api"
    config = {"mcpServers": {"nested-api": {"command": "api-mcp", "env": {"KEY": "${API_KEY}"}}}}
    (api / ".mcp.json").write_text(json.dumps(config), encoding="utf-8")
    (api / ".env").write_text(f"API_KEY={planted('apikey')}\n", encoding="utf-8")
    return home, root


def inventory(home: Path, root: Path, environ: dict[str, str] | None = None) -> list[Token]:
    return list_tokens(Scopes(home=home, root=root), environ=environ, exclude=POLICY_EXCLUDE)


def by_location(tokens: list[Token]) -> dict[str, Token]:
    return {location: token for token in tokens for location in token.locations}


def test_literal_values_are_found_with_file_and_line(machine: tuple[Path, Path]) -> None:
    home, root = machine
    tokens = inventory(home, root)
    found = by_location(tokens)
    expected = {
        f"{home}/.claude.json:15": "github",
        f"{home}/.claude.json:32": "local-db",  # the password inside a postgres:// DSN
        f"{home}/.claude.json:39": "notes",  # Authorization: Bearer …
        f"{home}/.cursor/mcp.json:6": "context7",
        f"{home}/.codex/config.toml:8": "docs",
        f"{home}/.config/zed/settings.json:7": "old-form",
        f"{home}/.continue/config.yaml:14": "remote-continue",
        f"{root}/.claude/mcp-servers.json:8": "notes-atom",  # --api-key VALUE
        f"{root}/mcp-servers.json:4": "root-atom",  # ?token= in a URL
    }
    for location, server in expected.items():
        token = found[location]
        assert (token.status, token.servers) == ("literal", (server,)), location
        assert token.id == "tok_" + token.fingerprint.removeprefix("sha256:")
    assert found[f"{home}/.cursor/mcp.json:6"].fingerprint == fingerprint("CANARYctx7key0004")
    assert found[f"{home}/.claude.json:39"].fingerprint == fingerprint("CANARYbearer0003")
    assert_not_leaked(repr(tokens), json.dumps([token.as_dict() for token in tokens]))


def test_references_resolve_against_the_given_environment(machine: tuple[Path, Path]) -> None:
    home, root = machine
    github, run = planted("env"), planted("run")
    tokens = inventory(home, root, {"GITHUB_TOKEN": github, "RUN_TOKEN": run})
    found = by_location(tokens)
    assert found["env:GITHUB_TOKEN"].fingerprint == fingerprint(github)
    assert found["env:GITHUB_TOKEN"].servers == ("project-github",)
    assert found["env:RUN_TOKEN"].servers == ("cloud-run",)  # "Bearer $RUN_TOKEN"
    assert found["env:RUN_TOKEN"].status == "referenced"
    missing = found["env:WEIRD_TOKEN"]  # "Bearer ${WEIRD_TOKEN}", set nowhere
    assert (missing.status, missing.servers, missing.age_days) == ("missing", ("weird name",), None)
    # A sandboxed run has no environment: an unresolved name is not reported as missing.
    assert "env:WEIRD_TOKEN" not in by_location(inventory(home, root))
    assert_not_leaked(json.dumps([t.as_dict() for t in tokens]))


def test_dotenv_files_beside_project_configs_are_read(machine: tuple[Path, Path]) -> None:
    home, root = machine
    found = by_location(inventory(home, root))
    github = found[f".env:{root}/.env:GITHUB_TOKEN"]
    assert (github.status, github.servers) == ("referenced", ("project-github",))
    api = found[f".env:{root}/packages/api/.env:API_KEY"]
    assert api.servers == ("nested-api",)
    # Only what some server references is read: UNUSED_TOKEN is nobody's.
    assert not any("UNUSED_TOKEN" in location for location in found)


def test_vscode_inputs_are_listed_as_prompted(machine: tuple[Path, Path]) -> None:
    home, root = machine
    token = by_location(inventory(home, root))[f"{home}/.config/Code/User/mcp.json:10"]
    assert (token.provider, token.status) == ("vscode-input", "prompted")
    assert token.fingerprint == fingerprint("gh-token")
    assert token.servers == ("github-remote",)


def test_first_seen_is_kept_and_age_counts_from_it(
    machine: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    import mcpir.tokens.inventory as module

    home, root = machine
    monkeypatch.setattr(module, "today", lambda: date(2026, 1, 1))
    first = {t.id: t for t in inventory(home, root)}
    monkeypatch.setattr(module, "today", lambda: date(2026, 1, 31))
    later = {t.id: t for t in inventory(home, root)}
    assert later.keys() == first.keys()
    literal = next(t for t in later.values() if t.status == "literal")
    assert (literal.first_seen, literal.age_days) == ("2026-01-01", 30)
    stored = json.loads((state_dir() / INVENTORY_FILE).read_text(encoding="utf-8"))
    assert stored["version"] == 1 and literal.id in stored["tokens"]
    assert (state_dir() / INVENTORY_FILE).stat().st_mode & 0o777 == 0o600


def test_list_json_contract_and_exit_code(run_cli: RunCli, machine: tuple[Path, Path]) -> None:
    home, root = machine
    result = run_cli("tokens", "list", "--home", home, "--root", root, "--json")
    rows = json.loads(result.stdout)
    assert rows and all(list(row) == FIELDS for row in rows)
    # 1 for the fixture home's config that cannot be read, not for the literal tokens: a
    # listing that shows them is not a finding (issue 18; `mcpir scan` reports them).
    assert result.code == 1 and "not read: " in result.stderr
    table = run_cli("tokens", "list", "--home", home, "--root", root)
    assert table.code == 1 and "tok_" in table.stdout
    clean = run_cli("tokens", "list", "--home", FIXTURES / "empty", "--root", FIXTURES / "empty")
    assert clean.code == 0
    assert_not_leaked(result.stdout, result.stderr, table.stdout, table.stderr)


@pytest.mark.parametrize("name", ["1ABC", "A-B", "", "A B", "é"])
def test_bad_names_are_usage_errors(run_cli: RunCli, name: str) -> None:
    result = run_cli("tokens", "add", name, "--from-stdin")
    assert result.code == 2 and result.stderr.startswith("mcpir: error: invalid token name")


def mcpir(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mcpir", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )


def test_no_keyring_is_one_line_and_exit_2() -> None:
    # keyring's own switch for its backend: the one a machine without any keyring gets.
    failing = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    secret = planted("nokeyring")
    for args in (("tokens", "add", "SOME_TOKEN", "--from-stdin"), ("tokens", "remove", "X")):
        done = mcpir(*args, stdin=secret, env=failing)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("mcpir: error: no usable OS keyring")
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert_not_leaked(done.stdout, done.stderr)


def test_add_refuses_a_closed_stdin_a_blank_value_and_a_missing_terminal() -> None:
    """Each a one-line usage error (exit 2), before or instead of anything stored."""
    name = f"MCPIR_TEST_{uuid.uuid4().hex.upper()}"
    closed = subprocess.run(
        [sys.executable, "-m", "mcpir", "tokens", "add", name, "--from-stdin"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(0),  # `<&-`: sys.stdin is None in the child
    )
    blank = mcpir("tokens", "add", name, "--from-stdin", stdin="   \n")
    no_tty = mcpir("tokens", "add", name, stdin="")  # a hidden prompt needs a terminal
    for done, says in (
        (closed, "standard input is closed"),
        (blank, "empty token value"),
        (no_tty, "no terminal to ask for the token on"),
    ):
        if "no usable OS keyring" in done.stderr:
            pytest.skip("no OS keyring here: the checks after it are not reached")
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"mcpir: error: {says}") and done.stderr.count("\n") == 1


def test_run_passes_the_exit_code_through() -> None:
    assert mcpir("run", "--", sys.executable, "-c", "raise SystemExit(7)").returncode == 7


def test_run_reports_a_missing_command_with_127() -> None:
    done = mcpir("run", "--", f"mcpir-no-such-command-{uuid.uuid4().hex}")
    assert done.returncode == 127
    assert done.stderr.startswith("mcpir: error:") and done.stderr.count("\n") == 1


def test_run_refuses_an_unknown_name(run_cli: RunCli) -> None:
    result = run_cli("run", "--only", "NOT_STORED", "--", "true")
    assert result.code == 2 and "NOT_STORED" in result.stderr


def test_run_loads_neither_discovery_nor_keyring_when_nothing_is_stored() -> None:
    probe = (
        "import json, os, sys\n"
        "def fake(file, args, env):\n"
        # Not `mcpir.output`: `mcpir.cli.audit` imports its (cheap, rich-free) emitter at top.
        "    heavy = ('mcpir.discovery', 'mcpir.output.findings_view', 'keyring', 'dotenv',\n"
        "             'rich')\n"
        "    print(json.dumps(sorted(m for m in sys.modules if m.startswith(heavy))))\n"
        "    os._exit(0)\n"
        "os.execvpe = fake\n"
        "sys.argv = ['mcpir', 'run', '--', 'true']\n"
        "from mcpir.cli import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert json.loads(done.stdout) == []


# The real OS keyring: skipped without one, failed instead under MCPIR_REQUIRE_KEYRING.


@pytest.fixture
def stored() -> Iterator[tuple[str, str]]:
    """A name and value added through the CLI's library; removed again afterwards."""
    from mcpir.tokens import store

    _backend_or_skip()
    name, value = f"MCPIR_TEST_{uuid.uuid4().hex.upper()}", planted("keyring")
    store.add(name, value)
    try:
        yield name, value
    finally:
        if name in store.names():
            store.remove(name)


@pytest.mark.keyring
def test_keyring_round_trip_through_the_cli(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from mcpir.tokens import store

    _backend_or_skip()
    name, value, newer = f"MCPIR_TEST_{uuid.uuid4().hex.upper()}", planted("a"), planted("b")
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    config = {"mcpServers": {"srv": {"command": "srv", "env": {"API_TOKEN": f"${{{name}}}"}}}}
    (root / ".mcp.json").write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))  # the real-machine mode, with a home of our own
    outputs: list[str] = []
    try:
        for secret in (value, newer):  # the second add replaces the first: a rotation
            monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
            added = run_cli("tokens", "add", name, "--from-stdin")
            assert added.code == 0, added.stderr
            outputs += [added.stdout, added.stderr]
        assert store.get(name) is not None and store.get(name) == Secret(newer)
        listed = run_cli("tokens", "list", "--root", root, "--json")
        outputs += [listed.stdout, listed.stderr]
        row = next(r for r in json.loads(listed.stdout) if f"keyring:{name}" in r["locations"])
        assert row["fingerprint"] == fingerprint(newer)
        assert (row["status"], row["servers"], row["provider"]) == ("keyring", ["srv"], "unknown")
        assert row["first_seen"] is not None and row["last_rotated"] == row["first_seen"]
    finally:
        removed = run_cli("tokens", "remove", name)
        outputs += [removed.stdout, removed.stderr]
    assert removed.code == 0 and store.get(name) is None and name not in store.names()
    assert run_cli("tokens", "remove", name).code == 2
    listed = run_cli("tokens", "list", "--root", root, "--json")
    assert not any(f"keyring:{name}" in r["locations"] for r in json.loads(listed.stdout))
    assert_not_leaked(*outputs, listed.stdout, listed.stderr)


@pytest.mark.keyring
def test_run_passes_keyring_tokens_as_env_vars(stored: tuple[str, str]) -> None:
    name, value = stored
    expected = fingerprint(value).removeprefix("sha256:")
    # The child compares fingerprints, so no value is ever on a command line or in output.
    check = (
        "import hashlib, os; "
        f"print(hashlib.sha256(os.environ.get('{name}', '').encode()).hexdigest()[:12] == "
        f"'{expected}')"
    )
    only = mcpir("run", "--only", name, "--", sys.executable, "-c", check)
    every = mcpir("run", "--", sys.executable, "-c", check)
    assert (only.returncode, only.stdout) == (0, "True\n"), only.stderr
    assert (every.returncode, every.stdout) == (0, "True\n"), every.stderr
    code = mcpir("run", "--only", name, "--", sys.executable, "-c", "raise SystemExit(7)")
    assert code.returncode == 7
    assert_not_leaked(only.stdout, only.stderr, every.stdout, every.stderr)


def test_concurrent_inventory_writers_keep_each_others_names(tmp_path: Path) -> None:
    from datetime import date

    from mcpir.tokens.model import Metadata

    path = tmp_path / "inventory.json"
    first, second = Metadata.load(path), Metadata.load(path)
    first.put_keyring("ALPHA", "sha256:aaaaaaaaaaaa", date(2026, 11, 1))
    second.see("sha256:bbbbbbbbbbbb", ["BETA"], date(2026, 11, 2))
    first.save()
    second.save()  # loaded before ALPHA existed: must not drop it
    merged = Metadata.load(path)
    assert set(merged.keyring) == {"ALPHA"}
    assert "tok_bbbbbbbbbbbb" in merged.tokens
    third = Metadata.load(path)
    third.drop_keyring("ALPHA")
    third.save()
    assert Metadata.load(path).keyring == {}
