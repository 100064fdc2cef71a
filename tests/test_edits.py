"""In-place edits: the intended value, and not one byte more changed, on real client files."""

from __future__ import annotations

import copy
import json
import random
import tomllib
from typing import Any

import pyjson5
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mcpir.edits import (
    EditError,
    KeyPath,
    changed_spans,
    json_add_to_list,
    json_rename_key,
    json_set_member,
    toml_rename_table,
    toml_set,
    yaml_rename_key,
)
from mcpir.edits._common import equal_strictly


def assert_edit(before: str, after: str, old: str, new: str) -> None:
    """`after` is `before` with its one `old` made `new`: every other byte is the same."""
    assert before.count(old) == 1, old
    assert after == before.replace(old, new)


def is_subsequence(before: str, after: str) -> bool:
    chars = iter(after)
    return all(char in chars for char in before)


WINDSURF = (
    '{\r\n\t"mcpServers": {\r\n\t\t"github": {\r\n\t\t\t"command": "npx",\r\n'
    '\t\t\t"args": ["-y", "@modelcontextprotocol/server-github"]\r\n\t\t},\r\n'
    '\t\t"evil": {\r\n\t\t\t"serverUrl": "https://evil.example/mcp"\r\n\t\t}\r\n\t}\r\n}\r\n'
)
CLINE = """{
  "mcpServers": {
    "evil": {
      "command": "uvx",
      "args": ["evil-mcp"],
      "disabled": false,
      "autoApprove": ["read_file"]
    }
  }
}
"""
ZED = """// Zed settings
//
// For information on how to configure Zed, see the Zed documentation.
{
  "theme": "One Dark", // dark is better
  "context_servers": {
    // the database, added by hand
    "postgres": {
      "command": {"path": "npx", "args": ["-y", "@x/pg"],},
      "settings": {},
    },
  },
  "vim_mode": true,
}
"""
CLAUDE_JSON = """{
  "numStartups": 42,
  "userID": "Zoë 😀 ünïcode before the target",
  "projects": {
    "/home/zoë/code/app": {
      "allowedTools": [],
      "mcpServers": {},
      "disabledMcpServers": [
        "old"
      ]
    },
    "/abs/dir": {
      "allowedTools": [],
      "history": [{"display": "ça va", "pastedContents": {}}],
      "enabledMcpjsonServers": []
    }
  },
  "mcpServers": {
    "evil": {"type": "stdio", "command": "npx", "args": ["evil"]}
  }
}"""
GEMINI = '{\n  "theme": "GitHub",\n  "mcpServers": {\n    "evil": {"command": "evil"}\n  }\n}\n'
VSCODE = """{
    // Editor
    "editor.fontSize": 14,
    /* Chat */
    "chat.agent.enabled": true,
}"""
DESKTOP = """{
  "mcpServers": {
    "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem"]}
  },
  "preferences": {"quickEntryShortcut": "off", "menuBarEnabled": false}
}
"""
CODEX = """# Codex CLI configuration
model = "o3"

[mcp_servers.docs] # documentation server
command = "npx"
args = ["-y", "docs-mcp"]  # pinned later

# the one with a space; keep this comment above its table
[mcp_servers."weird name"]
command = "uvx"

[mcp_servers]
inline = { command = "y", args = [] }  # inline table
"""
CONTINUE = """# Continue assistant
name: My Assistant
version: 1.0.0
schema: v1
models:
  - name: Claude
    provider: anthropic
mcpServers: # added by the team
  - name: evil
    command: npx
    args: ["-y", "evil-mcp"]
rules: []
"""


@pytest.mark.parametrize(
    ("before", "after", "spans"),
    [
        ("same", "same", []),
        ('{"a": 1}', '{"k": 2, "a": 1}', [(2, 2)]),  # after the longest common prefix
        ("x = 1\ny = 2\n", "x = 9\ny = 2\nz = 3\n", [(4, 5), (11, 11)]),
        ("héllo 😀 wörld", "héllo 😀 world", [(9, 10)]),
    ],
)
def test_changed_spans(before: str, after: str, spans: list[tuple[int, int]]) -> None:
    assert changed_spans(before, after) == spans


