"""`mcpir posture`: each checklist item passes on a well-kept project and fails when its one
thing is broken; JSON fields and exit codes are the contract the incident document relies on."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import takewhile
from pathlib import Path
from typing import Any

import pytest
import time_machine

from mcpir.config.project import load_policy
from mcpir.core.paths import Scopes
from mcpir.posture import PostureItem, evaluate
from mcpir.posture.branch import BranchProtection
from tests.conftest import CANARY, FIXTURES, RunCli

ITEMS = [
    "codeowners", "token-age", "secrets-at-rest", "pinned-versions", "official-images",
    "audit-proxy", "flows", "open-incidents", "training",
]  # fmt: skip
DIGEST = "sha256:" + "a" * 64


def wrapped(name: str, *command: str) -> dict[str, Any]:
    return {"command": "mcpir", "args": ["proxy", "--name", name, "--", *command]}


def good_servers() -> dict[str, Any]:
    return {
        # Read-only, and no server that sends out beside it: no exfiltration path (`flows`).
        "github": wrapped("github", "docker", "run", "-i", "--rm", "-e", "GITHUB_TOKEN",
                          "-e", "GITHUB_READ_ONLY=1", f"ghcr.io/github/github-mcp-server@{DIGEST}"),
        "timezone": wrapped("timezone", "uvx", "mcp-server-time==0.6.2"),
    }  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A project that passes every item (training is acknowledged by the test)."""
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    (root / ".github").mkdir(parents=True)
    write_servers(root, good_servers())
    (root / ".github" / "CODEOWNERS").write_text("* @acme/devs\n/.mcp.json @acme/security\n")
    return home, root


def write_servers(root: Path, servers: dict[str, Any]) -> None:
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": servers}, indent=2))


def posture(run_cli: RunCli, home: Path, root: Path) -> tuple[int, dict[str, dict[str, str]]]:
    done = run_cli("posture", "--json", "--home", home, "--root", root)
    items = json.loads(done.stdout)
    assert CANARY not in done.stdout + done.stderr
    for item in items:
        assert list(item) == ["id", "title", "status", "evidence", "fix"]
        assert item["status"] in ("pass", "fail", "unknown")
    return done.code, {item["id"]: item for item in items}


def ack(run_cli: RunCli) -> None:
    done = run_cli("posture", "ack", "training", "--by", "alice")
    assert done.code == 0 and "acknowledged by alice on " in done.stdout


def test_a_well_kept_project_passes(run_cli: RunCli, project: tuple[Path, Path]) -> None:
    home, root = project
    ack(run_cli)
    code, items = posture(run_cli, home, root)
    assert list(items) == ITEMS
    assert {k: v["status"] for k, v in items.items()} == dict.fromkeys(ITEMS, "pass")
    assert code == 0
    assert (
        "/.mcp.json" not in items["codeowners"]["evidence"]
        or "@acme/security" in (items["codeowners"]["evidence"])
    )
    assert items["training"]["evidence"].startswith("acknowledged by alice on ")
    text = run_cli("posture", "--home", home, "--root", root)
    assert text.code == 0 and f"all {len(ITEMS)} items pass" in text.stdout


def _no_codeowners(root: Path) -> None:
    (root / ".github" / "CODEOWNERS").unlink()


def _unowned(root: Path) -> None:
    (root / ".github" / "CODEOWNERS").write_text("* @acme/devs\n/.mcp.json\n")


def _unpinned(root: Path) -> None:
    write_servers(root, good_servers() | {"time": wrapped("time", "npx", "-y", "mcp-time")})


def _unofficial(root: Path) -> None:
    image = f"someone/mcp-server@{DIGEST}"
    write_servers(root, good_servers() | {"x": wrapped("x", "docker", "run", "-i", image)})


def _unwrapped(root: Path) -> None:
    write_servers(root, good_servers() | {"raw": {"command": "node", "args": ["server.js"]}})


