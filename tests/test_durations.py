"""`--since` is one parser: `audit` and `investigate` take the same spans and dates."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mcpir.audit.run import parse_since as audit_since
from mcpir.core.durations import parse_moment
from mcpir.core.errors import UsageError
from mcpir.investigate import parse_since as investigate_since
from tests.conftest import RunCli
from tests.test_audit import EVE, MEMORY, POLICY, GitRepo, audit_json, servers

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45s", datetime(2026, 11, 26, 11, 59, 15, tzinfo=UTC)),
        ("30m", datetime(2026, 11, 26, 11, 30, tzinfo=UTC)),
        ("12h", datetime(2026, 11, 26, 0, 0, tzinfo=UTC)),
        ("7d", datetime(2026, 11, 19, 12, 0, tzinfo=UTC)),
        ("2w", datetime(2026, 11, 12, 12, 0, tzinfo=UTC)),
        (" 3 d ", datetime(2026, 11, 23, 12, 0, tzinfo=UTC)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T09:30Z", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
    ],
)
def test_audit_and_investigate_read_since_alike(text: str, expected: datetime) -> None:
    assert parse_moment(text, NOW) == expected
    assert investigate_since(text, NOW) == expected
    assert datetime.fromisoformat(audit_since(text, NOW)) == expected


@pytest.mark.parametrize("text", ["yesterday", "7 days", "-1d", "", "\uff12d", "1y"])
def test_audit_and_investigate_refuse_alike(text: str) -> None:
    with pytest.raises(UsageError) as audit_error:
        audit_since(text, NOW)
    assert "--since" in audit_error.value.message
    if text:  # an empty --since means "everything" to investigate
        with pytest.raises(UsageError) as investigate_error:
            investigate_since(text, NOW)
        assert investigate_error.value.message == audit_error.value.message


def test_audit_since_minutes_keeps_only_the_last_half_hour(run_cli: RunCli, tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "project")
    repo.clock = int(time.time()) - 2 * 3600
    repo.commit("start", DOTmcpirDOTtoml=POLICY, DOTmcpDOTjson=servers(memory=MEMORY))
    repo.clock = int(time.time()) - 600
    late = repo.commit("late", EVE, DOTmcpDOTjson=servers())
    code, doc = audit_json(run_cli, repo.root, "--since", "30m")
    assert code in (0, 1)
    assert [c["commit"] for c in doc["changes"]] == [late]
