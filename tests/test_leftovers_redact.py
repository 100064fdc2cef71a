"""A provider token glued inside a larger word is masked (red team, issue 21).

Before: the token shapes were found only at the start of a word (not after `-` or `_`), so
`id-AKIA…` and `name_AKIA…` were printed whole by `mcpir flows` (a server's name) and by the
contain step's action lines; a glued token that did not look random (a look-alike) leaked the
same way; and one that did was masked whole, with a fingerprint no other output shows. Now
every known-prefix token is masked wherever it sits, its prefix and fingerprint kept, while
paths, digests, UUIDs, versions, packages and mcpir's ids stay readable."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcpir.core.redact import redact_text
from mcpir.core.secret import fingerprint
from mcpir.secrets.formats import REGISTRY
from tests.conftest import CANARY, RunCli
from tests.test_canary_sweep import _aws_id, _github, _openai, _slack

SEPARATORS = ("-", "_", ".", "/", ":", "=")
# Every known-prefix format: the AWS secret key has no prefix (the random-run rule's case).
PREFIXED = [p for p in REGISTRY if p.name != "aws-secret-access-key"]
GLUED_AWS_ID = _aws_id("leftover-glued-aws-id").value  # AKIACANARY…: not random-looking


def _fake(name: str, seed: int) -> str:
    provider = next(p for p in PREFIXED if p.name == name)
    return provider.fake(random.Random(seed))  # noqa: S311 - test data


def _named_examples() -> list[tuple[str, str]]:
    """The red team's shapes: (text, the token in it)."""
    rng = random.Random(21)  # noqa: S311
    ghp = _fake("github-classic", 1)
    ant = "sk-ant-api03-" + "".join(rng.choice("abcdefXYZ0123456789_-") for _ in range(93)) + "AA"
    slack = _slack("leftover-glued-slack").value
    return [
        (f"leak-{ghp}", ghp),
        (f"x-{ant}", ant),
        (f"id-{GLUED_AWS_ID}", GLUED_AWS_ID),
        (f"name_{slack}", slack),
        (f"id_{GLUED_AWS_ID}_prod", GLUED_AWS_ID),
        (f"deploy key: {GLUED_AWS_ID}-rotated", GLUED_AWS_ID),
    ]


@pytest.mark.parametrize(("text", "token"), _named_examples())
def test_the_red_teams_glued_tokens_are_masked_with_their_own_fingerprint(
    text: str, token: str
) -> None:
    shown = redact_text(text)
    assert token not in shown and token[-12:] not in shown, shown
    # The fingerprint is the token's own: the inventory and every other output show the same.
    assert f"(sha256:{fingerprint(token)[7:]})" in shown or fingerprint(token) in shown, shown


@pytest.mark.parametrize("provider", [p.name for p in PREFIXED])
@pytest.mark.parametrize("separator", SEPARATORS)
def test_every_prefixed_format_is_masked_behind_every_separator(
    provider: str, separator: str
) -> None:
    for seed in range(20):
        token = _fake(provider, seed)
        shown = redact_text(f"mcp-leak{separator}{token} and more")
        assert token not in shown and token[-12:] not in shown, (provider, shown)
        assert shown.startswith(f"mcp-leak{separator}") and shown.endswith(" and more"), shown


@pytest.mark.parametrize(
    "lookalike",
    ["ghp_" + "a" * 36, "AKIAAAAAAAAAAAAAAAAA", "xoxb-1111111111-2222222222-" + "b" * 24,
     "npm_" + "Ab" * 18, "sk-" + "CANARY" * 5],
)  # fmt: skip
@pytest.mark.parametrize("separator", ["-", "_"])
def test_a_glued_lookalike_is_masked_too(lookalike: str, separator: str) -> None:
    """Redaction errs towards hiding: a body that is not random still sits behind a prefix."""
    shown = redact_text(f"leak{separator}{lookalike}")
    assert lookalike not in shown and "…(sha256:" in shown


