"""mcpir never breaks the user's environment: the pre-commit hook sees every file discovery
reads, and a command pointed at someone else's repository leaves the user's state alone."""

from __future__ import annotations

import importlib.util
import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from mcpir.discovery.clients import CLIENTS
from mcpir.secrets.fakes import fake_token
from tests.conftest import RunCli
from tests.test_audit import GitRepo, servers
from tests.treehash import tree_state

REPO = Path(__file__).resolve().parents[1]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "precommit_files", REPO / "scripts" / "precommit_files.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _hook_regex() -> re.Pattern[str]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = [h for h in hooks if h["id"] == "mcpir-scan"]
    return re.compile(hook["files"])


def _instances(rel: str) -> list[str]:
    """Paths a project pattern matches: a `*` segment filled in as a user would name it."""
    return [rel.replace("*", name) for name in ("x", "my.app", "payments-api")]


@pytest.mark.parametrize(
    "rel", sorted({rel for client in CLIENTS for rel in client.project}), ids=str
)
def test_the_pre_commit_hook_sees_every_project_file_discovery_reads(rel: str) -> None:
    regex = _hook_regex()
    for path in _instances(rel):
        # At the top, at any depth, and as containment leaves it (`.mcpir-disabled`, `.2`…).
        for staged in (path, f"services/api/{path}", f"{path}.mcpir-disabled",
                       f"a/{path}.mcpir-disabled.2"):  # fmt: skip
            assert regex.search(staged), f"the hook misses {staged} ({rel})"


def test_the_pre_commit_hook_is_written_from_discovery_and_nothing_else() -> None:
    script = _script()
    check: Callable[[list[str]], int] = script.main
    assert check(["--check"]) == 0, "run: python scripts/precommit_files.py --write"
    regex = _hook_regex()
    for path in ("README.md", "src/mcp.json", "package.json", ".vscode/launch.json",
                 ".mcp.json.bak", "x.mcp.json", ".github/workflows/ci.yml"):  # fmt: skip
        assert not regex.search(path), path
    # Those the hook missed before it was derived (issue 18).
    for path in (".vscode/settings.json", ".kiro/settings/mcp.json", "opencode.json",
                 ".amazonq/mcp.json", ".github/mcp.json"):  # fmt: skip
        assert regex.search(path), path


# --- audit consults the token inventory and never writes it ------------------------------------


@pytest.fixture
def foreign_repo(tmp_path: Path) -> tuple[GitRepo, str]:
    """Someone else's repository (a sandbox, a clone under review) with a token committed
    in its `.mcp.json` and still there."""
    token = fake_token("github-classic", random.Random(18))  # noqa: S311 - a fake, seeded
    repo = GitRepo(tmp_path / "elsewhere" / "repo")
    gh = {"command": "npx", "args": ["-y", "gh-mcp@1.0.0"], "env": {"GITHUB_TOKEN": token}}
    repo.commit("add gh", DOTmcpDOTjson=servers(gh=gh))
    return repo, token


@pytest.mark.parametrize("home", ["real", "given"])
def test_audit_of_another_repository_consults_the_inventory_and_writes_none(
    run_cli: RunCli,
    foreign_repo: tuple[GitRepo, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    home: str,
) -> None:
    """The rule: audit only reads the token inventory. Whether a committed secret is still
    configured is its whole question; recording that repository's tokens in the user's
    `inventory.json` (as `tokens list` does on the user's own machine) would put a sandbox's
    tokens into the user's state, with or without --home."""
    repo, token = foreign_repo
    real_home, state = tmp_path / "real-home", tmp_path / "state"
    real_home.mkdir()
    state.mkdir()
    monkeypatch.setenv("HOME", str(real_home))
    monkeypatch.setenv("MCPIR_HOME", str(state))  # the user's own data dir
    where = ("--home", repo.root.parent) if home == "given" else ()
    result = run_cli("audit", "--repo", repo.root, *where, "--json")
    assert result.code == 1, result.stderr
    [secret] = json.loads(result.stdout)["secrets"]
    assert secret["in_inventory"] is True and secret["must_rotate"] is True  # consulted
    assert token not in result.stdout + result.stderr
    assert tree_state(state) == {} and tree_state(real_home) == {}  # and nothing written


def test_tokens_list_still_records_what_it_sees(
    run_cli: RunCli, foreign_repo: tuple[GitRepo, str], tmp_path: Path
) -> None:
    """Only audit is read-only: the inventory's first-seen dates come from `tokens list`."""
    import os

    repo, _ = foreign_repo
    state = Path(os.environ["MCPIR_HOME"])
    home = tmp_path / "home"
    home.mkdir()
    assert run_cli("tokens", "list", "--home", home, "--root", repo.root).code in (0, 1)
    assert (state / "inventory.json").is_file()