def _open_incident(root: Path) -> str:
    from mcpir.incident.store import open_incident

    playbook = {"path": "incident-response.yaml", "sha256": "0" * 64}
    header = {"root": str(root), "home": str(root), "playbook": playbook}
    return open_incident(root, "poisoned", header).id


BREAKS: dict[str, tuple[Callable[[Path], object], str, str]] = {
    "no-codeowners": (_no_codeowners, "codeowners", "add .github/CODEOWNERS"),
    "unowned": (_unowned, "codeowners", "/.mcp.json @your-team"),
    "unpinned": (_unpinned, "pinned-versions", "pin exact versions"),
    "unofficial": (_unofficial, "official-images", "official_images"),
    "unwrapped": (_unwrapped, "audit-proxy", "mcpir wrap"),
    "incident": (_open_incident, "open-incidents", "mcpir respond --resume"),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_each_item_fails_alone(run_cli: RunCli, project: tuple[Path, Path], case: str) -> None:
    home, root = project
    ack(run_cli)
    breaker, item, fix = BREAKS[case]
    breaker(root)
    code, items = posture(run_cli, home, root)
    assert code == 1
    failing = {k for k, v in items.items() if v["status"] == "fail"}
    assert failing == {item}, items
    assert fix in items[item]["fix"]
    text = run_cli("posture", "--home", home, "--root", root)
    assert text.code == 1
    lines = text.stdout.splitlines()
    rows = [line for line in lines if line and not line[0].isspace()]
    assert rows[0].split() == ["status", "item", "evidence"]
    # `flows` cannot be judged (??) once a server nothing describes is added: never a fake ok.
    marks = {"fail": "FAIL", "unknown": "??", "pass": "ok"}
    assert [row.split()[0] for row in rows[1 : 1 + len(items)]] == [
        "FAIL" if i == item else marks[items[i]["status"]] for i in items
    ]
    assert {i for i in items if items[i]["status"] == "unknown"} <= {"flows"}
    # The failing row's item column, its folded lines joined, is the item's title.
    first = next(i for i, line in enumerate(lines) if line.startswith("FAIL"))
    column = slice(rows[0].index("item"), rows[0].index("evidence"))
    folded = [lines[first]] + list(takewhile(lambda line: line[:1] == " ", lines[first + 1 :]))
    assert " ".join(line[column].strip() for line in folded).strip() == items[item]["title"]
    assert "fix: " in text.stdout
    assert f"{len(ITEMS) - 1} of {len(ITEMS)} items pass" in text.stdout


def test_restored_incident_is_closed(run_cli: RunCli, project: tuple[Path, Path]) -> None:
    from mcpir.incident.journal import PlannedChange
    from mcpir.incident.restore import restore
    from mcpir.incident.store import find_incident

    home, root = project
    ack(run_cli)
    incident = find_incident(root, _open_incident(root))
    incident.journal.apply(PlannedChange("create", root / "note.txt", "a note", b"x"), "contain")
    assert posture(run_cli, home, root)[0] == 1
    restore(root, incident.id, dry_run=False, force=False)
    code, items = posture(run_cli, home, root)
    assert code == 0 and items["open-incidents"]["evidence"] == "1 incidents, none open"


def test_training_ack_expires_after_a_year(run_cli: RunCli, project: tuple[Path, Path]) -> None:
    home, root = project
    with time_machine.travel(datetime(2025, 1, 10, tzinfo=UTC), tick=False):
        ack(run_cli)
        assert posture(run_cli, home, root)[1]["training"]["status"] == "pass"
    with time_machine.travel(datetime(2026, 1, 20, tzinfo=UTC), tick=False):
        code, items = posture(run_cli, home, root)
    assert code == 1 and items["training"]["status"] == "fail"
    assert "375 days ago" in items["training"]["evidence"]


def test_no_ack_fails_and_bad_item_is_usage(run_cli: RunCli, project: tuple[Path, Path]) -> None:
    home, root = project
    assert posture(run_cli, home, root)[1]["training"]["status"] == "fail"
    assert run_cli("posture", "ack", "pinning").code == 2


def test_token_age_follows_the_policy(run_cli: RunCli, project: tuple[Path, Path]) -> None:
    home, root = project
    ack(run_cli)
    servers = good_servers()
    servers["timezone"]["env"] = {"API_TOKEN": f"{CANARY}{uuid.uuid4().hex}"}
    write_servers(root, servers)
    # The token is written into the config: `secrets-at-rest` fails on it, whatever its age.
    with time_machine.travel(datetime(2026, 1, 1, 12, tzinfo=UTC), tick=False):
        assert posture(run_cli, home, root)[1]["token-age"]["status"] == "pass"
        ack(run_cli)
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False):
        code, items = posture(run_cli, home, root)
    assert items["token-age"]["status"] == "pass"
    assert "1 tokens within their age" in items["token-age"]["evidence"]
    assert code == 1 and items["secrets-at-rest"]["status"] == "fail"
    assert "1 tokens stored unencrypted" in items["secrets-at-rest"]["evidence"]
    assert CANARY not in json.dumps(items)
    with time_machine.travel(datetime(2026, 4, 15, 12, tzinfo=UTC), tick=False):
        code, items = posture(run_cli, home, root)
    assert code == 1 and items["token-age"]["status"] == "fail"
    assert "(104d > 90d)" in items["token-age"]["evidence"]
    assert items["token-age"]["fix"].startswith("mcpir tokens rotate tok_")


