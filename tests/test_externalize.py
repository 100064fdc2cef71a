"""`mcpir tokens externalize`: secrets move to the keyring, configs keep none, restore is exact."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from mcpir.core import documents
from mcpir.core.model import Format
from mcpir.core.paths import Scopes
from mcpir.core.secret import Secret
from mcpir.discovery import discover
from mcpir.tokens.externalize import _wrapped, derived_name
from tests.conftest import CANARY, FIXTURES, RunCli
from tests.test_keyring_backend import _backend_or_skip
from tests.treehash import tree_state

# The fixture secrets the command can move, by the keyring name each gets.
MOVED = {
    "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_CANARYfixtureTOKEN000000000000000001",  # env, ${NAME}
    "NOTES_AUTHORIZATION": "CANARYbearer0003",  # a header: "Bearer ${NAME}"
    "CONTEXT7_CONTEXT7_API_KEY": "CANARYctx7key0004",  # Cursor header: ${env:NAME}
    "DOCS_TOKEN": "CANARYcodexdocs0005",  # Codex: the `mcpir run` wrapper
    "OLD_SECRET": "CANARYzedold0006",  # Zed, old form: the wrapper
}
# Secrets in args, urls and YAML stay where they are, each reported with its place.
NEEDS_YOU = {
    ".claude.json:32",
    ".continue/config.yaml:14",
    ".claude/mcp-servers.json:8",
    "mcp-servers.json:4",
}


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this process: the flow runs on machines without one."""

    # No `priority`: the base class's raises, so keyring never picks this one on its own (it
    # would otherwise join the chain of backends every later test gets).

    def __init__(self, fail_writes: bool = False) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.values: dict[tuple[str, str], str] = {}
        self.fail_writes = fail_writes

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.fail_writes:
            raise KeyringError("locked")
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


def memory_keyring() -> Iterator[MemoryKeyring]:
    """The process's keyring swapped for an in-memory one, and back afterwards."""
    import keyring

    previous, backend = keyring.get_keyring(), MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    yield from memory_keyring()


