"""Every command README.md and docs/**/*.md show runs, as shown, on the demo sandbox.

The docs cannot rot: each `mcpir …` line of a `sh`/`bash`/`console`/`shell` code block
(tests/docs_commands.py says how lines are read, and how a doc marks one that cannot run
here: `# docs-test: skip (reason)`) runs in-process against one demo sandbox built for this
module. Placeholders become the sandbox's: an `ATOM-INC-…` id its incident, `TOKEN_ID`/`tok_…`
its leaked GitHub token, `SERVER`/`NAME` `github`, `FILE` a file in it, `--home`/`--root`/
`--repo` its home and project; every command that takes `--home`/`--root` and names none gets
the sandbox's. Each run:

- ends within `TIMEOUT` seconds, never prints a traceback, never reaches for the network;
- exits 0 or 1, as its row of `cli/exits.py` allows (2 only where the doc line shows a
  refusal, 3 never);
- never prints the demo's canary password or its leaked token (nor writes them to `--output`);
- writes nothing into `$HOME` (an empty directory here, standing for the user's real one);
- piped into `jq`, prints one JSON document.

Commands run in the docs' order (README first, then docs/ by name), on the one sandbox, as a
reader following them would. Every relative link in those files points at a file (and anchor)
that exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mcpir.core.secret import fingerprint
from tests.docs_commands import (
    Command,
    Machine,
    bind,
    broken_links,
    cli_root,
    collect,
    path_of,
    run_mcpir,
    subcommands_of,
    unattended,
)
from tests.test_externalize import memory_keyring

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
ROOT = cli_root()
COMMANDS, PROBLEMS = collect([p for p in DOCS if p.is_file()], REPO, subcommands_of(ROOT))
TIMEOUT = 20.0
STORED = "GITHUB_TOKEN"  # the keyring name the docs store, remove and rotate
UNSET = (
    "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "APPDATA",
    "LOCALAPPDATA", "CLAUDE_CONFIG_DIR", "CLAUDE_CODE_PLUGIN_CACHE_DIR", "CODEX_HOME",
    "COPILOT_HOME", "VSCODE_PORTABLE", "OPENCODE_CONFIG", "OPENCODE_CONFIG_DIR", "GITHUB_TOKEN",
    "GH_TOKEN", "GITHUB_API_URL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
)  # fmt: skip
# The OS programs the schedule and reminder commands call: stand-ins here, so a docs line can
# never change the tester's crontab or timers, or show a desktop notification.
SHIMS = ("crontab", "systemctl", "launchctl", "notify-send")
SHIM = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
if [ "$(basename "$0")" = crontab ]; then
  [ "$1" = -l ] && {{ echo "no crontab for docs-test" >&2; exit 1; }}
  cat > /dev/null
fi
exit 0
"""


@dataclass(frozen=True)
class Setup:
    machine: Machine
    env: dict[str, str | None]
    home: Path  # $HOME for every command: empty, and it must stay so
    secrets: tuple[str, ...]  # values no output may contain