def reads_json(text: str) -> Any:
    return pyjson5.loads(text)


def at(value: Any, path: KeyPath) -> Any:
    for key in path:
        value = value[key]
    return value


@pytest.mark.parametrize(
    ("text", "path", "key", "value", "old", "new"),
    [
        (
            WINDSURF,
            ("mcpServers", "evil"),
            "disabled",
            True,
            '"evil": {',
            '"evil": {\r\n\t\t\t"disabled": true,',
        ),
        (CLINE, ("mcpServers", "evil"), "disabled", True, "false", "true"),
        (
            ZED,
            ("context_servers", "postgres"),
            "enabled",
            False,
            '"postgres": {',
            '"postgres": {\n      "enabled": false,',
        ),
        (VSCODE, (), "chat.mcp.access", "none", "{", '{\n    "chat.mcp.access": "none",'),
    ],
)
@pytest.mark.parametrize("crlf", [False, True])
def test_set_member_on_real_files(
    text: str, path: KeyPath, key: str, value: object, old: str, new: str, crlf: bool
) -> None:
    if crlf and "\r" not in text:
        text, old, new = (part.replace("\n", "\r\n") for part in (text, old, new))
    after = json_set_member(text, path, key, value)
    expected = reads_json(text)
    at(expected, path)[key] = value
    assert equal_strictly(reads_json(after), expected)
    assert_edit(text, after, old, new)
    assert json_set_member(after, path, key, value) == after
    assert all(line in after for line in text.splitlines() if "//" in line or "/*" in line)


def test_set_member_replaces_only_the_value_and_keeps_crlf() -> None:
    text = VSCODE.replace("\n", "\r\n")
    after = json_set_member(text, (), "editor.fontSize", 'x"\\é')
    assert_edit(text, after, ": 14", ': "x\\"\\\\é"')


def test_claude_json_disables_per_project_servers() -> None:
    project = ("projects", "/abs/dir")
    after = json_add_to_list(CLAUDE_JSON, project, "disabledMcpServers", ["evil", "other"])
    assert reads_json(after)["projects"]["/abs/dir"]["disabledMcpServers"] == ["evil", "other"]
    new = '"/abs/dir": {\n      "disabledMcpServers": ["evil", "other"],'
    assert_edit(CLAUDE_JSON, after, '"/abs/dir": {', new)
    again = json_add_to_list(after, project, "disabledMcpServers", ["other", "third"])
    assert_edit(after, again, '["evil", "other"]', '["evil", "other", "third"]')
    assert json_add_to_list(again, project, "disabledMcpServers", ["third"]) == again
    home = ("projects", "/home/zoë/code/app")
    appended = json_add_to_list(CLAUDE_JSON, home, "disabledMcpServers", ["evil", "old"])
    assert_edit(CLAUDE_JSON, appended, '"old"\n', '"old",\n        "evil"\n')
    with pytest.raises(EditError, match="no projects"):
        json_add_to_list(CLAUDE_JSON, ("projects", "/nowhere"), "disabledMcpServers", ["x"])


def test_big_claude_json_changes_one_line() -> None:
    projects = {
        f"/home/zoë/p{n}": {"allowedTools": ["Bash(ls:*)"], "history": [{"display": "é😀" * 9}]}
        for n in range(400)
    }
    document = {"numStartups": 7, "tipsHistory": {"a": 1}, "projects": projects, "userID": "ü"}
    text = json.dumps(document, indent=2, ensure_ascii=False)
    path = ("projects", "/home/zoë/p321")
    after = json_add_to_list(text, path, "disabledMcpServers", ["evil"])
    old = '"/home/zoë/p321": {\n'
    assert_edit(text, after, old, old + '      "disabledMcpServers": ["evil"],\n')
    at(document, path)["disabledMcpServers"] = ["evil"]
    assert equal_strictly(reads_json(after), document)


