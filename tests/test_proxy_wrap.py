"""`mcpir wrap` / `unwrap` on real config files: journalled, idempotent, byte-exact undo."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CANARY, RunCli

KEY = "sk-proj-CANARYwrapKEY000000000000000000001"
FILES = {
    ".mcp.json": f"""{{
  "mcpServers": {{
    "github": {{
      "command": "npx",
      "args": [
        "-y",
        "@modelcontextprotocol/server-github@2025.4.8"
      ],
      "env": {{ "GITHUB_PERSONAL_ACCESS_TOKEN": "${{GITHUB_TOKEN}}" }}
    }},
    "db": {{"command": "uvx", "args": ["mcp-server-postgres", "--api-key", "{KEY}"]}},
    "plain": {{"command": "simple-mcp"}},
    "remote": {{"type": "http", "url": "https://mcp.example.com/mcp"}}
  }}
}}
""",
    ".vscode/mcp.json": """// workspace servers
{
  "servers": {
    "fs": { "type": "stdio", "command": "node", "args": ["server.js"], },  // trailing comma
  },
}
""",
    ".codex/config.toml": """# codex settings
model = "o3"

[mcp_servers.docs]
command = "docs-mcp"
args = ["--port", "0"]  # keep
""",
}
STDIO = {"github", "db", "plain", "fs", "docs"}


@pytest.fixture(autouse=True)
def mcpir_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`mcpir` on PATH, as after `pipx install mcpir`, whatever PATH the tests run with: then
    files shared through git get a bare `mcpir` (the tests below that need it take it off)."""
    bin_dir = tmp_path / "installed-bin"
    bin_dir.mkdir()
    script = bin_dir / "mcpir"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return script


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return home, root


def _contents(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in FILES}


def _servers(run_cli: RunCli, home: Path, root: Path) -> dict[str, dict[str, Any]]:
    listed = run_cli("servers", "--home", home, "--root", root, "--json")
    return {s["name"]: s for s in json.loads(listed.stdout)}


def test_plan_then_wrap_then_unwrap_byte_exact(tree: tuple[Path, Path], run_cli: RunCli) -> None:
    home, root = tree
    original = _contents(root)
    where = ("--home", home, "--root", root)

    for preview in ("--dry-run", "-n"):  # the preview
        shown = run_cli("wrap", "--all", preview, *where)
        assert shown.code == 0, shown.stderr
        assert '"proxy", "--name", "github", "--", "npx"' in shown.stdout  # the diff
        assert CANARY not in shown.stdout + shown.stderr
        assert '"--url", "https://mcp.example.com/mcp"' in shown.stdout  # remote: wrapped too
        assert _contents(root) == original
    waiting = run_cli("wrap", "--all", *where)  # no terminal to ask at, and no --yes
    assert waiting.code == 1 and "pass --yes" in waiting.stderr
    assert _contents(root) == original  # nothing written without --yes

    done = run_cli("wrap", "--all", "--yes", *where)
    assert done.code == 0, done.stderr
    assert "mcpir restore" in done.stderr and CANARY not in done.stdout + done.stderr
    servers = _servers(run_cli, home, root)
    for name in STDIO:
        assert servers[name]["command"] == "mcpir"
        assert servers[name]["args"][:4] == ["proxy", "--name", name, "--"]
    package = "@modelcontextprotocol/server-github@2025.4.8"
    assert servers["github"]["args"][4:] == ["npx", "-y", package]
    assert servers["plain"]["args"][4:] == ["simple-mcp"]
    assert servers["remote"]["args"] == ["proxy", "--name", "remote", "--url",
                                         "https://mcp.example.com/mcp"]  # fmt: skip
    wrapped = _contents(root)
    toml = wrapped[".codex/config.toml"].decode()
    assert toml.startswith('# codex settings\nmodel = "o3"\n') and "# keep" in toml
    assert b"// trailing comma" in wrapped[".vscode/mcp.json"]

    again = run_cli("wrap", "--all", "--yes", *where, "--json")
    assert again.code == 0 and _contents(root) == wrapped  # idempotent
    report = json.loads(again.stdout)
    assert report["applied"] is False
    assert {s["server"]: s["status"] for s in report["servers"]} == {
        **dict.fromkeys(STDIO, "already"),
        "remote": "already",
    }

    undone = run_cli("unwrap", "--all", "--yes", *where)
    assert undone.code == 0, undone.stderr
    assert _contents(root) == original


