"""Reminders: once per stage per channel, through every notifier, never with a value in them;
the GitHub issue is one per token (found again by its marker) and closed once rotated."""

from __future__ import annotations

import json
import os
import stat
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, Protocol

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.config.rotation import user_config_path
from mcpir.core.errors import PolicyError
from mcpir.notify import CHANNELS, NOTIFIERS
from mcpir.notify.config import parse_notify
from mcpir.notify.reminders import STATE_FILE, rotated_with_mcpir
from tests.conftest import CANARY, RunCli
from tests.github_double import GitHubDouble
from tests.rotation_fixtures import github_double

REPO = "acme/security"


def planted(label: str) -> str:
    return f"{CANARY}{label}{uuid.uuid4().hex}"


def write_config(home: Path, servers: dict[str, str]) -> None:
    config = {
        "mcpServers": {
            name: {"command": "node", "args": ["s.js"], "env": {"API_TOKEN": value}}
            for name, value in servers.items()
        }
    }
    (home / ".cursor").mkdir(parents=True, exist_ok=True)
    (home / ".cursor" / "mcp.json").write_text(json.dumps(config, indent=2), encoding="utf-8")


@pytest.fixture
def machine(tmp_path: Path) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "root"
    root.mkdir()
    write_config(home, {"alpha": planted("a")})
    return home, root


def user_config(text: str) -> None:
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def at(day: str) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC), tick=False)


class StatusOn(Protocol):
    def __call__(self, day: str, notify: bool = True) -> tuple[int, str]: ...


@pytest.fixture
def status_on(run_cli: RunCli, machine: tuple[Path, Path]) -> StatusOn:
    """`status_on(day)`: `mcpir tokens status --notify` (without `--notify` if `notify` is
    False) on the machine at noon UTC of `day`: (exit code, stderr), no planted value shown."""
    home, root = machine

    def run(day: str, notify: bool = True) -> tuple[int, str]:
        with at(day):
            extra = ("--notify",) if notify else ()
            done = run_cli("tokens", "status", "--home", home, "--root", root, *extra)
        assert CANARY not in done.stdout + done.stderr
        return done.code, done.stderr

    return run


def stored_text() -> str:
    base = Path(os.environ["MCPIR_HOME"])
    return "".join(p.read_text(errors="replace") for p in base.rglob("*") if p.is_file()
                   and p.suffix != ".sqlite")  # fmt: skip


def test_every_channel_is_registered() -> None:
    import importlib
    import pkgutil

    import mcpir.notify as package

    assert tuple(NOTIFIERS) == CHANNELS
    makers = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"mcpir.notify.{info.name}")
        if hasattr(module, "make"):
            makers.add(module.make)
    assert makers == set(NOTIFIERS.values())


def test_terminal_reminds_once_per_stage(status_on: StatusOn) -> None:
    user_config('[notify]\nchannels = ["terminal"]\n')
    code, err = status_on("2026-01-01")
    assert code == 0 and "notify:" not in err
    _, err = status_on("2026-03-18")  # 14 days left: the first reminder
    assert "is 76 days old, policy 90: due 2026-04-01 (in 14 days)" in err
    assert "found at: ~/.cursor/mcp.json:" in err
    assert "read by servers: alpha" in err
    assert "rotate it: mcpir tokens rotate tok_" in err
    assert err.count("notify: terminal tok_") == 1
    _, err = status_on("2026-03-19")  # same stage: nothing new
    assert "notify: terminal" not in err
    # The 7-day stage was missed (machine off): the 1-day one, once.
    _, err = status_on("2026-03-31")
    assert err.count("notify: terminal tok_") == 1 and "due 2026-04-01 (in 1 day)" in err
    code, err = status_on("2026-04-05")
    assert code == 1 and "overdue since 2026-04-01 (4 days ago)" in err
    _, err = status_on("2026-04-08")
    assert "notify: terminal" not in err
    _, err = status_on("2026-04-12")  # overdue reminders come back weekly
    assert err.count("notify: terminal tok_") == 1
    log = (Path(os.environ["MCPIR_HOME"]) / "reminders.log").read_text(encoding="utf-8")
    assert log.count("rotate it: mcpir tokens rotate") == 4
    assert stat.S_IMODE(os.stat(Path(os.environ["MCPIR_HOME"]) / STATE_FILE).st_mode) == 0o600
    assert CANARY not in stored_text()