def test_remote_servers_count_in_the_proxy_item(
    run_cli: RunCli, project: tuple[Path, Path]
) -> None:
    home, root = project
    ack(run_cli)
    write_servers(root, good_servers() | {"remote": {"type": "http", "url": "https://mcp.x/"}})
    code, items = posture(run_cli, home, root)
    item = items["audit-proxy"]
    assert (
        code == 1
        and item["status"] == "fail"
        and "1 of 3 servers (2 local, 1 remote) not wrapped" in item["evidence"]
    )
    assert "--url" in item["fix"]
    wrapped_remote = {"command": "mcpir", "args": ["proxy", "--name", "remote", "--url",
                                                   "https://mcp.x/"]}  # fmt: skip
    write_servers(root, good_servers() | {"remote": wrapped_remote})
    code, items = posture(run_cli, home, root)
    assert items["audit-proxy"]["status"] == "pass", items["audit-proxy"]
    assert "all 3 servers (2 local, 1 remote) wrapped" in items["audit-proxy"]["evidence"]


def test_contained_servers_are_judged_as_they_will_come_back(
    run_cli: RunCli, project: tuple[Path, Path]
) -> None:
    home, root = project
    ack(run_cli)
    _unwrapped(root)
    contained = run_cli("respond", "--only", "contain", "--yes", "--home", home, "--root", root)
    assert contained.code == 0, contained.stderr
    code, items = posture(run_cli, home, root)
    assert items["audit-proxy"]["status"] == "fail" and "raw" in items["audit-proxy"]["evidence"]


def test_contract_b_is_importable(project: tuple[Path, Path]) -> None:
    home, root = project
    scopes = Scopes(home=home, root=root)
    items = evaluate(scopes, load_policy(root))
    assert all(isinstance(item, PostureItem) for item in items)
    assert dataclasses.is_dataclass(PostureItem)
    with pytest.raises(dataclasses.FrozenInstanceError):
        items[0].status = "pass"  # type: ignore[misc]
    assert [item.id for item in items] == ITEMS
    assert set(items[0].to_json()) == {"id", "title", "status", "evidence", "fix"}


def test_fixture_machine_posture_stays_redacted(run_cli: RunCli) -> None:
    done = run_cli("posture", "--json", "--home", FIXTURES / "homes" / "linux",
                   "--root", FIXTURES / "project")  # fmt: skip
    assert done.code == 1
    assert CANARY not in done.stdout + done.stderr
    items = {item["id"]: item for item in json.loads(done.stdout)}
    assert items["pinned-versions"]["status"] == "fail"
    assert items["audit-proxy"]["status"] == "fail"


