"""CODEOWNERS as GitHub reads it: the documented examples, owner matching for the audit, and a
fuzzed parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.config.codeowners import OWNER, CodeOwners, load, owner_of, parse

# GitHub's own example file (docs: "About code owners"), trimmed to what the cases use.
EXAMPLE = """\
# comment
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
/deep/ @team
/deep/github @team/special
\\#notes @hash
[abc].md @ignored
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("README.md", ("@global-owner1", "@global-owner2")),
        ("src/app.js", ("@js-owner",)),
        ("x/y/main.go", ("docs@example.com",)),
        ("build/logs/today.txt", ("@octocat",)),  # **/logs comes later and wins
        ("build/logs/sub/deep.txt", ("@octocat",)),
        ("docs/getting-started.md", ("@doctocat",)),  # /docs/ comes after docs/*
        ("scripts/x.sh", ("@doctocat", "@octocat")),
        ("deeply/nested/logs/x", ("@octocat",)),
        ("apps/github", ()),  # a pattern with no owners leaves its paths unowned
        ("apps/other/x", ("@octocat",)),
        ("deep/github/x", ("@team/special",)),
        ("deep/other", ("@team",)),
        ("#notes", ("@hash",)),
        ("a.md", ("@global-owner1", "@global-owner2")),  # [..] ranges are not supported
    ],
)
def test_github_documented_examples(path: str, owners: tuple[str, ...]) -> None:
    rule = owner_of(parse(EXAMPLE), path)
    assert rule is not None
    assert rule.owners == owners


@pytest.mark.parametrize(
    ("text", "path", "owned"),
    [
        ("docs/* @d\n", "docs/a.md", True),
        ("docs/* @d\n", "docs/sub/a.md", False),  # direct children only
        ("docs/* @d\n", "x/docs/a.md", False),  # a middle slash anchors
        ("docs/ @d\n", "x/docs/a.md", True),
        ("docs/ @d\n", "docs", False),  # a trailing slash names a directory, not a file
        ("docs @d\n", "docs", True),
        ("docs/*/ @d\n", "docs/sub/deep/a.md", True),
        ("/.mcp.json @s\n", ".mcp.json", True),
        ("/.mcp.json @s\n", "packages/a/.mcp.json", False),
        (".mcp.json @s\n", "packages/a/.mcp.json", True),
        ("/.vscode/ @s\n", ".vscode/mcp.json", True),
        ("**/mcp.json @s\n", ".cursor/mcp.json", True),
        ("/a/**/b @s\n", "a/b", True),
        ("/a/**/b @s\n", "a/x/y/b", True),
        ("/a/** @s\n", "a/x/y", True),
        ("*.json @s\n", ".cursor/mcp.json", True),
        ("?.json @s\n", "a.json", True),
        ("?.json @s\n", "ab.json", False),
        ("", ".mcp.json", False),
        ("!x @s\n", "x", False),
        ("x not-an-owner\n", "x", False),  # invalid owner: GitHub skips the line
        ("x @org/team me@example.com\n", "x", True),
    ],
)
def test_patterns(text: str, path: str, owned: bool) -> None:
    rule = owner_of(parse(text), path)
    assert (rule is not None and bool(rule.owners)) is owned


# The audit's use: is a commit's author an owner of the path it changed?
OWNERS = """\
# comment
*                 @everyone
/.mcp.json        alex@corp.example
docs/             @docs-team
**/mcp.json       @org/mcp-team  # trailing comment
.vscode/mcp.json  @vscode-owner
"""


def test_owners_by_email_or_github_noreply_handle() -> None:
    rules = CodeOwners.read(OWNERS)
    assert rules.owners(".mcp.json") == ("alex@corp.example",)
    assert rules.owners("sub/.mcp.json") == ("@everyone",)  # `/` anchors to the root
    assert rules.owners("docs/a/b.json") == ("@docs-team",)
    assert rules.owners(".cursor/mcp.json") == ("@org/mcp-team",)
    assert rules.owners(".vscode/mcp.json") == ("@vscode-owner",)
    assert rules.owns(".mcp.json", "Alex@Corp.example")
    assert not rules.owns(".mcp.json", "eve@elsewhere.example")
    assert rules.owns("README", "42+everyone@users.noreply.github.com")
    assert rules.owns("README", "everyone@users.noreply.github.com")
    assert not rules.owns("README", "everyone@example.com")  # a handle is not any address
    assert not rules.owns(".cursor/mcp.json", "mcp-team@users.noreply.github.com")  # a team


def test_load_takes_the_first_file_github_reads(tmp_path: Path) -> None:
    assert load(None) == CodeOwners(None) == load(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @docs\n")
    (tmp_path / "CODEOWNERS").write_text("* @root\n")
    found = load(tmp_path)
    assert found.path == tmp_path / "CODEOWNERS" and found.owners("x") == ("@root",)


_PATHS = st.lists(
    st.text(alphabet="ab.*?/_-", min_size=1, max_size=6).filter(lambda p: "/" not in p),
    min_size=1,
    max_size=4,
).map("/".join)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300), _PATHS)
def test_fuzz_any_text_parses_and_the_last_catch_all_wins(text: str, path: str) -> None:
    rules = parse(text)
    owner_of(rules, path)  # never raises
    final = parse(text + "\n* @last\n")
    rule = owner_of(final, path)
    assert rule is not None and rule.owners == ("@last",)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab*?/.\\# \t!@[]", max_size=40), _PATHS)
def test_fuzz_pattern_characters(pattern: str, path: str) -> None:
    rules = parse(f"{pattern} @o\n")
    for rule in rules:  # a line is one rule: a pattern, then its owners
        assert rule.pattern and not rule.pattern.startswith(("!", "#"))
        assert "[" not in rule.pattern and all(OWNER.fullmatch(o) for o in rule.owners)
    owner_of(rules, path)


@settings(max_examples=150, deadline=None)
@given(st.text(), st.text(max_size=40))
def test_fuzz_owner_matching_never_raises(text: str, email: str) -> None:
    rules = CodeOwners.read(text)
    rules.owners("a/.mcp.json")
    rules.owns(".mcp.json", email)