def _leaked_token(home: Path) -> str:
    """The GitHub token the demo wrote into ~/.claude.json, wherever containment put it."""

    def find(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "GITHUB_PERSONAL_ACCESS_TOKEN" and isinstance(value, str):
                    yield value
                yield from find(value)
        elif isinstance(node, list):
            for item in node:
                yield from find(item)

    data = json.loads((home / ".claude.json").read_text(encoding="utf-8"))
    return next(find(data))


SERVER = """import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    tools = [{"name": "search_code", "description": "Search code.",
              "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}}}]
    result = {"tools": tools} if message.get("method") == "tools/list" else {}
    print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}), flush=True)
"""


def _pin(root: Path, inputs: Path, env: dict[str, str | None]) -> None:
    """Run the sandbox's `github` server once through `mcpir proxy`, as a wrapped client
    would, so `mcpir pins show|approve github` have its first tools/list as a pin."""
    server = inputs / "github_server.py"
    server.write_text(SERVER, encoding="utf-8")
    talk = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}},
    ]
    environment = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    with contextlib.suppress(subprocess.TimeoutExpired):  # then `pins show` says: no pin
        subprocess.run(
            [sys.executable, "-m", "mcpir", "proxy", "--name", "github", "--root", str(root),
             "--", sys.executable, str(server)],
            input="".join(json.dumps(m) + "\n" for m in talk), env=environment, cwd=root,
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip


def _enter(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in setup.env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.chdir(setup.machine.root)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """The demo's machine after its incident, once for every command of the docs: its own
    MCPIR_HOME, an in-memory keyring holding `GITHUB_TOKEN` (what `tokens add` would have
    stored), a `tools.json` and a playbook file for the docs' FILE, and an empty $HOME."""
    from mcpir.demo.run import run_demo
    from mcpir.playbook.loader import BUILTIN

    base = tmp_path_factory.mktemp("docs")
    home = base / "real-home"
    home.mkdir()
    shims = base / "bin"
    shims.mkdir()
    for name in SHIMS:
        shim = shims / name
        shim.write_text(SHIM.format(log=base / "shims.log"), encoding="utf-8")
        shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env: dict[str, str | None] = dict.fromkeys(UNSET)
    env |= {
        "HOME": str(home),
        "USERPROFILE": str(home),
        "PATH": f"{shims}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "100",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    # The process's keyring is an in-memory one while the module runs.
    keyring = contextlib.contextmanager(memory_keyring)
    with pytest.MonkeyPatch.context() as patch, keyring():
        for name, value in env.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        result = run_demo(base / "machine", say=lambda line: None)
        assert result.response.incident is not None
        sandbox = result.sandbox
        env["MCPIR_HOME"] = str(result.state)
        patch.setenv("MCPIR_HOME", str(result.state))
        patch.chdir(sandbox.root)
        inputs = base / "inputs"
        inputs.mkdir()
        tools = inputs / "tools.json"
        tools.write_text(
            json.dumps(
                {"tools": [{"name": "render_diagram",
                            "description": sandbox.planted["poisoned_description"]}]}
            ),
            encoding="utf-8",
        )  # fmt: skip
        playbook = inputs / BUILTIN.name
        shutil.copyfile(BUILTIN, playbook)
        (base / "system").mkdir()
        (base / "out").mkdir()

        listed = run_mcpir(
            ["tokens", "list", "--json", "--home", str(sandbox.home), "--root", str(sandbox.root)]
        )
        leaked = sandbox.planted["leaked_token_fingerprint"]
        token_id = next(t["id"] for t in json.loads(listed.stdout) if t["fingerprint"] == leaked)
        stored_value = "docs-test-stored-value-0f3c9a71"
        added = run_mcpir(["tokens", "add", STORED, "--from-stdin"], stdin=stored_value)
        assert added.code == 0, added.stderr
        _pin(sandbox.root, inputs, env)
        token = _leaked_token(sandbox.home)
        assert fingerprint(token) == leaked  # so the check below looks for the right value
        machine = Machine(
            base=sandbox.base,
            home=sandbox.home,
            root=sandbox.root,
            incident=result.response.incident.id,
            token_id=token_id,
            system_root=base / "system",
            outputs=base / "out",
            files={"FILE": sandbox.home / ".claude.json", "playbook check": playbook,
                   "playbook show": playbook, "tools.json": tools},
        )  # fmt: skip
        assert not any(home.iterdir()), f"the setup wrote into $HOME: {list(home.iterdir())}"
        yield Setup(machine, env, home, (sandbox.planted["canary"], token, stored_value))


def _allowed(command: Command) -> set[int]:
    """0 and 1, as far as the command's row of `cli/exits.py` documents them; 2 where the
    doc line shows a refusal; never 3."""
    allowed = {0, 1} | ({2} if command.refusal else set())
    try:
        from mcpir.cli.exits import EXITS
    except ImportError:  # pragma: no cover - the table predates this test
        return allowed
    path = path_of(ROOT, list(command.words)).split()
    while path and " ".join(path) not in EXITS:
        path.pop()
    return allowed & set(EXITS[" ".join(path)]) if path else allowed


def _shown(args: list[str], machine: Machine) -> str:
    return shlex.join(["mcpir", *args]).replace(str(machine.base), "$SANDBOX")


def test_the_docs_show_commands() -> None:
    assert len(COMMANDS) >= 10, [c.id for c in COMMANDS]


def test_docs_test_annotations_are_well_formed() -> None:
    assert not PROBLEMS, "\n".join(map(str, PROBLEMS))


PAGE = """
<!-- docs-test: skip (starts a real server) -->
```sh
mcpir run -- npx server
```

```console
$ mcpir servers --json | jq '.[] | select(.enabled)'   # only the enabled ones
$ mcpir pins list | show SERVER | approve SERVER
$ mcpir schedule run [--once] [--at 09:00]  # daily # docs-test: skip-bare (runs until stopped)
$ mcpir report edit ID --set impact="PR #14 # no comment" \\
    --set owner.rotate=dana   # refused: not a field
mcpir 0.1.0 (output, never run)
```

```bash
mcpir tokens add X  # docs-test: skip
```

```
mcpir scan   # a plain block: output, never run
```

<!-- docs-test: skip (nothing follows) -->
Prose.
"""


def test_the_reader_follows_the_docs_conventions(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    commands, problems = collect([page], tmp_path, subcommands_of(ROOT))
    found = [(c.line, c.words, c.skip, c.piped_into, c.refusal) for c in commands]
    assert found == [
        (4, ("run", "--", "npx", "server"), "starts a real server", None, False),
        (8, ("servers", "--json"), None, "jq", False),
        (9, ("pins", "list"), None, None, False),
        (9, ("pins", "show", "SERVER"), None, None, False),
        (9, ("pins", "approve", "SERVER"), None, None, False),
        (10, ("schedule", "run"), "runs until stopped", None, False),
        (10, ("schedule", "run", "--once", "--at", "09:00"), None, None, False),
        (11, ("report", "edit", "ID", "--set", "impact=PR #14 # no comment", "--set",
              "owner.rotate=dana"), None, None, True),
        (17, ("tokens", "add", "X"), None, None, False),
    ]  # fmt: skip
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (17, "docs-test annotation 'skip'"),
        (24, "docs-test annotation before no code block"),
    ]


def test_placeholders_and_scopes_become_the_sandboxs(tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "home" / "src" / "app"
    (root / ".vscode").mkdir(parents=True)
    (root / ".mcp.json.mcpir-disabled").write_text("{}", encoding="utf-8")
    machine = Machine(
        base=tmp_path, home=home, root=root, incident="ATOM-INC-20261207-001-x",
        token_id="tok_abc", system_root=tmp_path / "system", outputs=tmp_path / "out",
        files={"FILE": home / ".claude.json"},
    )  # fmt: skip

    def bound(*words: str) -> list[str]:
        return bind(Command("d.md", 1, "", words), machine, ROOT)

    h, r = str(home), str(root)
    assert bound("servers", "--home", "/mnt/alice", "--root", "/mnt/alice/app") == [
        "servers", "--home", h, "--root", r,
    ]  # fmt: skip
    assert bound("audit", "--repo", "../app", "--since", "30d") == [
        "audit", "--repo", r, "--since", "30d", "--home", h,
    ]  # fmt: skip
    assert bound("close", "ATOM-INC-20261124-001", "--reason", "…") == [
        "close", "ATOM-INC-20261207-001-x", "--reason", "…", "--home", h, "--root", r,
    ]  # fmt: skip
    assert bound("tokens", "verify", "TOKEN_ID")[:3] == ["tokens", "verify", "tok_abc"]
    assert bound("pins", "show", "SERVER") == ["pins", "show", "github", "--root", r]
    assert bound("scan", ".mcp.json", ".vscode/")[:3] == [
        "scan", ".mcp.json.mcpir-disabled", ".vscode/",
    ]  # fmt: skip
    assert bound("report", "--output", "/srv/report.md")[:3] == [
        "report", "--output", str(tmp_path / "out" / "report.md"),
    ]  # fmt: skip
    assert bound("playbook", "show") == ["playbook", "show"]


@pytest.mark.parametrize("command", COMMANDS, ids=[c.id for c in COMMANDS])
def test_command_runs_as_documented(
    command: Command, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    if command.skip is not None:
        pytest.skip(f"{command.where}: {command.skip}")
    why = unattended(command, ROOT)
    kind = "skip-bare" if command.variant == "bare" else "skip"
    assert why is None, (
        f"{command.where}: `{command.shown}` {why}: give the doc line what makes it safe "
        f"here, or mark it `# docs-test: {kind} ({why})`"
    )
    machine = setup.machine
    args = bind(command, machine, ROOT)
    _enter(setup, monkeypatch)
    ran = run_mcpir(args, timeout=TIMEOUT)
    shown = _shown(args, machine)
    said = f"{ran.stdout}\n{ran.stderr}"
    failures: list[str] = []
    if ran.timed_out:
        failures.append(f"still running after {TIMEOUT:.0f} s")
    if ran.escaped is not None:
        failures.append(f"an exception escaped (a traceback for the user):\n{ran.escaped}")
    if "Traceback (most recent call last)" in said:
        failures.append("printed a traceback")
    if ran.network:
        failures.append(f"reached for the network ({', '.join(sorted(set(ran.network)))})")
    allowed = _allowed(command)
    if ran.code is not None and ran.code not in allowed:
        failures.append(f"exit {ran.code}, documented here: {sorted(allowed)}")
    written = ""
    for index, word in enumerate(args[:-1]):
        if word in ("--output", "-o"):
            target = machine.root / args[index + 1]
            if target.is_file():
                written += target.read_text(encoding="utf-8", errors="replace")
    for secret in setup.secrets:
        if secret in said:
            failures.append(f"printed a secret ({fingerprint(secret)})")
        if secret in written:
            failures.append(f"wrote a secret to --output ({fingerprint(secret)})")
    if any(setup.home.iterdir()):
        failures.append(f"wrote into $HOME: {sorted(p.name for p in setup.home.iterdir())}")
        for child in setup.home.iterdir():  # the next command starts from an empty home again
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    if command.piped_into == "jq" and ran.code in (0, 1):
        try:
            json.loads(ran.stdout)
        except ValueError as exc:
            failures.append(f"piped into jq, but stdout is not JSON ({exc})")
    assert not failures, (
        f"{command.where}: `{command.text}`\n  ran: {shown}\n  "
        + "\n  ".join(failures)
        + f"\n  stdout: {ran.stdout.strip()[-400:]}\n  stderr: {ran.stderr.strip()[-800:]}"
    )


@pytest.mark.parametrize("doc", DOCS, ids=[p.relative_to(REPO).as_posix() for p in DOCS])
def test_relative_links_resolve(doc: Path) -> None:
    if not doc.is_file():
        pytest.skip(f"{doc.name} does not exist")
    broken = broken_links(doc, REPO)
    assert not broken, "\n".join(broken)


def test_the_link_check_names_missing_files_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "scan.md").write_text(
        "# `mcpir scan`: catch poisoned configs\n\n## Exit codes\n\n## Exit codes\n",
        encoding="utf-8",
    )
    readme = tmp_path / "README.md"
    readme.write_text(
        "[ok](docs/scan.md#mcpir-scan-catch-poisoned-configs) [second](docs/scan.md#exit-codes-1)"
        " [here](#top) [web](https://example.com/x.md) `[code](nope.md)`\n"
        "[gone](docs/nope.md) [anchor](docs/scan.md#nope) [out](../elsewhere.md)\n"
        '<a id="top"></a>\n\n```md\n[in a block](nope.md)\n```\n[ref]: docs/missing.md\n',
        encoding="utf-8",
    )
    assert broken_links(readme, tmp_path) == [
        "README.md:2: docs/nope.md: no such file",
        "README.md:2: docs/scan.md#nope: no such anchor in scan.md",
        "README.md:2: ../elsewhere.md: leaves the repository",
        "README.md:8: docs/missing.md: no such file",
    ]