@pytest.mark.parametrize(("text", "first"), [(CLAUDE_JSON, "evil"), (DESKTOP, "filesystem")])
def test_rename_top_level_servers(text: str, first: str) -> None:
    renamed = "mcpServers"
    after = json_rename_key(text, (), renamed, "mcpServers.disabled-by-mcpir")
    old = f'"mcpServers": {{\n    "{first}"'
    assert_edit(text, after, old, old.replace("mcpServers", "mcpServers.disabled-by-mcpir"))
    value = reads_json(after)
    assert "mcpServers" not in value and value["mcpServers.disabled-by-mcpir"]
    assert reads_json(after).keys() - {"mcpServers.disabled-by-mcpir"} == (
        reads_json(text).keys() - {"mcpServers"}
    )
    assert json_rename_key(after, (), renamed, "mcpServers.disabled-by-mcpir") == after
    with pytest.raises(EditError, match="already has"):
        json_rename_key(text, (), "mcpServers", "preferences" if text is DESKTOP else "projects")


def test_gemini_excludes_servers_creating_the_mcp_object() -> None:
    with pytest.raises(EditError, match="no mcp"):
        json_add_to_list(GEMINI, ("mcp",), "excluded", ["evil"])
    after = json_add_to_list(GEMINI, ("mcp",), "excluded", ["evil"], create_parents=True)
    assert_edit(GEMINI, after, '{\n  "theme"', '{\n  "mcp": {"excluded": ["evil"]},\n  "theme"')
    assert json_add_to_list(after, ("mcp",), "excluded", ["evil"], create_parents=True) == after
    more = json_add_to_list(after, ("mcp",), "excluded", ["b", "evil"])
    assert reads_json(more)["mcp"] == {"excluded": ["evil", "b"]}
    allowed = GEMINI.replace('"theme"', '"mcp": {\n    "allowed": ["x"]\n  },\n  "theme"')
    after = json_add_to_list(allowed, ("mcp",), "excluded", ["evil"])
    assert_edit(allowed, after, '"mcp": {', '"mcp": {\n    "excluded": ["evil"],')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{}", '{"k": 1}'),
        ("{ }", '{ "k": 1 }'),
        ('{"a":1}', '{"k":1, "a":1}'),
        ('{ "a": 1, "b": 2 }', '{ "k": 1, "a": 1, "b": 2 }'),
        ('{ // why\n  "a": 1\n}', '{ // why\n  "k": 1,\n  "a": 1\n}'),
        ("{\n\t// nothing yet\n}", '{\n\t"k": 1\n\t// nothing yet\n}'),
    ],
)
def test_insertion_layouts(text: str, expected: str) -> None:
    assert json_set_member(text, (), "k", 1) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"l": []}', '{"l": ["x", "y"]}'),
        ('{"l": ["a",]}', '{"l": ["a", "x", "y",]}'),
        ('{"l": [\n  "a", // c\n]}', '{"l": [\n  "a", // c\n  "x",\n  "y",\n]}'),
        ('{"l": [\n  "a" /* c */\n]}', '{"l": [\n  "a", /* c */\n  "x",\n  "y"\n]}'),
        ('{"l": [\n  // none\n]}', '{"l": [\n  "x",\n  "y"\n  // none\n]}'),
    ],
)
def test_append_layouts(text: str, expected: str) -> None:
    assert json_add_to_list(text, (), "l", ["x", "y"]) == expected


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ('{"a": 1 "b": 2}', (), "malformed JSON"),
        ('{"mcpServers": []}', ("mcpServers",), "is an array, not an object"),
        ('{"mcpServers": {"x": "s"}}', ("mcpServers", "x"), "is a string, not an object"),
        ('{"a": {}}', ("b", "c"), "no b"),
        ('{"x": 1}', ("x",), "is a number"),
        ("{'single': {}}", ("single",), "syntax error"),
    ],
)
def test_refusals(text: str, path: KeyPath, message: str) -> None:
    with pytest.raises(EditError, match=message):
        json_set_member(text, path, "disabled", True)


