"""Hostile config files: alias bombs, deep nesting and slow keys are one-line per-file errors.

The CLI runs in a subprocess with a timeout: before the parsers had limits, an 8-level alias
bomb of a few hundred bytes kept `mcpir servers --json` busy for minutes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcpir.core.documents import (
    MAX_DEPTH,
    MAX_YAML_ALIAS_NODES,
    MAX_YAML_ALIASES,
    DocumentError,
    parse_json,
    parse_toml,
    parse_yaml,
)
from mcpir.core.model import Format
from mcpir.edits import EditError, toml_set, yaml_rename_key
from tests.test_audit import GitRepo

# Generous for a loaded 2-core machine; the unbounded parsers took minutes.
CLI_TIMEOUT = 30
FAST = 1.0
SMALL = 10_000


def alias_bomb(levels: int = 8, width: int = 9) -> str:
    """Billion laughs: `levels` anchored lists, each `width` aliases of the one before."""
    names = [chr(ord("a") + n) for n in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * width)}]"]
    for before, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [{', '.join([f'*{before}'] * width)}]")
    lines += ["mcpServers:", "  - name: bomb", "    command: npx", f"    args: *{names[-1]}"]
    return "\n".join(lines) + "\n"


def merge_bomb(levels: int = 8, width: int = 9) -> str:
    """The same growth through merge keys: each mapping merges `width` copies of the last."""
    lines = [f"m0: &m0 {{{', '.join(f'k{n}: {n}' for n in range(width))}}}"]
    for level in range(1, levels + 1):
        merged = ", ".join([f"*m{level - 1}"] * width)
        lines.append(f"m{level}: &m{level} {{<<: [{merged}]}}")
    return "\n".join(lines) + "\n"


def slow_keys(line: str, count: int = 10) -> str:
    """`count` lines of `line`, each its own key (`N` numbers them): none is a duplicate."""
    return "".join(line.replace("N", str(n)) + "\n" for n in range(count))


BOMB = alias_bomb()
BOMB_PATH = ".continue/mcpServers/bomb.yaml"


def mcpir(tmp: Path, *args: str | Path) -> tuple[int, str, str]:
    """`mcpir ARGS` in a subprocess that must finish within CLI_TIMEOUT seconds."""
    out = tmp / f"stdout-{time.monotonic_ns()}"
    env = {**os.environ, "MCPIR_HOME": str(tmp / "mcpir-home"), "COLUMNS": "200"}
    with out.open("wb") as handle:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "mcpir", *map(str, args)],
                stdout=handle, stderr=subprocess.PIPE, env=env, timeout=CLI_TIMEOUT,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail(f"mcpir {' '.join(map(str, args))} took over {CLI_TIMEOUT} s")
    size = out.stat().st_size
    assert size < SMALL, f"{size} bytes of output"
    return done.returncode, out.read_text(encoding="utf-8"), done.stderr.decode()


@pytest.fixture
def bombed(tmp_path: Path) -> tuple[Path, Path]:
    """A home and a project holding the bomb next to three ordinary servers."""
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    (root / ".continue" / "mcpServers").mkdir(parents=True)
    (root / BOMB_PATH).write_text(BOMB)
    (root / ".continue/mcpServers/fine.yaml").write_text(
        "name: fine\nmcpServers:\n  - name: fine-yaml\n    command: uvx\n    args: [mcp-fine]\n"
    )
    (root / ".mcp.json").write_text('{"mcpServers": {"fine-json": {"command": "npx"}}}\n')
    (root / ".cursor").mkdir()
    (root / ".cursor/mcp.json").write_text('{"mcpServers": {"fine-cursor": {"command": "x"}}}')
    return home, root


def one_line_about_aliases(error: str) -> None:
    assert "\n" not in error and len(error) < 200, error
    assert "alias" in error, error


def test_alias_bomb_is_one_per_file_error_of_servers_json(
    bombed: tuple[Path, Path], tmp_path: Path
) -> None:
    home, root = bombed
    code, out, err = mcpir(tmp_path, "servers", "--json", "--home", home, "--root", root)
    assert code == 1, err
    rows: list[dict[str, Any]] = json.loads(out)
    errors = [row for row in rows if "error" in row]
    assert [row["path"] for row in errors] == [str(root / BOMB_PATH)]
    one_line_about_aliases(errors[0]["error"])
    names = {row["name"] for row in rows if "name" in row}
    assert names == {"fine-yaml", "fine-json", "fine-cursor"}


def test_alias_bomb_is_reported_by_scan(bombed: tuple[Path, Path], tmp_path: Path) -> None:
    home, root = bombed
    code, out, err = mcpir(tmp_path, "scan", "--format", "json", "--home", home, "--root", root)
    assert code in (0, 1), err
    assert BOMB_PATH in out and "alias" in out


def test_containment_refuses_the_bomb_and_contains_the_rest(
    bombed: tuple[Path, Path], tmp_path: Path
) -> None:
    home, root = bombed
    code, out, err = mcpir(tmp_path, "respond", "--only", "contain", "--yes", "--json",
                           "--home", home, "--root", root, "--title", "bomb")  # fmt: skip
    assert code in (0, 1), err
    assert (root / BOMB_PATH).read_text() == BOMB
    assert not list(root.rglob("bomb.yaml.*"))
    for name in (".mcp.json", ".cursor/mcp.json", ".continue/mcpServers/fine.yaml"):
        assert not (root / name).exists() and (root / f"{name}.mcpir-disabled").exists(), name
    assert BOMB_PATH in out and "alias" in out
    code, out, err = mcpir(tmp_path, "servers", "--json", "--home", home, "--root", root)
    rows = json.loads(out)
    assert [row["name"] for row in rows if row.get("enabled")] == []
    assert [row["path"] for row in rows if "error" in row] == [str(root / BOMB_PATH)]


def test_audit_lists_a_bomb_in_history_as_skipped(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("servers", DOTmcpDOTjson='{"mcpServers": {"a": {"command": "npx"}}}\n')
    repo.commit("bomb", DOTcontinue__mcpServers__bombDOTyaml=BOMB)
    repo.commit("bomb gone", DOTcontinue__mcpServers__bombDOTyaml=None)
    code, out, err = mcpir(tmp_path, "audit", "--repo", repo.root, "--json")
    assert code in (0, 1), err
    skipped = json.loads(out)["skipped"]
    assert [item["path"] for item in skipped] == [BOMB_PATH], skipped
    one_line_about_aliases(skipped[0]["reason"])


def one_line_usage_error(code: int, err: str) -> None:
    assert code == 2 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) <= 2, err  # the error, and maybe a hint


@pytest.mark.parametrize(
    "policy",
    [
        "a = " + "[" * 100_000,  # RecursionError in tomllib: a traceback on every command
        slow_keys("kN." + ".".join(["k"] * 10_000) + " = 1", count=20),
    ],
    ids=["deep", "slow-keys"],
)
def test_a_hostile_project_policy_is_a_one_line_error(policy: str, tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / ".mcpir.toml").write_text(policy)
    code, _, err = mcpir(tmp_path, "servers", "--home", tmp_path, "--root", root)
    one_line_usage_error(code, err)
    assert ".mcpir.toml" in err


def test_baseline_and_tools_nested_past_pythons_limit_are_one_line_errors(
    tmp_path: Path,
) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000)
    (tmp_path / "tools.jsonl").write_text('{"name": "a", "description": "b"}\n' + "[" * 100_000)
    for option, name in (("--baseline", "deep.json"), ("--tools", "tools.jsonl")):
        code, _, err = mcpir(tmp_path, "scan", "--home", tmp_path, "--root", tmp_path,
                             option, tmp_path / name)  # fmt: skip
        one_line_usage_error(code, err)


def test_playbook_alias_bomb_is_refused(tmp_path: Path) -> None:
    from mcpir.playbook.loader import PlaybookError, load_playbook

    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    start = time.perf_counter()
    with pytest.raises(PlaybookError, match="line 5: an alias bomb"):
        load_playbook(path)
    assert time.perf_counter() - start < FAST


def test_dates_bytes_and_sets_in_configs_do_not_stop_discovery(tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    (home / ".codex").mkdir(parents=True)
    (home / ".codex/config.toml").write_text(
        '[mcp_servers.dated]\ncommand = "npx"\nargs = [1979-05-27, 07:32:00]\n'
    )
    (root / ".continue/mcpServers").mkdir(parents=True)
    (root / ".continue/mcpServers/t.yaml").write_text(
        "mcpServers:\n  - name: typed\n    command: npx\n"
        "    args: [2001-12-14, !!binary aGVsbG8=, !!set {a}, {2001-12-14: x}]\n"
    )
    code, out, err = mcpir(tmp_path, "servers", "--json", "--home", home, "--root", root)
    assert code == 0, err
    args = {row["name"]: row["args"] for row in json.loads(out)}
    assert args["dated"] == ['"1979-05-27"', '"07:32:00"']
    assert args["typed"][0] == '"2001-12-14"'


def timed(parse: Any, text: str) -> DocumentError:  # noqa: ANN401
    start = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        parse(text)
    assert time.perf_counter() - start < FAST
    message = str(caught.value)
    assert "\n" not in message and len(message) < 200, message
    return caught.value


def test_alias_bomb_names_the_line_where_it_grows_past_the_limit() -> None:
    error = timed(parse_yaml, BOMB)
    # Level 5 (line 5) expands to 9**5 = 59,049 nodes: the first past 10,000.
    assert str(error).startswith("line 5: ") and "alias" in str(error)


def test_merge_key_bomb_is_refused() -> None:
    assert "alias" in str(timed(parse_yaml, merge_bomb()))


def test_aliases_within_the_limits_are_read() -> None:
    shared = "defaults: &d {command: npx, args: [-y, pkg]}\n"
    servers = "".join(f"  s{n}: *d\n" for n in range(MAX_YAML_ALIASES))
    data = parse_yaml(shared + "mcpServers:\n" + servers).data
    assert data["mcpServers"]["s99"] == {"command": "npx", "args": ["-y", "pkg"]}
    merged = parse_yaml(shared + "mcpServers:\n  a: {<<: *d, env: {A: b}}\n").data
    assert merged["mcpServers"]["a"]["command"] == "npx"


def test_too_many_aliases_are_refused_even_when_they_add_little() -> None:
    text = "a: &a x\nlist:\n" + "".join("  - *a\n" for _ in range(MAX_YAML_ALIASES + 1))
    assert "aliases" in str(timed(parse_yaml, text))


def test_expansion_just_past_the_limit_is_refused() -> None:
    items = ", ".join(str(n) for n in range(MAX_YAML_ALIAS_NODES // 50 - 1))
    text = f"a: &a [{items}]\nb: [{', '.join(['*a'] * 50)}]\n"
    parse_yaml(text)  # 50 copies of a list and its 199 items: 10,000 nodes added
    assert "alias" in str(timed(parse_yaml, text.replace("*a]", "*a, *a]")))


def test_recursive_alias_is_refused() -> None:
    assert "recursive" in str(timed(parse_yaml, "a: &a [1, *a]\n"))
    assert "recursive" in str(timed(parse_yaml, "a: &a {b: *a}\n"))


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 999])
def test_deep_yaml_flow_sequence_is_refused(depth: int) -> None:
    error = timed(parse_yaml, "a: " + "[" * depth + "]" * depth + "\n")
    assert str(error) == f"line 1: nested deeper than {MAX_DEPTH} levels"


def test_deep_yaml_block_nesting_names_its_line() -> None:
    text = "".join(" " * n + f"k{n}:\n" for n in range(MAX_DEPTH + 1)) + " " * 70 + "x: 1\n"
    # The mapping holding k64 is the 65th level; it starts on line 65.
    assert str(timed(parse_yaml, text)) == f"line {MAX_DEPTH + 1}: nested deeper than 64 levels"


def test_nesting_at_the_limit_is_read_in_every_format() -> None:
    inner = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert parse_json(f'{{"a": {inner}}}').format is Format.JSON
    assert parse_json(f'// c\n{{"a": {inner}}}').format is Format.JSONC
    assert parse_yaml(f"a: {inner}\n").data["a"]
    assert parse_toml(f"a = {inner}\n").data["a"]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 100_000])
@pytest.mark.parametrize("comment", ["", "// a JSONC comment\n"])
def test_deep_json_and_jsonc_are_refused(depth: int, comment: str) -> None:
    error = timed(parse_json, comment + "[" * depth + "]" * depth)
    assert str(error) == f"line {1 + bool(comment)}: nested deeper than {MAX_DEPTH} levels"


# 1 + 30 tables + 20 dotted parts + 20 inline tables: 71 levels, none of them too many alone.
MIXED_TOML = f"[{'.'.join(['t'] * 30)}]\n{'.'.join(['k'] * 20)} = {'{b = ' * 20}1{'}' * 20}\n"


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        "a = " + "[" * 100_000,
        "[" + ".".join(["t"] * MAX_DEPTH) + "]\n",
        MIXED_TOML,
    ],
    ids=["arrays", "unclosed", "table-header", "mixed"],
)
def test_deep_toml_is_refused(text: str) -> None:
    assert f"deeper than {MAX_DEPTH} levels" in str(timed(parse_toml, text))


@pytest.mark.parametrize(
    "line",
    [
        "kN." + ".".join(["k"] * 10_000) + " = 1",
        '["qN".' + ".".join(['"q"'] * 10_000) + "]",
        "xN = {" + " . ".join(["k"] * 10_000) + " = 1}",
    ],
    ids=["dotted-key", "quoted-header", "inline-table"],
)
def test_toml_key_of_thousands_of_parts_is_refused_fast(line: str) -> None:
    # tomllib takes time that grows with the square of a key's parts: these ten lines took it
    # 2 to 15 s, and 5 MiB of them would take many minutes.
    error = timed(parse_toml, "a = 1\n" + slow_keys(line))
    assert str(error) == f"line 2: a key of more than {MAX_DEPTH} dotted parts"


def test_toml_dots_in_strings_comments_and_numbers_are_not_keys() -> None:
    dots = ".".join(["x"] * 200)
    text = (
        f"url = \"{dots}\"\nlit = '{dots}'\n# {dots}\n"
        f"nums = [{', '.join(['1.5'] * 200)}]\nk = 1 # {dots}\n"
    )
    assert parse_toml(text).data["url"] == dots


@pytest.mark.parametrize(
    "text",
    [
        '!!python/object/apply:os.system ["touch pwned"]\n',
        "a: !!python/object:collections.OrderedDict {}\n",
        "a: !!python/name:os.system\n",
        "a: !custom 1\n",
    ],
)
def test_yaml_tags_that_build_objects_are_refused(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DocumentError, match="^line 1: malformed YAML: could not determine"):
        parse_yaml(text)
    assert not (tmp_path / "pwned").exists()


def test_yaml_edit_refuses_a_bomb_without_expanding_it() -> None:
    start = time.perf_counter()
    with pytest.raises(EditError, match="alias"):
        yaml_rename_key(alias_bomb(levels=6), (), "mcpServers", "mcpServers-disabled-by-mcpir")
    assert time.perf_counter() - start < FAST


def test_toml_edit_refuses_a_slow_key() -> None:
    text = slow_keys("kN." + ".".join(["k"] * 10_000) + " = 1") + "[mcp_servers.a]\nx = 1\n"
    start = time.perf_counter()
    with pytest.raises(EditError, match="dotted parts"):
        toml_set(text, ("mcp_servers", "a"), "enabled", False)
    assert time.perf_counter() - start < FAST


# YAML made of the pieces that reach anchors, aliases, merges, tags and nesting, with noise.
yaml_pieces = st.sampled_from(
    [
        "&a ", "&b ", "*a", "*b", "<<: ", "[", "]", "{", "}", ", ", ": ", "- ", "\n", "  ",
        "? ", "!!python/object ", "!!binary ", "!!set ", "!!omap ", "!!timestamp ", "!x ",
        "'", '"', "#", "|", ">", "---\n", "...\n", "%YAML 1.1\n", "1e999", "0x1", "~",
        "2001-13-45", "key", "x",
    ]
)  # fmt: skip
yaml_texts = st.lists(yaml_pieces, max_size=60).map("".join) | st.text(max_size=200)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_texts)
def test_bounded_yaml_loader_raises_only_document_error_and_is_fast(text: str) -> None:
    start = time.perf_counter()
    try:
        parse_yaml(text)
    except DocumentError as exc:
        assert "\n" not in str(exc)
    assert time.perf_counter() - start < FAST


def nodes_added(levels: int, width: int, merge: bool) -> int:
    """What aliases add to the expanded document: a copy of its target for every alias."""
    size = 1 + (2 * width if merge else width)  # level 0: the collection and its items
    added = 0
    for _ in range(1, levels if not merge else levels + 1):
        added += width * size
        size = (3 if merge else 1) + width * size  # merge: the mapping, `<<` and the list
    return added if merge else added + size  # the bomb's `args: *last`


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 9), st.integers(2, 9), st.booleans())
def test_a_bomb_is_refused_exactly_when_it_adds_too_many_nodes(
    levels: int, width: int, merge: bool
) -> None:
    text = (merge_bomb if merge else alias_bomb)(levels, width)
    start = time.perf_counter()
    try:
        parse_yaml(text)
        refused = False
    except DocumentError as exc:
        assert "alias" in str(exc)
        refused = True
    assert time.perf_counter() - start < FAST
    assert refused == (nodes_added(levels, width, merge) > MAX_YAML_ALIAS_NODES)