@pytest.fixture
def double() -> Iterator[GitHubDouble]:
    with github_double() as server:
        yield server


def github_config(double: GitHubDouble, monkeypatch: pytest.MonkeyPatch) -> str:
    token = double.issue("reminder-bot")
    monkeypatch.setenv("MCPIR_TEST_GH", token)
    user_config(
        f'[notify]\nchannels = ["github"]\n[notify.github]\nrepo = "{REPO}"\n'
        f'token = "MCPIR_TEST_GH"\napi_url = "{double.url}"\n'
    )
    return token


def test_github_issue_is_one_per_token_and_closed_once_rotated(
    status_on: StatusOn,
    machine: tuple[Path, Path],
    double: GitHubDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home, _ = machine
    token = github_config(double, monkeypatch)
    status_on("2026-01-01")
    assert double.issues.get(REPO, []) == []
    _, err = status_on("2026-03-20")
    assert f"opened {REPO}#1" in err
    (issue,) = double.issues[REPO]
    assert issue["state"] == "open" and "<!-- mcpir-reminder: tok_" in issue["body"]
    assert issue["labels"] == [{"name": "mcpir-token-rotation"}]
    assert "\nmcpir tokens rotate tok_" in issue["body"] and "`~/.cursor/mcp.json:" in issue["body"]
    assert "`alpha`" in issue["body"]
    # The reminder state is lost: the issue is found again by its marker, not duplicated.
    (Path(os.environ["MCPIR_HOME"]) / STATE_FILE).unlink()
    _, err = status_on("2026-03-27")
    assert f"updated {REPO}#1" in err and len(double.issues[REPO]) == 1
    _, err = status_on("2026-04-03")
    assert f"updated {REPO}#1" in err and len(double.issues[REPO]) == 1
    assert "overdue" in double.issues[REPO][0]["title"]
    # Rotated by hand: the old value is gone from the config, a new one is in its place.
    write_config(home, {"alpha": planted("new")})
    code, err = status_on("2026-04-04")
    assert code == 0 and f"closed {REPO}#1" in err
    assert double.issues[REPO][0]["state"] == "closed"
    assert "no longer in any MCP config" in double.issues[REPO][0]["body"]
    _, err = status_on("2026-04-05")
    assert "notify:" not in err
    assert all(CANARY not in json.dumps(i) for i in double.issues[REPO])
    assert token not in stored_text()


def test_github_failure_is_reported_and_retried(
    status_on: StatusOn,
    double: GitHubDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    github_config(double, monkeypatch)
    status_on("2026-01-01", notify=False)
    monkeypatch.setenv("MCPIR_TEST_GH", double.issue("read-only", scopes=("read:user",)))
    _, err = status_on("2026-03-20")
    assert "FAILED GitHub issue in acme/security: HTTP 403" in err
    monkeypatch.setenv("MCPIR_TEST_GH", double.issue("bot"))
    _, err = status_on("2026-03-21")
    assert f"opened {REPO}#1" in err


def test_no_github_token_skips_the_channel(
    status_on: StatusOn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MCPIR_NO_SUCH_TOKEN", raising=False)
    user_config(
        '[notify]\nchannels = ["terminal", "github"]\n[notify.github]\nrepo = "a/b"\n'
        'token = "MCPIR_NO_SUCH_TOKEN"\napi_url = "http://127.0.0.1:9"\n'
    )
    status_on("2026-01-01", notify=False)
    code, err = status_on("2026-04-10")
    assert code == 1
    assert "notify: github skipped: no GitHub token" in err
    assert "notify: terminal tok_" in err


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    answer = 204

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_webhook_posts_reminders_and_resolutions(
    status_on: StatusOn, machine: tuple[Path, Path]
) -> None:
    home, _ = machine
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T0/B0"
        user_config(f'[notify.webhook]\nurl = "{url}"\n[notify]\nchannels = ["webhook"]\n')
        status_on("2026-01-01", notify=False)
        _, err = status_on("2026-04-10")
        assert "notify: webhook tok_" in err and "HTTP 204" in err
        (posted,) = _Hook.received
        assert posted["event"] == "mcpir.token.reminder"
        assert posted["token"]["state"] == "overdue"
        assert posted["token"]["rotate"].startswith("mcpir tokens rotate tok_")
        assert posted["token"]["servers"] == ["alpha"]
        assert "read by servers: alpha" in posted["text"]
        write_config(home, {})
        status_on("2026-04-11")
        assert _Hook.received[-1]["event"] == "mcpir.token.resolved"
        assert CANARY not in json.dumps(_Hook.received)
        _Hook.answer = 500
        write_config(home, {"beta": planted("b")})
        status_on("2026-04-12", notify=False)
        _, err = status_on("2026-08-01")
        assert "FAILED webhook http://127.0.0.1" in err and "HTTP 500" in err
    finally:
        _Hook.answer = 204
        server.shutdown()
        server.server_close()


def test_desktop_notification_through_notify_send(
    status_on: StatusOn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls.jsonl"
    bin_dir.mkdir()
    fake = bin_dir / "notify-send"
    fake.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"open({str(calls)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    user_config('[notify]\nchannels = ["desktop"]\n')
    status_on("2026-01-01", notify=False)
    _, err = status_on("2026-04-10")
    assert "notify: desktop tok_" in err and "notification shown" in err
    (args,) = [json.loads(line) for line in calls.read_text().splitlines()]
    assert args[:3] == ["--app-name=mcpir", "--urgency=critical", "--"]
    assert args[3].startswith("Rotate tok_") and "overdue since 2026-04-01" in args[3]
    assert "rotate it: mcpir tokens rotate tok_" in args[4]
    assert CANARY not in json.dumps(args)


def test_desktop_without_notify_send_is_skipped(
    status_on: StatusOn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    user_config('[notify]\nchannels = ["desktop"]\n')
    status_on("2026-01-01", notify=False)
    _, err = status_on("2026-04-10")
    assert "notify: desktop skipped: notify-send is not installed" in err


def test_rotation_log_resolves_a_token(tmp_path: Path) -> None:
    folder = Path(os.environ["MCPIR_HOME"]) / "rotations"
    folder.mkdir(parents=True)
    log = folder / "tok_0123456789ab-GITHUB_TOKEN.jsonl"
    log.write_text('{"event": "started"}\n{"event": "stored"}\n', encoding="utf-8")
    assert not rotated_with_mcpir("tok_0123456789ab")
    log.write_text(log.read_text() + '{"event": "done"}\n', encoding="utf-8")
    assert rotated_with_mcpir("tok_0123456789ab")
    assert not rotated_with_mcpir("tok_ffffffffffff")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"channels": ["pager"]}, "unknown channel"),
        ({"channels": ["github"]}, "no \\[notify.github\\] repo"),
        ({"github": {"repo": "not a repo"}}, "OWNER/NAME"),
        ({"webhook": {"url": "ftp://x"}}, "http\\(s\\) URL"),
        ({"webhook": {"url": "https://x", "timeout": 0}}, "positive number"),
        ({"github": {"repo": "a/b", "labels": "x"}}, "list of strings"),
        ({"sms": {}}, "unknown key sms"),
    ],
)
def test_bad_notify_config(table: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_notify(table)


def test_channels_default_to_what_is_configured() -> None:
    config = parse_notify({"github": {"repo": "a/b"}, "webhook": {"url": "https://h/x"}})
    assert config.channels == ("terminal", "desktop", "github", "webhook")
    assert parse_notify({}).channels == ("terminal", "desktop")


def test_reminder_text_keeps_the_id_and_hides_values() -> None:
    from mcpir.notify.base import Reminder, Resolution

    secret = "ghp_" + "A1b2C3d4E5" * 3 + "zzzzzz"
    reminder = Reminder(
        token_id="tok_0123456789ab", provider="github", fingerprint="sha256:0123456789ab",
        locations=(f"~/.claude.json:7 {secret}", "keyring:GITHUB_TOKEN"),
        servers=("github",), state="overdue", age_days=95, max_age_days=90, due="2026-04-01",
        days_left=-5, in_keyring=True,
    )  # fmt: skip
    for text in (
        reminder.title,
        reminder.text(),
        reminder.markdown(),
        json.dumps(reminder.to_json()),
    ):
        assert "tok_0123456789ab" in text
    for text in (reminder.text(), reminder.markdown()):
        assert "mcpir tokens rotate tok_0123456789ab" in text
        assert "sha256:0123456789ab" in text and "keyring:GITHUB_TOKEN" in text
        assert secret not in text and "ghp_…" in text
    assert reminder.markdown().startswith("<!-- mcpir-reminder: tok_0123456789ab -->\n")
    assert "externalize" not in reminder.text()
    resolution = Resolution("tok_0123456789ab", "sha256:0123456789ab", "rotated on 2026-04-03")
    assert resolution.text().startswith("tok_0123456789ab (sha256:0123456789ab): rotated")


class _Recorder:
    name: ClassVar[str] = "recorder"

    def __init__(self) -> None:
        self.reminded: list[str] = []
        self.resolved: list[str] = []

    def unavailable(self) -> str | None:
        return None

    def remind(self, reminder: Any) -> str:
        self.reminded.append(reminder.token_id)
        return "recorded"

    def resolve(self, resolution: Any) -> str | None:
        self.resolved.append(f"{resolution.token_id}: {resolution.detail}")
        return "withdrawn"


def test_a_token_seen_from_another_root_is_not_resolved_until_rotated(tmp_path: Path) -> None:
    from mcpir.config.rotation import RotationPolicy
    from mcpir.core.paths import Scopes
    from mcpir.tokens.status import statuses

    home, root = tmp_path / "home", tmp_path / "root"
    write_config(home, {"alpha": planted("a")})
    root.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    from mcpir.notify.reminders import run_reminders
    from mcpir.tokens import list_tokens

    recorder = _Recorder()
    with at("2026-01-01"):
        list_tokens(Scopes(home=home, root=root), environ=None)
    with at("2026-04-10"):
        aged, _ = statuses(
            list_tokens(Scopes(home=home, root=root), environ=None), RotationPolicy()
        )
        report = run_reminders(aged, Scopes(home=home, root=root), [recorder])
    assert [d.ok for d in report.reminded] == [True] and len(recorder.reminded) == 1
    token_id = recorder.reminded[0]
    # Checked from an empty home: the token is not there, but it may well still be in use.
    empty = Scopes(home=other, root=other)
    with at("2026-04-11"):
        run_reminders([], empty, [recorder])
    assert recorder.resolved == []
    log = Path(os.environ["MCPIR_HOME"]) / "rotations" / f"{token_id}-API_TOKEN.jsonl"
    log.parent.mkdir(parents=True)
    log.write_text('{"event": "started"}\n{"event": "done"}\n')
    with at("2026-04-12"):
        report = run_reminders([], empty, [recorder])
    assert recorder.resolved == [f"{token_id}: rotated with `mcpir tokens rotate`"]
    assert json.loads((Path(os.environ["MCPIR_HOME"]) / STATE_FILE).read_text())["tokens"] == {}


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["channels", "github", "webhook", "x"]),
        _JSONISH
        | st.fixed_dictionaries(
            {
                "repo": st.sampled_from(["a/b", "bad", ""]),
                "url": st.sampled_from(["https://h", "x"]),
            }
        ),
        max_size=3,
    )
)
def test_fuzz_notify_config_is_parsed_or_refused(table: dict[str, Any]) -> None:
    try:
        config = parse_notify(table)
    except PolicyError:
        return
    assert set(config.channels) <= set(CHANNELS)
    assert ("github" in config.channels) <= (config.github is not None)