@pytest.fixture(params=["memory", pytest.param("real", marks=pytest.mark.keyring)])
def any_keyring(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each flow test twice: an in-process keyring, and the real OS keyring when there is one."""
    from mcpir.tokens import store

    if request.param == "memory":
        request.getfixturevalue("memory")
        yield
        return
    _backend_or_skip()
    try:
        yield
    finally:
        for name in MOVED:
            try:
                store.remove(name)
            except store.UnknownToken:
                pass


@pytest.fixture
def machine(tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    home, root = tmp_path / "home", tmp_path / "project"
    shutil.copytree(FIXTURES / "homes" / "linux", home, symlinks=True)
    shutil.copytree(FIXTURES / "project", root, symlinks=True)
    return home, root


def servers(home: Path, root: Path) -> dict[tuple[str, str, str], tuple[str | None, bool]]:
    configs = discover(Scopes(home=home, root=root), ("ignored-by-policy",))
    assert not [c.path for c in configs if c.error and "broken" not in str(c.path)]
    return {
        (s.client, str(s.path), s.name): (s.command, s.enabled) for c in configs for s in c.servers
    }


def externalize(run_cli: RunCli, home: Path, root: Path, *extra: str) -> tuple[int, str, str]:
    result = run_cli("tokens", "externalize", "--home", home, "--root", root, *extra)
    return result.code, result.stdout, result.stderr


def files_holding(base: Path, values: list[str]) -> list[Path]:
    """Files under `base` that hold a value, but the journal's byte-exact backups."""
    found = []
    for path in base.rglob("*"):
        if path.is_file() and not path.is_symlink() and "backups" not in path.parts:
            data = path.read_bytes()
            found += [path for value in values if value.encode() in data]
    return found


@pytest.mark.usefixtures("any_keyring")
def test_secrets_move_to_the_keyring_and_restore_is_byte_exact(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    from mcpir.tokens import store

    home, root = machine
    before = tree_state(home), tree_state(root)
    found_before = servers(home, root)
    code, out, err = externalize(run_cli, home, root, "--yes", "--json")
    assert code == 1, err  # some secrets sit in args and YAML: those need a person
    document = json.loads(out)
    assert document["version"] == 1 and str(document["incident"]).startswith("ATOM-CHG-")
    assert {m["name"] for m in document["moved"]} == set(MOVED)
    assert all(
        set(m) == {"name", "fingerprint", "path", "line", "server"} for m in document["moved"]
    )
    places = {f"{Path(n['path']).relative_to(home if str(home) in n['path'] else root)}:{n['line']}"
              for n in document["needs_you"]}  # fmt: skip
    assert places == NEEDS_YOU
    for name, value in MOVED.items():
        assert store.get(name) == Secret(value)
    # The configs hold references or the wrapper now, and every server is still found.
    assert '"${GITHUB_PERSONAL_ACCESS_TOKEN}"' in (home / ".claude.json").read_text()
    assert '"Bearer ${NOTES_AUTHORIZATION}"' in (home / ".claude.json").read_text()
    assert "${env:CONTEXT7_CONTEXT7_API_KEY}" in (home / ".cursor/mcp.json").read_text()
    found_after = servers(home, root)
    assert found_after.keys() == found_before.keys()
    wrapped = {key[2] for key, (command, _) in found_after.items() if command == "mcpir"}
    assert wrapped == {"docs", "old-form"}
    for key, (_, enabled) in found_after.items():
        assert enabled == found_before[key][1]
        if key[2] in wrapped:
            fmt = Format.TOML if key[1].endswith(".toml") else Format.JSONC
            documents.PARSERS[fmt](Path(key[1]).read_text())  # still parses
    listed = run_cli("tokens", "list", "--home", home, "--root", root, "--json")
    literal = {loc for row in json.loads(listed.stdout) if row["status"] == "literal"
               for loc in row["locations"]}  # fmt: skip
    assert {loc.rsplit("/", 1)[-1] for loc in literal} == {p.rsplit("/", 1)[-1] for p in NEEDS_YOU}
    # No moved value anywhere but the keyring and the journal's backups of the originals.
    outputs = [out, err, listed.stdout, listed.stderr]
    assert not [text for text in outputs if any(v in text for v in MOVED.values())]
    state = Path(os.environ["MCPIR_HOME"])
    assert not files_holding(home, list(MOVED.values()))
    assert not files_holding(root, list(MOVED.values()))
    assert not files_holding(state, [CANARY])
    restored = run_cli("restore", "--root", root, document["incident"])
    assert restored.code == 0, restored.stderr
    assert (tree_state(home), tree_state(root)) == before


def test_dry_run_shows_masked_diffs_and_changes_nothing(
    run_cli: RunCli, machine: tuple[Path, Path], memory: MemoryKeyring
) -> None:
    home, root = machine
    before = tree_state(home), tree_state(root)
    code, out, err = externalize(run_cli, home, root, "--dry-run")
    assert code == 1, err
    assert '+        "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_PERSONAL_ACCESS_TOKEN}"' in out
    assert '+args = ["run", "--only", "DOCS_TOKEN", "--", "npx", "-y", "mcp-docs@1.2.3"]' in out
    assert "would move DOCS_TOKEN" in out and "needs you: ~/.claude.json:32" in out
    assert CANARY not in out + err
    assert (tree_state(home), tree_state(root)) == before and memory.values == {}
    assert not (root / ".atom-trail" / "respond.lock").exists()


def test_without_yes_and_no_terminal_nothing_happens(
    run_cli: RunCli, machine: tuple[Path, Path], memory: MemoryKeyring
) -> None:
    home, root = machine
    before = tree_state(home), tree_state(root)
    code, out, err = externalize(run_cli, home, root)
    assert code == 1 and "--yes" in err and out == ""
    code, out, err = externalize(run_cli, home, root, "--json")
    document = json.loads(out)
    assert code == 1 and document["incident"] is None and document["moved"] == []
    assert (tree_state(home), tree_state(root)) == before and memory.values == {}


def test_a_keyring_that_refuses_changes_no_file(
    run_cli: RunCli, machine: tuple[Path, Path], memory: MemoryKeyring
) -> None:
    home, root = machine
    before = tree_state(home), tree_state(root)
    memory.fail_writes = True
    code, out, err = externalize(run_cli, home, root, "--yes")
    assert code == 3 and "no config was changed" in err and CANARY not in out + err
    assert (tree_state(home), tree_state(root)) == before


def test_a_name_holding_another_value_is_not_overwritten(
    run_cli: RunCli, machine: tuple[Path, Path], memory: MemoryKeyring
) -> None:
    home, root = machine
    memory.values[("mcpir", "GITHUB_PERSONAL_ACCESS_TOKEN")] = "someone-elses"
    memory.values[("mcpir", "DOCS_TOKEN")] = "someone-elses-too"
    code, out, err = externalize(run_cli, home, root, "--yes", "--json")
    document = json.loads(out)
    names = {m["name"] for m in document["moved"]}
    assert "GITHUB_PERSONAL_ACCESS_TOKEN_2" in names and "DOCS_TOKEN" not in names
    assert '"${GITHUB_PERSONAL_ACCESS_TOKEN_2}"' in (home / ".claude.json").read_text()
    # The wrapper passes a token under its own name only: the Codex one waits for a person.
    assert any(n["server"] == "docs" for n in document["needs_you"])
    assert memory.values[("mcpir", "GITHUB_PERSONAL_ACCESS_TOKEN")] == "someone-elses"
    assert memory.values[("mcpir", "DOCS_TOKEN")] == "someone-elses-too"


def test_json_clients_without_references_are_wrapped(
    run_cli: RunCli, tmp_path: Path, memory: MemoryKeyring
) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    desktop = home / ".config" / "Claude" / "claude_desktop_config.json"
    desktop.parent.mkdir(parents=True)
    root.mkdir()
    value = f"{CANARY}desktop0010"
    original = (
        '{\n  "preferences": {"x": 1},\n  "mcpServers": {\n    "db": {\n'
        '      "command": "db-mcp",\n      "env": {"DB_API_KEY": "' + value + '"}\n    }\n  }\n}\n'
    )
    desktop.write_text(original)
    code, out, err = externalize(run_cli, home, root, "--yes")
    assert code == 0, err
    config = json.loads(desktop.read_text())["mcpServers"]["db"]
    assert config == {
        "command": "mcpir",
        "args": ["run", "--only", "DB_API_KEY", "--", "db-mcp"],
        "env": {"DB_API_KEY": ""},
    }
    assert memory.values[("mcpir", "DB_API_KEY")] == value and CANARY not in out + err
    # A change set, not an incident: restored when named (here by a prefix only it has).
    assert run_cli("restore", "ATOM-CHG-", "--root", root).code == 0
    assert desktop.read_text() == original


def test_wrapping_and_names() -> None:
    assert _wrapped("npx", ["-y", "x"], ["A", "B"]) == [
        "run",
        "--only",
        "A,B",
        "--",
        "npx",
        "-y",
        "x",
    ]
    assert _wrapped("mcpir", ["run", "--only", "A", "--", "x"], ["B"]) == [
        "run", "--only", "B", "--only", "A", "--", "x",
    ]  # fmt: skip
    assert _wrapped("mcpir", ["run", "--", "x"], ["B"]) is None  # every token passes already
    assert derived_name("weird name", "X-Api-Key") == "WEIRD_NAME_X_API_KEY"
    assert derived_name("1st", "é") == "MCP_1ST"


def test_a_config_changed_after_the_plan_is_refused_before_an_incident_exists(
    machine: tuple[Path, Path], memory: MemoryKeyring
) -> None:
    """The user edits a config while reading the confirmation: nothing is written, and no empty
    incident is left to become the one a bare `mcpir restore` picks."""
    from mcpir.incident.journal import JournalConflict
    from mcpir.tokens.externalize import apply, plan_externalize

    home, root = machine
    scopes = Scopes(home=home, root=root)
    plan = plan_externalize(discover(scopes), lambda name: None)
    assert plan.changes
    target = plan.changes[0].path
    edited = target.read_bytes().replace(b"{", b"{ ", 1)
    target.write_bytes(edited)
    before = tree_state(root), tree_state(home)
    with pytest.raises(JournalConflict, match="changed since mcpir planned"):
        apply(plan, root, {})
    assert (tree_state(root), tree_state(home)) == before
    assert not (root / ".atom-trail" / "incidents").exists() or not any(
        (root / ".atom-trail" / "incidents").iterdir()
    )
    assert memory.values == {}  # refused before anything was stored
