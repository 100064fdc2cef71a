"""The scan's fast secret pass finds exactly what the plain pass finds.

`hardcoded-secret` skips values too short to hold anything and spells out where a value sits
only for a finding. The plain pass below is the check as it was: every string of the server
through `find_secrets`, then the random-run rule. Findings are compared as whole `Finding`s,
whose evidence is masked, so a failure shows no token.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.core.model import Finding, Location, Scope, Server, Severity, Transport
from mcpir.core.redact import MIN_RANDOM_LENGTH, mask
from mcpir.core.secret import Secret
from mcpir.scan.checks import hardcoded_secret
from mcpir.scan.checks.base import ScanContext, finding
from mcpir.secrets import _SHORTEST, find_secrets, providers
from mcpir.secrets.entropy import MIN_PASSWORD_LENGTH
from mcpir.secrets.fakes import fake_token, lookalike_token


def test_the_length_below_which_a_value_is_skipped_finds_nothing_there() -> None:
    shortest = hardcoded_secret.SHORTEST
    assert shortest <= MIN_PASSWORD_LENGTH  # under a credential name
    assert shortest <= _SHORTEST  # under any other name, or none
    assert shortest <= MIN_RANDOM_LENGTH  # a random run that no name vouches for


def _plain_values(server: Server) -> Iterator[tuple[str, str, str | None]]:
    for name, secret in server.env.items():
        yield f"env {name}", secret.reveal(), name
    for name, secret in server.headers.items():
        yield f"header {name}", secret.reveal(), name
    previous: str | None = None
    for index, arg in enumerate(server.args):
        key = arg.split("=", 1)[0].lstrip("-") if "=" in arg else previous
        yield f"args[{index}]", arg, key
        previous = arg.lstrip("-") if arg.startswith("-") else None
    if server.url:
        yield "url", server.url, None
    if server.command:
        yield "command", server.command, None


def _plain_check(server: Server) -> list[Finding]:
    found = []
    for where, value, key in _plain_values(server):
        hits = find_secrets(value, key)
        for hit in hits:
            kind = hardcoded_secret._KIND.get(hit.provider, f"{hit.provider} token")
            found.append(
                finding(
                    hardcoded_secret.RULE,
                    server,
                    f"{kind} in {where}",
                    evidence=f"{where}: {mask(hit.secret.reveal())}",
                    severity=hardcoded_secret._SEVERITY.get(hit.confidence, Severity.HIGH),
                )
            )
        if not hits:
            found += [
                finding(
                    hardcoded_secret.RULE,
                    server,
                    f"random-looking value in {where}",
                    evidence=f"{where}: {mask(secret)}",
                    severity=Severity.MEDIUM,
                )
                for secret in hardcoded_secret._unnamed(value)
            ]
    return found


_NAMES = [p.name for p in providers()]


@st.composite
def _values(draw: st.DrawFn) -> str:
    rng = random.Random(draw(st.integers(0, 2**32)))  # noqa: S311 - test data
    kind = draw(st.sampled_from(["token", "lookalike", "text", "random", "reference"]))
    if kind == "token":
        token = fake_token(draw(st.sampled_from(_NAMES)), rng)
    elif kind == "lookalike":
        token = lookalike_token(draw(st.sampled_from(_NAMES)), rng)
    elif kind == "random":
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789+/=_-"
        token = "".join(rng.choice(alphabet) for _ in range(draw(st.integers(0, 48))))
    elif kind == "reference":
        token = draw(st.sampled_from(["${TOKEN}", "${env:GH}", "$KEY", "%KEY%"]))
    else:
        token = draw(st.text(max_size=24))
    around = draw(st.sampled_from(["{}", "Bearer {}", "--token={}", "k={}", "x:{}@h", "{} s"]))
    return around.replace("{}", token)


_KEYS = st.sampled_from(["API_TOKEN", "PASSWORD", "LOG_LEVEL", "AWS_SECRET_ACCESS_KEY", "X"])


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(_KEYS, _values(), max_size=3),
    st.dictionaries(st.sampled_from(["Authorization", "X-Api-Key", "Accept"]), _values()),
    st.lists(_values() | st.sampled_from(["--token", "-y", "--api-key", "serve"]), max_size=5),
    st.none() | _values(),
    st.none() | _values(),
)
def test_the_check_finds_what_the_plain_pass_finds(
    env: dict[str, str],
    headers: dict[str, str],
    args: list[str],
    url: str | None,
    command: str | None,
) -> None:
    server = Server(
        name="s",
        client="claude-code",
        scope=Scope.PROJECT,
        transport=Transport.STDIO,
        location=Location(Path("/p/.mcp.json"), 3),
        command=command,
        args=tuple(args),
        env={k: Secret(v) for k, v in env.items()},
        url=url,
        headers={k: Secret(v) for k, v in headers.items()},
    )
    fast = list(hardcoded_secret.check(server, ScanContext()))
    assert fast == _plain_check(server)


def test_the_comparison_sees_findings_of_every_place() -> None:
    rng = random.Random(20)  # noqa: S311 - test data
    token = fake_token("github-classic", rng)
    server = Server(
        name="s",
        client="claude-code",
        scope=Scope.PROJECT,
        transport=Transport.STDIO,
        location=Location(Path("/p/.mcp.json"), 3),
        command="srv",
        args=("-y", "serve", "Kq8/Zr4LkP2vXn9TbYw3HsJe6MdFa1GcUo+Wn8bYc4", "--token", token),
        env={"API_TOKEN": Secret("q8Zr4LkP2vXn9TbYw3HsJe6MdFa1GcUo"), "LOG": Secret("info")},
        headers={"Authorization": Secret(f"Bearer {token}")},
    )
    fast = list(hardcoded_secret.check(server, ScanContext()))
    assert [f.message for f in fast] == [
        "random-looking credential in env API_TOKEN",
        "github-classic token in header Authorization",
        "random-looking value in args[2]",
        "github-classic token in args[4]",
    ]
    assert fast == _plain_check(server)