@settings(max_examples=200, deadline=None)
@given(_JSONISH)
def test_fuzz_a_damaged_state_file_is_rebuilt(document: Any) -> None:
    from mcpir.notify.reminders import load_state

    path = Path(os.environ["MCPIR_HOME"]) / "fuzz-state.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    state = load_state(path)
    assert isinstance(state, dict) and all(isinstance(v, dict) for v in state.values())


_LEAKED = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"


class _Broken(_Recorder):
    """A notifier that fails as a third-party library can: not with a NotifyError."""

    name: ClassVar[str] = "broken"

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def remind(self, reminder: Any) -> str:
        self.calls += 1
        raise RuntimeError(f"boom: Authorization: Bearer {_LEAKED}")


def _due(tmp_path: Path, count: int) -> tuple[list[Any], Any]:
    """`count` overdue tokens (seen on 2026-01-01, checked on 2026-04-10)."""
    from mcpir.config.rotation import RotationPolicy
    from mcpir.core.paths import Scopes
    from mcpir.tokens import list_tokens
    from mcpir.tokens.status import statuses

    home, root = tmp_path / "home", tmp_path / "root"
    root.mkdir(exist_ok=True)
    write_config(home, {f"s{i}": planted(str(i)) for i in range(count)})
    scopes = Scopes(home=home, root=root)
    with at("2026-01-01"):
        list_tokens(scopes, environ=None)
    with at("2026-04-10"):
        aged, _ = statuses(list_tokens(scopes, environ=None), RotationPolicy())
    return aged, scopes