def test_add_to_list_refusals() -> None:
    with pytest.raises(TypeError):
        json_add_to_list("{}", (), "l", "abc")
    with pytest.raises(EditError, match="is a number, not a list"):
        json_add_to_list('{"l": 1}', (), "l", ["x"])


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        (("mcp_servers", "docs"), "later\n", "later\nenabled = false\n"),
        (("mcp_servers", "weird name"), '"uvx"\n', '"uvx"\nenabled = false\n'),
        (("mcp_servers", "inline"), "[] }", "[], enabled = false }"),
    ],
)
def test_codex_toml_disables_servers(path: tuple[str, ...], old: str, new: str) -> None:
    for newline in ("\n", "\r\n"):
        text = CODEX.replace("\n", newline)
        after = toml_set(text, path, "enabled", False)
        assert_edit(text, after, old.replace("\n", newline), new.replace("\n", newline))
        expected = tomllib.loads(text)
        expected["mcp_servers"][path[1]]["enabled"] = False
        assert tomllib.loads(after) == expected
        assert toml_set(after, path, "enabled", False) == after
        assert "# the one with a space; keep this comment above its table" in after
        assert_edit(after, toml_set(after, path, "enabled", True), "= false", "= true")
    assert after.index("# the one") < after.index('[mcp_servers."weird name"]')


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("[a]\nx = {}\n", ("a", "x"), "[a]\nx = {enabled = false}\n"),
        ("[a]\nx = { }\n", ("a", "x"), "[a]\nx = { enabled = false }\n"),
        ('[a]\nx={b="c",d=1}\n', ("a", "x"), '[a]\nx={b="c",d=1,enabled=false}\n'),
        (
            '[a]\ns.cmd = "x" # c\ny = 1\n',
            ("a", "s"),
            '[a]\ns.cmd = "x" # c\ns.enabled = false\ny = 1\n',
        ),
        ("[a.b]", ("a", "b"), "[a.b]\nenabled = false"),
        ('[a]\nm = """x\n"""\n\n[b]\n', ("a",), '[a]\nm = """x\n"""\nenabled = false\n\n[b]\n'),
        ("d = 1979-05-27 07:32:00Z\n", (), "d = 1979-05-27 07:32:00Z\nenabled = false\n"),
    ],
)
def test_toml_layouts(text: str, path: tuple[str, ...], expected: str) -> None:
    assert toml_set(text, path, "enabled", False) == expected


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_codex_toml_moves_the_server_tables_aside(newline: str) -> None:
    text = CODEX.replace("\n", newline)
    after = toml_rename_table(text, ("mcp_servers",), ("mcp_servers_off",))
    assert after == text.replace("[mcp_servers", "[mcp_servers_off")
    expected = tomllib.loads(text)
    expected["mcp_servers_off"] = expected.pop("mcp_servers")
    assert tomllib.loads(after) == expected
    assert toml_rename_table(after, ("mcp_servers",), ("mcp_servers_off",)) == after


@pytest.mark.parametrize(
    ("text", "old", "new", "expected"),
    [
        ("a.b.c = 1\n[x]\n", ("a", "b"), ("a", "off"), "a.off.c = 1\n[x]\n"),
        ("a = { b = { c = 1 } }\n", ("a", "b"), ("a", "o k"), 'a = { "o k" = { c = 1 } }\n'),
        ("[[s.list]]\nx = 1\n[[s.list]]\n", ("s",), ("t",), "[[t.list]]\nx = 1\n[[t.list]]\n"),
    ],
)
def test_toml_rename_layouts(
    text: str, old: tuple[str, ...], new: tuple[str, ...], expected: str
) -> None:
    assert toml_rename_table(text, old, new) == expected


def test_toml_refusals() -> None:
    with pytest.raises(EditError, match="only rename"):
        toml_rename_table(CODEX, ("mcp_servers", "docs"), ("other", "docs"))
    with pytest.raises(EditError, match="already has"):
        toml_rename_table("[a]\n[b]\n", ("a",), ("b",))
    with pytest.raises(EditError, match="no table"):
        toml_set(CODEX, ("mcp_servers", "absent"), "enabled", False)
    with pytest.raises(EditError, match="malformed TOML"):
        toml_set("[a\n", ("a",), "enabled", False)
    with pytest.raises(EditError, match="is a table"):
        toml_set(CODEX, ("mcp_servers",), "docs", False)
    with pytest.raises(EditError, match="array of tables"):
        toml_set("[[a]]\nx = 1\n", ("a",), "enabled", False)