def test_restore_undoes_a_wrap(tree: tuple[Path, Path], run_cli: RunCli) -> None:
    home, root = tree
    original = _contents(root)
    assert run_cli("wrap", "github", "fs", "--yes", "--home", home, "--root", root).code == 0
    servers = _servers(run_cli, home, root)
    assert servers["github"]["command"] == "mcpir" and servers["db"]["command"] == "uvx"
    # A change set, not an incident: restored when named (here by a prefix only it has).
    assert run_cli("restore", "ATOM-CHG-", "--root", root).code == 0
    assert _contents(root) == original


def test_unwrap_after_other_edits_gives_the_command_back(
    tree: tuple[Path, Path], run_cli: RunCli
) -> None:
    home, root = tree
    where = ("--home", home, "--root", root)
    assert run_cli("wrap", "github", "docs", "--yes", *where).code == 0
    mcp = root / ".mcp.json"
    mcp.write_text(mcp.read_text().replace('"simple-mcp"', '"simple-mcp-2"'))
    assert run_cli("unwrap", "--all", "--yes", *where).code == 0
    servers = _servers(run_cli, home, root)
    assert servers["github"]["command"] == "npx"
    assert servers["github"]["args"] == ["-y", "@modelcontextprotocol/server-github@2025.4.8"]
    assert servers["plain"]["command"] == "simple-mcp-2"  # the user's edit is kept
    assert (root / ".codex/config.toml").read_bytes() == FILES[".codex/config.toml"].encode()


def test_bad_usage(tree: tuple[Path, Path], run_cli: RunCli) -> None:
    home, root = tree
    where = ("--home", home, "--root", root)
    assert run_cli("wrap", *where).code == 2
    assert run_cli("wrap", "github", "--all", *where).code == 2
    missing = run_cli("wrap", "nope", *where)
    assert missing.code == 2 and "no server named nope" in missing.stderr
    assert run_cli("unwrap", "github", *where).code == 0  # not wrapped: nothing to do


def test_wrap_and_unwrap_with_mcpir_run_around_or_inside(tmp_path: Path, run_cli: RunCli) -> None:
    """`tokens externalize` launches servers through `mcpir run … -- CMD`: wrap goes around it,
    and unwrap finds the proxy inside one (externalize after wrap) and gives back the rest."""
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    text = """{"mcpServers": {
  "ran": {"command": "mcpir", "args": ["run", "--only", "GH", "--", "npx", "gh-mcp"]},
  "inner": {"command": "mcpir", "args": ["run", "--only", "DB", "--", "mcpir", "proxy",
            "--name", "inner", "--", "uvx", "db-mcp", "--", "x"]},
  "-dash": {"command": "dash-mcp"}
}}
"""
    (root / ".mcp.json").write_text(text)
    where = ("--home", home, "--root", root)
    assert run_cli("wrap", "--yes", *where, "--", "ran", "-dash").code == 0
    servers = _servers(run_cli, home, root)
    assert servers["ran"]["args"] == ["proxy", "--name", "ran", "--", "mcpir", "run", "--only",
                                      "GH", "--", "npx", "gh-mcp"]  # fmt: skip
    assert servers["-dash"]["args"] == ["proxy", "--name=-dash", "--", "dash-mcp"]
    again = json.loads(run_cli("wrap", "--all", "-n", "--json", *where).stdout)
    assert {s["server"]: s["status"] for s in again["servers"]} == dict.fromkeys(
        ["ran", "inner", "-dash"], "already"
    )
    undone = run_cli("unwrap", "--all", "--yes", "--json", *where)
    assert undone.code == 0, undone.stderr
    report = json.loads(undone.stdout)  # nothing but JSON on stdout
    assert report["applied"] is True and report["failures"] == []
    servers = _servers(run_cli, home, root)
    assert servers["ran"]["args"] == ["run", "--only", "GH", "--", "npx", "gh-mcp"]
    assert servers["inner"]["command"] == "mcpir"
    assert servers["inner"]["args"] == ["run", "--only", "DB", "--", "uvx", "db-mcp", "--", "x"]
    assert servers["-dash"]["command"] == "dash-mcp" and servers["-dash"]["args"] == []


def test_the_proxy_reads_the_name_wrap_writes_for_a_dash_name(tmp_path: Path) -> None:
    from mcpir.proxy.entry import parser
    from mcpir.proxy.wrap import wrapped_args

    options = parser().parse_args(wrapped_args("-h", "cmd", ["--name", "x"])[1:])
    assert options.name == "-h" and options.command == ["--", "cmd", "--name", "x"]


