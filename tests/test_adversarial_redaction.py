"""Red-team findings: secrets that no name, flag or provider prefix gives away.

Each of these reached an output raw before the redactor judged text by its looks as well as
its labels:
- a base64 key holding `/` (an AWS secret access key) under a name that does not sound like a
  credential (`SIGNING_KEY`, a TOML `SESSION`), or after a separate `"--secret", "…"` argument,
  in the diffs of `respond --dry-run`, `wrap --all` and `restore`'s refusal;
- the same key in `close --reason` (journal and report);
- a URL password holding a raw `/`, in `mcpir servers` (text and JSON);
- a random positional argument: printed by `servers`, written to `mcp-baseline.json`, and no
  scan finding;
- the proxy's records: the key in call arguments, a response, a malformed line, and
  `{"pw": "…"}`.

The pinned cases come first, then what must stay readable (hashes, paths, packages, ids), then
property tests: generated secrets of every shape, placed everywhere, through every output
path. tests/test_canary_sweep.py plants the same shapes on a whole fake machine.
"""

from __future__ import annotations

import base64
import difflib
import json
import os
import random
import string
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mcpir.core.redact import redact_args, redact_diff, redact_text, redact_value
from mcpir.core.secret import fingerprint
from mcpir.proxy.records import excerpt, response_summary, safe_value
from tests.conftest import RunCli

BASE62 = string.digits + string.ascii_letters
BASE64 = BASE62 + "+/"
BASE64URL = BASE62 + "-_"
WINDOW = 12  # a run this long of a secret, anywhere in an output, is a leak


# --- secrets -----------------------------------------------------------------------------


def seeded(seed: int | str) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible test data, not key material


def _pick(rng: random.Random, alphabet: str, size: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def aws_secret_key(rng: random.Random) -> str:
    """40 base64 characters, here always with a `/`: the shape only a name vouches for."""
    body = _pick(rng, BASE64, 39)
    cut = rng.randrange(1, 39)
    return body[:cut] + "/" + body[cut:]


def base64_key(rng: random.Random) -> str:
    """Random bytes in standard base64: `+`, `/` and `=` padding as they fall."""
    return base64.b64encode(rng.randbytes(rng.randrange(30, 49))).decode()


def base62_key(rng: random.Random) -> str:
    return _pick(rng, BASE62, rng.randrange(40, 65))


def base64url_key(rng: random.Random) -> str:
    return _pick(rng, BASE64URL, rng.randrange(40, 65))


def url_password(rng: random.Random) -> str:
    """A password with a raw `/` (and other characters a URL should have escaped). Not digits
    alone before the `/`: `https://deploy:25/x@host` is host `deploy`, port 25, for urllib and
    for every client, and so for the redactor."""
    left = rng.choice(string.ascii_letters) + _pick(rng, BASE62 + "+=!~*-_.", rng.randrange(1, 9))
    right = _pick(rng, BASE62 + "+=!~*-_.", rng.randrange(6, 16))
    return f"{left}/{right}"


_WORDS = ("Hunter", "Canary", "Maple", "Orbit", "Tiger", "Quartz", "Delta", "Velvet")


def typed_password(rng: random.Random) -> str:
    """What a person picks (`Hunter2CanaryPw99`): not random-looking, so only a name hides it."""
    first, second = rng.sample(_WORDS, 2)
    return f"{first}{rng.randrange(10)}{second}Pw{rng.randrange(10, 100)}"


RANDOM_SHAPES: dict[str, Callable[[random.Random], str]] = {
    "aws-secret-key": aws_secret_key,
    "base64": base64_key,
    "base62": base62_key,
    "base64url": base64url_key,
}


def windows(secret: str) -> set[str]:
    size = min(WINDOW, len(secret))
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def leaks(text: str, secrets: dict[str, str]) -> list[str]:
    """The secrets of which `text` shows a run (`WINDOW` characters, or the whole)."""
    return [name for name, secret in secrets.items() if any(w in text for w in windows(secret))]


AWS = aws_secret_key(seeded("pinned"))  # one fixed key for the pinned cases
PASSWORD = typed_password(seeded("pinned"))


def _diff(before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), "a", "b"))


# --- pinned: each finding of the red team ------------------------------------------------


