"""One table of a policy file, checked key by key (`.mcpir.toml` and the user config)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mcpir.core.errors import PolicyError

Converter = Callable[[Any, str], Any]


def convert_table(
    table: Any,  # noqa: ANN401 - straight from tomllib
    keys: Mapping[str, Converter],
    where: str,
    name: str,
) -> dict[str, Any]:
    """`[name]`'s values, each through its converter. An unknown key is an error, so that a
    typo never silently weakens the policy."""
    if not isinstance(table, dict):
        raise PolicyError(f"{where}: [{name}] must be a table")
    values = {}
    for key, value in table.items():
        convert = keys.get(key)
        if convert is None:
            raise PolicyError(f"{where}: unknown key {name}.{key}")
        values[key] = convert(value, f"{where}: {name}.{key}")
    return values