def test_a_file_changed_after_the_plan_leaves_no_empty_incident(tree: tuple[Path, Path]) -> None:
    from mcpir.cli.options import resolve_scopes
    from mcpir.discovery import discover
    from mcpir.incident.journal import JournalConflict
    from mcpir.proxy import wrap

    home, root = tree
    scopes = resolve_scopes(home, root, None)
    result = wrap.plan(discover(scopes, ()), {"github"}, unwrap=False, root=root)
    assert result.changes
    mcp = root / ".mcp.json"
    mcp.write_text(mcp.read_text().replace("simple-mcp", "simple-mcp-2"))  # the user, meanwhile
    with pytest.raises(JournalConflict):
        wrap.apply(result, root, {})
    incidents = root / ".atom-trail" / "incidents"
    assert not incidents.exists() or not any(incidents.iterdir())


_WORD = st.text(st.sampled_from("ab-_/.="), min_size=1, max_size=6) | st.sampled_from(
    ["--", "-h", "--name", "proxy", "run", "mcpir", "--only", "python", "-m"]
)


@settings(max_examples=400)
@given(_WORD, _WORD.filter(lambda w: not w.startswith("-")), st.lists(_WORD, max_size=6),
       st.booleans())  # fmt: skip
def test_unwrap_reads_back_every_command_line_wrap_writes(
    name: str, command: str, args: list[str], in_run: bool
) -> None:
    from mcpir.edits.server_entry import WRAPPER as PROXY
    from mcpir.launchers.mcpir import proxied
    from mcpir.proxy.wrap import wrapped_args

    line = [PROXY, *wrapped_args(name, command, args)]
    launcher = ["mcpir", "run", "--only", "X", "--"] if in_run else []
    assert proxied([*launcher, *line]) == (launcher, [command, *args])


def test_the_forms_of_the_proxy_command_line_are_recognised() -> None:
    from mcpir.launchers.mcpir import proxied

    assert proxied(["python3", "-m", "mcpir", "proxy", "--", "c", "a"]) == ([], ["c", "a"])
    assert proxied(["/usr/bin/python3", "-m", "mcpir.proxy", "--name", "s", "c"]) == ([], ["c"])
    assert proxied(["/opt/bin/mcpir", "proxy", "--block-changed", "--root", "r", "--", "c"]) == (
        [],
        ["c"],
    )
    assert proxied(["mcpir", "run", "--", "c"]) is None
    assert proxied(["python", "server.py"]) is None
    assert proxied(["mcpir", "proxy", "--name", "s", "--"]) is None  # nothing to give back


def test_unwrap_asks_nothing_of_a_file_it_cannot_edit_when_nothing_is_wrapped(
    tmp_path: Path, run_cli: RunCli
) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    (home / ".continue").mkdir(parents=True)
    root.mkdir()
    config = "mcpServers:\n  - name: plain\n    command: npx\n    args: [plain-mcp]\n"
    wrapped = "mcpServers:\n  - name: hand\n    command: mcpir\n    args: [proxy, --, x]\n"
    (home / ".continue" / "config.yaml").write_text(config)
    where = ("--home", home, "--root", root)
    done = run_cli("unwrap", "--all", "--json", *where)
    assert done.code == 0 and json.loads(done.stdout)["servers"][0]["status"] == "already"
    (home / ".continue" / "config.yaml").write_text(wrapped)  # wrapped by hand: say so
    asked = run_cli("unwrap", "--all", "--json", *where)
    assert asked.code == 1 and json.loads(asked.stdout)["servers"][0]["status"] == "skipped"


def test_json_reports_show_no_secret_from_the_args(
    tree: tuple[Path, Path], run_cli: RunCli
) -> None:
    home, root = tree
    where = ("--home", home, "--root", root, "--json")
    for args in (("wrap", "--all"), ("wrap", "--all", "--yes"), ("unwrap", "--all")):
        result = run_cli(*args, *where)
        report = json.loads(result.stdout)
        assert "db" in {s["server"] for s in report["servers"]}
        assert CANARY not in result.stdout + result.stderr, args


# --- Never break the user's environment (issue 18) ---------------------------------------------

USER_FILE = ".cursor/mcp.json"  # under the home: the user's own file