def test_a_crashing_notifier_loses_no_reminder(tmp_path: Path) -> None:
    from mcpir.notify.reminders import run_reminders

    aged, scopes = _due(tmp_path, 3)
    broken, recorder = _Broken(), _Recorder()
    with at("2026-04-10"):
        report = run_reminders(aged, scopes, [broken, recorder])
    # Tried once, not once per token; the other channel delivered every reminder.
    assert broken.calls == 1 and len(recorder.reminded) == 3
    failed = [d for d in report.failed if d.channel == "broken"]
    assert len(failed) == 3 and "RuntimeError: boom" in failed[0].detail
    assert "not tried: broken failed earlier in this run" in failed[1].detail
    assert _LEAKED not in json.dumps(report.to_json())
    # The next run retries the broken channel only; the recorder is not sent them twice.
    fixed = _Recorder()
    fixed.name = "broken"  # type: ignore[misc]
    with at("2026-04-11"):
        report = run_reminders(aged, scopes, [fixed, recorder])
    assert len(fixed.reminded) == 3 and len(recorder.reminded) == 3


def test_a_silent_webhook_costs_one_timeout_per_run(tmp_path: Path) -> None:
    import socket
    import time

    from mcpir.notify.config import WebhookConfig
    from mcpir.notify.reminders import run_reminders
    from mcpir.notify.webhook import Webhook

    aged, scopes = _due(tmp_path, 4)
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
        hook = Webhook(WebhookConfig(url, timeout=0.5))
        start = time.monotonic()
        with at("2026-04-10"):
            report = run_reminders(aged, scopes, [hook])
        assert time.monotonic() - start < 1.5  # one timeout, not four
        assert [d.ok for d in report.reminded] == [False] * 4
        assert "unreachable" in report.reminded[0].detail
    finally:
        listener.close()
    _Hook.received, _Hook.answer = [], 204
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hook = Webhook(WebhookConfig(f"http://127.0.0.1:{server.server_address[1]}/h", 2.0))
        with at("2026-04-11"):
            report = run_reminders(aged, scopes, [hook])
        assert [d.ok for d in report.reminded] == [True] * 4 and len(_Hook.received) == 4
    finally:
        server.shutdown()
        server.server_close()