# Branch protection, opt-in: a small stand-in for the three GitHub endpoints it reads.


class _GitHub(BaseHTTPRequestHandler):
    protection: dict[str, Any] | None = None
    protected = True

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_address[1]!s}"  # type: ignore[index]
        repo = f"{base}/repos/acme/app"
        if self.headers.get("Authorization") != "token ghp-test-value":
            return self._send(401, {"message": "Bad credentials"})
        answers: dict[str, tuple[int, Any]] = {
            "/repos/acme/app": (200, {"url": repo, "full_name": "acme/app", "name": "app",
                                      "default_branch": "main"}),
            "/repos/acme/app/branches/main": (200, {
                "name": "main", "protected": type(self).protected,
                "protection_url": f"{repo}/branches/main/protection"}),
        }  # fmt: skip
        if self.path in answers:
            return self._send(*answers[self.path])
        if self.path == "/repos/acme/app/branches/main/protection":
            protection = type(self).protection
            if protection is None:
                return self._send(404, {"message": "Branch not protected"})
            return self._send(200, {"url": f"{repo}/branches/main/protection", **protection})
        return self._send(404, {"message": "Not Found"})

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-test-value")
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("protected", "protection", "status", "evidence"),
    [
        (True, {"required_pull_request_reviews": {"require_code_owner_reviews": True,
                                                  "required_approving_review_count": 1}},
         "pass", "protected, 1 review(s) incl. code owners"),
        (True, {"required_pull_request_reviews": {"require_code_owner_reviews": False,
                                                  "required_approving_review_count": 2}},
         "fail", "requires 2 review(s), not from code owners"),
        (True, {"enforce_admins": {"enabled": True}}, "fail", "requires no pull-request review"),
        (True, None, "fail", "branch not protected"),
        (False, None, "fail", "acme/app@main is not protected"),
    ],
)  # fmt: skip
def test_branch_protection_opt_in(
    run_cli: RunCli,
    project: tuple[Path, Path],
    github: str,
    protected: bool,
    protection: dict[str, Any] | None,
    status: str,
    evidence: str,
) -> None:
    home, root = project
    _GitHub.protected, _GitHub.protection = protected, protection
    done = run_cli("posture", "--json", "--home", home, "--root", root,
                   "--branch-protection", "github:acme/app", "--api-url", github)  # fmt: skip
    items = {item["id"]: item for item in json.loads(done.stdout)}
    assert list(items)[:2] == ["codeowners", "branch-protection"]
    assert items["branch-protection"]["status"] == status
    assert evidence in items["branch-protection"]["evidence"]


