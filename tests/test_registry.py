"""A client is one module plus one registry line: nothing written is left unregistered."""

from __future__ import annotations

import pkgutil

import mcpir.discovery.clients as clients_package
from mcpir.discovery.client import DisableKind
from mcpir.discovery.clients import CLIENTS


def test_every_client_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(clients_package.__path__)}
    defined = {getattr(clients_package, name).CLIENT.name for name in modules}
    assert defined == {client.name for client in CLIENTS}


def test_client_names_are_unique_and_each_knows_how_to_disable() -> None:
    names = [client.name for client in CLIENTS]
    assert len(names) == len(set(names))
    for client in CLIENTS:
        assert client.user or client.project or client.system, client.name
        if client.disable.kind is DisableKind.FLAG:
            assert client.disable.key and client.disable.value is not None, client.name