def test_a_key_with_a_slash_under_an_unknown_name_is_masked_in_a_diff() -> None:
    config = {"mcpServers": {"signer": {"command": "uvx", "env": {"SIGNING_KEY": AWS}}}}
    before = json.dumps(config, indent=2)
    after = before.replace('"uvx"', '"mcpir"')
    toml = f'[mcp_servers.signer]\ncommand = "uvx"\nenv = {{ SESSION = "{AWS}" }}\n'
    for diff in (_diff(before, after), _diff(toml, toml + "enabled = false\n")):
        shown = redact_diff(diff)
        assert AWS in diff and AWS not in shown, shown
        assert fingerprint(AWS) in shown


PASSPHRASE = "correct-horse-battery-staple"  # chosen, not generated: nothing random about it


@pytest.mark.parametrize("flag", ["--secret", "--signing-key", "--pw", "--pass", "--password"])
def test_the_value_after_a_credential_flag_is_masked_in_a_diff(flag: str) -> None:
    args = ["signer-mcp==1.0.0", flag, PASSPHRASE, "--port", "8080"]
    before = json.dumps({"args": args}, indent=2)  # the flag and its value on two lines
    shown = redact_diff(_diff(before, before.replace("8080", "8081")))
    assert PASSPHRASE not in shown and fingerprint(PASSPHRASE) in shown, shown
    assert '"8080"' in shown and '"8081"' in shown  # `--port` is no credential
    toml = f'args = ["signer-mcp==1.0.0", "{flag}", "{PASSPHRASE}"]\n'
    assert PASSPHRASE not in redact_diff(_diff(toml, toml + "enabled = false\n"))
    assert PASSPHRASE not in redact_text(f"started it with {flag} {PASSPHRASE} by hand")


def test_dash_p_hides_a_password_but_not_a_port_or_a_package() -> None:
    args = ["run", "-p", "8080:80", "sshpass", "-p", PASSWORD, "npx", "-p", "mcp-remote@0.1.2"]
    shown = redact_args(args)
    assert shown[2] == "8080:80" and shown[8] == "mcp-remote@0.1.2"
    assert shown[5] == f"…({fingerprint(PASSWORD)})"
    diff = redact_diff(_diff("", json.dumps({"args": args}, indent=2)))
    assert PASSWORD not in diff and '"8080:80"' in diff and '"mcp-remote@0.1.2"' in diff


def test_free_text_masks_a_key_nothing_names() -> None:
    reason = f"rotated the signing key {AWS}; the old one was {AWS[::-1]}."
    shown = redact_text(reason)
    assert AWS not in shown and AWS[::-1] not in shown, shown
    assert shown.startswith("rotated the signing key …(sha256:") and shown.endswith(".")


@pytest.mark.parametrize(
    "password", [f"pa/ss{AWS[:12]}", "a/b-c!d", f"{PASSWORD}/x", "p@ss", "x/y?z#w", "/lead"]
)
def test_a_url_password_with_a_slash_is_masked(password: str) -> None:
    url = f"https://deploy:{password}@mcp.acme.example/mcp?x=1"
    shown = redact_text(url)
    assert shown == f"https://deploy:…({fingerprint(password)})@mcp.acme.example/mcp?x=1"
    for unchanged in (
        "https://mcp.acme.example:8443/v1/@scope/pkg",
        "https://host:8080/a@b",
        "postgres://app:${DB_PASSWORD}@db/app",
        "http://[::1]:8080/mcp",
    ):
        assert redact_text(unchanged) == unchanged


def test_a_random_positional_argument_is_masked() -> None:
    shown = redact_args(["serve", AWS, "--port", "8080"])
    assert shown == ["serve", f"…({fingerprint(AWS)})", "--port", "8080"]


@pytest.mark.parametrize("key", ["pw", "pwd", "pass", "DB_PASS", "signingKey", "Cookie"])
def test_short_credential_names_hide_their_value(key: str) -> None:
    assert redact_value({key: PASSWORD}) == {key: f"…({fingerprint(PASSWORD)})"}
    assert safe_value({"arguments": {key: PASSWORD}}) == {
        "arguments": {key: f"…({fingerprint(PASSWORD)})"}
    }
    assert PASSWORD not in redact_text(f'{{"{key}": "{PASSWORD}"}}')


def test_names_that_only_sometimes_hold_a_credential() -> None:
    uuid = "0199a1b2-7c3d-7e4f-8a9b-00000000c0de"
    shown = redact_value({"session": PASSWORD, "session_id": uuid, "private": "false"})
    assert shown == {"session": f"…({fingerprint(PASSWORD)})", "session_id": uuid,
                     "private": "false"}  # fmt: skip
    assert redact_value({"PWD": "/srv/app", "TOKEN_FILE": "/run/secrets/github"}) == {
        "PWD": "/srv/app",
        "TOKEN_FILE": "/run/secrets/github",
    }


