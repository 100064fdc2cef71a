"""The real OS keyring is reachable: SecretService under dbus in CI, skipped elsewhere with why."""

from __future__ import annotations

import os
import uuid

import pytest

pytestmark = pytest.mark.keyring


def _backend_or_skip() -> object:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or "DBUS_SESSION_BUS_ADDRESS" not in os.environ:
        if os.environ.get("MCPIR_REQUIRE_KEYRING"):
            pytest.fail("MCPIR_REQUIRE_KEYRING is set but no OS keyring is reachable")
        pytest.skip(
            "no usable OS keyring here: run the tests through scripts/test, which starts "
            "dbus-run-session with an unlocked gnome-keyring when they are installed"
        )
    return backend


def test_secret_round_trips_through_the_real_keyring() -> None:
    import keyring

    backend = _backend_or_skip()
    # keyring may wrap the chosen backends in a ChainerBackend; SecretService must be in it.
    chosen = getattr(backend, "backends", None) or [backend]
    assert any("SecretService" in type(b).__module__ for b in chosen), chosen
    service, name, value = "mcpir-test", f"probe-{uuid.uuid4().hex}", uuid.uuid4().hex
    keyring.set_password(service, name, value)
    try:
        assert keyring.get_password(service, name) == value
    finally:
        keyring.delete_password(service, name)
    assert keyring.get_password(service, name) is None
