"""`mcpir tokens verify|rotate` against a local GitHub double: never the internet, never a value
in any output or file, and a failure at any phase leaves a working token in the keyring."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mcpir.core.secret import Secret, fingerprint
from mcpir.tokens import rotate, store
from mcpir.tokens.model import Metadata, token_id
from mcpir.tokens.providers.github import GitHubProvider
from tests.conftest import RunCli
from tests.github_double import FailureKind, GitHubDouble
from tests.rotation_fixtures import (
    TIMEOUT,
    Crash,
    assert_secret_free,
    github_double,
    keyring_entry,
    track_stores,
)

ACTION = rotate.ActionsSecret("octo/app", "GH_TOKEN")


@pytest.fixture
def double() -> Iterator[GitHubDouble]:
    with github_double() as server:
        yield server


@pytest.fixture
def name() -> Iterator[str]:
    """A keyring entry name of this test's own; it and any rotation stash go afterwards."""
    yield from keyring_entry("MCPIR_ROT")


def run_rotation(
    double: GitHubDouble,
    entry: str,
    new: str,
    out: list[str],
    asked: list[str],
    checkpoint: Callable[[str], None] = lambda stage: None,
) -> rotate.Outcome:
    provider = GitHubProvider(timeout=TIMEOUT, api_url=double.url)
    request = rotate.Request(entry, provider, double.url, (ACTION,), yes=True, timeout=TIMEOUT)

    def ask(prompt: str) -> Secret:
        asked.append(prompt)
        return Secret(new)

    hooks = rotate.Hooks(ask=ask, say=out.append, confirm=lambda q: True, checkpoint=checkpoint)
    return rotate.rotate(request, hooks)


def assert_one_working_token(double: GitHubDouble, entry: str, old: str, new: str) -> None:
    """The invariant: the entry holds the old or the new token, and it works right now."""
    current = store.get(entry)
    assert current is not None and current in (Secret(old), Secret(new))
    assert double.works(current.reveal())
    if double.revoked(old):
        assert current == Secret(new)


def assert_rotated(double: GitHubDouble, entry: str, old: str, new: str) -> None:
    assert store.get(entry) == Secret(new) and double.works(new)
    assert double.revoked(old)
    assert double.secrets[("octo/app", "GH_TOKEN")] == fingerprint(new)
    record = Metadata.load().tokens[token_id(fingerprint(new))]
    assert record["last_rotated"] is not None
    log = rotate.RotationLog.for_id(f"{token_id(fingerprint(old))}-{entry}")
    assert log.done() and log.path.stat().st_mode & 0o777 == 0o600
    assert rotate._stash(log.rid, "old", None) is None  # the stash is gone
    assert rotate._stash(log.rid, "new", None) is None
    # Never revoked before the new one was stored.
    events = [e for e in double.events if e[1] in (fingerprint(old), fingerprint(new))]
    assert events.index(("stored", fingerprint(new))) < events.index(("revoked", fingerprint(old)))