def _mixed(tmp_path: Path) -> tuple[Path, Path]:
    """A user-scope file (with a server that exits 7 at once) and a committed `.mcp.json`."""
    home, root = tmp_path / "home", tmp_path / "project"
    quits = {"command": sys.executable, "args": ["-c", "import sys; sys.exit(7)"]}
    for path, server, entry in ((home / USER_FILE, "mine", quits),
                                (root / ".mcp.json", "shared", {"command": "gh-mcp"})):  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"mcpServers": {server: entry}}) + "\n")
    return home, root


def _command_line(path: Path) -> list[str]:
    [entry] = json.loads(path.read_text())["mcpServers"].values()
    return [entry["command"], *entry.get("args", [])]


def test_a_users_own_file_gets_the_running_mcpir_by_absolute_path(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A desktop client does not see the shell's PATH (nor its virtualenv): a bare `mcpir`
    there stops the server from starting, silently."""
    from mcpir.proxy.launcher import running

    home, root = _mixed(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))  # a README venv install
    done = run_cli("wrap", "--all", "--yes", "--home", home, "--root", root)
    line = _command_line(home / USER_FILE)
    launcher = list(running())
    assert Path(line[0]).is_absolute() and line[: len(launcher)] == launcher
    assert line[len(launcher) : len(launcher) + 4] == ["proxy", "--name", "mine", "--"]
    assert "absolute path" in done.stderr and shlex.join(launcher) in done.stderr  # and why
    # As a desktop client starts it: no PATH, another directory. The proxy runs the server.
    started = subprocess.run(line, env={"HOME": str(home)}, cwd=tmp_path, stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=60)  # fmt: skip
    assert started.returncode == 7, started.stderr
    # The committed file is refused: teammates' clients could not find `mcpir` either.
    assert done.code == 1
    assert _command_line(root / ".mcp.json") == ["gh-mcp"]
    assert "shared through git" in done.stdout and "--command" in done.stdout
    assert run_cli("unwrap", "--all", "--yes", "--home", home, "--root", root).code == 0
    assert _command_line(home / USER_FILE)[0] == sys.executable


@pytest.mark.parametrize(
    ("command", "launcher"),
    [(None, ["mcpir"]), ("uvx mcpir", ["uvx", "mcpir"]), ("mcpir", ["mcpir"]),
     ("uvx --from 'mcpir==0.1.0' mcpir", ["uvx", "--from", "mcpir==0.1.0", "mcpir"]),
     ("/opt/py/bin/python3 -m mcpir", ["/opt/py/bin/python3", "-m", "mcpir"])],
)  # fmt: skip
def test_a_shared_file_gets_what_teammates_run_and_unwrap_reads_it_back(
    tmp_path: Path, run_cli: RunCli, command: str | None, launcher: list[str]
) -> None:
    home, root = _mixed(tmp_path)
    before = (root / ".mcp.json").read_bytes()
    given = () if command is None else ("--command", command)
    done = run_cli("wrap", "shared", "--yes", *given, "--home", home, "--root", root)
    assert done.code == 0, done.stderr
    line = _command_line(root / ".mcp.json")
    assert line == [*launcher, "proxy", "--name", "shared", "--", "gh-mcp"]
    warning = "on PATH here" if command is None else "as --command says"
    assert "shared through git" in done.stderr and warning in done.stderr
    listed = json.loads(run_cli("servers", "--home", home, "--root", root, "--json").stdout)
    assert {s["name"] for s in listed} == {"mine", "shared"}
    undone = run_cli("unwrap", "shared", "--yes", "--home", home, "--root", root)
    assert undone.code == 0, undone.stderr
    assert (root / ".mcp.json").read_bytes() == before  # byte-exact


@pytest.mark.parametrize("command", ["", "uvx", "uvx other-tool", "mcpir proxy", "'unclosed"])
def test_a_command_unwrap_could_not_recognise_is_refused(
    tmp_path: Path, run_cli: RunCli, command: str
) -> None:
    home, root = _mixed(tmp_path)
    before = (root / ".mcp.json").read_bytes()
    refused = run_cli(
        "wrap", "--all", "--yes", "--command", command, "--home", home, "--root", root
    )
    assert refused.code == 2 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) <= 2 and "--command" in refused.stderr
    assert (root / ".mcp.json").read_bytes() == before
    assert not (root / ".atom-trail").exists()


def test_the_forms_wrap_writes_are_all_recognised() -> None:
    from mcpir.launchers.mcpir import proxied

    run = ["mcpir", "run", "--only", "X", "--"]
    uv_run, pipx = ["uv", "run", "--with", "mcpir", "--", "mcpir"], ["pipx", "run", "mcpir"]
    for launcher in (["mcpir"], ["/home/a/.venv/bin/mcpir"], ["C:\\mcpir\\mcpir.exe"],
                     ["/usr/bin/python3.12", "-m", "mcpir"], ["uvx", "mcpir"],
                     ["uvx", "--from", "mcpir", "mcpir"], uv_run, pipx):  # fmt: skip
        line = [*launcher, "proxy", "--name", "s", "--", "c", "a"]
        assert proxied(line) == ([], ["c", "a"]), launcher
        assert proxied([*run, *line]) == (run, ["c", "a"]), launcher  # externalize after wrap
    assert proxied(["uvx", "mcpir", "run", "--", "c"]) is None
    assert proxied(["uvx", "mcpir-server", "proxy", "--", "c"]) is None
    assert proxied(["mcpir", "servers"]) is None


_LAUNCHERS = [["mcpir"], ["/x/bin/mcpir"], ["/x/python3", "-m", "mcpir"], ["uvx", "mcpir"],
              ["uvx", "--from", "mcpir==1", "mcpir"]]  # fmt: skip


@settings(max_examples=200)
@given(st.sampled_from(_LAUNCHERS), _WORD, _WORD.filter(lambda w: not w.startswith("-")),
       st.lists(_WORD, max_size=6))  # fmt: skip
def test_unwrap_reads_back_every_launcher_wrap_writes(
    launcher: list[str], name: str, command: str, args: list[str]
) -> None:
    from mcpir.launchers.mcpir import proxied
    from mcpir.proxy.wrap import wrapped_args

    assert proxied([*launcher, *wrapped_args(name, command, args)]) == ([], [command, *args])


def test_exit_codes_on_the_demo_machine(tmp_path: Path, run_cli: RunCli) -> None:
    """1 is for something that needs you, never for a preview shown or for what does not
    apply: remote servers, YAML and other files mcpir leaves alone are reported, exit 0."""
    from mcpir.demo.sandbox import build_sandbox

    sandbox = build_sandbox(tmp_path / "machine")
    where = ("--home", sandbox.home, "--root", sandbox.root, "--command", "uvx mcpir")
    preview = run_cli("wrap", "--all", "--dry-run", *where, "--json")
    assert preview.code == 0, preview.stderr
    statuses = {s["status"] for s in json.loads(preview.stdout)["servers"]}
    assert {"skipped", "wrap"} <= statuses  # sqlite: ~/.continue/config.yaml
    assert run_cli("wrap", "sqlite", "--yes", *where).code == 1  # asked for by name: needs you
    assert run_cli("wrap", "--all", "--yes", "--dry-run", *where).code == 2
    done = run_cli("wrap", "--all", "--yes", *where)
    assert done.code == 0, done.stdout + done.stderr
    assert run_cli("wrap", "--all", "--yes", *where).code == 0  # nothing left to do
    assert run_cli("unwrap", "--all", "-n", *where[:4]).code == 0
    assert run_cli("unwrap", "--all", "-y", *where[:4]).code == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 1)])
def test_without_yes_a_terminal_is_asked(
    tree: tuple[Path, Path],
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
) -> None:
    home, root = tree
    original = _contents(root)
    monkeypatch.setattr(sys, "stdin", _Terminal(answer))
    asked = run_cli("wrap", "github", "--home", home, "--root", root)
    assert asked.code == code, asked.stderr
    assert "wrap 1 server in 1 file?" in asked.stderr
    assert (_contents(root) != original) is (code == 0)


def test_a_shared_server_already_wrapped_stays_as_it_is_without_mcpir_on_path(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, root = _mixed(tmp_path)
    wrapped = (
        '{"mcpServers": {"shared": {"command": "mcpir", "args": ["proxy", "--", "gh-mcp"]}}}\n'
    )
    (root / ".mcp.json").write_text(wrapped)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    done = run_cli("wrap", "--all", "--yes", "--json", "--home", home, "--root", root)
    assert done.code == 0, done.stderr
    statuses = {s["server"]: s["status"] for s in json.loads(done.stdout)["servers"]}
    assert statuses == {"mine": "wrap", "shared": "already"}
    assert (root / ".mcp.json").read_text() == wrapped