def test_continue_yaml_renames_servers() -> None:
    for text in (CONTINUE, CONTINUE.replace("\n", "\r\n")):
        after = yaml_rename_key(text, (), "mcpServers", "mcpServersDisabled")
        assert_edit(text, after, "mcpServers:", "mcpServersDisabled:")
        expected = yaml.safe_load(text)
        expected["mcpServersDisabled"] = expected.pop("mcpServers")
        assert yaml.safe_load(after) == expected
        assert "# added by the team" in after
        assert yaml_rename_key(after, (), "mcpServers", "mcpServersDisabled") == after


@pytest.mark.parametrize(
    ("text", "path", "new", "expected"),
    [
        ("{a: 1, 'mcpServers': [x]}", (), "off", "{a: 1, 'off': [x]}"),
        ('x:\n  "mcpServers": []\n', ("x",), "new\tname", 'x:\n  "new\\u0009name": []\n'),
        ("é: 1\nmcpServers: []\n", (), "true", 'é: 1\n"true": []\n'),
        ("- mcpServers: []\n", (0,), "disabled", "- disabled: []\n"),
    ],
)
def test_yaml_rename_layouts(text: str, path: KeyPath, new: str, expected: str) -> None:
    assert yaml_rename_key(text, path, "mcpServers", new) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("&k mcpServers: []\n", "anchor, tag or layout"),
        ("mcpServers: []\nother: 1\n", "already has"),
        ("a: [\n", "malformed YAML"),
        ("servers: []\n", "no key"),
    ],
)
def test_yaml_refusals(text: str, message: str) -> None:
    with pytest.raises(EditError, match=message):
        yaml_rename_key(text, (), "mcpServers", "other")


# Property: random JSONC documents, random edits: the intended value and nothing else, or EditError.

COMMENTS = ["note", "é ü 😀", '{"x": 1,}', "// nested", "/* open", "trailing,", "]", ""]
keys = st.text(st.characters(codec="utf-8"), max_size=6)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | keys
)
documents = st.recursive(
    st.dictionaries(keys, scalars, max_size=3),
    lambda inner: st.dictionaries(keys, inner | scalars | st.lists(keys, max_size=3), max_size=4),
    max_leaves=12,
)
new_values = scalars | st.lists(keys, max_size=2) | st.dictionaries(keys, scalars, max_size=2)


