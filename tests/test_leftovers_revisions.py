"""A revision a user or an event supplies never reaches git as an option (red team, issue 24).

`mcpir action --base=--output=/tmp/x` once ran `git rev-list --output=/tmp/x..HEAD`: git read
the base as its diff option and created `/tmp/x..HEAD`. A base in the pull request's event
file went the same way. Now a revision starting with `-` is a one-line usage error (exit 2)
before anything runs or is written, and git gets `--end-of-options` before it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcpir.core.errors import UsageError
from tests.conftest import RunCli
from tests.test_action import actions_env, repo  # noqa: F401 - fixtures

HOSTILE = ("--output={target}", "--all", "-o{target}", "--output", "-")


def _written(tmp_path: Path) -> list[Path]:
    """Every file the run may have left: git's output target, SARIF, the result file."""
    names = ("target..HEAD", "target", "out.sarif", "results.json")
    return [tmp_path / name for name in names if (tmp_path / name).exists()]


def _args(root: Path, tmp_path: Path) -> list[str | Path]:
    return ["action", "--root", root, "--audit", "pull", "--sarif", tmp_path / "out.sarif",
            "--results", tmp_path / "results.json"]  # fmt: skip


@pytest.mark.parametrize("shape", HOSTILE)
def test_an_option_given_as_base_is_refused_and_nothing_written(
    repo: tuple[Path, str],  # noqa: F811
    actions_env: dict[str, Path],  # noqa: F811
    run_cli: RunCli,
    tmp_path: Path,
    shape: str,
) -> None:
    base = shape.format(target=tmp_path / "target")
    done = run_cli(*_args(repo[0], tmp_path), "--event", "pull_request", f"--base={base}")
    assert _written(tmp_path) == []
    assert done.code == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) <= 2
    assert "--base" in done.stderr and "revision" in done.stderr
    assert not Path(actions_env["summary"]).exists()


def test_an_option_as_the_events_base_sha_is_refused_and_nothing_written(
    repo: tuple[Path, str],  # noqa: F811
    actions_env: dict[str, Path],  # noqa: F811
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crafted = f"--output={tmp_path / 'target'}"
    actions_env["event"].write_text(
        json.dumps({"pull_request": {"number": 7, "base": {"sha": crafted}}})
    )
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(actions_env["event"]))
    done = run_cli(*_args(repo[0], tmp_path))
    assert done.code == 2, done.stdout + done.stderr
    assert "pull_request.base.sha" in done.stderr and "Traceback" not in done.stderr
    assert _written(tmp_path) == []
    assert not Path(actions_env["summary"]).exists()


def test_a_real_base_still_audits_the_pull_request(
    repo: tuple[Path, str],  # noqa: F811
    actions_env: dict[str, Path],  # noqa: F811
    run_cli: RunCli,
    tmp_path: Path,
) -> None:
    root, base = repo
    done = run_cli(*_args(root, tmp_path), "--event", "pull_request", "--base", base[:12])
    assert done.code == 1, done.stdout + done.stderr  # the pull request's findings
    document = json.loads((tmp_path / "results.json").read_text())
    assert document["audit"] is not None


def test_the_commit_lister_refuses_an_option_itself(
    repo: tuple[Path, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    """The check sits where git runs too: a caller that skips the CLI cannot pass an option."""
    from mcpir.ci.run import _commits

    with pytest.raises(UsageError, match="revision"):
        _commits(repo[0], f"--output={tmp_path / 'target'}")
    assert _written(tmp_path) == []
    assert _commits(repo[0], repo[1]) and all(len(sha) == 40 for sha in _commits(repo[0], "HEAD~1"))


def test_audit_has_no_base_option_and_writes_nothing(
    repo: tuple[Path, str],  # noqa: F811
    run_cli: RunCli,
    tmp_path: Path,
) -> None:
    """`mcpir audit` takes no revision from the user (only --since, passed as one `--since=`
    argument): a `--base` is an unknown option, exit 2, and nothing reaches git."""
    done = run_cli("audit", "--root", repo[0], f"--base=--output={tmp_path / 'target'}")
    assert done.code == 2 and _written(tmp_path) == []
    since = run_cli("audit", "--root", repo[0], f"--since=--output={tmp_path / 'target'}")
    assert since.code in (0, 1, 2) and _written(tmp_path) == []