def test_proxy_records_hold_no_key() -> None:
    call = {"name": "sign", "arguments": {"payload": f"sign with {AWS}", "keys": [AWS, "x"]}}
    assert AWS not in json.dumps(safe_value(call))
    answer = {"jsonrpc": "2.0", "id": 1, "result": {"content": [{"type": "text", "text": AWS}]}}
    assert AWS not in json.dumps(response_summary("tools/call", answer, 99))
    assert AWS not in excerpt('{"jsonrpc": "2.0", "params": {"key": "' + AWS + '"')
    assert AWS not in excerpt(f"not json at all: {AWS}")


# --- what must stay readable -------------------------------------------------------------

KEPT = [
    "commit 3f2a9c1d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c by alex",
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "ghcr.io/github/github-mcp-server@sha256:"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "session 0199a1b2-7c3d-7e4f-8a9b-00000000c0de",
    "/home/alice/src/app/.mcp.json",
    "/home/alice/.cache/uv/archive-v0/packages/lib/python3.12/site-packages/mcp/server.py",
    "/tmp/pytest-of-alice/pytest-12/test_restore_refuses_a_file_e0/home/.claude.json",
    "C:\\Users\\alice\\AppData\\Roaming\\Claude\\claude_desktop_config.json",
    "npx -y @modelcontextprotocol/server-github@1.2.3",
    "uvx awslabs.aws-api-mcp-server==0.2.0 --region us-east-1",
    "https://api.githubcopilot.com/mcp/x/repos/readonly?toolsets=repos,issues",
    "docker run -i --rm -e PYTHONIOENCODING=utf-8 -e CONTEXT7_API_KEY mcp/context7:v1.0.13",
    "still in the token inventory as tok_eae8d32d10e6 (sha256:eae8d32d10e6)",
    "ATOM-INC-20261124-001-github-mcp-poisoning",
    "rollout-2026-11-24T10-00-00-0199a1b2-7c3d-7e4f-8a9b-00000000c0de.jsonl",
    "getRepositoryCollaboratorPermissions JSONRPCDispatcher Http2ServerTransport",
    "modelcontextprotocol ThisIsAVeryLongCamelCaseIdentifierName DEFAULT_REQUEST_TIMEOUT",
    "x86_64-unknown-linux-gnu python3.12 node_modules/.bin/mcp-server-filesystem",
    "2026-11-24T10:00:00.123Z 1795514400000 4242-1795334400",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA== Zm9vZm9vZm9vZm9vZm9vZm9vZm9v abab1212abab1212",
]


@pytest.mark.parametrize("text", KEPT)
def test_hashes_paths_packages_and_ids_stay_readable(text: str) -> None:
    assert redact_text(text) == text
    assert redact_args(text.split()) == text.split()


def test_a_path_keeps_its_words_and_loses_only_a_random_part() -> None:
    key = base62_key(seeded("path"))
    shown = redact_text(f"https://hooks.acme.example/mcp/{key}/sse")
    assert shown == f"https://hooks.acme.example/mcp/…({fingerprint(key)})/sse"


def test_detection_rate_on_random_keys() -> None:
    """The measured rates (see redact.py), checked on a fixed sample: every 40-character key
    and nearly every 24-character one is caught; shorter ones need a name to be sure."""
    rng = seeded(2026)

    def caught(key: str) -> bool:
        return not leaks(redact_text(f"x {key} y"), {"key": key})

    for make in RANDOM_SHAPES.values():
        assert all(caught(make(rng)) for _ in range(2000))
    assert sum(caught(_pick(rng, BASE62, 24)) for _ in range(2000)) >= 1980


# --- properties --------------------------------------------------------------------------

seeds = st.integers(min_value=0, max_value=2**64)
random_secret = st.tuples(st.sampled_from(sorted(RANDOM_SHAPES)), seeds).map(
    lambda p: RANDOM_SHAPES[p[0]](seeded(p[1]))
)
prose = st.text(alphabet=string.ascii_letters + " .,:;()'\"\n", max_size=40)


@settings(max_examples=300)
@given(secret=random_secret, before=prose, after=prose)
def test_a_random_key_never_survives_in_text(secret: str, before: str, after: str) -> None:
    for text in (f"{before} {secret} {after}", f"{before}={secret}\n", f"{before}'{secret}'"):
        shown = redact_text(text)
        assert not leaks(shown, {"key": secret}), shown
        assert redact_text(shown) == shown  # idempotent


