"""`mcpir tokens rotate` where configs hold the old value written out: in the same journalled
run they are externalized (the old value into the keyring, the config rewritten to reference
it), then the keyring gets the new value. The new value is never written outside the keyring,
`mcpir restore` gives the configs back, and a crash at any point of the new phase leaves every
config with a working token and a re-run finishes."""

from __future__ import annotations

import io
import json
import os
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mcpir.core.paths import Scopes
from mcpir.core.secret import Secret, fingerprint
from mcpir.tokens import rotate, store
from mcpir.tokens.model import token_id
from mcpir.tokens.providers.github import GitHubProvider
from tests.conftest import RunCli
from tests.github_double import GitHubDouble
from tests.rotation_fixtures import TIMEOUT, Crash, github_double, keyring_entry, track_stores
from tests.treehash import tree_state

pytestmark = pytest.mark.keyring


@pytest.fixture
def double() -> Iterator[GitHubDouble]:
    with github_double() as server:
        yield server


@pytest.fixture
def name() -> Iterator[str]:
    """A keyring entry of this test's own; it and any rotation stash go afterwards."""
    yield from keyring_entry("MCPIR_ROT")


@pytest.fixture
def tracked(double: GitHubDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    track_stores(double, monkeypatch)


@pytest.fixture
def wrapped_name() -> Iterator[str]:
    """The env key of a config whose client expands no reference: the wrapper's entry name."""
    yield from keyring_entry("GH_WRAP")


@pytest.fixture
def literal_key() -> Iterator[str]:
    """The env key of a token only a config holds: the keyring entry rotate makes for it."""
    yield from keyring_entry("GH_LIT")


def lay_out(base: Path, old: str, wrapped: str) -> tuple[Path, Path]:
    """A home with a Codex config (no reference syntax: wrapped in `mcpir run`) and a project
    whose Claude Code `.mcp.json` (references `${NAME}`) holds the old value written out."""
    home, root = base / "home", base / "project"
    (home / ".codex").mkdir(parents=True)
    (home / ".codex" / "config.toml").write_text(
        f'[mcp_servers.gh]\ncommand = "gh-mcp"\nargs = ["serve"]\n'
        f'env = {{ {wrapped} = "{old}" }}\n',
        encoding="utf-8",
    )
    root.mkdir()
    config = {"mcpServers": {"gh": {"command": "gh-mcp", "env": {"GITHUB_TOKEN": old}}}}
    (root / ".mcp.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return home, root


def config_values(home: Path, root: Path, wrapped: str) -> list[tuple[str, str]]:
    """(how, value) of every place the servers get the token from: literal, or keyring NAME."""
    out = []
    env = json.loads((root / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["gh"]["env"]
    value = env["GITHUB_TOKEN"]
    out.append(("keyring", value[2:-1]) if value.startswith("${") else ("literal", value))
    codex = tomllib.loads((home / ".codex" / "config.toml").read_text(encoding="utf-8"))
    server = codex["mcp_servers"]["gh"]
    if server["command"] == "mcpir":
        assert server["args"][:3] == ["run", "--only", wrapped], server
        assert server["args"][3:] == ["--", "gh-mcp", "serve"]
        out.append(("keyring", wrapped))
    else:
        out.append(("literal", server["env"][wrapped]))
    return out


def assert_every_config_works(
    double: GitHubDouble, home: Path, root: Path, wrapped: str, old: str, new: str
) -> None:
    """Each server gets a working token, and the new value is in no config."""
    for how, value in config_values(home, root, wrapped):
        token = value if how == "literal" else store.get(value)
        assert token is not None, (how, value)
        shown = token if isinstance(token, str) else token.reveal()
        assert how == "keyring" or shown == old  # the new value is never written out
        assert double.works(shown), (how, value)
    for path in (root / ".mcp.json", home / ".codex" / "config.toml"):
        assert new not in path.read_text(encoding="utf-8")


def files_with(base: Path, value: str) -> list[Path]:
    return [p for p in base.rglob("*") if p.is_file() and value.encode() in p.read_bytes()]


def old_in_configs(
    double: GitHubDouble, name: str, wrapped: str, tmp_path: Path
) -> tuple[str, str, Path, Path]:
    """(old, new, home, root): two tokens of one user, the old one in the keyring under `name`
    and written out in the configs `lay_out` makes; the new one nowhere yet."""
    old, new = double.issue("octocat"), double.issue("octocat")
    store.add(name, old)
    home, root = lay_out(tmp_path, old, wrapped)
    return old, new, home, root


def count_journal_writes(
    monkeypatch: pytest.MonkeyPatch, before: Callable[[int], None] = lambda n: None
) -> list[int]:
    """A one-item list counting the journal's durable writes from now on; `before(n)` runs
    ahead of the n-th (and may raise, to crash mcpir there)."""
    import mcpir.incident.durable

    writes, real = [0], mcpir.incident.durable.checkpoint

    def counted() -> None:
        writes[0] += 1
        before(writes[0])
        real()

    monkeypatch.setattr(mcpir.incident.durable, "checkpoint", counted)
    return writes


@pytest.mark.usefixtures("tracked")
def test_rotate_moves_literal_copies_to_the_keyring_then_stores_the_new_value(
    run_cli: RunCli,
    double: GitHubDouble,
    name: str,
    wrapped_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = double.issue("octocat", ("repo", "read:org"))
    new = double.issue("octocat", ("repo", "read:org"))
    store.add(name, old)
    home, root = lay_out(tmp_path, old, wrapped_name)
    before = tree_state(home), tree_state(root)
    monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
    done = run_cli(
        "tokens", "rotate", name, "--api-url", double.url, "--new-value-stdin", "--yes",
        "--home", home, "--root", root,
    )  # fmt: skip
    assert done.code == 0, done.stdout + done.stderr
    assert config_values(home, root, wrapped_name) == [("keyring", name), ("keyring", wrapped_name)]
    assert store.get(name) == Secret(new) and store.get(wrapped_name) == Secret(new)
    assert double.revoked(old) and double.works(new)
    assert_every_config_works(double, home, root, wrapped_name, old, new)
    # The new value lives in the keyring only: in no file, backups and state included.
    assert files_with(tmp_path, new) == [] and files_with(Path(os.environ["MCPIR_HOME"]), new) == []
    # The old value stays only in the journal's byte-exact backups, which restore needs.
    assert all("backups" in p.parts for p in files_with(tmp_path, old))
    assert "moved     old value out of 2 config files" in done.stdout
    # Never revoked before the new value was stored under every entry a config names.
    events = double.events
    stored = [i for i, e in enumerate(events) if e == ("stored", fingerprint(new))]
    assert len(stored) == 2 and max(stored) < events.index(("revoked", fingerprint(old)))
    for text in (done.stdout, done.stderr):
        assert old not in text and new not in text
    # `mcpir restore` gives both configs back byte for byte.
    incident = done.stdout.split("mcpir restore ")[1].split(")")[0].split()[0]
    undone = run_cli("restore", incident, "--root", root)
    assert undone.code == 0, undone.stdout + undone.stderr
    assert (tree_state(home), tree_state(root)) == before


def test_rotate_a_token_only_a_config_holds(
    run_cli: RunCli,
    double: GitHubDouble,
    literal_key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A literal no keyring entry holds: rotated by its id, it lands in the entry externalize
    names, and the config references it."""
    old = double.issue("octocat", ("repo",))
    new = double.issue("octocat", ("repo",))
    key = literal_key
    root = tmp_path / "project"
    root.mkdir()
    config = {"mcpServers": {"gh": {"command": "gh-mcp", "env": {key: old}}}}
    (root / ".mcp.json").write_text(json.dumps(config), encoding="utf-8")
    ident = token_id(fingerprint(old))
    checked = run_cli(
        "tokens", "verify", ident, "--api-url", double.url, "--home", tmp_path, "--root", root
    )
    assert checked.code == 0, checked.stdout + checked.stderr
    assert "config:./.mcp.json:1" in checked.stdout and "octocat" in checked.stdout
    monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
    done = run_cli(
        "tokens", "rotate", ident, "--api-url", double.url, "--new-value-stdin", "--yes",
        "--home", tmp_path, "--root", root,
    )  # fmt: skip
    assert done.code == 0, done.stdout + done.stderr
    assert store.get(key) == Secret(new) and double.revoked(old)
    env = json.loads((root / ".mcp.json").read_text(encoding="utf-8"))["mcpServers"]["gh"]
    assert env["env"] == {key: f"${{{key}}}"}
    for text in (checked.stdout, checked.stderr, done.stdout, done.stderr):
        assert old not in text and new not in text


def test_places_mcpir_cannot_rewrite_are_named(
    run_cli: RunCli,
    double: GitHubDouble,
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A secret in args cannot become a reference: rotation goes on (the old token is
    compromised) and names the place with the exact next step."""
    old, new = double.issue("octocat"), double.issue("octocat")
    store.add(name, old)
    root = tmp_path / "project"
    root.mkdir()
    config = {"mcpServers": {"gh": {"command": "gh-mcp", "args": ["--token", old]}}}
    (root / ".mcp.json").write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
    done = run_cli(
        "tokens", "rotate", name, "--api-url", double.url, "--new-value-stdin", "--yes",
        "--home", tmp_path, "--root", root,
    )  # fmt: skip
    assert done.code == 1 and double.revoked(old) and store.get(name) == Secret(new)
    assert (
        "needs you: ./.mcp.json:1 still holds the old value (a secret inside args or url: "
        f"a reference or wrapper cannot replace it): replace it by hand with a reference to "
        f"keyring:{name}, passed by `mcpir run`"
    ) in done.stdout
    assert old not in done.stdout + done.stderr and new not in done.stdout + done.stderr


# Failure injection for the new phase: a crash at each of its boundaries, at each durable write
# of the journal while the configs are rewritten, and a keyring that refuses the old value.
PHASE_STAGES = ["verified+", "externalizing", "externalizing+", "externalized", "externalized+"]
WRITES = 13  # durable writes of the journal while two configs are rewritten (counted below)
JOURNAL_WRITES = list(range(1, WRITES + 1))
CASES = [f"crash@{s}" for s in PHASE_STAGES] + [f"journal-write-{n}" for n in JOURNAL_WRITES]


def run_in_process(
    double: GitHubDouble,
    entry: str,
    new: str,
    scopes: Scopes,
    out: list[str],
    checkpoint: Callable[[str], None],
) -> rotate.Outcome:
    provider = GitHubProvider(timeout=TIMEOUT, api_url=double.url)
    request = rotate.Request(entry, provider, double.url, yes=True, timeout=TIMEOUT, scopes=scopes)
    hooks = rotate.Hooks(
        ask=lambda prompt: Secret(new), say=out.append, confirm=lambda q: True,
        checkpoint=checkpoint,
    )  # fmt: skip
    return rotate.rotate(request, hooks)


@pytest.mark.usefixtures("tracked")
@pytest.mark.parametrize("case", CASES)
def test_a_crash_while_configs_are_rewritten_keeps_them_working_and_a_rerun_finishes(
    double: GitHubDouble,
    name: str,
    wrapped_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    old, new, home, root = old_in_configs(double, name, wrapped_name, tmp_path)
    before = tree_state(home), tree_state(root)
    scopes = Scopes(home=home, root=root)
    crashed: list[str] = []

    def checkpoint(stage: str) -> None:
        assert_every_config_works(double, home, root, wrapped_name, old, new)
        if case == f"crash@{stage}" and not crashed:
            crashed.append(stage)
            raise Crash(stage)

    def journal_write(n: int) -> None:
        if case == f"journal-write-{n}" and not crashed:
            crashed.append(case)
            raise Crash(case)

    count_journal_writes(monkeypatch, journal_write)
    out: list[str] = []
    with pytest.raises(Crash):
        run_in_process(double, name, new, scopes, out, checkpoint)
    assert crashed, case
    assert not double.revoked(old)
    assert_every_config_works(double, home, root, wrapped_name, old, new)

    again = run_in_process(double, name, new, scopes, out, checkpoint)
    assert again.status == "done", (case, again, out)
    assert double.revoked(old) and store.get(name) == Secret(new)
    assert store.get(wrapped_name) == Secret(new)
    assert config_values(home, root, wrapped_name) == [("keyring", name), ("keyring", wrapped_name)]
    assert_every_config_works(double, home, root, wrapped_name, old, new)
    assert files_with(tmp_path, new) == []
    # One incident holds every rewrite, whichever run made it (a crash before its first change
    # may leave an empty one behind): restore undoes them all.
    from mcpir.incident.restore import restore as run_restore
    from mcpir.incident.store import find_incident

    incidents = [
        name
        for name in os.listdir(root / ".atom-trail" / "incidents")
        if find_incident(root, name).journal.changes()
    ]
    assert len(incidents) == 1, incidents
    restored = run_restore(root, incidents[0], dry_run=False, force=False)
    assert not restored.failed and not restored.conflicts, restored
    assert (tree_state(home), tree_state(root)) == before


def test_a_keyring_that_refuses_the_old_value_changes_no_config(
    double: GitHubDouble,
    name: str,
    wrapped_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old, new, home, root = old_in_configs(double, name, wrapped_name, tmp_path)
    before = tree_state(home), tree_state(root)
    real_add = store.add

    def refusing(entry: str, value: str) -> str:
        if entry == wrapped_name:
            raise store.KeyringUnavailable("OS keyring refused: test")
        return real_add(entry, value)

    monkeypatch.setattr(store, "add", refusing)
    out: list[str] = []
    scopes = Scopes(home=home, root=root)
    stopped = run_in_process(double, name, new, scopes, out, lambda stage: None)
    assert stopped.status == "stopped" and "no config was changed" in stopped.detail
    assert (tree_state(home), tree_state(root)) == before and not double.revoked(old)
    assert store.get(name) == Secret(old)
    monkeypatch.setattr(store, "add", real_add)
    again = run_in_process(double, name, new, scopes, out, lambda stage: None)
    assert again.status == "done" and double.revoked(old)
    assert config_values(home, root, wrapped_name) == [("keyring", name), ("keyring", wrapped_name)]


@pytest.mark.usefixtures("tracked")
def test_the_crash_cases_cover_every_durable_write(
    double: GitHubDouble,
    name: str,
    wrapped_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, new, home, root = old_in_configs(double, name, wrapped_name, tmp_path)
    writes = count_journal_writes(monkeypatch)
    out: list[str] = []
    done = run_in_process(double, name, new, Scopes(home=home, root=root), out, lambda s: None)
    assert done.status == "done" and writes[0] == WRITES


LITERAL_STAGES = [
    f"{phase}{after}"
    for phase in ("started", "obtained", "verified", "externalizing", "externalized", "stored")
    for after in ("", "+")
] + ["revoked", "revoked+"]


@pytest.mark.parametrize("stage", LITERAL_STAGES)
def test_a_token_only_a_config_holds_survives_a_crash_anywhere(
    double: GitHubDouble, literal_key: str, tmp_path: Path, stage: str
) -> None:
    """No keyring entry to begin with: until the config references the entry, its literal old
    value works; after, the entry holds a working token; a re-run finishes."""
    old, new, key = double.issue("octocat"), double.issue("octocat"), literal_key
    root = tmp_path / "project"
    root.mkdir()
    config = root / ".mcp.json"
    config.write_text(
        json.dumps({"mcpServers": {"gh": {"command": "gh-mcp", "env": {key: old}}}}),
        encoding="utf-8",
    )
    crashed: list[str] = []

    def works_now() -> None:
        value = json.loads(config.read_text(encoding="utf-8"))["mcpServers"]["gh"]["env"][key]
        if value == f"${{{key}}}":
            held = store.get(key)
            assert held is not None and double.works(held.reveal())
        else:
            assert value == old and double.works(old)

    def checkpoint(at: str) -> None:
        works_now()
        if at == stage and not crashed:
            crashed.append(at)
            raise Crash(at)

    provider = GitHubProvider(timeout=TIMEOUT, api_url=double.url)
    request = rotate.Request(
        key, provider, double.url, yes=True, timeout=TIMEOUT,
        scopes=Scopes(home=tmp_path, root=root), old_value=Secret(old),
    )  # fmt: skip
    hooks = rotate.Hooks(
        ask=lambda prompt: Secret(new), say=lambda line: None, confirm=lambda q: True,
        checkpoint=checkpoint,
    )  # fmt: skip
    with pytest.raises(Crash):
        rotate.rotate(request, hooks)
    works_now()
    assert rotate.rotate(request, hooks).status == "done"
    works_now()
    assert store.get(key) == Secret(new) and double.revoked(old)
    assert new not in config.read_text(encoding="utf-8")
