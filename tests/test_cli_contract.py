"""The CLI contract, checked on every command `mcpir` has (walked from the typer app).

For each command and sub-command: `--help` exits 0 with a usage line, a one-line summary
that command lists show whole, at least one example and the exit codes of `cli/exits.py`;
the shared options (`--home`, `--root`, `--system-root`, `--json`) are there unless `WITHOUT`
says why not; `--yes`, `--output` and `--dry-run` come with `-y`, `-o` and `-n`; an unknown
option exits 2 with the error on stderr and no traceback; a `--root`/`--home`/`--repo`/
`--system-root` that is missing or a regular file is one `mcpir: error:` line on stderr,
exit 2, nothing on stdout; a run on empty tmp dirs exits with a code its row of
`cli/exits.py` documents, and under `--json` its stdout is one JSON document. A new command
is covered by the walk without an edit here; one with a required argument (or that must not
run as it is) needs a line in `SPECS`, and every command needs its rows in `cli/exits.py`
and `cli/guide.py`.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from mcpir.cli import app
from mcpir.cli.exits import EXITS
from mcpir.cli.guide import SUMMARY_WIDTH
from mcpir.secrets.fakes import fake_token
from tests.conftest import RunCli

DIR_OPTIONS = ("--home", "--root", "--repo", "--system-root")
DOCUMENTED_EXITS = {0, 1, 2, 3}
SHARED = ("--home", "--root", "--system-root", "--json")
SHORT = {"--yes": "-y", "--output": "-o", "--dry-run": "-n"}

_NO_CONFIG = "reads no MCP config and no incident"
# Shared options a command does not take, each with why: where an option could mean nothing
# it is left out (an accepted option that does nothing would be a lie), never silently ignored.
WITHOUT: dict[str, dict[str, str]] = {
    "demo": dict.fromkeys(SHARED, "builds and reads only its own sandbox (--dir)"),
    "run": dict.fromkeys(SHARED, "execs CMD with keyring tokens: " + _NO_CONFIG),
    "proxy": {
        "--home": "relays one server; pins and logs live under --root",
        "--system-root": "relays one server; pins and logs live under --root",
        "--json": "stdout is the MCP stream itself",
    },
    "restore": {"--system-root": "acts on the files its journal names; managed files are "
                "never changed, so there is no system root to name"},
    "close": {"--system-root": "writes the incident's journal only; no file is read"},
    "report": {"--system-root": "rebuilt from the journal alone; no config is read"},
    "wrap": {"--system-root": "managed files are never rewritten: an administrator's to change"},
    "unwrap": {"--system-root": "wrap never rewrote a managed file: nothing to give back"},
    "playbook list": dict.fromkeys(SHARED, "reads playbooks: " + _NO_CONFIG),
    "playbook show": dict.fromkeys(SHARED, "reads a playbook: " + _NO_CONFIG),
    "playbook check": dict.fromkeys(SHARED, "reads a playbook: " + _NO_CONFIG),
    "tokens add": dict.fromkeys(SHARED, "writes the OS keyring: " + _NO_CONFIG),
    "tokens remove": dict.fromkeys(SHARED, "writes the OS keyring: " + _NO_CONFIG),
    "secrets backend": dict.fromkeys(SHARED[:3], "the keyring backend: " + _NO_CONFIG),
    "pins list": dict.fromkeys(SHARED[::2], "pins live under --root; no config is read"),
    "pins show": dict.fromkeys(SHARED[::2], "pins live under --root; no config is read"),
    "pins approve": dict.fromkeys(SHARED[::2], "pins live under --root; no config is read"),
    "schedule run": {"--system-root": "the job a timer keeps names --home and --root only; "
                     "a daily check on this machine reads managed files at /"},
    "schedule list": {
        **dict.fromkeys(SHARED[:3], "mcpir's job store and run log: " + _NO_CONFIG),
    },
    "schedule install": {
        "--system-root": "the job names --home and --root (see schedule run)",
        "--json": "writes OS scheduler files; --dry-run shows them whole, to copy",
    },
    "schedule uninstall": {
        **dict.fromkeys(SHARED, "removes this user's OS timer: " + _NO_CONFIG),
    },
    "org repos": dict.fromkeys(SHARED[:3], "asks the GitHub API: " + _NO_CONFIG),
    "org merge": dict.fromkeys(SHARED[:3], "reads the result files named: " + _NO_CONFIG),
    "action": {"--system-root": "reads the repository only: managed files are the runner's"},
}  # fmt: skip
# Options that other work on the same issue adds to commands this file does not own: accepted
# whether or not they are there yet, so neither change waits for the other.
PENDING: dict[str, dict[str, str]] = {
    "scan": {"--json": "scan's own (issue 18: --json = --format json)",
             "-o": "scan's own (issue 18: -o for --output)",
             "--exit-zero": "scan's own (issue 18)"},
}  # fmt: skip
EXIT_ZERO = ("scan", "audit", "investigate", "posture", "tokens status")
# Commands that pass unknown words on to CMD, so they turn a mistyped option into one line
# themselves (README, proxy: "an unknown option, is a one-line `mcpir: error: …`").
ONE_LINE_UNKNOWN = {("proxy",), ("run",)}
SRC = Path(__file__).resolve().parents[1] / "src"


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    options: frozenset[str]
    summary: str
    required_args: tuple[str, ...]
    runs: bool  # a leaf, or a group that runs itself (`posture`)
    flags: tuple[tuple[str, ...], ...] = ()  # each option's names, together
    hidden: frozenset[str] = frozenset()  # old names kept out of the help (`audit --repo`)
    help: str = ""


def _walk(cmd: Any, path: tuple[str, ...]) -> Iterator[Command]:  # noqa: ANN401 - click object
    params = [p for p in cmd.params if p.param_type_name == "option"]
    options = frozenset(o for p in params for o in p.opts)
    required = tuple(p.opts[0] for p in cmd.params if p.required)  # arguments and options
    is_group = hasattr(cmd, "list_commands")
    yield Command(
        path,
        options,
        cmd.get_short_help_str(limit=10_000),
        required,
        bool(path) and (not is_group or bool(cmd.invoke_without_command)),
        tuple(tuple(p.opts) for p in params),
        frozenset(o for p in params if getattr(p, "hidden", False) for o in p.opts),
        cmd.help or "",
    )
    if is_group:
        ctx = cmd.context_class(cmd)
        for name in cmd.list_commands(ctx):
            yield from _walk(cmd.get_command(ctx, name), (*path, name))


COMMANDS = list(_walk(typer.main.get_command(app), ()))
RUNNABLE = [c for c in COMMANDS if c.runs]


def _id(command: Command) -> str:
    return " ".join(command.path) or "mcpir"


def _usage(command: Command) -> str:
    return " ".join(("Usage: mcpir", *command.path))


@dataclass(frozen=True)
class Spec:
    """How to run a command on empty dirs: fixed arguments, accepted exits, or why not."""

    args: tuple[str, ...] = ()
    exits: frozenset[int] = frozenset()  # empty: any code its row of cli/exits.py documents
    stdin: str = ""
    no_path: bool = False  # PATH without systemctl/crontab: never touch the tester's OS scheduler
    skip_empty_run: str = ""
    skip_bad_dir: str = ""


_PY = sys.executable
SPECS: dict[str, Spec] = {
    "servers": Spec(exits=frozenset({0})),
    "scan": Spec(args=("--format", "json"), exits=frozenset({0})),
    # A preview is not a finding: exit 0, whatever the steps would need (issue 18).
    "respond": Spec(args=("--dry-run",), exits=frozenset({0})),
    "restore": Spec(exits=frozenset({2})),  # no incident yet
    "close": Spec(args=("ATOM-INC-20000101-001", "--reason", "contract"), exits=frozenset({2})),
    "demo": Spec(skip_empty_run="builds a whole sandbox and responds: tests/test_demo_sandbox.py"),
    "run": Spec(skip_empty_run="replaces the process (execvpe): see test_console_entry"),
    # Not a git repository: bad input, one line (README: audit exit codes).
    "audit": Spec(exits=frozenset({2})),
    # In-process the relay would read pytest's stdin: run through a subprocess instead.
    "proxy": Spec(
        args=("--", _PY, "-c", "pass"),
        skip_empty_run="relays stdin: see test_proxy_subprocess",
        # README (proxy): an unwritable tree is a warning; the proxy never stops relaying.
        skip_bad_dir="logs to mcpir's data dir instead: see test_proxy_subprocess",
    ),
    "wrap": Spec(args=("--all",), exits=frozenset({0})),
    "unwrap": Spec(args=("--all",), exits=frozenset({0})),
    "investigate": Spec(exits=frozenset({0})),
    "report": Spec(args=("--list",), exits=frozenset({0})),
    "playbook list": Spec(exits=frozenset({0})),
    "playbook show": Spec(exits=frozenset({0})),
    "playbook check": Spec(exits=frozenset({0})),
    "tokens list": Spec(exits=frozenset({0})),
    # The keyring is the failing backend here (see `isolated`): these fail fast with exit 2.
    "tokens add": Spec(
        args=("MCPIR_CONTRACT_TOKEN", "--from-stdin"), stdin="x\n", exits=frozenset({2})
    ),
    "tokens remove": Spec(args=("MCPIR_CONTRACT_TOKEN",), exits=frozenset({2})),
    "tokens status": Spec(exits=frozenset({0})),
    "tokens externalize": Spec(args=("--dry-run",), exits=frozenset({0})),
    # An unknown token is refused before any network call.
    "tokens verify": Spec(args=("no-such-token",), exits=frozenset({2})),
    "tokens rotate": Spec(args=("no-such-token", "--yes"), exits=frozenset({2})),
    "pins list": Spec(exits=frozenset({0})),
    "pins show": Spec(args=("no-such-server",), exits=frozenset({2})),
    "pins approve": Spec(args=("no-such-server",), exits=frozenset({2})),
    "posture": Spec(exits=frozenset({0, 1})),
    "posture ack": Spec(args=("training", "--by", "contract-test"), exits=frozenset({0})),
    # Without --once it runs until interrupted: the contract runs only `--once`.
    "schedule run": Spec(args=("--once",), exits=frozenset({0})),
    "schedule list": Spec(exits=frozenset({0})),
    "schedule install": Spec(args=("--cron", "--dry-run"), exits=frozenset({0}), no_path=True),
    "schedule uninstall": Spec(args=("--cron", "--no-enable"), exits=frozenset({0}), no_path=True),
    # Refused before any call (GitHub itself, through the local double: tests/test_org.py).
    "org repos": Spec(args=("--org", "acme", "--api-url", "not-a-url"), exits=frozenset({2})),
    "org merge": Spec(args=("no-such-results",), exits=frozenset({2})),
    "action": Spec(args=("--event", "push"), exits=frozenset({0})),
}


def _spec(command: Command) -> Spec:
    spec = SPECS.get(_id(command))
    if spec is None:
        assert not command.required_args, (
            f"`mcpir {_id(command)}` takes {command.required_args}: add it to SPECS"
        )
        return Spec()
    return spec


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No command may reach the tester's home, cwd, keyring or OS scheduler."""
    for name in ("userhome", "xdg", "cwd", "empty-path"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "userhome"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # The variable is read once per process: an earlier test may have chosen the real keyring.
    import keyring
    import keyring.backends.fail

    failing = keyring.backends.fail.Keyring()  # type: ignore[no-untyped-call]
    monkeypatch.setattr(keyring.core, "_keyring_backend", failing)
    for var in ("GITHUB_TOKEN", "GH_TOKEN", "CLAUDE_CONFIG_DIR", "CODEX_HOME", "COPILOT_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path / "cwd")


def _env_for(spec: Spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if spec.no_path:
        monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(spec.stdin))


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr


@pytest.mark.parametrize("command", COMMANDS, ids=_id)
def test_help(run_cli: RunCli, command: Command) -> None:
    result = run_cli(*command.path, "--help")
    assert result.code == 0, result.stderr
    assert result.stdout.lstrip().startswith(_usage(command)), result.stdout
    summary = command.summary.strip()
    assert summary, f"`mcpir {_id(command)}` has no one-line summary"
    assert "\n" not in summary
    # The first sentence of the help is in the help text (click wraps the rest).
    first = " ".join(command.help.split()).split(". ")[0].rstrip(".")[:60]
    assert first in " ".join(result.stdout.split()), result.stdout
    _no_traceback(result.stderr)
    if command.path:  # `mcpir --help` lists commands; every other help shows how to run it
        examples = result.stdout.split("Examples:", 1)
        assert len(examples) == 2, f"`mcpir {_id(command)} --help` shows no example"
        assert f"mcpir {_id(command)}" in examples[1], examples[1]
    if command.runs:
        block = result.stdout.split("Exit codes:", 1)
        assert len(block) == 2, f"`mcpir {_id(command)} --help` says no exit code"
        listed = [line.split()[0] for line in block[1].splitlines() if line[:6].strip().isdigit()]
        assert listed == [str(code) for code in EXITS[_id(command)]], block[1]


GROUPS = [c for c in COMMANDS if any(o.path[:-1] == c.path for o in COMMANDS if o.path)]


@pytest.mark.parametrize("group", GROUPS, ids=_id)
def test_command_lists_show_whole_sentences(
    run_cli: RunCli, group: Command, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mcpir --help` (and `mcpir tokens --help`…) at 80 columns: each summary whole, one
    sentence, not cut at click's limit with "..." (issue 18)."""
    monkeypatch.setattr("shutil.get_terminal_size", lambda *a: os.terminal_size((80, 24)))
    result = run_cli(*group.path, "--help")
    listing = result.stdout.split("Commands:", 1)[1].split("\n\n", 1)[0]
    children = {c.path[-1]: c for c in COMMANDS if c.path[:-1] == group.path and c.path}
    shown = {}
    for line in listing.strip().splitlines():
        name, _, text = line.strip().partition(" ")
        shown[name] = text.strip()
    assert set(shown) == set(children), listing
    for name, text in shown.items():
        whole = children[name].summary
        assert text == whole, (name, text, whole)
        assert text.endswith(".") and not text.endswith("..."), (name, text)
        assert len(text) <= SUMMARY_WIDTH, (name, text)


def _missing(command: Command, wanted: str) -> str | None:
    """Why `command` may lack `wanted`, or None when it must have it."""
    reasons = {**WITHOUT.get(_id(command), {}), **PENDING.get(_id(command), {})}
    return reasons.get(wanted)


@pytest.mark.parametrize("command", RUNNABLE, ids=_id)
def test_shared_options(command: Command) -> None:
    """`--home`, `--root`, `--system-root`, `--json`: on every command that reads configs or
    incidents, unless WITHOUT says why the option could mean nothing there."""
    for option in SHARED:
        if option in command.options:
            assert option not in WITHOUT.get(_id(command), {}), (
                f"`mcpir {_id(command)}` has {option} now: drop its line in WITHOUT"
            )
        else:
            assert _missing(command, option), f"`mcpir {_id(command)}` has no {option}"


@pytest.mark.parametrize("command", COMMANDS, ids=_id)
def test_short_flags(command: Command) -> None:
    """-y, -o and -n mean --yes, --output and --dry-run, on every command that has them."""
    for flags in command.flags:
        for long, short in SHORT.items():
            if long in flags and short not in flags:
                assert _missing(command, short), f"`mcpir {_id(command)} {long}` has no {short}"
            if short in flags:
                assert long in flags, f"`mcpir {_id(command)}`: {short} is not {long}"


@pytest.mark.parametrize("name", EXIT_ZERO)
def test_reports_take_exit_zero(name: str) -> None:
    (command,) = [c for c in RUNNABLE if _id(c) == name]
    if "--exit-zero" not in command.options:
        assert _missing(command, "--exit-zero"), f"`mcpir {name}` has no --exit-zero"
    else:
        assert "--exit-zero" in EXITS[name][0], f"cli/exits.py: say what {name} --exit-zero does"


def test_exit_table_has_a_row_for_every_command() -> None:
    assert set(EXITS) == {_id(c) for c in RUNNABLE}
    for name, meanings in EXITS.items():
        assert 2 in meanings or name in {"run", "proxy"}, name  # bad usage: always 2
        assert all(text.strip() for text in meanings.values()), name
        if name not in {"run", "proxy"}:
            assert set(meanings) <= DOCUMENTED_EXITS, name


@pytest.mark.parametrize("command", COMMANDS, ids=_id)
def test_unknown_option(run_cli: RunCli, command: Command) -> None:
    result = run_cli(*command.path, "--no-such-option")
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert "--no-such-option" in result.stderr
    assert result.stdout == ""
    _no_traceback(result.stderr)
    if command.path in ONE_LINE_UNKNOWN:
        assert result.stderr.startswith("mcpir: error: no such option: --no-such-option")
        assert len(result.stderr.splitlines()) == 1, result.stderr


BAD_DIRS = [
    (c, option, kind)
    for c in RUNNABLE
    for option in DIR_OPTIONS
    if option in c.options
    for kind in ("missing", "file")
]


@pytest.mark.parametrize(
    ("command", "option", "kind"), BAD_DIRS, ids=[f"{_id(c)} {o} {k}" for c, o, k in BAD_DIRS]
)
def test_bad_directory_is_one_line(
    run_cli: RunCli,
    command: Command,
    option: str,
    kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = _spec(command)
    if spec.skip_bad_dir:
        pytest.skip(spec.skip_bad_dir)
    bad = tmp_path / "no-such-dir"
    if kind == "file":
        bad = tmp_path / "a-file"
        bad.write_text("not a directory\n")
    _env_for(spec, tmp_path, monkeypatch)
    result = run_cli(*command.path, option, bad, *spec.args)
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mcpir: error: "), result.stderr
    assert option in lines[0], result.stderr


def _empty_run_args(command: Command, spec: Spec, tmp_path: Path) -> list[str]:
    args: list[str] = [*command.path]
    for option in DIR_OPTIONS:
        if option in command.options - command.hidden:
            directory = tmp_path / ("empty" + option.replace("-", "_"))
            directory.mkdir()
            args += [option, str(directory)]
    if "--json" in command.options:
        args.append("--json")
    # Fixed arguments go last: `run -- CMD` ends the options.
    return [*args, *spec.args]


@pytest.mark.parametrize("command", RUNNABLE, ids=_id)
def test_empty_run(
    run_cli: RunCli, command: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(command)
    if spec.skip_empty_run:
        pytest.skip(spec.skip_empty_run)
    _env_for(spec, tmp_path, monkeypatch)
    result = run_cli(*_empty_run_args(command, spec, tmp_path))
    documented = set(EXITS[_id(command)])
    assert result.code in documented, (result.code, result.stdout, result.stderr)
    assert result.code in (spec.exits or documented), (result.code, result.stdout, result.stderr)
    _no_traceback(result.stderr)
    if result.code == 2:
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith("mcpir: error: "), result.stderr
    json_out = "--json" in command.options or "json" in spec.args
    if json_out and result.code != 2:
        json.loads(result.stdout)
    elif json_out:
        assert result.stdout == ""


def test_specs_name_real_commands() -> None:
    """A renamed command must not leave a stale line in SPECS."""
    assert set(SPECS) <= {_id(c) for c in RUNNABLE}


def _json(run_cli: RunCli, *args: str | Path) -> Any:  # noqa: ANN401 - a JSON document
    result = run_cli(*args)
    assert result.code in DOCUMENTED_EXITS - {2}, (result.code, result.stderr)
    _no_traceback(result.stderr)
    return json.loads(result.stdout)


# Forged with a valid checksum, so every detector (audit's too) takes it for a real token.
TOKEN = fake_token("github-classic", random.Random(7))  # noqa: S311 - a test fixture


@pytest.fixture
def scopes(tmp_path: Path) -> tuple[Path, Path]:
    """A home with nothing and a project whose `.mcp.json` holds one literal token."""
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    root.mkdir()
    server = {"command": "npx", "args": ["-y", "server-github"], "env": {"GITHUB_TOKEN": TOKEN}}
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": {"github": server}}))
    return home, root


def test_json_shapes(run_cli: RunCli, scopes: tuple[Path, Path], tmp_path: Path) -> None:
    home, root = scopes
    where = ("--home", home, "--root", root)

    servers = _json(run_cli, "servers", *where, "--system-root", tmp_path / "cwd", "--json")
    assert isinstance(servers, list)
    assert [s["name"] for s in servers] == ["github"]
    assert {"client", "scope", "path", "line", "name", "transport", "command", "args", "url",
            "env_keys", "header_keys", "enabled"} <= set(servers[0])  # fmt: skip

    scan = _json(run_cli, "scan", *where, "--format", "json")
    assert {"version", "findings", "suppressed", "skipped"} <= set(scan)
    assert scan["findings"], "a literal token is a finding"
    assert {"rule", "severity", "message", "path", "line", "client", "server", "tool",
            "evidence"} <= set(scan["findings"][0])  # fmt: skip

    tokens = _json(run_cli, "tokens", "list", *where, "--json")
    assert isinstance(tokens, list)
    assert len(tokens) == 1
    assert {"id", "provider", "fingerprint", "locations", "servers", "first_seen",
            "last_rotated", "age_days", "status"} <= set(tokens[0])  # fmt: skip

    status = _json(run_cli, "tokens", "status", *where, "--json")
    assert isinstance(status, list)
    assert {"id", "provider", "fingerprint", "locations", "servers", "first_seen",
            "last_rotated", "age_days", "max_age_days", "due", "days_left", "state",
            "rotate"} <= set(status[0])  # fmt: skip

    posture = _json(run_cli, "posture", *where, "--json")
    assert isinstance(posture, list)
    assert posture
    for item in posture:
        assert set(item) >= {"id", "title", "status", "evidence", "fix"}
        assert item["status"] in {"pass", "fail", "unknown"}

    investigate = _json(run_cli, "investigate", *where, "--json")
    assert {"version", "since", "calls", "calls_in_window", "sources", "malformed",
            "findings"} <= set(investigate)  # fmt: skip

    incidents = _json(run_cli, "report", "--list", "--root", root, "--json")
    assert incidents == {"version": 1, "incidents": []}

    out = run_cli("servers", *where, "--json").stdout + run_cli("tokens", "list", *where).stdout
    assert TOKEN not in out


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    ident = ["-c", "user.name=Alex", "-c", "user.email=alex@example.invalid"]
    subprocess.run(["git", *ident, *args], cwd=root, env=env, check=True, capture_output=True)


def test_audit_json_shape(run_cli: RunCli, scopes: tuple[Path, Path]) -> None:
    home, root = scopes
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".mcp.json")
    _git(root, "commit", "-q", "-m", "add github server")
    audit = _json(run_cli, "audit", "--root", root, "--home", home, "--json")
    assert {"version", "changes", "secrets"} <= set(audit)
    assert [c["path"] for c in audit["changes"]] == [".mcp.json"]
    assert [s["path"] for s in audit["secrets"]] == [".mcp.json"]
    assert TOKEN not in json.dumps(audit)


def _console(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`mcpir ARGS` through the console entry (`mcpir.launch`), as the installed script runs."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "mcpir", *map(str, args)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_console_entry(tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    version = _console("--version", cwd=cwd)
    assert version.returncode == 0
    assert version.stdout.startswith("mcpir ")

    listing = _console("servers", "--home", cwd, "--root", cwd, "--json", cwd=cwd)
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout) == []

    missing = _console("servers", "--root", tmp_path / "nope", cwd=cwd)
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr.startswith("mcpir: error: --root ")
    assert len(missing.stderr.splitlines()) == 1

    # `mcpir run` replaces itself with CMD (execvpe): only a real process can show that.
    ran = _console("run", "--", sys.executable, "-c", "raise SystemExit(5)", cwd=cwd)
    assert (ran.returncode, ran.stdout, ran.stderr) == (5, "", "")

    unknown = _console("tokens", "list", "--no-such-option", cwd=cwd)
    assert unknown.returncode == 2
    assert "--no-such-option" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_proxy_subprocess(tmp_path: Path) -> None:
    """`mcpir proxy` takes the standard-library fast path; `--help` still shows the CLI's help."""
    cwd = tmp_path / "cwd"
    helped = _console("proxy", "--help", cwd=cwd)
    assert helped.returncode == 0
    assert helped.stdout.lstrip().startswith("Usage: ")
    assert "mcpir proxy [OPTIONS]" in helped.stdout.splitlines()[0]

    for args in (("--no-such-option", "--", "true"), ()):
        refused = _console("proxy", *args, cwd=cwd)
        assert (refused.returncode, refused.stdout) == (2, ""), refused.stderr
        assert refused.stderr.startswith("mcpir: error: ")
        assert len(refused.stderr.splitlines()) == 1, refused.stderr

    # A --root it cannot write is a warning and a fallback, never a stop (README, proxy).
    for bad in (tmp_path / "nope", tmp_path / "a-file"):
        if bad.name == "a-file":
            bad.write_text("x\n")
        relayed = _console("proxy", "--root", bad, "--", sys.executable, "-c", "pass", cwd=cwd)
        assert (relayed.returncode, relayed.stdout) == (0, ""), relayed.stderr
        assert f"cannot write under {bad}" in relayed.stderr
        assert "Traceback" not in relayed.stderr
    assert not (tmp_path / "nope").exists()

    relayed = _console("proxy", "--root", cwd, "--", sys.executable, "-c", "pass", cwd=cwd)
    assert relayed.returncode == 0, relayed.stderr
    assert relayed.stdout == ""


def test_ctrl_c_says_interrupted_and_exits_130(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typer turns a KeyboardInterrupt inside a command into exit 130 with no word said:
    main's own `mcpir: interrupted` branch never ran, so a long run just stopped silently."""
    import mcpir.investigate

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(mcpir.investigate, "investigate", interrupted)
    result = run_cli("investigate", "--home", tmp_path, "--root", tmp_path)
    assert result.code == 130 and "mcpir: interrupted" in result.stderr
