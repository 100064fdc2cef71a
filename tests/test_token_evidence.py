"""Token age from the earliest evidence, and exposed tokens (issue 16, point 1).

A token's age counts from the oldest of: the commit that first added it, the mtime of the file
it sits in, the first transcript that shows it, `first_seen`. A token committed to history,
readable by a flagged server or sent to a tool is `exposed` until a rotation follows.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from mcpir.core.paths import Scopes
from mcpir.core.secret import fingerprint
from mcpir.secrets.fakes import fake_token
from mcpir.tokens.model import INVENTORY_FILE, Metadata
from tests.conftest import CANARY, RunCli

# A Claude Code transcript's wall clock, far from any real run: evidence dates are exact.
SENT_ON = "2026-02-01T10:00:00.000Z"


def at(day: str) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC), tick=False)


def github_token(seed: int = 16) -> str:
    # A provider-shaped token: the audit's history walk finds those (by the scan's detectors).
    token = fake_token("github-classic", random.Random(seed))  # noqa: S311
    assert CANARY not in token
    return token


def write_home(home: Path, servers: dict[str, dict[str, Any]]) -> Path:
    config = home / ".cursor" / "mcp.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps({"mcpServers": servers}, indent=2), encoding="utf-8")
    return config


def clean_server(value: str) -> dict[str, Any]:
    """A server nothing flags: a local command, no package manager, no image."""
    return {"command": "node", "args": ["server.js"], "env": {"API_TOKEN": value}}


def git(root: Path, *args: str, when: str | None = None) -> str:
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(root),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.test",
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.test",
    }
    if when is not None:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "commit.gpgsign=false", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def leaky_repo(root: Path, value: str) -> str:
    """A project where `value` was committed to `.mcp.json` on 2026-01-10 and removed the next
    day; returns the commit that added it."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("app\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start", when="2026-01-02T09:00:00+00:00")
    mcp = root / ".mcp.json"
    mcp.write_text(json.dumps({"mcpServers": {"gh": clean_server(value)}}), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "add gh", when="2026-01-10T23:30:00-02:00")
    added = git(root, "rev-parse", "HEAD")
    mcp.write_text(json.dumps({"mcpServers": {}}), encoding="utf-8")
    git(root, "commit", "-q", "-am", "out again", when="2026-01-11T09:00:00+00:00")
    return added


def listed(run_cli: RunCli, home: Path, root: Path, value: str) -> tuple[int, dict[str, Any]]:
    done = run_cli("tokens", "list", "--json", "--home", home, "--root", root)
    assert value not in done.stdout + done.stderr
    (row,) = [t for t in json.loads(done.stdout) if t["fingerprint"] == fingerprint(value)]
    return done.code, row


def status(run_cli: RunCli, home: Path, root: Path, value: str) -> tuple[int, dict[str, Any]]:
    done = run_cli("tokens", "status", "--json", "--home", home, "--root", root)
    assert value not in done.stdout + done.stderr
    (row,) = [t for t in json.loads(done.stdout) if t["fingerprint"] == fingerprint(value)]
    return done.code, row


def assert_no_value_kept(value: str) -> None:
    state = Path(os.environ["MCPIR_HOME"])
    for path in state.rglob("*"):
        if path.is_file():
            assert value.encode() not in path.read_bytes(), path


# --- the demo's leaked token ---------------------------------------------------------------


