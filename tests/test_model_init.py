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