class _GitHubRefuses(BaseHTTPRequestHandler):
    """GitHub answering every call with one error: (status, message, headers)."""

    answer: ClassVar[tuple[int, str, dict[str, str]]] = (404, "Not Found", {})
    calls: ClassVar[int] = 0

    def _refuse(self) -> None:
        type(self).calls += 1
        status, message, headers = type(self).answer
        body = json.dumps({"message": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = _refuse

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ((404, "Not Found", {}), "HTTP 404 Not Found"),
        ((403, "Resource not accessible by personal access token", {}), "HTTP 403"),
        (
            (
                403,
                "API rate limit exceeded",
                {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"},
            ),
            "HTTP 403",
        ),  # fmt: skip
        ((429, "Too many requests", {"Retry-After": "3600"}), "HTTP 429"),
    ],
)
def test_github_refusals_are_reported_once_and_retried(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: tuple[int, str, dict[str, str]],
    shown: str,
) -> None:
    from mcpir.notify.config import GitHubConfig
    from mcpir.notify.github_issue import GitHubIssues
    from mcpir.notify.reminders import load_state, run_reminders

    aged, scopes = _due(tmp_path, 3)
    _GitHubRefuses.answer, _GitHubRefuses.calls = answer, 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHubRefuses)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("MCPIR_TEST_GH", planted("gh"))
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        issues = GitHubIssues(GitHubConfig("acme/nope", "MCPIR_TEST_GH", url))
        with at("2026-04-10"):
            report = run_reminders(aged, scopes, [issues])
    finally:
        server.shutdown()
        server.server_close()
    assert _GitHubRefuses.calls == 1  # no retry loop, no sleeping out a rate limit
    assert [d.ok for d in report.reminded] == [False] * 3
    assert shown in report.reminded[0].detail and "acme/nope" in report.reminded[0].detail
    assert CANARY not in json.dumps(report.to_json())
    # Nothing was recorded as sent: tomorrow's run tries every one again.
    assert all(record["sent"] == {} for record in load_state().values())
    assert len(load_state()) == 3