def test_demo_leaked_token_is_exposed_and_aged_from_its_commit(
    run_cli: RunCli, tmp_path: Path
) -> None:
    from mcpir.demo.sandbox import build_sandbox

    sb = build_sandbox(tmp_path / "machine")
    token = json.loads((sb.home / ".claude.json").read_text(encoding="utf-8"))["mcpServers"][
        "github"
    ]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"]
    added = sb.planted["leaked_token_added_in"]
    where = ("--home", sb.home, "--root", sb.root)
    with at("2026-11-24"):  # the day of the demo's incident
        code, row = listed(run_cli, sb.home, sb.root, token)
        status_code, state = status(run_cli, sb.home, sb.root, token)
        text = run_cli("tokens", "status", *where)
        posture = run_cli("posture", "--json", *where)
    # Committed on 2026-08-04, first seen by mcpir today: the commit dates it.
    assert (row["age_source"], row["age_days"]) == (f"git:{added}", 112)
    assert row["exposed"] is True and row["first_seen"] == "2026-11-24"
    assert f"git:{added}" in row["exposure"]
    assert (status_code, state["state"], state["age_days"]) == (1, "exposed", 112)
    assert state["days_left"] == 90 - 112
    assert text.code == 1 and "exposed" in text.stdout and f"git:{added[:12]}" in text.stdout
    (item,) = [i for i in json.loads(posture.stdout) if i["id"] == "token-age"]
    assert item["status"] == "fail" and sb.planted["leaked_token_fingerprint"][7:] in item["fix"]
    assert "exposed" in item["evidence"]
    for out in (text.stdout, text.stderr, posture.stdout, posture.stderr):
        assert token not in out
    assert_no_value_kept(token)


def test_demo_report_checklist_fails_the_rotation_item(tmp_path: Path) -> None:
    from mcpir.config.project import load_policy
    from mcpir.demo.sandbox import build_sandbox
    from mcpir.report.checklist import evaluate

    sb = build_sandbox(tmp_path / "machine")
    scopes = Scopes(home=sb.home, root=sb.root)
    items = {item["id"]: item for item in evaluate(scopes, load_policy(sb.root))}
    assert items["token-age"]["status"] == "fail"
    assert f"git:{sb.planted['leaked_token_added_in']}" in items["token-age"]["evidence"]


# --- each source of evidence ---------------------------------------------------------------


def test_git_history_dates_and_exposes_a_committed_token(run_cli: RunCli, tmp_path: Path) -> None:
    value = github_token()
    home, root = tmp_path / "home", tmp_path / "project"
    added = leaky_repo(root, value)
    write_home(home, {"gh": clean_server(value)})
    with at("2026-03-01"):
        code, row = listed(run_cli, home, root, value)
        status_code, state = status(run_cli, home, root, value)
    # 23:30 at -02:00 is the 11th in UTC.
    assert (row["age_source"], row["age_days"], row["exposure"]) == (
        f"git:{added}",
        49,
        [f"git:{added}"],
    )
    assert (status_code, state["state"]) == (1, "exposed")
    assert_no_value_kept(value)


