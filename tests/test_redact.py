"""Redaction: token shapes and labelled credentials are masked; prose and references stay."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.core.model import Finding, Location, Scope, Server, Severity, Transport
from mcpir.core.redact import is_reference, redact_args, redact_text, redact_value
from mcpir.core.secret import Secret, fingerprint

GH = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
SECRETS = [
    GH,
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789abcdefghijklmnop",
    "glpat-abcdefghij0123456789",
    "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789",
    "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
    "AKIAIOSFODNN7EXAMPLE",
    "xoxb-123456789012-abcdefghijkl",
    "sk_live_abcdefghijklmnop1234",
    "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234",
    "npm_abcdefghijklmnopqrstuvwxyz0123456789",
    "hf_abcdefghijklmnopqrstuvwxyz01234567",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
]


@pytest.mark.parametrize("secret", SECRETS)
def test_token_shapes_are_masked_with_fingerprint(secret: str) -> None:
    out = redact_text(f"use {secret} here")
    assert secret not in out
    assert fingerprint(secret) in out
    assert out.startswith("use ") and out.endswith(" here")


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Authorization: Bearer abcdef123456", "abcdef123456"),
        ("postgres://app:hunter2@db/app", "hunter2"),
        ("https://x.example/mcp?api_key=s3cr3tvalue&q=1", "s3cr3tvalue"),
        ("GITHUB_TOKEN=abc123def456", "abc123def456"),
        ('"apiKey": "Zx9-long-value"', "Zx9-long-value"),
        ("--password=pa55word", "pa55word"),
        ("Authorization: Token abcdefghijk", "abcdefghijk"),
        ("Bearer eyJhbGciOi.abc", "eyJhbGciOi.abc"),
        ("token: hunter2x.", "hunter2x"),
    ],
)
def test_labelled_credentials_are_masked(text: str, hidden: str) -> None:
    out = redact_text(text)
    assert hidden not in out
    assert "…(sha256:" in out


@pytest.mark.parametrize(
    "text",
    [
        "important: paths are relative",
        "auth: required",
        "author=John",
        "npx -y @modelcontextprotocol/server-github",
        "docker run -i --rm -e GITHUB_PERSONAL_ACCESS_TOKEN ghcr.io/github/github-mcp-server",
        "${input:gh-token}",
        "API_KEY=${input:key}",
        "postgres://app:${DB_PASSWORD}@db/app",
        "https://x.example/mcp?token=${env:TOKEN}",
        # mcpir's own names for a token, and prose after a credential word
        "still in the token inventory as tok_eae8d32d10e6: rotate it",
        "token: tok_eae8d32d10e6, fingerprint sha256:eae8d32d10e6",
        "secret sha256:eae8d32d10e6 (github-classic) committed to .cursor/mcp.json",
        "Bearer tokens are short-lived",
        "still in the token inventory: rotate it",
        "see the token. Then rotate it",
    ],
)
def test_prose_and_commands_are_untouched(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(
    "value",
    ["${GITHUB_TOKEN}", "${env:GITHUB_TOKEN}", "${input:token}", "$TOKEN", "op://vault/item/field"],
)
def test_references_are_not_secrets(value: str) -> None:
    assert is_reference(value)
    assert redact_value({"GITHUB_TOKEN": value}) == {"GITHUB_TOKEN": value}


def test_structure_values_under_sensitive_keys_are_masked_whole() -> None:
    out = redact_value(
        {
            "env": {"MY_SERVICE_TOKEN": "plainlookingvalue", "DEBUG": "1", "PWD": "/srv"},
            "headers": {"Authorization": "Bearer xyz-123-abc"},
            "args": ["--token", "opaque-value-123", "run"],
        }
    )
    assert "plainlookingvalue" not in str(out)
    assert out["env"]["DEBUG"] == "1" and out["env"]["PWD"] == "/srv"
    assert out["headers"]["Authorization"].startswith("Bearer …(sha256:")
    assert out["args"][0] == "--token" and "opaque" not in out["args"][1]


def test_args_after_a_sensitive_flag_are_masked() -> None:
    assert "zz9" not in " ".join(redact_args(["serve", "--api-key", "zz9-value", "--port", "80"]))


@settings(max_examples=300, deadline=None)
@given(before=st.text(max_size=30), after=st.text(max_size=30), secret=st.sampled_from(SECRETS))
def test_a_token_never_survives_and_redaction_is_idempotent(
    before: str, after: str, secret: str
) -> None:
    out = redact_text(f"{before} {secret} {after}")
    assert secret not in out
    assert redact_text(out) == out


def test_secret_never_shows_its_value() -> None:
    secret = Secret(GH)
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r:>80}", format(secret, "")):
        assert GH not in shown and secret.fingerprint in shown
    assert secret.reveal() == GH
    assert secret == Secret(GH) and secret != Secret("other")
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_server_repr_hides_env_headers_and_tokens_in_args() -> None:
    server = Server(
        name="gh",
        client="cursor",
        scope=Scope.USER,
        transport=Transport.STDIO,
        location=Location(Path("/x/mcp.json"), 3),
        command="npx",
        args=("--token", GH),
        env={"GITHUB_TOKEN": Secret(GH)},
        headers={"Authorization": Secret("Bearer abc")},
    )
    assert GH not in repr(server) and "Bearer abc" not in repr(server)
    assert "GITHUB_TOKEN" in repr(server)


def test_finding_evidence_is_stored_redacted() -> None:
    finding = Finding(
        rule_id="hardcoded-secret",
        severity=Severity.HIGH,
        message=f"token {GH} in env",
        location=Location(Path("/x"), 1),
        evidence=f"GITHUB_TOKEN={GH}",
    )
    assert GH not in (finding.evidence or "") and GH not in finding.message


SETTINGS = [
    'DEFAULT_MINIMUM_TOKENS = "6000"',
    "MAX_TOKENS=4096",
    "TOKEN_TTL=3600",
    '"args": ["postgres-mcp==0.3.0", "--access-mode=restricted"]',
    'secret_version = "1.2.3"',
    "auth_timeout: 30",
]
CANARY_SECRETS = [
    'GITHUB_TOKEN="ghp_CANARYcanaryCANARYcanary00000000000000"',
    "password=CANARY-hunter2",
    "DB_PASSWORD=12345678",
    'API_KEY="CANARYk3yV4lu3-9f8e7d6c5b4a"',
]


@pytest.mark.parametrize("text", SETTINGS)
def test_versions_numbers_and_package_names_survive(text: str) -> None:
    """A diff or a report that masks `MAX_TOKENS=4096` hides the change a person must review."""
    from mcpir.core.redact import redact_diff, redact_text

    assert redact_text(text) == text
    assert redact_diff(f"-{text}\n+{text}\n") == f"-{text}\n+{text}\n"


@pytest.mark.parametrize("text", CANARY_SECRETS)
def test_credentials_beside_settings_are_still_masked(text: str) -> None:
    from mcpir.core.redact import redact_text, redact_value

    shown = redact_text("\n".join([*SETTINGS, text]))
    assert "sha256:" in shown and all(setting in shown for setting in SETTINGS)
    assert "CANARY" not in shown and "hunter2" not in shown and "12345678" not in shown
    name, _, value = text.partition("=")
    assert redact_value({name: value.strip('"')})[name] != value.strip('"')


# A credential's name decides before its value's shape: a date or a number is a password or a
# key under such a name (and after `Bearer`, `-u user:` or `mysql -p`), never a setting.
NAMED_CREDENTIALS = [
    ("DB_PASSWORD=15.08.1987", "15.08.1987"),
    ('"DB_PASSWORD": "15.08.1987",', "15.08.1987"),
    ("password: 2024.01.15", "2024.01.15"),
    ("--password 15.08.1987", "15.08.1987"),
    ("mysql -p15.08.1987 payments", "15.08.1987"),
    ("curl -u bob:15.08.1987 https://db.example", "15.08.1987"),
    ("API_KEY=123456789", "123456789"),
    ("export AUTH_TOKEN=987654321", "987654321"),
    ("Authorization: Bearer 123456789", "123456789"),
    ("Authorization: Bearer 1.2.3.4", "1.2.3.4"),
    ('"api_key": "48213377"', "48213377"),
    ("GITHUB_TOKEN=v1.2.3", "v1.2.3"),
    ("DB_SECRET=2024.01.15", "2024.01.15"),
    ("PASSWORD_MAX_AGE=19870815", "19870815"),
]


@pytest.mark.parametrize(("text", "hidden"), NAMED_CREDENTIALS)
def test_a_credential_name_outranks_a_setting_shaped_value(text: str, hidden: str) -> None:
    from mcpir.core.redact import redact_diff, redact_keyed

    assert hidden not in redact_text(text) and "sha256:" in redact_text(text)
    assert hidden not in redact_diff(f"-{text}\n+{text}\n")
    shown = redact_text("\n".join([*SETTINGS, text]))
    assert hidden not in shown and all(setting in shown for setting in SETTINGS)
    for key in ("password", "DB_PASSWORD", "api_key", "AUTH_TOKEN"):
        assert redact_keyed(hidden, key) != hidden


@pytest.mark.parametrize(
    ("key", "value"),
    [("MAX_TOKENS", "4096"), ("TOKEN_TTL", "3600"), ("auth_timeout", "30"),
     ("DEFAULT_MINIMUM_TOKENS", "6000"), ("secret_version", "1.2.3"), ("sessionMaxAge", "86400"),
     ("api_key_version", "v2.1")],
)  # fmt: skip
def test_counts_and_versions_under_credential_words_stay_readable(key: str, value: str) -> None:
    from mcpir.core.redact import redact_keyed

    assert redact_keyed(value, key) == value
    assert redact_text(f"{key}={value}") == f"{key}={value}"


def test_a_long_run_of_token_shapes_is_redacted_in_linear_time() -> None:
    """A crafted document (a report's front matter, a transcript line) made of one long run of
    token-like pieces once took minutes: each random piece walked its neighbours again."""
    import time

    from mcpir.core.redact import redact_text

    token = "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"
    timings = []
    for count in (2_000, 20_000):
        started = time.perf_counter()
        shown = redact_text(("x" + token) * count)
        timings.append(time.perf_counter() - started)
        assert token[4:] not in shown
    assert timings[1] < 30 * max(timings[0], 0.001)  # 10x the input, far from 100x the time


def test_a_bearer_credential_keeps_no_tail_in_clear() -> None:
    """`Bearer CANARYpassw0rd!X` once showed `!X` after the mask: the credential runs on to the
    next blank or quote."""
    from mcpir.core.redact import redact_text

    shown = redact_text("Authorization: Bearer CANARYpassw0rd!X and more")
    assert "CANARY" not in shown and "!X" not in shown and shown.endswith(" and more")


def test_marks_that_reorder_or_hide_text_are_shown_not_obeyed() -> None:
    from mcpir.core.safe import shown

    text = shown("a\u200eb\u200fc\u061cd\u200be\ufefff")
    assert not any(ch in text for ch in "\u200e\u200f\u061c\u200b\ufeff")