class Render:
    """JSONC text for a value, in a random layout, remembering where each object and key is."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd, self.parts, self.size = rnd, list[str](), 0
        self.newline = rnd.choice(["\n", "\r\n"])
        self.unit = rnd.choice(["  ", "    ", "\t", " "])
        self.objects: dict[KeyPath, tuple[int, int]] = {}
        self.keys: dict[KeyPath, tuple[int, int]] = {}

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def gap(self, depth: int) -> None:
        roll, note = self.rnd.random(), self.rnd.choice(COMMENTS)
        if roll < 0.15:
            self.put(f"/* {note} */")
        elif roll < 0.3:
            self.put(f" // {note}{self.newline}{self.unit * depth}")
        elif roll < 0.45:
            self.put(self.rnd.choice([" ", "\t", self.newline]))

    def string(self, text: str) -> str:
        return json.dumps(text, ensure_ascii=self.rnd.random() < 0.3)

    def value(self, value: Any, path: KeyPath, depth: int) -> None:
        if not isinstance(value, dict | list):
            self.put(json.dumps(value, ensure_ascii=self.rnd.random() < 0.3))
            return
        start, inline = self.size, self.rnd.random() < 0.3
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        self.put("{" if isinstance(value, dict) else "[")
        for number, (key, item) in enumerate(items):
            self.gap(depth + 1)
            self.put(
                self.rnd.choice(["", " "]) if inline else self.newline + self.unit * (depth + 1)
            )
            if isinstance(value, dict):
                key_start = self.size
                self.put(self.string(str(key)))
                self.keys[(*path, key)] = (key_start, self.size)
                self.gap(depth + 1)
                self.put(self.rnd.choice([": ", ":", " : "]))
                self.gap(depth + 1)
            self.value(item, (*path, key), depth + 1)
            self.gap(depth + 1)
            if number < len(items) - 1 or self.rnd.random() < 0.3:
                self.put(",")
        self.gap(depth + 1)
        if not inline and (items or self.rnd.random() < 0.5):
            self.put(self.newline + self.unit * depth)
        self.put("}" if isinstance(value, dict) else "]")
        if isinstance(value, dict):
            self.objects[path] = (start, self.size)


def rendered(value: dict[str, Any], rnd: random.Random) -> Render:
    render = Render(rnd)
    render.gap(0)
    render.value(value, (), 0)
    render.put(rnd.choice(["", render.newline, f"{render.newline}// end{render.newline}"]))
    return render


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.randoms(use_true_random=False), st.data())
def test_random_jsonc_edits(value: dict[str, Any], rnd: random.Random, data: st.DataObject) -> None:
    render = rendered(value, rnd)
    text = "".join(render.parts)
    assert pyjson5.loads(text) == value
    path = data.draw(st.sampled_from(sorted(render.objects, key=repr)))
    target = at(value, path)
    key = data.draw(st.sampled_from(sorted(target)) | keys) if target else data.draw(keys)
    expected, start, end = copy.deepcopy(value), *render.objects[path]
    operation = data.draw(st.sampled_from(["set", "add", "rename", "create"]))
    try:
        if operation == "set":
            new = data.draw(new_values)
            after = json_set_member(text, path, key, new)
            assert key in target or is_subsequence(text, after)
            at(expected, path)[key] = new
        elif operation in ("add", "create"):
            items = data.draw(st.lists(keys, max_size=3))
            if operation == "create":
                assume(key not in target)
                middle = data.draw(st.lists(keys, max_size=1))
                created: dict[str, Any] = {"leaf": list(dict.fromkeys(items))}
                for name in reversed(middle):
                    created = {name: created}
                at(expected, path)[key] = created
                path, key = (*path, key, *middle), "leaf"
                after = json_add_to_list(text, path, key, items, create_parents=True)
            else:
                old = at(expected, path).setdefault(key, [])
                if isinstance(old, list):
                    old.extend(x for x in dict.fromkeys(items) if x not in old)
                after = json_add_to_list(text, path, key, items)
            assert is_subsequence(text, after)
        else:
            new = data.draw(keys)
            after = json_rename_key(text, path, key, new)
            if key in target and new != key:
                key_start, key_end = render.keys[(*path, key)]
                assert after[:key_start] == text[:key_start]
                assert after.endswith(text[key_end:])
                at(expected, path)[new] = at(expected, path).pop(key)
    except EditError as exc:
        legitimate = (operation == "add" and not isinstance(target.get(key, []), list)) or (
            operation == "rename" and (key not in target or new in target)
        )
        assert legitimate, exc
        return
    assert equal_strictly(pyjson5.loads(after), expected)
    assert after[:start] == text[:start] and after.endswith(text[end:])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.randoms(use_true_random=False), st.data())
def test_broken_jsonc_gives_edit_error_or_a_valid_file(
    value: dict[str, Any], rnd: random.Random, data: st.DataObject
) -> None:
    text = "".join(rendered(value, rnd).parts)
    at_ = data.draw(st.integers(0, len(text)))
    noise = data.draw(st.sampled_from(["", "{", "}", "[", "]", ",", ":", '"', "/", "*", "\n", "'"]))
    broken = text[:at_] + noise + text[at_ + data.draw(st.integers(0, 2)) :]
    try:
        before = pyjson5.loads(broken)
    except (pyjson5.Json5Exception, ValueError):
        before = None
    try:
        after = json_set_member(broken, (), "k", True)
    except EditError:
        return
    assert isinstance(before, dict)
    before["k"] = True
    assert equal_strictly(pyjson5.loads(after), before)
