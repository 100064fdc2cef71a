"""GitHub App installation tokens (`ghs_`): minted by PyGithub's `GithubIntegration` as the app
(a JWT signed RS256 with a throwaway key made here), checked with `/installation/repositories`,
revoked with `DELETE /installation/token` as the old token itself, over real HTTP against
the local double."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mcpir.core.secret import Secret, fingerprint
from mcpir.tokens import rotate, store
from mcpir.tokens.providers import AppSettings, guess, provider
from tests.conftest import RunCli
from tests.github_double import FailureKind, GitHubDouble, install_app, mint_installation_token
from tests.rotation_fixtures import TIMEOUT, Crash, assert_secret_free, github_double, keyring_entry

pytestmark = pytest.mark.keyring

APP_ID, INSTALLATION = 4242, 77
REPOS = ("octo-org/app", "octo-org/site")


def pem_pair() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture(scope="module")
def app_key() -> tuple[bytes, bytes]:
    return pem_pair()


@pytest.fixture
def double(app_key: tuple[bytes, bytes]) -> Iterator[GitHubDouble]:
    with github_double() as server:
        install_app(server, APP_ID, app_key[1], INSTALLATION, "octo-org", REPOS)
        yield server


@pytest.fixture
def name() -> Iterator[str]:
    yield from keyring_entry("MCPIR_APP")


@pytest.fixture
def key_file(tmp_path: Path, app_key: tuple[bytes, bytes]) -> Path:
    path = tmp_path / "app.pem"
    path.write_bytes(app_key[0])
    path.chmod(0o600)
    return path


def test_rotate_mints_a_new_installation_token_and_revokes_the_old_one(
    run_cli: RunCli, double: GitHubDouble, name: str, key_file: Path, tmp_path: Path
) -> None:
    old = mint_installation_token(double, INSTALLATION)
    store.add(name, old)
    done = run_cli(
        "tokens", "rotate", name, "--api-url", double.url, "--app-id", str(APP_ID),
        "--app-key", key_file, "--installation-id", str(INSTALLATION), "--yes",
        "--actions-secret", "octo-org/app:APP_TOKEN", "--home", tmp_path, "--root", tmp_path,
    )  # fmt: skip
    assert done.code == 0, done.stdout + done.stderr
    new = store.get(name)
    assert new is not None and new.reveal().startswith("ghs_") and new != Secret(old)
    assert double.works(new.reveal()) and double.revoked(old)
    assert double.secrets[("octo-org/app", "APP_TOKEN")] == new.fingerprint
    # Minted as the app, revoked as the old token itself (no PAT can revoke it).
    assert ("POST", f"/app/installations/{INSTALLATION}/access_tokens", True) in double.requests
    assert ("DELETE", "/installation/token", True) in double.requests
    assert ("POST", "/credentials/revoke", False) not in double.requests
    assert "paste" not in done.stderr  # nobody was asked for a value
    assert "current   " + name + ": octo-org, scopes octo-org/app, octo-org/site" in done.stdout
    assert_secret_free([old, new.reveal(), key_file.read_text()], done.stdout, done.stderr)


def test_verify_guesses_the_app_provider_from_the_prefix(
    run_cli: RunCli, double: GitHubDouble, name: str
) -> None:
    token = mint_installation_token(double, INSTALLATION)
    assert guess("github-classic", token) == "github-app"
    store.add(name, token)
    done = run_cli("tokens", "verify", name, "--api-url", double.url)
    assert done.code == 0, done.stdout + done.stderr
    assert "provider  github-app" in done.stdout and "2 repositories" in done.stdout
    assert_secret_free([token], done.stdout, done.stderr)


def test_a_key_that_is_not_the_apps_mints_nothing(
    run_cli: RunCli, double: GitHubDouble, name: str, tmp_path: Path
) -> None:
    old = mint_installation_token(double, INSTALLATION)
    store.add(name, old)
    stranger = tmp_path / "other.pem"
    stranger.write_bytes(pem_pair()[0])
    done = run_cli(
        "tokens", "rotate", name, "--api-url", double.url, "--app-id", str(APP_ID),
        "--app-key", stranger, "--installation-id", str(INSTALLATION), "--yes",
        "--home", tmp_path, "--root", tmp_path,
    )  # fmt: skip
    assert done.code == 1 and "minted no token: HTTP 401" in done.stdout
    assert store.get(name) == Secret(old) and double.works(old)
    missing = run_cli("tokens", "rotate", name, "--app-id", "1", "--app-key", tmp_path / "nope")
    assert missing.code == 2 and "--app-key" in missing.stderr


def test_an_expired_installation_token_is_replaced_and_the_key_may_live_in_the_keyring(
    run_cli: RunCli, double: GitHubDouble, name: str, app_key: tuple[bytes, bytes], tmp_path: Path
) -> None:
    old = mint_installation_token(double, INSTALLATION)
    store.add(name, old)
    with double.lock:
        double.tokens[old].revoked = True  # expired: GitHub answers 401, as for a revoked one
    key_entry = f"{name}_KEY"
    store.add(key_entry, app_key[0].decode())
    try:
        done = run_cli(
            "tokens", "rotate", name, "--api-url", double.url, "--app-id", str(APP_ID),
            "--app-key", f"keyring:{key_entry}", "--yes", "--home", tmp_path, "--root", tmp_path,
        )  # fmt: skip
    finally:
        store.remove(key_entry)
    assert done.code == 0, done.stdout + done.stderr
    assert "no longer valid" in done.stdout and "already invalid" in done.stdout
    new = store.get(name)
    assert new is not None and double.works(new.reveal())
    # Without --installation-id the app's only installation was found by listing them.
    assert ("GET", "/app/installations", True) in double.requests


APP_ENDPOINTS = ["access-tokens", "installation-repos:old", "installation-repos:new"]
APP_ENDPOINTS += ["installation-token"]
KINDS: list[FailureKind] = ["401", "403-rate", "429", "500", "timeout"]
STAGES = [f"{p}{a}" for p in ("obtained", "verified", "stored", "revoked") for a in ("", "+")]
CASES = [(f"{e}/{k}", e, k) for e in APP_ENDPOINTS for k in KINDS] + [
    (f"crash@{s}", s, None) for s in STAGES
]


@pytest.mark.parametrize(("case", "where", "kind"), CASES, ids=[c[0] for c in CASES])
def test_an_app_rotation_survives_a_failure_anywhere(
    double: GitHubDouble,
    name: str,
    app_key: tuple[bytes, bytes],
    case: str,
    where: str,
    kind: FailureKind | None,
) -> None:
    old = mint_installation_token(double, INSTALLATION)
    store.add(name, old)
    app = AppSettings(str(APP_ID), Secret(app_key[0].decode()), INSTALLATION)
    chosen = provider("github-app", api_url=double.url, timeout=TIMEOUT, app=app)
    crashed: list[str] = []
    endpoint, _, whose = where.partition(":")

    def checkpoint(stage: str) -> None:
        current = store.get(name)
        assert current is not None and double.works(current.reveal()), stage
        if kind is not None and whose == "new" and stage == "obtained+" and not crashed:
            crashed.append(stage)  # the token just minted: its first check fails
            double.fail(endpoint, kind)  # type: ignore[arg-type]
        if kind is None and stage == where and not crashed:
            crashed.append(stage)
            raise Crash(stage)

    if kind is not None and whose != "new":
        double.fail(endpoint, kind, token=old if whose == "old" else None)  # type: ignore[arg-type]
    request = rotate.Request(name, chosen, double.url, yes=True, timeout=TIMEOUT)
    hooks = rotate.Hooks(
        ask=lambda prompt: None, say=lambda line: None, confirm=lambda q: True,
        checkpoint=checkpoint,
    )  # fmt: skip
    first: rotate.Outcome | None = None
    try:
        first = rotate.rotate(request, hooks)
    except Crash:
        assert crashed == [where]
    assert crashed or kind is not None and whose != "new", case  # every failure happened
    if first is not None and case == "installation-repos:old/401":
        assert first.status == "done", first  # taken for expired: a new one is minted
    elif first is not None:
        assert first.status in ("refused", "stopped"), (case, first)
    current = store.get(name)
    assert current is not None and double.works(current.reveal())

    if first is None or first.status != "done":
        first = rotate.rotate(request, hooks)
    assert first.status == "done", (case, first)
    new = store.get(name)
    assert new is not None and new != Secret(old) and double.works(new.reveal())
    assert not double.works(old)
    events = [e for e in double.events if e[0] == "revoked"]
    assert events.count(("revoked", fingerprint(old))) <= 1
