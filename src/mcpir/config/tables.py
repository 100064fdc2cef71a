"""The tables of a policy file, checked key by key (`.mcpir.toml` and the user config)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from mcpir.core.errors import PolicyError

Converter = Callable[[Any, str], Any]
T = TypeVar("T")


def convert_table(
    table: Any,  # noqa: ANN401 - straight from tomllib
    keys: Mapping[str, Converter],
    where: str,
    name: str,
) -> dict[str, Any]:
    """`[name]`'s values, each through its converter (see `convert_keys`)."""
    if not isinstance(table, dict):
        raise PolicyError(f"{where}: [{name}] must be a table")
    return convert_keys(table, keys, f"{where}: unknown key {name}.", f"{where}: {name}.")


def convert_keys(
    table: dict[str, Any], keys: Mapping[str, Converter], unknown: str, at: str
) -> dict[str, Any]:
    """Each value of `table` through its key's converter, told where the value is (`at` and the
    key). An unknown key is an error (`unknown` and the key), so that a typo never silently
    weakens the policy."""
    values = {}
    for key, value in table.items():
        convert = keys.get(key)
        if convert is None:
            raise PolicyError(f"{unknown}{key}")
        values[key] = convert(value, f"{at}{key}")
    return values


def array_of_tables(
    value: Any,  # noqa: ANN401 - straight from tomllib
    where: str,
    name: str,
    read: Callable[[dict[str, Any], str], T],
) -> tuple[T, ...]:
    """Each table of the array of tables `[[name]]` at `where`, through `read(table, where[n])`."""
    if not isinstance(value, list):
        raise PolicyError(f"{where} must be an array of tables ([[{name}]])")
    out = []
    for index, item in enumerate(value, 1):
        entry = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise PolicyError(f"{entry} must be a table")
        out.append(read(item, entry))
    return tuple(out)