def test_history_is_walked_only_at_a_repository_top_and_remembered(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mcpir.audit.history as history

    value = github_token()
    home, root = tmp_path / "home", tmp_path / "project"
    added = leaky_repo(root, value)
    (root / "sub").mkdir()
    write_home(home, {"gh": clean_server(value)})
    with at("2026-03-01"):
        assert listed(run_cli, home, root / "sub", value)[1]["exposed"] is False
        assert listed(run_cli, home, root, value)[1]["age_source"] == f"git:{added}"

    def walked(*args: object, **kwargs: object) -> object:
        raise AssertionError("history walked again though no ref moved")

    monkeypatch.setattr(history, "read_log", walked)
    with at("2026-03-01"):
        assert listed(run_cli, home, root, value)[1]["age_source"] == f"git:{added}"
    from mcpir.audit.git import AuditError

    asked: list[object] = []

    def damaged(*args: object, **kwargs: object) -> object:
        asked.append(args)
        raise AuditError("git log: bad object")

    monkeypatch.setattr(history, "read_log", damaged)
    git(root, "commit", "-q", "--allow-empty", "-m", "later", when="2026-02-01T00:00:00+00:00")
    with at("2026-03-01"):  # a ref moved: walked again; failing, the evidence kept still counts
        code, row = listed(run_cli, home, root, value)
    assert len(asked) == 1
    assert row["age_source"] == f"git:{added}" and row["exposed"] is True


def test_a_config_files_mtime_dates_the_token_and_is_kept(run_cli: RunCli, tmp_path: Path) -> None:
    value = f"{CANARY}mtime{os.urandom(8).hex()}"
    home, root = tmp_path / "home", tmp_path / "root"
    root.mkdir()
    config = write_home(home, {"alpha": clean_server(value)})
    written = datetime(2026, 1, 1, 8, tzinfo=UTC).timestamp()
    os.utime(config, (written, written))
    with at("2026-06-01"):
        code, row = listed(run_cli, home, root, value)
        status_code, state = status(run_cli, home, root, value)
    assert (row["age_source"], row["age_days"]) == (f"mtime:{config}", 151)
    assert row["first_seen"] == "2026-06-01" and row["exposed"] is False
    assert row["exposure"] == []
    assert (status_code, state["state"], state["age_days"]) == (1, "overdue", 151)
    config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with at("2026-06-02"):  # saved again since: the token is no younger for it
        assert listed(run_cli, home, root, value)[1]["age_days"] == 152
    assert_no_value_kept(value)


def claude_transcript(home: Path, value: str) -> Path:
    path = home / ".claude" / "projects" / "-work-app" / "s1.jsonl"
    path.parent.mkdir(parents=True)
    records = [
        {
            "type": "assistant",
            "sessionId": "s1",
            "timestamp": SENT_ON,
            "message": {
                "role": "assistant",
                "content": [
                    {
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": "mcp__notes__save",
                        "input": {"text": f"deploy key: {value} (keep it)"},
                    }
                ],
            },
        },
        {
            "type": "user",
            "sessionId": "s1",
            "timestamp": SENT_ON,
            "message": {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}],
            },
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_transcript_dates_the_token_and_a_tool_it_was_sent_to_exposes_it(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mcpir.workspace.transcripts as transcripts

    value = f"{CANARY}Sent{os.urandom(8).hex()}"
    home, root = tmp_path / "home", tmp_path / "root"
    root.mkdir()
    write_home(home, {"alpha": clean_server(value)})
    transcript = claude_transcript(home, value)
    with at("2026-03-01"):
        code, row = listed(run_cli, home, root, value)
        status_code, state = status(run_cli, home, root, value)
    assert (row["age_source"], row["age_days"]) == (f"transcript:{transcript}", 28)
    assert row["exposure"] == ["sent-to:notes.save"]
    assert (status_code, state["state"]) == (1, "exposed")

    def read(*args: object) -> object:
        raise AssertionError("an unchanged transcript read again")

    monkeypatch.setattr(transcripts, "_read", read)
    with at("2026-03-01"):
        assert listed(run_cli, home, root, value)[1]["exposure"] == ["sent-to:notes.save"]
    transcript.unlink()  # gone: what it showed still counts
    with at("2026-03-01"):
        assert listed(run_cli, home, root, value)[1]["age_source"] == f"transcript:{transcript}"
    assert_no_value_kept(value)


def test_the_proxy_log_shows_a_token_by_its_fingerprint(run_cli: RunCli, tmp_path: Path) -> None:
    value = f"{CANARY}Proxy{os.urandom(8).hex()}"
    home, root = tmp_path / "home", tmp_path / "root"
    write_home(home, {"alpha": clean_server(value)})
    log = root / ".atom-trail" / "mcp-invocations" / "2026-02-10.jsonl"
    log.parent.mkdir(parents=True)
    call = {
        "v": 1, "type": "call", "ts": "2026-02-10T08:00:00.000Z", "server": "search",
        "method": "tools/call", "tool": "query", "id": 1, "session": "1-2",
        # What `mcpir proxy` writes for a secret in the arguments: its fingerprint.
        "params": {"name": "query", "arguments": {"q": f"GITHUB_TOKEN=…({fingerprint(value)})"}},
    }  # fmt: skip
    log.write_text(json.dumps(call) + "\n", encoding="utf-8")
    with at("2026-03-01"):
        code, row = listed(run_cli, home, root, value)
    assert (row["age_source"], row["age_days"]) == (f"transcript:{log}", 19)
    assert row["exposure"] == ["sent-to:search.query"]


def test_a_server_the_scan_flags_exposes_what_it_reads(run_cli: RunCli, tmp_path: Path) -> None:
    flagged, kept = (f"{CANARY}{label}{os.urandom(8).hex()}" for label in ("Flag", "Kept"))
    home, root = tmp_path / "home", tmp_path / "root"
    root.mkdir()
    latest = {"command": "npx", "args": ["-y", "diagram-mcp@latest"], "env": {"API_KEY": flagged}}
    write_home(home, {"diagrams": latest, "alpha": clean_server(kept)})
    with at("2026-03-01"):
        assert listed(run_cli, home, root, flagged)[1]["exposure"] == ["flagged-server:diagrams"]
        assert listed(run_cli, home, root, kept)[1]["exposed"] is False
        code, rows = status(run_cli, home, root, kept)
    assert rows["state"] == "ok"


# --- rotation, the daily check, the inventory -----------------------------------------------


def test_a_rotation_after_the_evidence_clears_the_exposure(run_cli: RunCli, tmp_path: Path) -> None:
    value = github_token()
    home, root = tmp_path / "home", tmp_path / "project"
    leaky_repo(root, value)
    write_home(home, {"gh": clean_server(value)})
    with at("2026-03-01"):
        assert status(run_cli, home, root, value)[1]["state"] == "exposed"
    meta = Metadata.load()
    meta.rotated(fingerprint(value), date(2026, 1, 5))  # before the commit: still exposed
    meta.save()
    with at("2026-03-01"):
        code, row = status(run_cli, home, root, value)
    assert (code, row["state"], row["age_days"]) == (1, "exposed", 55)
    meta = Metadata.load()
    meta.rotated(fingerprint(value), date(2026, 2, 1))
    meta.save()
    with at("2026-03-01"):
        code, row = status(run_cli, home, root, value)
        listing = listed(run_cli, home, root, value)[1]
    assert (code, row["state"], row["age_days"]) == (0, "ok", 28)
    assert (listing["exposed"], listing["age_source"]) == (False, "last_rotated")


def test_the_daily_check_counts_exposed_and_overdue_tokens(tmp_path: Path) -> None:
    from mcpir.schedule.jobs import daily_check

    value = github_token()
    home, root = tmp_path / "home", tmp_path / "project"
    leaky_repo(root, value)
    write_home(home, {"gh": clean_server(value)})
    with at("2026-06-01"):
        outcome = daily_check(str(home), str(root))
    assert outcome["ok"] and outcome["tokens"] == 1
    assert (outcome["exposed"], outcome["overdue"]) == (1, 1)
    assert_no_value_kept(value)


def test_the_daily_checks_line_says_how_many_are_exposed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from mcpir.output.schedule import checked

    checked({"tokens": 1, "exposed": 1, "overdue": 1, "due_soon": 0, "reminded": 1,
             "resolved": 0, "failed": []})  # fmt: skip
    assert capsys.readouterr().out.startswith(
        "checked 1 token: 1 exposed (rotate now), 1 overdue, 0 due soon; 1 reminder sent"
    )


def test_evidence_is_kept_by_fingerprint_and_read_leniently(tmp_path: Path) -> None:
    path = tmp_path / INVENTORY_FILE
    record: dict[str, object] = {"first_seen": "2026-03-01", "last_rotated": None, "names": []}
    damaged = {"git:abc": "not a date", "x": "2026-01-01", "mtime:/a": "2026-02-01", "y": 3}
    path.write_text(
        json.dumps({"version": 1, "keyring": {}, "tokens": {
            "tok_old": record, "tok_new": record | {"evidence": damaged},
        }}),
        encoding="utf-8",
    )  # fmt: skip
    meta = Metadata.load(path)
    assert "evidence" not in meta.tokens["tok_old"]  # an older mcpir's file loads as it is
    assert meta.tokens["tok_new"]["evidence"] == {"mtime:/a": "2026-02-01"}


# --- what evidence keeps, and how much of the history it reads (issue 16, red-team review) ---


def test_names_in_evidence_are_masked_one_line_and_bounded() -> None:
    from mcpir.tokens.evidence import NAME_LIMIT, may_keep, named

    value = github_token()
    for name in (f"evil.{value}", "evil." + "t" * 1_000_000, "a.b\nc\x1b[2J", "notes.save",
                 "x." + "t" * 4000 + value, "evil.token=" + value):  # fmt: skip
        made = named(name)
        assert value not in made and "\n" not in made and "\x1b" not in made
        assert len(made) <= NAME_LIMIT and named(made) == made
        assert may_keep(f"sent-to:{made}") and may_keep(f"flagged-server:{made}")
    assert named("notes.save") == "notes.save"
    assert not may_keep(f"sent-to:evil.{value}") and not may_keep("sent-to:" + "t" * 200)
    assert not may_keep("flagged-server:a\nb")
    # A path or a commit is mcpir's own finding, not a name someone chose: kept as it is.
    assert may_keep("mtime:/home/dev/" + "d" * 300) and may_keep(f"git:{'0' * 40}")


def test_a_stored_name_not_made_safe_is_dropped_and_leaves_the_inventory(
    tmp_path: Path,
) -> None:
    value = github_token()
    path = tmp_path / INVENTORY_FILE
    evidence = {f"sent-to:evil.{value}": "2026-01-01", "sent-to:" + "t" * 500: "2026-01-02",
                "flagged-server:a\nb": "2026-01-03", "sent-to:notes.save": "2026-01-04",
                "mtime:/a": "2026-01-05"}  # fmt: skip
    record: dict[str, object] = {
        "first_seen": "2026-03-01",
        "last_rotated": None,
        "names": [],
        "evidence": evidence,
    }
    path.write_text(json.dumps({"version": 1, "keyring": {}, "tokens": {"tok_a": record}}))
    meta = Metadata.load(path)
    assert meta.tokens["tok_a"]["evidence"] == {
        "sent-to:notes.save": "2026-01-04",
        "mtime:/a": "2026-01-05",
    }
    meta.witness(value, f"sent-to:evil.{value}", date(2026, 1, 1))  # not recorded either
    meta.save()  # what was dropped goes from the file at the next save
    assert value not in path.read_text(encoding="utf-8") and "t" * 500 not in path.read_text()
    assert Metadata.load(path).changed is False


def test_a_cached_tool_name_not_made_safe_is_not_evidence(run_cli: RunCli, tmp_path: Path) -> None:
    import hashlib

    from mcpir.workspace.transcripts import CACHE

    value = f"{CANARY}Sent{os.urandom(8).hex()}"
    other = github_token()
    home, root = tmp_path / "home", tmp_path / "root"
    root.mkdir()
    write_home(home, {"alpha": clean_server(value)})
    transcript = claude_transcript(home, value)
    fp = fingerprint(value)
    stat = transcript.stat()
    CACHE.save({str(transcript): {
        "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
        "asked": hashlib.sha256(fp.encode()).hexdigest(),
        "hits": {fp: {"on": "2026-02-01", "sent": {f"evil.{other}": "2026-02-01",
                                                     "t" * 300: "2026-02-01",
                                                     "notes.save": "2026-02-01"}}},
    }})  # fmt: skip
    with at("2026-03-01"):
        code, row = listed(run_cli, home, root, value)
    assert row["exposure"] == ["sent-to:notes.save"]
    assert other not in (Path(os.environ["MCPIR_HOME"]) / INVENTORY_FILE).read_text()


def test_tools_a_token_was_sent_to_are_capped_per_file(run_cli: RunCli, tmp_path: Path) -> None:
    from mcpir.workspace.transcripts import MAX_SENT

    value = f"{CANARY}Many{os.urandom(8).hex()}"
    home, root = tmp_path / "home", tmp_path / "root"
    root.mkdir()
    write_home(home, {"alpha": clean_server(value)})
    path = home / ".claude" / "projects" / "-work-app" / "s1.jsonl"
    path.parent.mkdir(parents=True)
    calls = [
        {"type": "assistant", "sessionId": "s1", "timestamp": SENT_ON, "message": {
            "role": "assistant", "content": [{"type": "tool_use", "id": f"toolu_{n}",
                                              "name": f"mcp__evil__t{n}", "input": {"k": value}}]}}
        for n in range(MAX_SENT * 4)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(c) + "\n" for c in calls), encoding="utf-8")
    with at("2026-03-01"):
        code, row = listed(run_cli, home, root, value)
    assert row["exposed"] is True and len(row["exposure"]) == MAX_SENT


def test_a_server_named_after_a_token_is_not_kept_by_name(run_cli: RunCli, tmp_path: Path) -> None:
    value, name = f"{CANARY}Flag{os.urandom(8).hex()}", github_token(17)
    home, root = tmp_path / "home", tmp_path / "root"
    root.mkdir()
    latest = {"command": "npx", "args": ["-y", "diagram-mcp@latest"], "env": {"API_KEY": value}}
    write_home(home, {name: latest})
    with at("2026-03-01"):
        code, row = listed(run_cli, home, root, value)
    assert row["exposed"] is True and name not in json.dumps(row)
    inventory = Path(os.environ["MCPIR_HOME"]) / INVENTORY_FILE
    assert name not in inventory.read_text(encoding="utf-8")


@pytest.mark.parametrize("state", ["cache", "inventory"])
def test_a_state_file_nested_too_deeply_is_read_as_damaged(tmp_path: Path, state: str) -> None:
    from mcpir.core.cache import JsonCache
    from mcpir.tokens.model import InventoryError

    nested = "[" * 100_000 + "]" * 100_000
    if state == "cache":
        cache = JsonCache("nested.json", version=1, field="entries")
        cache.path.parent.mkdir(parents=True, exist_ok=True)
        cache.path.write_text(nested, encoding="utf-8")
        assert cache.load() == {}
        return
    path = tmp_path / INVENTORY_FILE
    path.write_text(nested, encoding="utf-8")
    with pytest.raises(InventoryError, match="nested too deeply"):
        Metadata.load(path)


def big_history(root: Path, tokens: list[str], pad: int) -> list[str]:
    """One commit per token, each replacing the last in `.mcp.json` (padded to `pad` bytes);
    returns the commits, oldest first."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    commits = []
    for n, value in enumerate(tokens):
        server = clean_server(value) | {"description": "x" * pad}
        (root / ".mcp.json").write_text(json.dumps({"mcpServers": {"gh": server}}))
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"c{n}", when=f"2026-01-{10 + n}T09:00:00+00:00")
        commits.append(git(root, "rev-parse", "HEAD"))
    return commits


def test_the_history_walk_stops_at_its_budget_and_says_so(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mcpir.audit.git as git_module
    import mcpir.workspace.history as history

    first, later = github_token(16), github_token(17)
    home, root = tmp_path / "home", tmp_path / "project"
    commits = big_history(root, [first, later], 20_000)
    write_home(home, {"gh": clean_server(first), "gh2": clean_server(later)})
    monkeypatch.setattr(history, "BUDGET", 30_000)  # the first blob, not the second
    monkeypatch.setattr(history, "CHUNK", 10_000)
    held: list[int] = []
    real = git_module.cat_blobs

    def measured(repo: object, shas: object) -> dict[str, bytes | str]:
        found = real(repo, shas)  # type: ignore[arg-type]
        held.append(sum(len(v) for v in found.values()))
        return found

    monkeypatch.setattr(git_module, "cat_blobs", measured)
    walk = history.committed(root)
    assert walk.partial and set(walk.found) == {fingerprint(first)}
    assert walk.found[fingerprint(first)][0] == commits[0]
    assert held and max(held) <= 30_000
    for _ in range(2):  # walked, then from the cache: partial all the same
        with at("2026-03-01"):
            row = listed(run_cli, home, root, first)[1]
            hidden = listed(run_cli, home, root, later)[1]
        assert row["age_source"] == f"git:{commits[0]}" and row["exposed"] is True
        # No commit found for it is no proof: it says the history was read in part.
        assert hidden["age_source"].endswith(f"({history.PARTIAL})"), hidden["age_source"]
        assert not hidden["age_source"].startswith("git:") and hidden["exposed"] is False
    monkeypatch.setattr(history, "BUDGET", 64 << 20)
    git(root, "commit", "-q", "--allow-empty", "-m", "later", when="2026-02-01T00:00:00+00:00")
    walk = history.committed(root)  # a ref moved: walked again, whole this time
    assert not walk.partial and set(walk.found) == {fingerprint(first), fingerprint(later)}
