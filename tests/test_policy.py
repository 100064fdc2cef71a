"""`.mcpir.toml`: defaults when absent, strict about unknown keys and wrong types."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcpir.config.project import Policy, load_policy
from mcpir.core.errors import PolicyError


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_policy(tmp_path) == Policy()


def test_discovery_exclude(tmp_path: Path) -> None:
    (tmp_path / ".mcpir.toml").write_text('[discovery]\nexclude = ["vendor", "third_party/*"]\n')
    policy = load_policy(tmp_path)
    assert policy.discovery.exclude == ("vendor", "third_party/*")
    assert policy.path == tmp_path / ".mcpir.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[discovery]\nexclude = 3\n", "must be a list of strings"),
        ("[discovry]\n", "unknown section"),
        ("[discovery]\nexclde = []\n", "unknown key"),
        ("[discovery\n", "malformed TOML"),
        ("discovery = 1\n", "must be a table"),
    ],
)
def test_bad_policy_is_refused_with_its_reason(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".mcpir.toml").write_text(text)
    with pytest.raises(PolicyError, match=message):
        load_policy(tmp_path)
