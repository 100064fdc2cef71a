"""Red team of the four leftover fixes (redaction of glued tokens, configs opened without
following links, revisions starting with '-', a damaged keyring entry): each weakness found,
reproduced here before its fix."""

from __future__ import annotations

import json
import random
import time
import urllib.parse

import pytest

from mcpir.core.redact import redact_text
from mcpir.core.secret import fingerprint
from mcpir.secrets.formats import REGISTRY

PROVIDERS = {p.name: p for p in REGISTRY}


def _fake(name: str, seed: int) -> str:
    return PROVIDERS[name].fake(random.Random(seed))  # noqa: S311 - test data


def _windows(token: str, size: int = 10) -> list[str]:
    """Every `size`-character piece of a token's body: none may be shown."""
    body = token[6:]
    return [body[i : i + size] for i in range(len(body) - size + 1)]


def _shows_a_piece(token: str, shown: str) -> str | None:
    return next((w for w in _windows(token) if w in shown), None)


# --- redaction: quadratic inputs ---------------------------------------------------------------

# Each was minutes to hours for a megabyte: every `sk-` after a `-` started a match that ran to
# the end of the run and was then judged a name; every `eyJ` after a `-` scanned the rest of its
# run for a JWT's dot; every URL in a word of URLs searched the rest of the word for an `@`.
QUADRATIC = ["x-sk-", "a-sk-ant-", "a-sk-proj-", "a-glpat-", "a-xoxb-", "eyJ-", "https://a:b"]


@pytest.mark.parametrize("unit", QUADRATIC)
def test_crafted_runs_are_redacted_in_linear_time(unit: str) -> None:
    text = unit * (200_000 // len(unit))
    started = time.perf_counter()
    redact_text(text)
    # Before: 20 s to several minutes for these 200 KB; now about 0.1 s.
    assert time.perf_counter() - started < 4, unit


# --- redaction: a token after an escape, written through escapes, or cut invisibly -------------


@pytest.mark.parametrize("escape", ["\\n", "\\t", "\\r", "%20", "%0A", "\\u0022", "\\x20"])
@pytest.mark.parametrize("seed", range(5))
def test_an_aws_key_id_after_an_escape_is_masked(escape: str, seed: int) -> None:
    """`"…\\nAKIA…"` in a JSON line: the `n` of the escape was read as a letter the id was
    glued to, so the id was not a token there (nor random-looking): shown whole."""
    key_id = _fake("aws-access-key-id", seed)
    shown = redact_text(f'{{"log": "deploy{escape}{key_id}"}}')
    assert key_id not in shown and key_id[4:] not in shown, shown
    assert f"{escape}AKIA…" in shown or f"{escape}ASIA…" in shown, shown


@pytest.mark.parametrize("seed", range(8))
def test_a_percent_encoded_aws_secret_is_masked_whole(seed: int) -> None:
    """The random-run rule stopped at `%2F`: the 17 characters after it were shown."""
    rng = random.Random(seed)  # noqa: S311
    while True:
        secret = _fake("aws-secret-access-key", rng.randrange(10**6))
        if "/" in secret or "+" in secret:
            break
    url = "https://api.example.test/v1/keys?secret_key_value=1&q=" + urllib.parse.quote(secret, "")
    shown = redact_text(url)
    assert _shows_a_piece(secret, shown) is None, shown
    assert fingerprint(secret)[7:] in shown  # the token's own fingerprint, as everywhere
    assert shown.startswith("https://api.example.test/v1/keys?")


@pytest.mark.parametrize("name", ["aws-secret-access-key", "openai", "gitlab", "slack"])
def test_a_token_in_json_with_escaped_slashes_or_unicode_escapes_is_masked(name: str) -> None:
    """PHP and others write `\\/`; a careful encoder writes `\\u002d`: each cut a token into
    pieces, the last of which was shown."""
    for seed in range(20):
        token = _fake(name, seed)
        escaped = json.dumps({"value": token}).replace("/", "\\/").replace("-", "\\u002d")
        shown = redact_text(escaped)
        assert _shows_a_piece(token, shown) is None, shown


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u2060", "\ufeff"])
@pytest.mark.parametrize("name", ["github-classic", "gitlab", "huggingface", "google"])
def test_a_token_cut_by_an_invisible_character_is_masked(invisible: str, name: str) -> None:
    for seed in range(10):
        token = _fake(name, seed)
        cut = len(token) // 2
        shown = redact_text(f"server said {token[:cut]}{invisible}{token[cut:]} ok")
        assert _shows_a_piece(token, shown) is None, shown
        assert shown.startswith("server said ") and shown.endswith(" ok")


def test_a_routable_gitlab_token_keeps_no_tail_when_a_word_is_glued_after_it() -> None:
    for seed in range(10):
        token = _fake("gitlab", seed)
        if ".01." not in token and token.count(".") != 1:
            continue
        shown = redact_text(f"{token}abc")
        assert token[-9:] not in shown, shown


@pytest.mark.parametrize(
    "text",
    [
        "https://registry.npmjs.org/@modelcontextprotocol%2Fserver-github",
        "/files/quarterly%20report%2D2024-final.pdf",
        "C:\\\\Users\\\\alice\\\\AppData\\\\Roaming\\\\Claude\\\\config.json",
        '{"path": "\\/home\\/alice\\/.cursor\\/mcp.json"}',
        "ATOM-INC-20261124-001-github-mcp-poisoning\\nATOM-INC-20261124-002-sk-hynix-leak",
        "line one\\nAKIA is how an AWS key id starts",
        "%E2%80%9Cquoted%E2%80%9D get_file_contents%2Csearch_code",
        "commit 3f786850e387550fdab836ed7e6dc881de23001b\\tid 550e8400-e29b-41d4-a716-44665544",
        "zero\u200bwidth\u200bjoined\u200bwords and a soft\u00adhyphen\u00adated name",
    ],
)
def test_escaped_ordinary_text_stays_as_it_was(text: str) -> None:
    assert redact_text(text) == text
