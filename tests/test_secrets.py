"""Provider detectors, the generic entropy rule and forged tokens (`mcpir.secrets`).

No test prints a token: samples are looped inside tests (not parametrized, which would put
them in test ids), and asserts compare `Secret`s, counts or provider names, so a failure
report shows fingerprints, never a token.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.core.secret import Secret
from mcpir.secrets import GENERIC, Provider, SecretHit, _scan, find_secrets, providers
from mcpir.secrets.entropy import is_reference, key_kind
from mcpir.secrets.fakes import fake_token, lookalike_token, provider_names

PROVIDER_NAMES = set(
    "github-classic github-fine-grained gitlab openai anthropic aws-access-key-id"
    " aws-secret-access-key slack stripe google npm huggingface".split()
)
CHECKSUMMED = {"github-classic", "gitlab", "npm"}
# Where a token sits in real configs. `{}` is the token.
CONTEXTS = (
    "{}",
    "SERVICE_TOKEN={}",
    "Bearer {}",
    "https://api.example.com/v1/items?limit=10&key={}&format=json",
    '{"auth": {"token": "{}"}, "retries": 3}',
)
GENERATED = 1000
by_name = pytest.mark.parametrize("provider", providers(), ids=lambda p: p.name)


def _spans_match(value: str, hits: list[SecretHit]) -> bool:
    return all(Secret(value[h.start : h.end]) == h.secret for h in hits)


def test_every_provider_module_is_registered() -> None:
    package = importlib.import_module("mcpir.secrets.formats")
    declared: list[Provider] = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found = [v for v in vars(module).values() if isinstance(v, Provider)]
        assert found, f"{info.name} defines no Provider"
        declared.extend(found)
    registry = providers()
    assert {p.name for p in declared} == {p.name for p in registry}
    assert all(any(p is r for r in registry) for p in declared)
    assert len({p.name for p in registry}) == len(registry)
    assert {p.name for p in registry} == PROVIDER_NAMES


@by_name
def test_good_samples_are_found(provider: Provider) -> None:
    assert provider.good
    for index, sample in enumerate(provider.good):
        hits = find_secrets(sample, provider.sample_key)
        found = {h.provider for h in hits}
        assert provider.name in found, f"good sample #{index} not found"
        assert _spans_match(sample, hits)


@by_name
def test_bad_samples_yield_nothing(provider: Provider) -> None:
    assert provider.bad
    for index, sample in enumerate(provider.bad):
        found = [h.provider for h in find_secrets(sample, provider.sample_key)]
        assert found == [], f"bad sample #{index}"


@pytest.mark.parametrize("name", sorted(CHECKSUMMED))
def test_checksums_catch_any_changed_character(name: str) -> None:
    provider = next(p for p in providers() if p.name == name)
    rng = random.Random(f"checksum-{name}")  # noqa: S311 - test data
    checked = 0
    while checked < 300:
        token = provider.fake(rng)
        if provider.confidence(token) != "high":
            continue  # legacy GitLab and stateless ghs_ tokens carry no checksum
        assert provider.validate(token)
        index = rng.randrange(6, len(token))
        other = rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        if other != token[index]:
            assert not provider.validate(token[:index] + other + token[index + 1 :])
            checked += 1


@by_name
def test_every_generated_token_is_found_in_context(provider: Provider) -> None:
    rng = random.Random(f"recall-{provider.name}")  # noqa: S311 - test data
    missed = 0
    for _ in range(GENERATED):
        token = fake_token(provider.name, rng)
        expected = Secret(token)
        for context in CONTEXTS:
            value = context.replace("{}", token)
            hits = find_secrets(value, provider.sample_key)
            exact = (
                len(hits) == 1
                and hits[0].provider == provider.name
                and hits[0].secret == expected
                and _spans_match(value, hits)
            )
            missed += not exact
    assert missed == 0


@by_name
def test_lookalikes_are_never_reported(provider: Provider) -> None:
    # Not by their provider, nor by the entropy rule, even under a credential-looking name.
    rng = random.Random(f"lookalike-{provider.name}")  # noqa: S311 - test data
    reported = 0
    for _ in range(GENERATED):
        token = lookalike_token(provider.name, rng)
        for context in CONTEXTS:
            reported += len(find_secrets(context.replace("{}", token), provider.sample_key))
        reported += len(find_secrets(token, "API_KEY"))
        reported += len(find_secrets(f"SERVICE_TOKEN={token}"))
    assert reported == 0


@by_name
def test_tokens_inside_longer_runs_are_not_tokens(provider: Provider) -> None:
    if provider.context is not None:
        pytest.skip("context-only provider: any 40 base64 characters are its shape")
    rng = random.Random(f"runs-{provider.name}")  # noqa: S311 - test data
    for _ in range(50):
        token = provider.fake(rng)
        expected = Secret(token)
        for value in (f"Z9{token}", f"a{token}b"):
            assert provider.name not in {h.provider for h in find_secrets(value)}
        # Variable-length tokens (Stripe, Slack, JWTs) may legitimately extend into what
        # follows; then the longer run is the candidate, never the token alone.
        assert expected not in {h.secret for h in find_secrets(f"{token}Z9")}


# Every provider but the AWS secret key (any 40 base64 characters, found by context) is
# declared as shapes: a prefix, then runs of given characters and lengths.
DECLARED = [p for p in providers() if p.variants]


def test_every_prefixed_format_is_declared_as_variants() -> None:
    assert {p.name for p in DECLARED} == PROVIDER_NAMES - {"aws-secret-access-key"}


def _accepted(provider: Provider, draw: Callable[[random.Random], str], rng: random.Random) -> str:
    """A draw the provider accepts (a random run may first come out looking like a word)."""
    return next(t for t in iter(lambda: draw(rng), None) if provider.validate(t))


@pytest.mark.parametrize("provider", DECLARED, ids=lambda p: p.name)
def test_each_variant_is_found_with_its_grade_and_one_character_short_is_not(
    provider: Provider,
) -> None:
    rng = random.Random(f"variants-{provider.name}")  # noqa: S311 - test data
    # Under a credential name: the scan then reads a short value too (a legacy Slack token).
    key = provider.sample_key or "API_KEY"
    for index, shape in enumerate(provider.variants):
        for _ in range(20):
            token = _accepted(provider, shape.draw, rng)
            found = [(h.provider, h.secret, h.confidence) for h in find_secrets(token, key)]
            assert found == [(provider.name, Secret(token), shape.confidence)], f"variant #{index}"
            if shape.least is None:
                continue  # no fixed length: a JWT's signature, a routable token's payload
            short = _accepted(provider, shape.least, rng)[:-1]
            assert not provider.validate(short), f"variant #{index}, one short"
            assert provider.name not in {h.provider for h in find_secrets(short, key)}


def test_confidence_reflects_what_was_checked() -> None:
    rng = random.Random(5)  # noqa: S311 - test data
    grades: dict[str, set[str]] = {}
    for name in provider_names():
        for _ in range(100):
            token = fake_token(name, rng)
            key = "AWS_SECRET_ACCESS_KEY" if name == "aws-secret-access-key" else None
            grades.setdefault(name, set()).update(h.confidence for h in find_secrets(token, key))
    assert grades["npm"] == {"high"}
    assert grades["github-classic"] == {"high", "medium"}  # medium: stateless ghs_ tokens
    assert grades["gitlab"] == {"high", "medium"}  # medium: legacy, no checksum
    assert grades["stripe"] == {"high", "medium"}  # medium: test mode
    assert grades["huggingface"] == {"medium"}
    assert grades["aws-secret-access-key"] == {"medium"}
    assert set().union(*grades.values()) <= {"high", "medium"}


def test_aws_secret_needs_context() -> None:
    rng = random.Random(11)  # noqa: S311 - test data
    key_id, secret = fake_token("aws-access-key-id", rng), fake_token("aws-secret-access-key", rng)
    assert find_secrets(secret) == []
    assert [h.provider for h in find_secrets(f"{key_id}:{secret}")] == [
        "aws-access-key-id",
        "aws-secret-access-key",
    ]
    hits = find_secrets(f"aws_secret_access_key = {secret}")
    assert [h.provider for h in hits] == ["aws-secret-access-key"]


def test_a_default_inside_a_reference_is_still_scanned() -> None:
    token = fake_token("github-classic", random.Random(2))  # noqa: S311 - test data
    assert [h.provider for h in find_secrets("${GH_TOKEN:-" + token + "}")] == ["github-classic"]
    assert find_secrets("${GITHUB_PERSONAL_ACCESS_TOKEN:-}", "GITHUB_PERSONAL_ACCESS_TOKEN") == []


def test_hits_never_show_the_token() -> None:
    token = fake_token("anthropic", random.Random(3))  # noqa: S311 - test data
    hits = find_secrets(f"ANTHROPIC_API_KEY={token}")
    leaked = token in repr(hits) or token in str(hits[0])
    assert hits and not leaked


NOT_SECRETS = [
    ("${GITHUB_TOKEN}", "GITHUB_TOKEN"),
    ("${env:GITHUB_TOKEN}", "GITHUB_TOKEN"),
    ("${input:github_token}", "Authorization"),
    ("$GITHUB_TOKEN", "GITHUB_TOKEN"),
    ("%GITHUB_TOKEN%", "GITHUB_TOKEN"),
    ("op://Private/GitHub/token", "GITHUB_TOKEN"),
    ("{{ secrets.API_KEY }}", "API_KEY"),
    ("Bearer ${input:home-assistant-token}", "Authorization"),
    ("Bearer ${COPILOT_MCP_TOKEN}", None),
    ("OBSIDIAN_API_KEY=${input:obsidian-api-key}", None),
    ("YOUR_TOKEN_HERE", "API_TOKEN"),
    ("YOUR_GITHUB_PERSONAL_ACCESS_TOKEN", "GITHUB_PERSONAL_ACCESS_TOKEN"),
    ("<your-api-key>", "API_KEY"),
    ("REDACTED", "API_KEY"),
    ("Basic REDACTED", "Authorization"),
    ("xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "SECRET_KEY"),
    ("changeme", "DB_PASSWORD"),
    ("example-api-key-8f3k2j5h7g", "API_KEY"),
    ("test-token-9f8e7d6c5b4a", "AUTH_TOKEN"),
    ("dummy", "TOKEN"),
    ("aaaaaaaaaaaaaaaaaaaaaaaa", "API_KEY"),
    ("sk-ant-api03-R2D...igAA", "ANTHROPIC_API_KEY"),
    ("/run/secrets/api_key", "API_KEY"),
    ("/home/alice/.config/gcloud/token.json", "GOOGLE_TOKEN"),
    ("C:\\Users\\bob\\keys\\server.pem", "PRIVATE_KEY"),
    ("https://api.example.com/v1", "API_KEY"),
    ("true", "API_KEY"),
    ("12345678901234567890", "SECRET"),
    ("us-east-1-prod-cluster-01", "CLUSTER_SECRET"),
    ("production-database-primary", "DB_SECRET"),
    ("myServerApplicationName", "AUTH_TOKEN"),
    ("alice@example.com", "API_KEY"),
    ("--max-tokens=4096", None),
    ("https://mcp.supabase.com/mcp?project_ref=REDACTED", None),
    ("postgresql://postgres:postgres@localhost:5432/db", None),
    ("npx -y @modelcontextprotocol/server-github", None),
    ("k8Jq2xZr9LmP4vTn7WcYq3", "SORT_KEY_NAME"),
    ("k8Jq2xZr9LmP4vTn7WcYq3", "AWS_ACCESS_KEY_ID"),
    ("k8Jq2xZr9LmP4vTn7WcYq3", "STRIPE_PUBLISHABLE_KEY"),
]


@pytest.mark.parametrize(("value", "key"), NOT_SECRETS)
def test_references_placeholders_and_plain_values_are_not_secrets(
    value: str, key: str | None
) -> None:
    assert [h.provider for h in find_secrets(value, key)] == []


# Random-looking but made up here: none is any service's token.
GENERIC_SECRETS = [
    ("k8Jq2xZr9LmP4vTn7WcY", "API_TOKEN", "k8Jq2xZr9LmP4vTn7WcY"),
    ("k8Jq2xZr9LmP4vTn7WcY", "--api-key", "k8Jq2xZr9LmP4vTn7WcY"),
    ("k8Jq2xZr9LmP4vTn7WcY", "clientSecret", "k8Jq2xZr9LmP4vTn7WcY"),
    ("Bearer k8Jq2xZr9LmP4vTn7WcY", "Authorization", "k8Jq2xZr9LmP4vTn7WcY"),
    ("Bearer k8Jq2xZr9LmP4vTn7WcY", None, "k8Jq2xZr9LmP4vTn7WcY"),
    ("Authorization: Bearer k8Jq2xZr9LmP4vTn7WcY", None, "k8Jq2xZr9LmP4vTn7WcY"),
    ("MY_API_KEY=k8Jq2xZr9LmP4vTn7WcY", None, "k8Jq2xZr9LmP4vTn7WcY"),
    ("--token=k8Jq2xZr9LmP4vTn7WcY", None, "k8Jq2xZr9LmP4vTn7WcY"),
    ('{"apiKey": "k8Jq2xZr9LmP4vTn7WcY"}', None, "k8Jq2xZr9LmP4vTn7WcY"),
    ("https://x.io/cb?access_token=k8Jq2xZr9LmP4vTn7WcY&a=1", None, "k8Jq2xZr9LmP4vTn7WcY"),
    ("da39a3ee5e6b4b0d3255bfef95601890afd80709", "GITHUB_TOKEN", None),  # legacy 40-hex
    ("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "NPM_TOKEN", None),  # legacy UUID token
    ("hunter22!", "DB_PASSWORD", None),
    ("correct horse battery staple", "PASSPHRASE", None),
    ("postgresql://app:S3cr3tPassw0rd@db:5432/x", None, "S3cr3tPassw0rd"),
    ("Basic YWxpY2U6aHVudGVyMjIh", "Authorization", "YWxpY2U6aHVudGVyMjIh"),  # alice:hunter22!
    ("admin:hunter22!", "BASIC_AUTH", "hunter22!"),
]


@pytest.mark.parametrize(("value", "key", "secret"), GENERIC_SECRETS)
def test_random_values_where_credentials_belong_are_reported(
    value: str, key: str | None, secret: str | None
) -> None:
    hits = find_secrets(value, key)
    assert [(h.provider, h.confidence) for h in hits] == [(GENERIC, "low")]
    assert hits[0].secret == Secret(value if secret is None else secret)


KEY_NAMES = {
    "secret": "GITHUB_PERSONAL_ACCESS_TOKEN x-api-key apiKey PRIVATE-TOKEN Authorization"
    " GITLAB_PAT CLIENT_CREDENTIALS BASIC_AUTH --token",
    "password": "DB_PASSWORD PGPASSWORD SMTP_PASS PASSPHRASE",
    "": "AWS_ACCESS_KEY_ID TOKEN_URL PUBLIC_KEY max_tokens MONKEY BYPASS_PROXY OAUTH_CLIENT_ID"
    " command",
}


@pytest.mark.parametrize(
    ("name", "kind"), [(n, kind) for kind, names in KEY_NAMES.items() for n in names.split()]
)
def test_key_names(name: str, kind: str) -> None:
    assert key_kind(name) == (kind or None)


def test_fakes_route_by_provider_name() -> None:
    assert set(provider_names()) == PROVIDER_NAMES
    with pytest.raises(KeyError, match="unknown provider"):
        fake_token("nope", random.Random(0))  # noqa: S311 - test data
    with pytest.raises(KeyError, match="unknown provider"):
        lookalike_token("nope", random.Random(0))  # noqa: S311 - test data


def test_hostile_values_take_linear_time() -> None:
    # Each of these once backtracked exponentially or quadratically somewhere.
    hostile = ["A" * 5000 + "!", "<" * 5000, "a@" + ".a" * 2000 + "!", "Ab" * 3000 + "!"]
    hostile += ["token=" * 1000, "://a:" * 1000, "ghs_1_" + "a" * 3000 + "...!", "a/" * 2500]
    began = time.perf_counter()
    for value in hostile:
        for key in (None, "API_KEY", "DB_PASSWORD"):
            find_secrets(value, key)
    assert time.perf_counter() - began < 2.0


# Pieces real values are made of, so that random combinations reach every code path.
_SEEDED = random.Random(99)  # noqa: S311 - test data
_FRAGMENTS = [
    *(fake_token(name, _SEEDED) for name in sorted(PROVIDER_NAMES)),
    *(lookalike_token(name, _SEEDED) for name in sorted(PROVIDER_NAMES)),
    *"ghp_ github_pat_ glpat- sk-ant-api03- sk-proj- T3BlbkFJ xoxb- sk_live_".split(),
    *"AKIA AIza npm_ hf_".split(),
    *("Bearer  Basic  token  =  :  ://  @  ?key=  &  ${  }  $  %  \" ' ,  _  -  /  .".split(" ")),
    "API_KEY=",
    '"password": "',
    "https://u:",
    "k8Jq2xZr9LmP4vTn7WcY",
    "hunter22!",
]
_VALUES = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=6), max_size=8).map("".join),
)
_KEYS = (
    st.none()
    | st.sampled_from(["API_KEY", "DB_PASSWORD", "Authorization", "args"])
    | st.text(max_size=12)
)


@settings(max_examples=400, deadline=None)
@given(value=_VALUES, key=_KEYS)
def test_find_secrets_never_raises_and_never_overlaps(value: str, key: str | None) -> None:
    hits = find_secrets(value, key)
    assert all(0 <= h.start < h.end <= len(value) for h in hits)
    assert all(a.end <= b.start for a, b in zip(hits, hits[1:], strict=False))
    assert _spans_match(value, hits)
    assert all(h.confidence in {"high", "medium", "low"} for h in hits)


@settings(max_examples=400, deadline=None)
@given(value=_VALUES)
def test_the_prefilter_never_hides_a_hit(value: str) -> None:
    expected = [] if is_reference(value) else _scan(value, None, None)
    assert find_secrets(value) == expected
