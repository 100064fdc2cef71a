"""The README is for a user under stress: short, the incident first, the reference in docs/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_is_short_and_starts_with_what_to_do() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 250
    box = text.index("Suspect a compromise?")
    assert box < text.index("## The two commands") < text.index("## A short tour")
    for step in ("respond --dry-run", "mcpir respond", "tokens rotate", "mcpir report", "close"):
        assert step in text[box : text.index("## The two commands")], step


def test_every_docs_page_is_linked_from_the_readme() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    pages = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))
    assert pages
    assert [p for p in pages if f"]({p})" not in text] == []


def test_the_readmes_exit_codes_are_the_codes_the_commands_document() -> None:
    from mcpir.cli.exits import markdown

    assert markdown().strip() in (ROOT / "README.md").read_text(encoding="utf-8")
