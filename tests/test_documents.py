"""Reading and parsing config files: JSONC edge cases, positions, and every kind of bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mcpir.core import documents
from mcpir.core.documents import DocumentError, decode, parse_json, parse_toml, parse_yaml
from mcpir.core.model import Format


def test_strict_json_is_labelled_json() -> None:
    doc = parse_json('{"mcpServers": {"a": {"command": "x"}}}')
    assert doc.format is Format.JSON
    assert doc.data == {"mcpServers": {"a": {"command": "x"}}}


@pytest.mark.parametrize(
    "text",
    [
        '// leading comment\n{"mcpServers": {"a": {"command": "x"}}}',
        '{"mcpServers": {"a": {"command": "x",},},}',
        '{\n  /* block\n comment */ "mcpServers": {"a": {"command": "x"}}\n}',
        '{"mcpServers": {"a": {"command": "x"}}} // trailing',
    ],
)
def test_jsonc_comments_and_trailing_commas(text: str) -> None:
    doc = parse_json(text)
    assert doc.format is Format.JSONC
    assert doc.data["mcpServers"]["a"]["command"] == "x"


def test_bom_and_crlf() -> None:
    raw = b'\xef\xbb\xbf{\r\n  "mcpServers": {\r\n    "a": {"command": "x"}\r\n  }\r\n}\r\n'
    doc = parse_json(decode(raw))
    assert doc.data["mcpServers"]["a"]["command"] == "x"
    assert doc.line_of(("mcpServers", "a")) == 3


def test_comment_containing_a_server_name_does_not_move_the_line() -> None:
    text = '{\n  // "a": old definition\n  "mcpServers": {\n    "a": {"command": "x"}\n  }\n}\n'
    assert parse_json(text).line_of(("mcpServers", "a")) == 4


def test_duplicate_keys_point_at_the_last_one_like_the_parsers() -> None:
    text = '{"mcpServers": {\n"a": {"command": "old"},\n"a": {"command": "new"}\n}}'
    doc = parse_json(text)
    assert doc.data["mcpServers"]["a"]["command"] == "new"
    assert doc.line_of(("mcpServers", "a")) == 3


def test_escaped_key_is_located() -> None:
    text = '{"mcpServers": {\n"caf\\u00e9 \\"x\\"": {"command": "x"}}}'
    assert parse_json(text).line_of(("mcpServers", 'café "x"')) == 2


def test_toml_positions_for_bare_quoted_and_inline_tables() -> None:
    text = (
        'model = "x"\n\n[mcp_servers.plain]\ncommand = "a"\n\n'
        '[mcp_servers."with space"]\ncommand = "b"\n\n[mcp_servers]\ninline = { command = "c" }\n'
    )
    doc = parse_toml(text)
    assert doc.line_of(("mcp_servers", "plain")) == 3
    assert doc.line_of(("mcp_servers", "with space")) == 6
    assert doc.line_of(("mcp_servers", "inline")) == 10


def test_yaml_positions_in_a_list() -> None:
    doc = parse_yaml("name: x\nmcpServers:\n  - name: a\n    command: x\n  - name: b\n")
    assert doc.line_of(("mcpServers", 1)) == 5


@pytest.mark.parametrize(
    ("text", "line"),
    [('{\n"a": 1,,\n}', 2), ('{\n"a": [1,\n', 2), ('{"a": 1}\n{"b": 2}', 2)],
)
def test_malformed_json_names_the_line(text: str, line: int) -> None:
    with pytest.raises(DocumentError, match=rf"^line {line}: malformed JSON"):
        parse_json(text)


def test_malformed_toml_and_yaml_name_the_line() -> None:
    with pytest.raises(DocumentError, match="line 2"):
        parse_toml("a = 1\nb = = 2\n")
    with pytest.raises(DocumentError, match="^line 2: malformed YAML"):
        parse_yaml("a: [1\nb: }\n")


def test_binary_utf16_and_non_utf8_are_refused() -> None:
    with pytest.raises(DocumentError, match="binary"):
        decode(b'{"a":\n 1\x00}')
    with pytest.raises(DocumentError, match="UTF-16"):
        decode('{"a": 1}'.encode("utf-16"))
    with pytest.raises(DocumentError, match="^line 2: not UTF-8"):
        decode(b'{\n"a": "\xff"}')


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(documents.MAX_BYTES + 1)
    with pytest.raises(DocumentError, match="too large"):
        documents.read_text(big)


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "mcp.json"
    os.mkfifo(fifo)
    with pytest.raises(DocumentError, match="not a regular file"):
        documents.read_text(fifo)


def test_directory_named_like_a_config_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="unreadable|not a regular file"):
        documents.read_text(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mcp.json"
    path.write_text("{}")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads every file: make the open fail as it would for a user

        def refuse(*_: object) -> int:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(DocumentError, match="permission denied"):
        documents.read_text(path)
