"""The one console every table is drawn on: plain text off a terminal or under NO_COLOR, folded
(never cut) on a narrow terminal, every cell masked and shown as written; and the tables of
`mcpir playbook`, which have no test module of their own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcpir.output.terminal import MIN_WIDTH, cell, fit, lines, rendered, table, wrapped
from tests.conftest import RunCli

ESCAPE = "\x1b["
LONG = "/very/long/path/" + "/".join(f"segment{i:02d}" for i in range(30)) + "/.mcp.json"


def _sample() -> str:
    drawn = table("severity", "where")
    drawn.add_row(cell("high", "bold red"), cell(LONG))
    drawn.add_row(cell("low", "cyan"), lines(cell("first"), cell("second", "dim")))
    return rendered(drawn, tty=True)


@pytest.fixture(autouse=True)
def _colour_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")


def test_a_terminal_gets_colour_and_a_header() -> None:
    text = _sample()
    assert ESCAPE in text
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert plain.splitlines()[0].split() == ["severity", "where"]


def test_no_color_on_a_terminal_means_no_escape_code_at_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    text = _sample()
    assert "\x1b" not in text
    assert text.splitlines()[0].split() == ["severity", "where"]


@pytest.mark.parametrize("columns", ["40", "200"])
def test_a_pipe_gets_plain_text_100_columns_wide_whatever_the_terminal(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    drawn = table("a", "b")
    drawn.add_row(cell("x" * 50), cell("y" * 45))
    text = rendered(drawn, tty=False)
    assert "\x1b" not in text
    assert "x" * 50 + "  " + "y" * 45 in text  # one row: 40 columns would have folded it
    drawn = table("a", "b")
    drawn.add_row(cell("z"), cell("w" * 150))
    text = rendered(drawn, tty=False)
    assert [len(line) for line in text.splitlines()[1:]] == [MIN_WIDTH, 56]  # 200: one line
    assert MIN_WIDTH == 100


def test_fit_gives_the_flex_column_what_the_capped_ones_leave() -> None:
    drawn = fit(table("rule", "where", "finding"), "finding", caps={"where": 20})
    drawn.add_row(cell("r" * 10), cell("/p" * 30), cell("word " * 60))
    text = rendered(drawn, tty=False)
    assert text.splitlines()[0].split() == ["rule", "where", "finding"]
    assert max(len(line) for line in text.splitlines()) <= 100
    # the path folds at 20 and the finding has the other 66 columns (10 + 2 + 20 + 2 + 66)
    assert text.splitlines()[1][34:] == "word " * 12 + "word"
    assert "".join(line[12:32].strip() for line in text.splitlines()[1:]) == "/p" * 30


def test_a_wrapped_line_folds_at_the_width_and_loses_nothing() -> None:
    text = rendered(wrapped(cell("/segment" * 40)), tty=False)
    assert [len(line) for line in text.splitlines()] == [100, 100, 100, 20]
    assert "".join(text.splitlines()) == "/segment" * 40


def test_a_narrow_terminal_folds_a_long_cell_and_hides_none_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("NO_COLOR", "1")
    text = _sample()
    assert max(len(line) for line in text.splitlines()) <= 40
    assert "…" not in text
    folded = "".join(line[len("severity  ") :].strip() for line in text.splitlines()[1:])
    assert LONG in folded


def test_no_line_ends_in_padding() -> None:
    drawn = table("name", "note")
    drawn.add_row(cell("a"), cell(""))
    drawn.add_row(cell("a longer name"), cell("x"))
    text = rendered(drawn, tty=False)
    assert text.splitlines()[1] == "a"
    assert all(line == line.rstrip() for line in text.splitlines())


def test_a_cell_is_masked_and_its_markup_and_escapes_are_shown_not_obeyed() -> None:
    from tests.test_audit import _token

    token = _token()
    drawn = table("name")
    drawn.add_row(cell(f"[bold red]ok[/] :warning: {token}\x1b[2J\nforged row"))
    text = rendered(drawn, tty=False)
    assert token[4:] not in text
    assert "[bold red]ok[/] :warning:" in text
    assert "\x1b" not in text and "\\x1b[2J\\nforged row" in text
    assert len(text.splitlines()) == 2  # the header and one row


def test_playbook_list_is_a_table_that_keeps_a_bad_file_in_its_place(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "a-bad.yml").write_text("steps: [\n")
    (tmp_path / "playbooks" / "b-good.yaml").write_text(
        "version: 1\nname: pager\nsteps:\n  - id: page\n    title: Page\n    task: page-oncall\n"
    )
    monkeypatch.chdir(tmp_path)
    done = run_cli("playbook", "list")
    assert done.code == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line and not line[0].isspace()]
    assert rows[0] == ["playbook", "from", "steps", "description"]
    assert [row[:2] for row in rows[1:]] == [
        ["incident-response", "built-in"],
        ["invalid", "playbooks/a-bad.yml"],
        ["pager", "playbooks/b-good.yaml"],
    ]
    assert rows[3][2] == "1"


def test_playbook_show_flags_a_step_this_mcpir_cannot_run(run_cli: RunCli, tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text(
        "version: 1\nname: mine\nsteps:\n  - id: contain\n    title: C\n    task: contain\n"
        "  - id: page\n    title: Page\n    task: page-oncall\n    approval: true\n"
    )
    done = run_cli("playbook", "show", book)
    assert done.code == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == f"mine:   ({book})"
    assert out[2].split() == ["#", "step", "title", "task", "params", "flags"]
    assert out[3].split() == ["1", "contain", "C", "contain", "{}", "on_failure=stop"]
    assert out[4].split() == [
        "2", "page", "Page", "page-oncall", "{}", "on_failure=stop,", "needs", "approval,",
        "UNAVAILABLE",
    ]  # fmt: skip