@pytest.fixture
def tracked(double: GitHubDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    track_stores(double, monkeypatch)


def test_verify_prints_login_scopes_expiry_not_the_value(
    run_cli: RunCli, double: GitHubDouble, name: str
) -> None:
    token = double.issue("octocat", ("repo", "read:org"), expires="2027-01-01 00:00:00 UTC")
    store.add(name, token)
    done = run_cli("tokens", "verify", name, "--api-url", double.url)
    assert done.code == 0, done.stderr
    for expected in ("github", "octocat", "read:org, repo", "2027-01-01", fingerprint(token)):
        assert expected in done.stdout
    by_id = run_cli("tokens", "verify", token_id(fingerprint(token)), "--api-url", double.url)
    assert by_id.code == 0 and "octocat" in by_id.stdout
    assert_secret_free([token], done.stdout, done.stderr, by_id.stdout, by_id.stderr)


def test_verify_from_the_environment_without_keyring(
    run_cli: RunCli, double: GitHubDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = double.issue("octocat", None)  # fine-grained: no scopes reported
    monkeypatch.setenv("GITHUB_API_URL", double.url)
    monkeypatch.setenv("SOME_GITHUB_TOKEN", token)
    done = run_cli("tokens", "verify", token_id(fingerprint(token)))
    assert done.code == 0 and "env:SOME_GITHUB_TOKEN" in done.stdout
    assert "(not reported)" in done.stdout
    double.fail("user", "503")
    unsure = run_cli("tokens", "verify", token_id(fingerprint(token)))
    assert unsure.code == 3 and "could not ask" in unsure.stdout
    unknown = run_cli("tokens", "verify", "tok_000000000000")
    assert unknown.code == 2 and unknown.stderr.startswith("mcpir: error:")
    assert_secret_free([token], done.stdout, unsure.stdout, unknown.stderr)


def test_verify_a_revoked_token_exits_1(run_cli: RunCli, double: GitHubDouble, name: str) -> None:
    token = double.issue("octocat")
    store.add(name, token)
    double._revoke([token])
    done = run_cli("tokens", "verify", name, "--api-url", double.url)
    assert done.code == 1 and "invalid" in done.stdout and "401" in done.stdout
    assert_secret_free([token], done.stdout, done.stderr)


@pytest.mark.usefixtures("tracked")
def test_rotate_through_the_cli(
    run_cli: RunCli,
    double: GitHubDouble,
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = double.issue("octocat", ("repo", "read:org"))
    new = double.issue("octocat", ("repo", "read:org", "workflow"))
    store.add(name, old)
    monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
    args = ["tokens", "rotate", name, "--api-url", double.url, "--new-value-stdin", "--yes"]
    args += ["--actions-secret", str(ACTION), "--home", str(tmp_path), "--root", str(tmp_path)]
    done = run_cli(*args)
    assert done.code == 0, done.stdout + done.stderr
    assert_rotated(double, name, old, new)
    assert f"{double.url}/settings/tokens/new?scopes=read:org,repo" in done.stderr
    assert "revoked   old token" in done.stdout and done.stdout.endswith(f"done: rotated {name}\n")
    assert not (tmp_path / ".atom-trail").exists()  # no config to rewrite: no incident, no lock
    assert_secret_free([old, new], done.stdout, done.stderr)


def test_every_keyring_entry_holding_the_old_token_gets_the_new_one(
    run_cli: RunCli,
    double: GitHubDouble,
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One token stored under two names (GH_TOKEN and GITHUB_TOKEN): rotating it by id must
    not leave the second name holding the revoked one."""
    old = double.issue("octocat", ("repo",))
    new = double.issue("octocat", ("repo",))
    twin = name + "_TWIN"
    store.add(name, old)
    store.add(twin, old)
    try:
        monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
        ident = token_id(fingerprint(old))
        args = ["tokens", "rotate", ident, "--api-url", double.url, "--new-value-stdin", "--yes"]
        done = run_cli(*args, "--home", str(tmp_path), "--root", str(tmp_path))
        assert done.code == 0, done.stdout + done.stderr
        assert double.revoked(old)
        assert store.get(name) == Secret(new) and store.get(twin) == Secret(new)
        assert f"keyring:{name}" in done.stdout and f"keyring:{twin}" in done.stdout
        assert_secret_free([old, new], done.stdout, done.stderr)
    finally:
        store.remove(twin)


def test_an_api_url_with_nothing_behind_it_is_one_short_line_and_changes_nothing(
    run_cli: RunCli, name: str, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on: bound, closed again
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "ghp_CANARYnothingBEHIND000000000000000001"
    store.add(name, token)
    url = f"http://127.0.0.1:{port}"
    checked = run_cli("tokens", "verify", name, "--provider", "github", "--api-url", url)
    assert checked.code == 3
    assert f"could not ask {url}: cannot connect: connection refused\n" in checked.stdout
    rotated = run_cli("tokens", "rotate", name, "--provider", "github", "--api-url", url, "--yes",
                      "--home", str(tmp_path), "--root", str(tmp_path))  # fmt: skip
    assert rotated.code == 3 and "connection refused" in rotated.stdout
    assert store.get(name) == Secret(token)
    # Empty (`--api-url "$UNSET"`): refused, never sent to github.com instead.
    empty = run_cli("tokens", "verify", name, "--provider", "github", "--api-url", "")
    assert empty.code == 2 and empty.stderr.startswith("mcpir: error: --api-url is empty")
    assert_secret_free([token], checked.stdout, rotated.stdout, rotated.stderr, empty.stderr)


@pytest.mark.usefixtures("tracked")
def test_a_server_without_a_revocation_api_finishes_with_revoke_by_hand(
    double: GitHubDouble, name: str
) -> None:
    """GitHub Enterprise Server has no `/credentials/revoke`: a 404 there is no reason to stop
    (a re-run would stop at it forever); the rotation finishes and names the manual step."""
    old, new = double.issue("octocat", ("repo",)), double.issue("octocat", ("repo",))
    store.add(name, old)
    double.fail("revoke", "404")
    out: list[str] = []
    outcome = run_rotation(double, name, new, out, [])
    assert outcome.status == "needs-you" and outcome.exit_code == 1, outcome
    assert store.get(name) == Secret(new) and not double.revoked(old)
    assert any("cannot revoke by API (HTTP 404)" in line for line in outcome.needs_you)
    assert any("revoke it yourself" in line for line in outcome.needs_you)
    assert Metadata.load().tokens[token_id(fingerprint(new))]["last_rotated"] is not None
    log = rotate.RotationLog.for_id(f"{token_id(fingerprint(old))}-{name}")
    assert log.done()
    assert_secret_free([old, new], *out, *outcome.needs_you)


def test_rotate_rewrites_configs_that_hold_the_old_value(
    run_cli: RunCli,
    double: GitHubDouble,
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More in tests/test_rotate_configs.py: the config now references the keyring entry."""
    old, new = double.issue("octocat"), double.issue("octocat")
    store.add(name, old)
    (tmp_path / ".mcp.json").write_text(
        json.dumps({"mcpServers": {"gh": {"command": "gh", "env": {"GITHUB_TOKEN": old}}}}),
        encoding="utf-8",
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
    done = run_cli(
        "tokens", "rotate", name, "--api-url", double.url, "--new-value-stdin", "--yes",
        "--home", tmp_path, "--root", tmp_path,
    )  # fmt: skip
    assert done.code == 0 and double.revoked(old) and store.get(name) == Secret(new)
    config = json.loads((tmp_path / ".mcp.json").read_text(encoding="utf-8"))
    assert config["mcpServers"]["gh"]["env"] == {"GITHUB_TOKEN": f"${{{name}}}"}
    assert "moved     old value out of 1 config file " in done.stdout
    assert_secret_free([old, new], done.stdout, done.stderr)


@pytest.mark.parametrize(
    ("login", "scopes", "why"),
    [
        ("octocat", ("repo",), "lacks scopes the old one has: read:org"),
        ("mallory", ("repo", "read:org"), "belongs to 'mallory'"),
    ],
)
def test_rotate_refuses_a_narrower_or_foreign_token(
    double: GitHubDouble, name: str, login: str, scopes: tuple[str, ...], why: str
) -> None:
    old = double.issue("octocat", ("repo", "read:org"))
    bad, good = double.issue(login, scopes), double.issue("octocat", ("repo", "read:org"))
    store.add(name, old)
    out: list[str] = []
    asked: list[str] = []
    outcome = run_rotation(double, name, bad, out, asked)
    assert (outcome.status, outcome.exit_code) == ("refused", 1) and why in outcome.detail
    assert store.get(name) == Secret(old) and double.works(old) and not double.secrets
    # A re-run asks for another token rather than reusing the refused one.
    again = run_rotation(double, name, good, out, asked)
    assert again.status == "done" and len(asked) == 2
    assert double.works(bad)  # not ours to revoke
    assert_secret_free([old, bad, good], *out, outcome.detail, again.detail)


@pytest.mark.usefixtures("tracked")
def test_a_rerun_without_actions_secret_still_updates_the_one_the_first_run_was_given(
    double: GitHubDouble, name: str
) -> None:
    """The stop message says `re-run mcpir tokens rotate NAME`: that re-run must not skip the
    Actions secret and revoke the token it still holds."""
    old, new = double.issue("octocat", ("repo",)), double.issue("octocat", ("repo",))
    store.add(name, old)
    double.fail("put-secret", "503")
    first = run_rotation(double, name, new, [], [])
    assert first.status == "stopped" and not double.revoked(old)
    provider = GitHubProvider(timeout=TIMEOUT, api_url=double.url)
    bare = rotate.Request(name, provider, double.url, (), yes=True, timeout=TIMEOUT)
    hooks = rotate.Hooks(ask=lambda prompt: Secret(new), say=lambda line: None,
                         confirm=lambda q: True)  # fmt: skip
    again = rotate.rotate(bare, hooks)
    assert again.status == "done", again
    assert_rotated(double, name, old, new)  # the Actions secret holds the new token


@pytest.mark.usefixtures("tracked")
def test_a_rerun_goes_to_the_api_the_first_run_used_even_without_github_api_url(
    double: GitHubDouble, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GHES token must not be sent to github.com because the re-run's shell lacks the
    variable the first run had."""
    old, new = double.issue("octocat", ("repo",)), double.issue("octocat", ("repo",))
    store.add(name, old)
    monkeypatch.setenv("GITHUB_API_URL", double.url)
    provider = GitHubProvider(timeout=TIMEOUT)
    request = rotate.Request(name, provider, None, (), yes=True, timeout=TIMEOUT)
    hooks = rotate.Hooks(ask=lambda prompt: Secret(new), say=lambda line: None,
                         confirm=lambda q: True)  # fmt: skip
    double.fail("revoke", "503")
    assert rotate.rotate(request, hooks).status == "stopped"
    monkeypatch.delenv("GITHUB_API_URL")
    again = rotate.rotate(request, hooks)
    assert again.status == "done", again
    assert double.revoked(old) and store.get(name) == Secret(new)


ENDPOINTS = ["user:old", "user:new", "public-key", "put-secret", "revoke"]
KINDS: list[FailureKind] = ["401", "403-rate", "429", "500", "timeout"]
STAGES = [
    f"{phase}{after}"
    for phase in ("started", "obtained", "verified", "stored", "actions", "revoked", "recorded")
    for after in ("", "+")
]
CASES = [(f"{e}/{k}", e, k) for e in ENDPOINTS for k in KINDS] + [
    (f"crash@{s}", s, None) for s in STAGES
]


@pytest.mark.usefixtures("tracked")
@pytest.mark.parametrize(("case", "where", "kind"), CASES, ids=[c[0] for c in CASES])
def test_a_failure_at_any_phase_keeps_a_working_token_and_a_rerun_finishes(
    double: GitHubDouble, name: str, case: str, where: str, kind: FailureKind | None
) -> None:
    old = double.issue("octocat", ("repo", "read:org"))
    new = double.issue("octocat", ("repo", "read:org"))
    store.add(name, old)
    crashed: list[str] = []

    def checkpoint(stage: str) -> None:
        assert_one_working_token(double, name, old, new)  # at every phase boundary
        if kind is None and stage == where and not crashed:
            crashed.append(stage)
            raise Crash(stage)

    if kind is not None:
        endpoint, _, whose = where.partition(":")
        token = {"old": old, "new": new}.get(whose)
        double.fail(endpoint, kind, token=token)  # type: ignore[arg-type]
    out: list[str] = []
    asked: list[str] = []
    try:
        first = run_rotation(double, name, new, out, asked, checkpoint)
    except Crash:
        assert crashed == [where]
    else:
        assert first.status in ("refused", "stopped"), (case, first)
        assert first.exit_code in (1, 3)
        if kind != "timeout":  # a lost answer may still have revoked it, after the store
            assert not double.revoked(old)
    assert_one_working_token(double, name, old, new)

    again = run_rotation(double, name, new, out, asked, checkpoint)
    assert again.status == "done", (case, again)
    assert_rotated(double, name, old, new)
    # A new token the user already gave is not asked for again unless it was refused.
    assert len(asked) == (2 if where in ("user:new", "obtained") and kind in ("401", None) else 1)
    assert_secret_free([old, new], *out, *asked)


def test_new_token_pages_follow_the_api_host() -> None:
    from mcpir.tokens.providers import Verification
    from mcpir.tokens.providers.github import new_token_url

    classic = Verification(True, login="octocat", scopes=frozenset({"repo", "read:org"}))
    assert new_token_url(classic, "https://api.github.com") == (
        "https://github.com/settings/tokens/new?scopes=read:org,repo"
        "&description=mcpir%20rotation%20for%20octocat"
    )
    fine = Verification(True, login="octocat", scopes=None)
    assert new_token_url(fine, "https://ghe.example.com/api/v3") == (
        "https://ghe.example.com/settings/personal-access-tokens/new"
    )


def test_manual_provider_runs_the_users_check_with_the_token_in_the_environment() -> None:
    from mcpir.tokens.providers import provider

    check = [sys.executable, "-c", "import os, sys; sys.exit(os.environ['MCPIR_TOKEN'] != 'ok')"]
    manual = provider("manual", verify_command=check)
    assert manual.verify(Secret("ok"), None).ok
    rejected = manual.verify(Secret("CANARYmanual"), None)
    assert not rejected.ok and not rejected.unknown and "exited 1" in rejected.detail
    assert provider("manual").verify(Secret("ok"), None).unknown  # no command: cannot tell
    revocation = manual.revoke(Secret("CANARYmanual"), None)
    assert revocation.by_hand and not revocation.revoked
    assert "CANARY" not in revocation.detail + rejected.detail