def _placements(key: str, password: str, url_pw: str) -> Iterator[tuple[str, str]]:
    """(where, config text) for one key, password and URL password: JSON and TOML, named
    and unnamed, a flag and its value on one line and on two."""
    args = ["pkg==1.0", "serve", key, "--secret", key, "--pw", password, "-p", password]
    server = {"command": "uvx", "args": args, "env": {"SIGNING_KEY": key, "SESSION": key},
              "url": f"https://deploy:{url_pw}@mcp.acme.example/mcp"}  # fmt: skip
    yield "json", json.dumps({"mcpServers": {"signer": server}}, indent=2)
    yield "json-compact", json.dumps({"mcpServers": {"signer": server}})
    toml_args = ", ".join(f'"{a}"' for a in args)
    yield (
        "toml",
        (
            f'[mcp_servers.signer]\ncommand = "uvx"\nargs = [{toml_args}]\n'
            f'url = "https://deploy:{url_pw}@mcp.acme.example/mcp"\n'
            f'env = {{ SIGNING_KEY = "{key}", SESSION = "{key}", pass = "{password}" }}\n'
        ),
    )


@settings(max_examples=150)
@given(key=random_secret, seed=seeds)
def test_no_generated_secret_survives_a_diff_a_record_or_a_structure(key: str, seed: int) -> None:
    rng = seeded(seed)
    password, url_pw = typed_password(rng), url_password(rng)
    secrets = {"key": key, "password": password, "url password": url_pw}
    for where, config in _placements(key, password, url_pw):
        for diff in (_diff("", config), _diff(config, ""), _diff(config, config + "\n#")):
            shown = redact_diff(diff)
            assert not leaks(shown, secrets), (where, shown)
        if where == "json":
            document = json.loads(config)
            server = document["mcpServers"]["signer"]
            shown_args = " ".join(redact_args(server["args"]))
            assert not leaks(shown_args + redact_text(server["url"]), secrets), shown_args
            assert not leaks(json.dumps(redact_value(document)), secrets)
            arguments = {**server["env"], "pw": password, "args": server["args"], "dsn": config}
            call = {"name": "connect", "arguments": arguments}
            records = [
                safe_value(call),
                response_summary(
                    "tools/call",
                    {"result": {"content": [{"type": "text", "text": f"{key} {server['url']}"}]}},
                    1,
                ),  # fmt: skip
                excerpt(config),
                excerpt(config[len(config) // 3 :]),  # a malformed line cut anywhere
            ]
            assert not leaks(json.dumps(records, ensure_ascii=False), secrets), records


# --- every output path of the CLI --------------------------------------------------------


@dataclass
class Machine:
    home: Path
    root: Path
    secrets: dict[str, str]


def plant(base: Path, key: str, rng: random.Random) -> Machine:
    """A home whose configs hold `key` (and a typed password, a URL password) in every place
    the red team found one: unnamed, under a name mcpir does not know, after flags."""
    home, root = base / "home", base / "project"
    (home / ".codex").mkdir(parents=True)
    root.mkdir()
    password, url_pw = typed_password(rng), url_password(rng)
    reason_key = RANDOM_SHAPES[rng.choice(sorted(RANDOM_SHAPES))](rng)
    args = ["signer-mcp==1.0.0", "serve", key, "--secret", key, "--signing-key", key,
            "--pw", password, "--pass", password, "-p", password]  # fmt: skip
    claude = {
        "numStartups": 3,
        "mcpServers": {
            "signer": {"command": "uvx", "args": args, "env": {"SIGNING_KEY": key}},
            "remote": {"type": "http", "url": f"https://deploy:{url_pw}@mcp.acme.example/mcp"},
        },
    }
    (home / ".claude.json").write_text(json.dumps(claude, indent=2) + "\n", encoding="utf-8")
    (home / ".codex" / "config.toml").write_text(
        'model = "o4-mini"\n\n[mcp_servers.signer]\ncommand = "uvx"\n'
        'args = ["signer-mcp==1.0.0"]\n'
        f'env = {{ SESSION = "{key}" }}\n',
        encoding="utf-8",
    )
    secrets = {"key": key, "password": password, "url password": url_pw, "reason": reason_key}
    return Machine(home, root, secrets)


def _files(machine: Machine) -> dict[Path, str]:
    """What mcpir wrote: the baseline and the incident trail, not its byte-exact backups."""
    found = {machine.root / "mcp-baseline.json"}
    found |= {p for p in (machine.root / ".atom-trail").rglob("*") if "backups" not in p.parts}
    return {p: p.read_text(encoding="utf-8") for p in found if p.is_file()}


def sweep_outputs(run_cli: RunCli, machine: Machine) -> dict[str, str]:
    """Every output path, by name: what each printed, and the files mcpir wrote."""
    scope = ("--home", machine.home, "--root", machine.root)
    out: dict[str, str] = {}

    def run(label: str, *args: str | Path, code: set[int]) -> str:
        result = run_cli(*args)
        assert result.code in code, (label, result.code, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        out[label] = result.stdout + result.stderr
        return result.stdout

    run("servers", "servers", *scope, code={0})
    run("servers --json", "servers", *scope, "--json", code={0})
    run("scan --format json", "scan", *scope, "--format", "json", code={1})
    run("scan --format sarif", "scan", *scope, "--format", "sarif", code={1})
    run("scan --update-baseline", "scan", *scope, "--update-baseline", code={0})
    run("respond --dry-run", "respond", "--only", "contain", "--dry-run", *scope, code={0, 1})
    run("wrap --all", "wrap", "--all", *scope, code={1})
    opened = run("respond", "respond", "--only", "contain", "--yes", "--json", *scope,
                 "--title", "signing key", code={0, 1})  # fmt: skip
    incident = json.loads(opened)["incident"]
    claude, codex = machine.home / ".claude.json", machine.home / ".codex" / "config.toml"
    contained = {path: path.read_text(encoding="utf-8") for path in (claude, codex)}
    claude.write_text(contained[claude].replace('"--pw",', '"--pw" ,'), encoding="utf-8")
    codex.write_text(contained[codex].replace("1.0.0", "1.0.1"), encoding="utf-8")
    refused = run("restore (refused)", "restore", "--root", machine.root, code={1})
    assert refused == "" and out["restore (refused)"].count("was edited since") == 2
    for path, text in contained.items():
        path.write_text(text, encoding="utf-8")
    reason = f"rotated the signing key; the old one was {machine.secrets['reason']}"
    run("close --reason", "close", incident, "--root", machine.root, "--reason", reason,
        code={0})  # fmt: skip
    run("report", "report", incident, "--root", machine.root, code={0})
    run("report --format json", "report", incident, "--root", machine.root, "--format",
        "json", code={0})  # fmt: skip
    for path, text in _files(machine).items():
        out[str(path.relative_to(machine.root))] = text
    return out


def test_every_output_path_masks_every_shape(run_cli: RunCli, tmp_path: Path) -> None:
    machine = plant(tmp_path, AWS, seeded("pinned"))
    outputs = sweep_outputs(run_cli, machine)
    assert {"mcp-baseline.json", ".atom-trail/.gitignore"} <= set(outputs)
    assert any(name.endswith("journal.jsonl") for name in outputs), sorted(outputs)
    found = {label: leaks(text, machine.secrets) for label, text in outputs.items()}
    assert not {label: names for label, names in found.items() if names}, outputs
    # The positional key and the one under SESSION are findings, named by fingerprint.
    findings = json.loads(outputs["scan --format json"])["findings"]
    unnamed = {f["message"]: f["evidence"] for f in findings if f["server"] == "signer"}
    assert unnamed["random-looking value in args[2]"] == f"args[2]: …({fingerprint(AWS)})"
    assert unnamed["random-looking value in env SESSION"] == f"env SESSION: …({fingerprint(AWS)})"
    assert "rotated the signing key; the old one was …(sha256:" in outputs["report"]


# A whole machine per example: few examples, and no shrinking (a seed has nothing to shrink).
@settings(
    max_examples=8,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(key=random_secret, seed=seeds)
def test_generated_secrets_never_reach_an_output(
    run_cli: RunCli, tmp_path_factory: pytest.TempPathFactory, key: str, seed: int
) -> None:
    machine = plant(tmp_path_factory.mktemp("machine"), key, seeded(seed))
    outputs = sweep_outputs(run_cli, machine)
    found = {label: leaks(text, machine.secrets) for label, text in outputs.items()}
    assert not {label: names for label, names in found.items() if names}, outputs


@pytest.mark.parametrize(
    "params",
    [
        {"session": "Hunter2CanaryPw99"},
        {"query": "pw=Hunter2CanaryPw99"},
        {"args": ["-p", "Hunter2CanaryPw99"]},
    ],
)
def test_proxy_log_masks_short_keyed_and_flagged_values(params: dict[str, object]) -> None:
    assert "Hunter2CanaryPw99" not in json.dumps(safe_value(params))


def test_redact_responses_masks_a_value_under_a_short_credential_key() -> None:
    from mcpir.proxy.sanitize import redact_json

    masked = redact_json({"content": [{"pw": "Hunter2CanaryPw99", "session": "Hunter2CanaryPw99"}]})
    assert "Hunter2CanaryPw99" not in json.dumps(masked)


# Second red-team pass (redaction): each failed before its fix.

GHP = "ghp_7Tmmi3iAflu0fykxtSZsxRWXkzRpOlWvFkem"


def test_token_as_mapping_key_redact_value() -> None:
    assert GHP not in json.dumps(redact_value({GHP: 1}))


def test_token_as_mapping_key_proxy_log() -> None:
    assert GHP not in json.dumps(safe_value({"secrets": {GHP: "ci"}}))


def test_token_in_env_key_servers_json(tmp_path: Path) -> None:
    home, root, mh = tmp_path / "h", tmp_path / "r", tmp_path / "m"
    for d in (home, root, mh):
        d.mkdir()
    (root / ".mcp.json").write_text(
        json.dumps(
            {
                "mcpServers": {
                    "gh": {
                        "command": "npx",
                        "args": ["-y", "@modelcontextprotocol/server-github"],
                        "env": {f"GITHUB_PERSONAL_ACCESS_TOKEN={GHP}": ""},
                    }
                }
            }
        )
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mcpir",
            "servers",
            "--home",
            str(home),
            "--root",
            str(root),
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "MCPIR_HOME": str(mh)},
        timeout=120,
    ).stdout
    assert '"gh"' in out and GHP not in out


def test_quoted_passphrase_with_spaces() -> None:
    assert "battery staple" not in redact_text('DB_PASSWORD="correct horse battery staple"')
    assert "battery staple" not in redact_diff(
        '-      "DB_PASSWORD": "correct horse battery staple",'
    )
    assert "hunter 22" not in redact_text("DB_PASSWORD='hunter 22'")


def test_name_value_pairs() -> None:
    v = {
        "env": [{"name": "GITHUB_TOKEN", "value": "hunter22"}],
        "headers": [{"name": "Authorization", "value": "s3cr3tv4l"}],
    }
    dumped = json.dumps(redact_value(v)) + json.dumps(safe_value(v))
    assert "hunter22" not in dumped and "s3cr3tv4l" not in dumped


def test_numeric_password() -> None:
    assert redact_value({"password": 31415926})["password"] != 31415926
    assert safe_value({"DB_PASSWORD": 31415926})["DB_PASSWORD"] != 31415926


def test_signature_names() -> None:
    assert "hunter22abc" not in redact_text("X_HUB_SIGNATURE=hunter22abc")
    assert "hunter22abc" not in json.dumps(
        redact_value({"X_SIGNATURE": "hunter22abc", "HMAC_KEY": "hunter22abc"})
    )


def test_pgp_private_block() -> None:
    block = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0aaaa\nwNM4oAnLexk=\n"
    out = redact_text(block + "-----END PGP PRIVATE KEY BLOCK-----")
    assert "lQOYBF0aaaa" not in out and "wNM4oAnLexk=" not in out


def test_truncated_pem() -> None:
    assert "MIIEowIBAAKCAQEAx" not in redact_text(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\n"
    )


def test_short_password_flags() -> None:
    assert "hunter22" not in " ".join(redact_args(["curl", "-u", "admin:hunter22", "https://api"]))
    assert "hunter22" not in redact_text("curl -u admin:hunter22 https://api")
    assert "hunter22" not in " ".join(redact_args(["sshpass", "-p", "hunter22", "ssh", "host"]))
    assert "hunter22" not in redact_text("mysql -u root -phunter22")
    assert "hunter22" not in " ".join(redact_args(["/usr/bin/mysql", "-uroot", "-phunter22"]))
    assert "hunter22" not in " ".join(redact_args(["redis-cli", "-p", "6379", "-a", "hunter22"]))


@pytest.mark.parametrize(
    "args",
    [
        ["docker", "run", "-p", "8080:80", "img"],
        ["npx", "-p", "@scope/pkg@1.0", "x"],
        ["redis-cli", "-p", "6379"],
        ["curl", "-u", "admin", "https://api"],
    ],
)
def test_ports_packages_and_plain_users_stay_readable(args: list[str]) -> None:
    assert redact_args(args) == args
    assert redact_text(" ".join(args)) == " ".join(args)
