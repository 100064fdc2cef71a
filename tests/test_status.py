"""`mcpir tokens status` and the rotation policy: ages, due dates, states, across the clock."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.config.project import parse_policy
from mcpir.config.rotation import (
    RotationPolicy,
    TokenOverride,
    load_rotation,
    parse_rotation,
    user_config_path,
)
from mcpir.core.errors import PolicyError
from mcpir.tokens.model import Token
from mcpir.tokens.status import statuses, token_status
from tests.conftest import CANARY, RunCli

STATUS_FIELDS = [
    "id", "provider", "fingerprint", "locations", "servers", "first_seen", "last_rotated",
    "age_days", "max_age_days", "due", "days_left", "state", "rotate",
]  # fmt: skip


def planted(label: str) -> str:
    return f"{CANARY}{label}{uuid.uuid4().hex}"


def machine(tmp_path: Path, servers: dict[str, str]) -> tuple[Path, Path]:
    """A sandboxed home whose Cursor config gives each server one literal API token."""
    home, root = tmp_path / "home", tmp_path / "root"
    (home / ".cursor").mkdir(parents=True)
    root.mkdir()
    config = {
        "mcpServers": {
            name: {"command": "node", "args": ["server.js"], "env": {"API_TOKEN": value}}
            for name, value in servers.items()
        }
    }
    (home / ".cursor" / "mcp.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return home, root


def status_json(run_cli: RunCli, home: Path, root: Path) -> tuple[int, list[dict[str, object]]]:
    done = run_cli("tokens", "status", "--json", "--home", home, "--root", root)
    assert CANARY not in done.stdout + done.stderr
    return done.code, json.loads(done.stdout)


def at(day: str) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC), tick=False)


def test_states_follow_the_clock_across_the_due_date(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = machine(tmp_path, {"alpha": planted("a")})
    expected = [
        ("2026-01-01", "ok", 0, 90, 0),
        ("2026-03-17", "ok", 75, 15, 0),
        ("2026-03-18", "due-soon", 76, 14, 0),  # the first reminder day
        ("2026-04-01", "due-soon", 90, 0, 0),  # due today: not yet overdue
        ("2026-04-02", "overdue", 91, -1, 1),
    ]
    for day, state, age, left, code in expected:
        with at(day):
            exit_code, rows = status_json(run_cli, home, root)
        assert exit_code == code, day
        (row,) = rows
        assert list(row) == STATUS_FIELDS
        assert (row["state"], row["age_days"], row["days_left"]) == (state, age, left), day
        assert row["due"] == "2026-04-01"
        assert row["first_seen"] == "2026-01-01"
        assert row["rotate"] == f"mcpir tokens rotate {row['id']}"


def test_text_output_names_the_token_and_the_command(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = machine(tmp_path, {"alpha": planted("a"), "beta": planted("b")})
    with at("2026-01-01"):
        run_cli("tokens", "status", "--home", home, "--root", root)
    with at("2026-05-01"):
        done = run_cli("tokens", "status", "--home", home, "--root", root)
    assert done.code == 1
    assert "overdue since 2026-04-01" in done.stdout
    assert "~/.cursor/mcp.json:" in done.stdout
    assert "read by alpha" in done.stdout and "read by beta" in done.stdout
    assert "2 tokens (2 overdue)" in done.stdout
    assert "mcpir tokens rotate <id>" in done.stdout
    assert CANARY not in done.stdout + done.stderr


def test_a_rotation_restarts_the_clock(run_cli: RunCli, tmp_path: Path) -> None:
    from mcpir.core.secret import fingerprint
    from mcpir.tokens.model import Metadata

    value = planted("a")
    home, root = machine(tmp_path, {"alpha": value})
    with at("2026-01-01"):
        run_cli("tokens", "status", "--home", home, "--root", root)
    meta = Metadata.load()
    meta.rotated(fingerprint(value), date(2026, 3, 1))
    meta.save()
    with at("2026-04-15"):
        code, (row,) = status_json(run_cli, home, root)
    assert code == 0
    assert (row["last_rotated"], row["due"], row["state"]) == ("2026-03-01", "2026-05-30", "ok")


def test_project_policy_and_overrides(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = machine(tmp_path, {"alpha": planted("a"), "beta": planted("b")})
    with at("2026-01-01"):
        _, rows = status_json(run_cli, home, root)
    beta = next(r for r in rows if r["servers"] == ["beta"])
    (root / ".mcpir.toml").write_text(
        "[rotation]\nmax_age_days = 60\nremind_days = [10]\n\n"
        f'[[rotation.override]]\ntoken = "{beta["id"]}"\nmax_age_days = 20\n',
        encoding="utf-8",
    )
    with at("2026-01-25"):
        code, rows = status_json(run_cli, home, root)
    by_server: dict[tuple[object, ...], dict[str, object]] = {
        tuple(r["servers"]): r  # type: ignore[arg-type]
        for r in rows
    }
    assert code == 1
    assert by_server[("beta",)]["state"] == "overdue"
    assert by_server[("beta",)]["max_age_days"] == 20
    assert by_server[("alpha",)]["state"] == "ok"
    assert by_server[("alpha",)]["due"] == "2026-03-02"
    with at("2026-02-25"):
        _, rows = status_json(run_cli, home, root)
    alpha = next(r for r in rows if r["servers"] == ["alpha"])
    assert (alpha["state"], alpha["days_left"]) == ("due-soon", 5)


def test_user_config_under_the_project_policy(tmp_path: Path) -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[rotation]\nmax_age_days = 30\nremind_days = [5, 2]\n\n"
        '[[rotation.override]]\nprovider = "openai"\nmax_age_days = 7\n',
        encoding="utf-8",
    )
    assert load_rotation(None) == RotationPolicy(
        30, (5, 2), (TokenOverride(provider="openai", max_age_days=7),)
    )
    project = parse_policy("[rotation]\nremind_days = [3]\n", tmp_path / ".mcpir.toml")
    merged = load_rotation(project)
    assert (merged.max_age_days, merged.remind_days) == (30, (3,))
    assert merged.override == (TokenOverride(provider="openai", max_age_days=7),)
    path.write_text("[rotaton]\nmax_age_days = 30\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="unknown section"):
        load_rotation(None)


def _token(**changes: object) -> Token:
    base: dict[str, object] = {
        "id": "tok_000000000001", "provider": "github", "fingerprint": "sha256:000000000001",
        "locations": ("keyring:GITHUB_TOKEN",), "servers": ("github",), "first_seen": "2026-01-01",
        "last_rotated": None, "age_days": 0, "status": "keyring",
    }  # fmt: skip
    return Token(**(base | changes))  # type: ignore[arg-type]


def test_overrides_match_by_location_glob_and_provider() -> None:
    policy = RotationPolicy(
        override=(
            TokenOverride(token="keyring:OPENAI_*", max_age_days=30),
            TokenOverride(provider="git*", remind_days=(3,)),
        )
    )
    openai = _token(locations=("keyring:OPENAI_KEY",), provider="openai")
    assert policy.rule_for(openai).max_age_days == 30
    github = policy.rule_for(_token())
    assert (github.max_age_days, github.remind_days) == (90, (3,))
    other = policy.rule_for(_token(provider="slack", locations=("env:SLACK_TOKEN",)))
    assert (other.max_age_days, other.remind_days) == (90, (14, 7, 1))


def test_tokens_without_a_value_are_not_aged() -> None:
    prompted = _token(id="tok_000000000002", age_days=None, status="prompted")
    aged, unaged = statuses([prompted, _token()], RotationPolicy(), date(2026, 1, 2))
    assert [s.token.id for s in aged] == ["tok_000000000001"]
    assert unaged == [prompted]


def test_reminder_stage() -> None:
    rule = RotationPolicy().rule_for(_token())
    stages = {}
    for day in ("2026-03-01", "2026-03-18", "2026-03-25", "2026-03-31", "2026-04-01", "2026-04-02"):
        found = token_status(_token(), rule, date.fromisoformat(day))
        assert found is not None
        stages[day] = found.stage
    assert stages == {
        "2026-03-01": None, "2026-03-18": 14, "2026-03-25": 7, "2026-03-31": 1,
        "2026-04-01": 1, "2026-04-02": 0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_age_days = 0", "whole number of days"),
        ("max_age_days = true", "whole number of days"),
        ('remind_days = "14"', "list of days"),
        ("remind_days = [14, -1]", "whole number of days"),
        ("maxage = 3", "unknown key rotation.maxage"),
        ("[[rotation.override]]\nmax_age_days = 3", "needs a token or a provider"),
        ('[[rotation.override]]\ntoken = "x"', "needs max_age_days or remind_days"),
        ('[[rotation.override]]\ntoken = "x"\nmax_age = 3', "unknown key max_age"),
    ],
)
def test_bad_rotation_policy_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(f"[rotation]\n{text}\n", tmp_path / ".mcpir.toml")


def test_a_bad_policy_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = machine(tmp_path, {})
    (root / ".mcpir.toml").write_text("[rotation]\nmax_age_days = -3\n", encoding="utf-8")
    done = run_cli("tokens", "status", "--home", home, "--root", root)
    assert done.code == 2
    assert "max_age_days" in done.stderr and "Traceback" not in done.stderr


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5000) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
_KEYS = st.sampled_from(["max_age_days", "remind_days", "override", "token", "provider", "x"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=4))
def test_fuzz_rotation_table_is_parsed_or_refused(table: dict[str, object]) -> None:
    try:
        policy = parse_rotation(table, "fuzz")
    except PolicyError:
        return
    assert 1 <= policy.max_age_days <= 3650
    assert list(policy.remind_days) == sorted(set(policy.remind_days), reverse=True)
    for entry in policy.override:
        assert entry.token is not None or entry.provider is not None


def test_status_needs_no_network_and_no_heavy_import(tmp_path: Path) -> None:
    import subprocess
    import sys

    home, root = machine(tmp_path, {"alpha": planted("a")})
    probe = (
        "import sys, json\nfrom mcpir.cli import main\n"
        f"sys.argv = ['mcpir', 'tokens', 'status', '--home', {str(home)!r},"
        f" '--root', {str(root)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ['github', 'apscheduler', 'sqlalchemy', 'git']\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, env=os.environ
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_an_override_that_matches_nothing_is_named(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = machine(tmp_path, {"alpha": planted("a")})
    (root / ".mcpir.toml").write_text(
        '[[rotation.override]]\ntoken = "keyring:OPENAI_*"\nmax_age_days = 30\n\n'
        '[[rotation.override]]\ntoken = "tok_*"\nmax_age_days = 60\n',
        encoding="utf-8",
    )
    with at("2026-01-01"):
        done = run_cli("tokens", "status", "--home", home, "--root", root)
        code, rows = status_json(run_cli, home, root)
    assert done.code == 0 and code == 0
    assert "note: rotation override 1 (keyring:OPENAI_*) matches no token" in done.stdout
    assert "override 2" not in done.stdout
    assert [r["max_age_days"] for r in rows] == [60]  # JSON stays exactly the list of tokens


@pytest.mark.parametrize(
    "text",
    [
        'max_age_days = "ninety"',
        "max_age_days = -5",
        "max_age_days = 1e3",
        "max_age_days = 99999999999999999999",
        "remind_days = [14, 'x']",
        "remind_days = 7",
        "bogus = 1",
        '[[rotation.override]]\ntoken = "x"\nmax_age_days = 0',
    ],
)
def test_every_bad_rotation_table_is_one_line_exit_2(
    run_cli: RunCli, tmp_path: Path, text: str
) -> None:
    home, root = machine(tmp_path, {})
    (root / ".mcpir.toml").write_text(f"[rotation]\n{text}\n", encoding="utf-8")
    done = run_cli("tokens", "status", "--json", "--home", home, "--root", root)
    assert done.code == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