def test_unwritable_reminder_state_is_one_line_exit_3(status_on: StatusOn) -> None:
    status_on("2026-01-01", notify=False)
    (Path(os.environ["MCPIR_HOME"]) / STATE_FILE).mkdir()
    code, err = status_on("2026-04-10")
    assert code == 3 and "Traceback" not in err
    assert "cannot record the reminders" in err


def test_notify_with_no_channel_says_so(status_on: StatusOn) -> None:
    user_config("[notify]\nchannels = []\n")
    status_on("2026-01-01", notify=False)
    code, err = status_on("2026-04-10")
    assert code == 1 and "no notification channel" in err


def test_a_webhook_url_is_never_shown_past_its_host(tmp_path: Path) -> None:
    """Discord, Teams and most webhooks carry their credential in the path: a delivery's
    detail (printed, and kept in the scheduler's run log) shows the host only."""
    from mcpir.notify.config import WebhookConfig
    from mcpir.notify.reminders import run_reminders
    from mcpir.notify.webhook import Webhook

    aged, scopes = _due(tmp_path, 1)
    secret_path = "api/webhooks/123456789012345678/AbCdEf-GhIjKlMnOpQrStUvWxYz0123456789abcdEFGH"
    _Hook.received, _Hook.answer = [], 204
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with at("2026-04-10"):
            report = run_reminders(
                aged, scopes, [Webhook(WebhookConfig(f"{base}/{secret_path}", 2.0))]
            )
        _Hook.answer = 500
        with at("2026-04-20"):
            failed = run_reminders(
                aged, scopes, [Webhook(WebhookConfig(f"{base}/{secret_path}", 2.0))]
            )
    finally:
        _Hook.answer = 204
        server.shutdown()
        server.server_close()
    (sent,) = report.reminded
    assert sent.ok and f"{base}/…" in sent.detail
    (refused,) = failed.reminded
    assert not refused.ok and "HTTP 500" in refused.detail
    for detail in (sent.detail, refused.detail):
        assert "AbCdEf" not in detail and "123456789012345678" not in detail