def test_branch_protection_without_access_is_unknown(
    project: tuple[Path, Path], github: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, root = project
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-wrong")
    opt = BranchProtection.parse("github:acme/app", github)
    items = evaluate(Scopes(home=home, root=root), load_policy(root), branch_protection=opt)
    item = next(i for i in items if i.id == "branch-protection")
    assert item.status == "unknown" and "HTTP 401" in item.evidence


@pytest.mark.parametrize("spec", ["acme/app", "gitlab:acme/app", "github:acme", "github:"])
def test_bad_branch_protection_spec(run_cli: RunCli, spec: str) -> None:
    done = run_cli("posture", "--branch-protection", spec)
    assert done.code == 2 and "github:OWNER/REPO" in done.stderr


def test_an_item_that_cannot_be_judged_is_unknown(
    run_cli: RunCli, project: tuple[Path, Path]
) -> None:
    from mcpir.config.rotation import user_config_path
    from mcpir.posture import branch, items

    assert branch.TITLE == items.TITLES["branch-protection"]
    home, root = project
    ack(run_cli)
    user_config_path().write_text("[rotation]\nmax_age_days = 0\n")
    code, found = posture(run_cli, home, root)
    assert found["token-age"]["status"] == "unknown"
    assert "max_age_days" in found["token-age"]["evidence"]
    assert found["token-age"]["title"] == items.TITLES["token-age"]
    assert code == 0


def test_hardening_journals_are_not_open_incidents(
    run_cli: RunCli, project: tuple[Path, Path]
) -> None:
    """`tokens externalize` / `proxy wrap` journal their edits as an incident with no playbook
    (so `mcpir restore` can undo them): posture must not ask the user to undo them to pass."""
    from mcpir.incident.store import open_incident

    home, root = project
    ack(run_cli)
    externalized = open_incident(root, "externalize tokens", {"root": str(root)})
    externalized.write_summary("open")
    code, items = posture(run_cli, home, root)
    assert code == 0 and items["open-incidents"]["evidence"] == "0 incidents, none open"
    playbook = {"path": "incident-response.yaml", "sha256": "0" * 64}
    real = open_incident(root, "poisoned server", {"root": str(root), "playbook": playbook})
    real.write_summary("open")
    code, items = posture(run_cli, home, root)
    assert code == 1 and items["open-incidents"]["status"] == "fail"
    assert real.id in items["open-incidents"]["evidence"]
    assert externalized.id not in items["open-incidents"]["evidence"]


def test_posture_on_a_bare_directory_and_an_empty_home(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "plain"
    home.mkdir()
    root.mkdir()  # not a git repository, no config, no trail
    code, items = posture(run_cli, home, root)
    assert code == 1 and items["training"]["status"] == "fail"
    assert {k for k, v in items.items() if v["status"] == "fail"} == {"training"}


def test_a_proxy_inside_mcpir_run_counts_as_wrapped(
    run_cli: RunCli, project: tuple[Path, Path]
) -> None:
    # `tokens externalize` after `wrap`: mcpir run passes the secrets, the proxy logs the calls.
    home, root = project
    ack(run_cli)
    inner = wrapped("fetch", "uvx", "mcp-server-fetch==2025.1.17")
    run = {
        "command": "mcpir",
        "args": ["run", "--only", "FETCH_KEY", "--", "mcpir", *inner["args"]],
    }
    write_servers(root, good_servers() | {"fetch": run})
    code, items = posture(run_cli, home, root)
    assert items["audit-proxy"]["status"] == "pass", items["audit-proxy"]


def test_ack_without_a_known_login_asks_for_by(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a container run as a uid with no passwd entry and no $USER, getpass.getuser()
    raises: `posture ack` said so with a traceback instead of asking for --by."""
    import getpass

    def nobody() -> str:
        raise KeyError("getpwuid(): uid not found: 12345")

    monkeypatch.setattr(getpass, "getuser", nobody)
    result = run_cli("posture", "ack", "training")
    assert result.code == 2 and "--by" in result.stderr and "Traceback" not in result.stderr


def test_a_contained_machine_says_its_servers_are_off(run_cli: RunCli, tmp_path: Path) -> None:
    """After `respond --only contain` every server is disabled: the audit-proxy item judges
    them as they would come back, and says they are off now (it once said "13 of 13 local
    servers not wrapped" on a machine where all were disabled)."""
    import shutil

    home, root = tmp_path / "home", tmp_path / "root"
    shutil.copytree(FIXTURES / "homes" / "linux", home)
    root.mkdir()
    contained = run_cli("respond", "--only", "contain", "--yes", "--home", home, "--root", root)
    assert contained.code in (0, 1), contained.stderr
    done = run_cli("posture", "--json", "--home", home, "--root", root)
    item = {i["id"]: i for i in json.loads(done.stdout)}["audit-proxy"]
    assert item["status"] == "fail" and "disabled now" in item["evidence"], item
    assert re.search(
        r"of \d+ (local servers?|servers \(\d+ local, \d+ remote\)) not wrapped \(all \d+ "
        r"servers disabled now",
        item["evidence"],
    )
