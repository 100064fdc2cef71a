"""The rotate step for OAuth tokens mcpir holds for remote servers, against the local
authorization server of `proxy_remote_oauth_server.py` (the real keyring, skipped without one):
revoked at its RFC 7009 endpoint and called rotated only when it confirmed, re-authorization
as the next action; without an endpoint, or when it does not confirm, the tokens are kept and
the outcome says what to do; a dry run says what it would do and revokes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli
from tests.test_proxy_remote_oauth import _mcpir, _name, _state, oauth_server

__all__ = ["oauth_server"]  # the fixture, used by name

PLAYBOOK = """\
version: 1
name: rotate-only
steps:
  - id: rotate
    title: rotate
    task: rotate
    approval: true
    on_failure: stop
"""


def _signed_in(base: str) -> str:
    name = _name()
    done = _mcpir("login", name, "--url", f"{base}/mcp")
    assert done.returncode == 0, done.stderr
    return name


def _respond(run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str,
             playbook: str = PLAYBOOK) -> tuple[int, dict[str, Any], str]:  # fmt: skip
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir(exist_ok=True)
    root.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))  # this user's own home: the keyring is its
    book = tmp_path / "rotate.yaml"
    book.write_text(playbook)
    result = run_cli("respond", "--json", "--root", root, "--playbook", book,
                     *extra)  # fmt: skip
    assert "Traceback" not in result.stderr
    steps = json.loads(result.stdout)["steps"]
    return result.code, next(s for s in steps if s["id"] == "rotate"), result.stdout


def _note(step: dict[str, Any], name: str) -> str:
    found = [note for note in step["notes"] if f"proxy login {name}" in note]
    assert len(found) == 1, step
    return str(found[0])


def _reported(run_cli: RunCli, out: str, name: str) -> dict[str, Any]:
    """The token's outcome as the incident's report shows it (the journal's TokenOutcome)."""
    incident = json.loads(out)["incident"]
    shown = run_cli("report", incident, "--format", "json")
    assert shown.code == 0, shown.stderr
    found = [t for t in json.loads(shown.stdout)["tokens"] if f"login {name}" in t["detail"]]
    assert len(found) == 1, shown.stdout
    return dict(found[0])


def _kept(name: str) -> bool:
    return (Path(os.environ["MCPIR_HOME"]) / "oauth" / f"{name}.json").exists()


def test_revoked_at_the_endpoint_is_rotated_and_reauthorized_next(
    oauth_server: str, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _signed_in(oauth_server)
    issued = _state(oauth_server)["issued"]
    code, step, out = _respond(run_cli, tmp_path, monkeypatch, "--yes")
    token = _reported(run_cli, out, name)
    assert token["state"] == "rotated", token
    assert token["detail"] in _note(step, name)
    assert f"{oauth_server}/revoke" in token["detail"]
    assert f"re-authorize with `mcpir proxy login {name}`" in token["detail"]
    assert "OAuth grant revoked" in step["summary"]
    assert code == 1  # attention: re-authorizing is still a person's to do
    assert sorted(_state(oauth_server)["revoked"]) == sorted(issued)
    assert not _kept(name)
    assert not any(value in out for value in issued)
    # Gone from the keyring and the listing: a second run has nothing of it left to revoke.
    _, again, _ = _respond(run_cli, tmp_path, monkeypatch, "--yes")
    assert name not in json.dumps(again)


def test_a_dry_run_says_what_it_would_do_and_revokes_nothing(
    oauth_server: str, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _signed_in(oauth_server)
    _, step, out = _respond(run_cli, tmp_path, monkeypatch, "--yes", "--dry-run")
    assert json.loads(out)["incident"] is None
    note = _note(step, name)
    assert note.count(f"dry run: would revoke the tokens kept for {name}") == 1
    assert f"{oauth_server}/revoke" in note
    assert _state(oauth_server)["revoked"] == [] and _kept(name)
    assert _mcpir("logout", name).returncode == 0


def test_a_playbook_that_turns_it_off_names_the_commands(
    oauth_server: str, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _signed_in(oauth_server)
    off = PLAYBOOK.replace(
        "    on_failure", "    params:\n      revoke_oauth: false\n    on_failure"
    )
    _, _, out = _respond(run_cli, tmp_path, monkeypatch, "--yes", playbook=off)
    token = _reported(run_cli, out, name)
    assert token["state"] == "pending"
    assert f"`mcpir proxy logout {name}`" in token["detail"]
    assert f"`mcpir proxy login {name}`" in token["detail"]
    assert _state(oauth_server)["revoked"] == [] and _kept(name)
    assert _mcpir("logout", name).returncode == 0


def test_an_endpoint_that_does_not_answer_keeps_the_tokens(
    oauth_server: str, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.proxy_remote_support import free_port

    name = _signed_in(oauth_server)
    meta = Path(os.environ["MCPIR_HOME"]) / "oauth" / f"{name}.json"
    kept = json.loads(meta.read_text())
    dead = f"http://127.0.0.1:{free_port()}/revoke"
    meta.write_text(json.dumps(kept | {"revocation_endpoint": dead}))
    _, _, out = _respond(run_cli, tmp_path, monkeypatch, "--yes")
    token = _reported(run_cli, out, name)
    assert token["state"] == "pending"
    assert f"{dead} did not confirm the revocation" in token["detail"]
    assert "connected-apps" in token["detail"] and f"mcpir proxy login {name}" in token["detail"]
    assert _kept(name)  # still there: mcpir may revoke them later
    meta.write_text(json.dumps(kept))
    assert _mcpir("logout", name).returncode == 0


@pytest.mark.parametrize("oauth_server", [("--no-revocation",)], indirect=True)
def test_without_a_revocation_endpoint_the_outcome_says_what_to_do(
    oauth_server: str, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _signed_in(oauth_server)
    _, step, out = _respond(run_cli, tmp_path, monkeypatch, "--yes")
    token = _reported(run_cli, out, name)
    assert token["state"] == "pending"
    detail = token["detail"]
    assert "advertises no revocation endpoint (RFC 7009)" in detail
    assert f"{oauth_server}" in detail and "connected-apps" in detail
    assert f"`mcpir proxy logout {name}`" in detail and f"`mcpir proxy login {name}`" in detail
    assert "none is rotated" in step["summary"]
    assert _state(oauth_server)["revoked"] == [] and _kept(name)
    assert _mcpir("logout", name).returncode == 0
