"""Red team of the four leftover fixes (redaction of glued tokens, configs opened without
following links, revisions starting with '-', a damaged keyring entry): each weakness found,
reproduced here before its fix."""

from __future__ import annotations

import importlib
import json
import os
import random
import sqlite3
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from mcpir.core import documents, no_follow
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_text
from mcpir.core.secret import fingerprint
from mcpir.secrets.formats import REGISTRY
from tests.conftest import RunCli
from tests.test_action import _git, actions_env, repo  # noqa: F401 - fixtures

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
        # A ticket's number in a branch among words: masked before (`sk-` + 20 characters).
        "Merge pull request #12 from acme/sk-1234-fix-login-flow-for-users",
        "v1.2.3-sk-proj-1234567890-release-notes",
        # A name glued after an escaped join is a name, as after the join itself.
        "/srv/files%2Fsk-tools-for-everything-here/bin",
        '{"package": "mcp\\/sk-learn-extra-package-name"}',
    ],
)
def test_escaped_ordinary_text_stays_as_it_was(text: str) -> None:
    assert redact_text(text) == text


# --- configs and state opened with no link followed --------------------------------------------


def _database(path: Path, worktree: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE project (worktree TEXT)")
        connection.execute("INSERT INTO project VALUES (?)", (worktree,))
    connection.close()


def _swap_after_state_check(monkeypatch: pytest.MonkeyPatch, swap: object) -> None:
    from mcpir.discovery import state

    checked = state.state_file

    def then_swap(
        path: Path, scopes: Scopes, max_bytes: int = state.MAX_STATE_BYTES
    ) -> Path | None:
        answer = checked(path, scopes, max_bytes)
        swap()  # type: ignore[operator]
        return answer

    monkeypatch.setattr(state, "state_file", then_swap)


def test_a_client_database_swapped_for_a_fifo_after_its_check_does_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """opencode's and VS Code's SQLite state: checked (a regular file inside the home), then
    opened by name, following links and blocking: a FIFO swapped in hung discovery for ever."""
    from mcpir.discovery import state

    home = tmp_path / "home"
    home.mkdir()
    db = home / "opencode.db"
    _database(db, "/home/alice/project")
    scopes = Scopes(home=home, root=tmp_path, only_root=True)
    assert state.sqlite_strings(db, scopes, "project", "worktree") == ["/home/alice/project"]

    def to_fifo() -> None:
        db.unlink()
        os.mkfifo(db)

    _swap_after_state_check(monkeypatch, to_fifo)
    result: list[list[str]] = []
    reader = threading.Thread(
        target=lambda: result.append(state.sqlite_strings(db, scopes, "project", "worktree")),
        daemon=True,
    )
    reader.start()
    reader.join(5)
    if reader.is_alive():  # release the blocked open before failing
        os.close(os.open(db, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)
        pytest.fail("reading a client database swapped for a FIFO hung")
    assert result == [[]]


def test_a_client_database_swapped_for_a_link_out_of_the_home_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcpir.discovery import state

    home, outside = tmp_path / "home", tmp_path / "root-only.db"
    home.mkdir()
    db = home / "opencode.db"
    _database(db, "/home/alice/project")
    _database(outside, "/root/secret-project")
    scopes = Scopes(home=home, root=tmp_path, only_root=True)

    def to_link() -> None:
        db.unlink()
        db.symlink_to(outside)

    _swap_after_state_check(monkeypatch, to_link)
    assert state.sqlite_strings(db, scopes, "project", "worktree") == []


def test_without_o_path_a_directory_swapped_for_a_link_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS has no O_PATH: only the file itself was opened O_NOFOLLOW, so a directory on its
    path swapped for a symlink (`~/.cursor` -> /root/.cursor) was followed. Each directory is
    now opened O_RDONLY|O_DIRECTORY|O_NOFOLLOW there; here Linux is made to look like macOS."""
    home, outside = tmp_path / "home", tmp_path / "outside"
    (home / ".cursor").mkdir(parents=True)
    outside.mkdir()
    (home / ".cursor" / "mcp.json").write_text('{"mcpServers": {}}')
    (outside / "mcp.json").write_text('{"mcpServers": {"root-only": {"command": "x"}}}')
    real = os.path.realpath(home / ".cursor" / "mcp.json")
    monkeypatch.delattr(os, "O_PATH")
    try:
        importlib.reload(no_follow)
        assert "mcpServers" in documents.read_text(home / ".cursor" / "mcp.json", real)
        (home / ".cursor").rename(home / ".cursor-old")
        (home / ".cursor").symlink_to(outside)
        with pytest.raises(documents.DocumentError, match="symlink"):
            documents.read_text(home / ".cursor" / "mcp.json", real)
    finally:
        monkeypatch.undo()
        importlib.reload(no_follow)


# --- revisions that git itself names -------------------------------------------------------------


def test_refs_named_like_options_reach_git_as_refs_never_as_options(
    repo: tuple[Path, str],  # noqa: F811
    actions_env: dict[str, Path],  # noqa: F811
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A branch, a tag, `origin/HEAD` and `init.defaultBranch` named `--output=FILE`: the
    audit passes git's own names (`refs/heads/…`, `--branches`), never a bare name. Held
    already (no fix); kept so it stays so."""
    root, _base = repo
    head = _git(root, "rev-parse", "HEAD")
    for ref in ("refs/heads/--output=out-branch", "refs/tags/--output=out-tag",
                "refs/remotes/origin/--output=out-remote"):  # fmt: skip
        _git(root, "update-ref", ref, head)
    _git(
        root, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/--output=out-remote"
    )
    _git(root, "symbolic-ref", "HEAD", "refs/heads/--output=out-branch")
    _git(root, "config", "init.defaultBranch", "--output=out-config")
    monkeypatch.chdir(tmp_path)
    for args in (("audit", "--root", root, "--json"), ("audit", "--root", root, "--all-refs"),
                 ("action", "--root", root, "--audit", "full", "--event", "schedule")):  # fmt: skip
        done = run_cli(*args)
        assert done.code in (0, 1), (args, done.stdout + done.stderr)
        assert "Traceback" not in done.stderr
    written = [p for p in (*root.iterdir(), *tmp_path.iterdir()) if p.name.startswith("out-")]
    assert written == []