@pytest.mark.parametrize(
    "text",
    [
        "@modelcontextprotocol/server-github", "mcp-server-fetch", "@upstash/context7-mcp@1.0.14",
        "ATOM-INC-20261124-001-github-mcp-poisoning",
        "atom-inc-20261124-001-sk-hynix-mcp-poisoning-response",
        "/src/task-management-service/", "/opt/sk-tools-for-everything-here/bin",
        "hugs-xoxo-forever-and-ever-more", "mcp-server-sk-learn-classifier-v2",
        "my_hf_transformers_pipeline_configuration_manager",
        "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "0123e4567-e89b-12d3-a456-426614174000", "v2025.4.8", "node-v22.11.0-linux-x64",
        "tok_1a2b3c4d5e6f", "git-2.39.5", "ghcr.io/github/github-mcp-server:v0.4.0",
    ],
)  # fmt: skip
def test_names_paths_digests_and_ids_stay_readable(text: str) -> None:
    assert redact_text(text) == text
    assert redact_text(f"x-{text}") == f"x-{text}"


def test_random_runs_masked_before_stay_masked() -> None:
    """A key no prefix gives away, glued after a name: the random-run rule still masks it."""
    rng = random.Random(5)  # noqa: S311
    for _ in range(50):
        key = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                      for _ in range(40))  # fmt: skip
        for separator in SEPARATORS:
            assert key not in redact_text(f"leak{separator}{key}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    word=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,20}", fullmatch=True),
    separator=st.sampled_from(SEPARATORS),
    provider=st.sampled_from([p.name for p in PREFIXED]),
    seed=st.integers(0, 2**32),
    after=st.sampled_from(["", " ", "-prod", "_x", "/path", '"', ".json"]),
)
def test_a_glued_real_format_token_never_survives(
    word: str, separator: str, provider: str, seed: int, after: str
) -> None:
    token = _fake(provider, seed)
    shown = redact_text(f"{word}{separator}{token}{after}")
    assert token not in shown and token[-12:] not in shown, shown


def test_a_megabyte_of_glued_tokens_is_redacted_in_linear_time() -> None:
    token = _fake("github-classic", 3)
    timings = []
    for count in (2_000, 20_000):
        line = "".join(f"w{i % 7}-{token}_" for i in range(count))
        started = time.perf_counter()
        shown = redact_text(line)
        timings.append(time.perf_counter() - started)
        assert token[4:] not in shown
    assert timings[1] < 30 * max(timings[0], 0.001)  # 10x the input, far from 100x the time


# --- the outputs the red team saw it in -------------------------------------------------------


def _machine(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A home whose servers carry glued tokens in their names and arguments."""
    home, root = tmp_path / "home", tmp_path / "root"
    root.mkdir(parents=True)
    home.mkdir()
    github = _github("leftover-glued-github").value
    openai = _openai("leftover-glued-openai").value
    servers = {
        f"id-{GLUED_AWS_ID}": {"command": "npx", "args": [
            "-y", "@modelcontextprotocol/server-github", "--label", f"leak-{github}"]},
        f"name_{GLUED_AWS_ID}": {"command": "uvx", "args": ["mcp-server-fetch",
                                                             f"--tag=x-{openai}"]},
    }  # fmt: skip
    (home / ".claude.json").write_text(json.dumps({"mcpServers": servers}))
    return home, root, [GLUED_AWS_ID, github, openai]


def _bodies(tokens: list[str]) -> list[str]:
    return [token[4:16] for token in tokens] + [CANARY]


def test_flows_and_contain_lines_show_no_glued_token(run_cli: RunCli, tmp_path: Path) -> None:
    home, root, tokens = _machine(tmp_path)
    where = ("--home", home, "--root", root, "--only-root")
    for args in (("flows", *where), ("flows", *where, "--json"), ("servers", *where),
                 ("respond", "--only", "contain", "--dry-run", *where),
                 ("respond", "--only", "contain", "--dry-run", "--json", *where)):  # fmt: skip
        done = run_cli(*args)
        assert done.code in (0, 1), done.stdout + done.stderr
        for body in _bodies(tokens):
            assert body not in done.stdout + done.stderr, (args, body)
    shown = run_cli("servers", *where).stdout
    assert "id-AKIA…(sha256:" in shown.replace("\n", "")  # the name keeps its words and prefix
