"""`Server` and `Entry` fill their fields in one call (built once per server of every config):
their hand-written `__init__` stays in step with the dataclass fields, and the instances behave
as the frozen dataclasses they were."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any

import pytest

from mcpir.core.model import Location, Scope, Server, Transport
from mcpir.core.secret import Secret
from mcpir.discovery.client import Entry


@pytest.mark.parametrize("cls", [Server, Entry])
def test_the_init_takes_every_field_in_order_with_its_default(cls: type[Any]) -> None:
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in parameters] == [f.name for f in fields]
    for parameter, field in zip(parameters, fields, strict=True):
        assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        if field.default is not dataclasses.MISSING:
            assert parameter.default == field.default, field.name
        elif field.default_factory is not dataclasses.MISSING:
            assert parameter.default is None, field.name  # None: a new `default_factory()`
        else:
            assert parameter.default is inspect.Parameter.empty, field.name


def _server(**changes: Any) -> Server:  # noqa: ANN401
    return Server(
        "s", "claude-code", Scope.USER, Transport.STDIO, Location(Path("/c"), 3), **changes
    )


def test_a_server_is_still_a_frozen_dataclass() -> None:
    server = _server(command="npx", args=("-y", "p@1"), env={"K": Secret("v")})
    assert server == _server(command="npx", args=("-y", "p@1"), env={"K": Secret("v")})
    assert server != _server(command="uvx", args=("-y", "p@1"), env={"K": Secret("v")})
    with pytest.raises(dataclasses.FrozenInstanceError):
        server.name = "other"  # type: ignore[misc]
    moved = dataclasses.replace(server, enabled=False)
    assert (moved.enabled, moved.args, moved.env) == (False, server.args, server.env)
    assert dataclasses.asdict(_server())["location"] == {"path": Path("/c"), "line": 3}
    assert vars(server).keys() == {f.name for f in dataclasses.fields(Server)}


def test_each_server_without_env_or_headers_gets_dicts_of_its_own() -> None:
    one, two = _server(), _server()
    assert one.env == one.headers == {}
    assert one.env is not two.env and one.headers is not two.headers and one.env is not one.headers


def test_an_entry_is_still_a_frozen_dataclass() -> None:
    entry = Entry("s", {"command": "npx"}, ("mcpServers", "s"))
    assert (entry.scope, entry.enabled) == (None, None)
    assert entry == Entry("s", {"command": "npx"}, ("mcpServers", "s"), None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.name = "other"  # type: ignore[misc]
    assert dataclasses.replace(entry, enabled=False).enabled is False


def test_a_location_found_later_looks_its_line_up_once_when_first_read() -> None:
    asked: list[tuple[str | int, ...]] = []

    def find(keys: tuple[str | int, ...]) -> int | None:
        asked.append(keys)
        return 7

    later = Location.found_later(Path("/c"), find, ("mcpServers", "s"))
    assert later.path == Path("/c") and asked == []  # the path alone asks nothing
    assert later.line == 7 and later.line == 7 and asked == [("mcpServers", "s")]
    assert "_find" not in vars(later)  # nor is the text kept once the line is known
    for other in (
        Location.found_later(Path("/c"), find, ("x",)),
        Location.found_later(Path("/c"), lambda keys: None, ("x",)),
    ):
        plain = Location(Path("/c"), other.line)
        assert (other == plain, hash(other) == hash(plain), str(other), repr(other)) == (
            True, True, str(plain), repr(plain),
        )  # fmt: skip
    assert Location.found_later(Path("/c"), find, ()) < Location(Path("/c"), 8)
    assert dataclasses.replace(Location.found_later(Path("/c"), find, ()), path=Path("/d")) == (
        Location(Path("/d"), 7)
    )
    assert dataclasses.asdict(Location.found_later(Path("/c"), find, ())) == {
        "path": Path("/c"),
        "line": 7,
    }
    with pytest.raises(AttributeError):
        Location(Path("/c")).column  # type: ignore[attr-defined]  # noqa: B018
    assert Location(Path("/c")).line is None and Location(Path("/c"), 3).line == 3


def test_a_servers_line_is_found_when_read(tmp_path: Path) -> None:
    from mcpir.core.model import Format
    from mcpir.discovery import discover_paths

    config = tmp_path / ".mcp.json"
    config.write_text('{"mcpServers": {\n "a": {"command": "x"},\n "b": {"command": "y"}}}\n')
    [found] = discover_paths([config])
    assert found.format is Format.JSON
    first, second = found.servers
    assert "_find" in vars(first.location)  # not looked up yet
    assert (first.path, first.line, second.line) == (config, 2, 3)
