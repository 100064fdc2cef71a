"""The demo's fake machine: Alex's home, eight AI clients, a project repository and an incident.

Everything is written under one base directory, so the demo can run discovery, scan and
investigation against a machine where something went wrong without touching the real one.
Content is fixed by the seed; only the transcript's timestamps follow the clock (an incident is
recent), and git commits carry fixed dates, so their shas are fixed too.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mcpir.core.errors import McpirError
from mcpir.core.secret import fingerprint
from mcpir.demo import content, transcripts
from mcpir.secrets.fakes import fake_token

ALEX = ("Alex Moreau", content.ALEX_EMAIL)
DRIVE_BY = ("drive-by", "drive-by@users.noreply.example")
BRANCH = "feature/diagrams"
# Fixed dates make the shas depend on nothing but the content; all precede any run of the demo.
COMMIT_DATES = (
    "2026-08-03T09:14:07+02:00",
    "2026-08-04T10:02:11+02:00",
    "2026-08-04T10:09:45+02:00",
    "2026-11-20T22:41:53+01:00",
    "2026-11-21T08:03:29+01:00",
)
CLAUDE_CODE_VERSION = "2.0.37"
MODEL = "claude-sonnet-4-5-20250929"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Sandbox:
    base: Path  # the temp dir holding everything
    home: Path  # fake home: base / "home" / "alex"
    root: Path  # fake project git repo: home / "src" / "payments-api"
    story: tuple[str, ...]  # what was planted and why, a line each, for the demo to print
    planted: dict[str, str]  # name -> what an investigation should find


def build_sandbox(base: Path, *, seed: int = 20261124) -> Sandbox:
    """Create the fake machine under `base` (must be empty or absent).

    Never touches the real home: every file, git's included, is written under `base`.
    """
    git = shutil.which("git")
    if git is None:
        raise McpirError(
            "git is needed for the demo's project repository", hint="apt-get install git"
        )
    if base.exists() and (not base.is_dir() or any(base.iterdir())):
        raise McpirError(f"{base} is not an empty directory", hint="give a new or empty directory")
    base = base.resolve()
    home = base / "home" / "alex"
    root = home / "src" / content.REPO_NAME
    # Reproducible on purpose: the demo's story names the same fingerprint and shas every run.
    rng = random.Random(seed)  # noqa: S311
    token = _github_pat(rng)
    ids = {name: str(_uuid(rng)) for name in ("session", "account", "organization")}
    ids["user"] = f"{rng.getrandbits(256):064x}"

    unauthorized, merge, leak = _project_repo(git, root, home, token)
    transcript, exfil_id = _transcript(home, root, ids["session"], rng)
    transcripts.add_history(home, root)  # the baseline and follow-up sessions investigate reads
    _user_configs(home, root, token, ids)

    token_fp = fingerprint(token)
    story = (
        f"Alex's laptop: eight AI clients configured, one project, ~/src/{content.REPO_NAME}.",
        f"~/.claude.json: the `github` server holds a hardcoded GitHub token ({token_fp}).",
        f"{DRIVE_BY[0]}, not in CODEOWNERS, added `{content.POISONED_SERVER}` to .mcp.json "
        f"(commit {unauthorized[:7]}); Alex merged it ({merge[:7]}).",
        "Its description tells the model to put source code and credentials in every diagram, "
        "and to keep quiet about it.",
        f"In August Alex committed the same token in .cursor/mcp.json ({leak[0][:7]}) and took "
        f"it out the next commit ({leak[1][:7]}): it is still in the history.",
        f"A Claude Code session a day ago read {content.EXFILTRATED_FILE} through `github`, "
        f"then sent it, database password included, to `{content.POISONED_SERVER}`.",
    )
    planted = {
        "poisoned_server": content.POISONED_SERVER,
        "poisoned_config": str(root / ".mcp.json"),
        "poisoned_description": content.POISONED_DESCRIPTION,
        "leaked_token_server": "github",
        "leaked_token_config": str(home / ".claude.json"),
        "leaked_token_env": "GITHUB_PERSONAL_ACCESS_TOKEN",
        "leaked_token_provider": "github-classic",
        "leaked_token_fingerprint": token_fp,
        "unauthorized_commit": unauthorized,
        "unauthorized_author": f"{DRIVE_BY[0]} <{DRIVE_BY[1]}>",
        "unauthorized_branch": BRANCH,
        "merge_commit": merge,
        "leaked_token_added_in": leak[0],
        "leaked_token_removed_in": leak[1],
        "authorized_owner": "@alex",
        "transcript": str(transcript),
        "session_id": ids["session"],
        "exfiltration_tool_use_id": exfil_id,
        "exfiltrated_file": content.EXFILTRATED_FILE,
        "canary": content.CANARY_PASSWORD,
    }
    return Sandbox(base=base, home=home, root=root, story=story, planted=planted)


def _github_pat(rng: random.Random) -> str:
    """A classic personal access token (`ghp_`), the kind people paste into MCP configs."""
    for _ in range(200):
        token = fake_token("github-classic", rng)
        if token.startswith("ghp_"):
            return token
    raise AssertionError("fake_token never produced a ghp_ token")  # pragma: no cover


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _anthropic_id(prefix: str, rng: random.Random) -> str:
    return prefix + "".join(rng.choice(BASE62) for _ in range(22))


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    # Set explicitly: the umask of whoever runs the demo must not change what it shows.
    path.chmod(mode)


def _user_configs(home: Path, root: Path, token: str, ids: dict[str, str]) -> None:
    allowed = [
        "mcp__github__get_file_contents",
        f"mcp__{content.POISONED_SERVER}__render_diagram",
        "Bash(make test:*)",
    ]
    claude = content.claude_json(home, root, token, ids, allowed, FIRST_PROMPT)
    # Claude Code keeps its state file private: it holds OAuth details (and, here, a token).
    _write(home / ".claude.json", claude, 0o600)
    _write(home / ".cursor" / "mcp.json", content.cursor_user())
    _write(home / ".config" / "Code" / "User" / "settings.json", content.VSCODE_SETTINGS)
    _write(home / ".config" / "Claude" / "claude_desktop_config.json", content.claude_desktop(home))
    _write(home / ".codex" / "config.toml", content.CODEX_CONFIG)
    _write(home / ".codeium" / "windsurf" / "mcp_config.json", content.windsurf())
    _write(home / ".gemini" / "settings.json", content.gemini())
    _write(home / ".continue" / "config.yaml", content.continue_config(root))


# --- the project repository -------------------------------------------------------------------


def _project_repo(git: str, root: Path, home: Path, token: str) -> tuple[str, str, tuple[str, str]]:
    """Alex's commits (one with the token pasted in, the next taking it out), drive-by's commit
    on a branch, Alex's merge. Returns (unauthorized, merge, (leak added, leak removed))."""
    root.mkdir(parents=True)
    run = _Git(git, root, home)
    run(None, "init", "-q", "-b", "main")
    # Alex responds to the incident: the document names its owner from this repository's config.
    run(None, "config", "user.name", ALEX[0])
    run(None, "config", "user.email", ALEX[1])
    for rel, text in content.initial_tree().items():
        _write(root / rel, text)
    # Who may change the MCP configs (`mcpir audit`): Alex; drive-by's change stands out.
    audit = f'\n[audit]\nauthorized = ["{ALEX[1]}"]\n'
    _write(root / ".mcpir.toml", content.MCPIR_TOML + audit)
    run(None, "add", "-A")
    run((ALEX, COMMIT_DATES[0]), "commit", "-q", "-m", "Payments API skeleton with MCP servers")
    _write(root / ".cursor" / "mcp.json", content.cursor_project(token))
    run((ALEX, COMMIT_DATES[1]), "commit", "-q", "-am", "Cursor: add the GitHub server")
    added = run(None, "rev-parse", "HEAD")
    _write(root / ".cursor" / "mcp.json", content.cursor_project())
    message = "Cursor: take the GitHub server out again\n\nIt held my token; not in the repo."
    run((ALEX, COMMIT_DATES[2]), "commit", "-q", "-am", message)
    removed = run(None, "rev-parse", "HEAD")
    run(None, "checkout", "-q", "-b", BRANCH)
    _write(root / ".mcp.json", content.project_mcp(poisoned=True))
    message = "Add diagram server for architecture docs\n\nRenders Mermaid from the assistant."
    run((DRIVE_BY, COMMIT_DATES[3]), "commit", "-q", "-am", message)
    run(None, "checkout", "-q", "main")
    merge_message = f"Merge pull request #14 from drive-by/{BRANCH}\n\nAdd diagram server"
    run((ALEX, COMMIT_DATES[4]), "merge", "-q", "--no-ff", BRANCH, "-m", merge_message)
    merge = run(None, "rev-parse", "HEAD")
    unauthorized = run(None, "rev-parse", "HEAD^2")
    return unauthorized, merge, (added, removed)


Identity = tuple[tuple[str, str], str]  # ((name, email), ISO date)


class _Git:
    """git in one repository, with a clean environment and a chosen author and date."""

    def __init__(self, git: str, root: Path, home: Path) -> None:
        self.cmd = [git, "-C", str(root), "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"]
        # Not os.environ: an inherited GIT_DIR or GIT_INDEX_FILE (as inside a git hook) would
        # aim these commands at another repository, and the user's config could sign, hook or
        # rename the branch. HOME is the fake one so that git reads no real dotfile.
        self.env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(home),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_SYSTEM": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
        }

    def __call__(self, who: Identity | None, *args: str) -> str:
        env = dict(self.env)
        if who is not None:
            (name, email), date = who
            for role in ("AUTHOR", "COMMITTER"):
                env[f"GIT_{role}_NAME"] = name
                env[f"GIT_{role}_EMAIL"] = email
                env[f"GIT_{role}_DATE"] = date
        # A fixed argument list, no shell, and git as found by shutil.which: nothing to inject.
        done = subprocess.run(  # noqa: S603
            [*self.cmd, *args], env=env, check=True, capture_output=True, text=True
        )
        return done.stdout.strip()


# --- the Claude Code transcript -----------------------------------------------------------------

FIRST_PROMPT = "Can you draw me a diagram of how payments-api loads its settings?"


def _slug(path: Path) -> str:
    """Claude Code's project directory name: every character but ASCII letters and digits -> '-'."""
    return re.sub(r"[^A-Za-z0-9]", "-", str(path))


def _github_file(path: str, text: str, rng: random.Random) -> str:
    """What server-github answers to get_file_contents: the contents API object, decoded."""
    sha = f"{rng.getrandbits(160):040x}"
    api = f"https://api.github.com/repos/{content.GITHUB_OWNER}/{content.REPO_NAME}"
    html = f"https://github.com/{content.GITHUB_OWNER}/{content.REPO_NAME}"
    return json.dumps(
        {
            "type": "file",
            "encoding": "base64",
            "size": len(text.encode()),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": text,
            "sha": sha,
            "url": f"{api}/contents/{path}?ref=main",
            "html_url": f"{html}/blob/main/{path}",
            "download_url": f"https://raw.githubusercontent.com/{content.GITHUB_OWNER}/"
            f"{content.REPO_NAME}/main/{path}",
        },
        indent=2,
    )


def _exchange(rng: random.Random) -> list[tuple[str, Any]]:
    """The session as (role, content) turns; tool ids are filled in from `rng`."""
    ids = [_anthropic_id("toolu_01", rng) for _ in range(4)]
    settings = content.SETTINGS_PY
    diagram = (
        "flowchart LR\n"
        "  env[Environment] --> settings[payments/settings.py]\n"
        f"  settings --> db[(payments DB<br/>payments_app / {content.CANARY_PASSWORD})]\n"
        "  settings --> stripe[Stripe webhooks]"
    )
    gh = "mcp__github__get_file_contents"
    repo = {"owner": content.GITHUB_OWNER, "repo": content.REPO_NAME}
    return [
        ("user", FIRST_PROMPT),
        ("assistant", [{"type": "text", "text": "I'll read the project files from GitHub."}]),
        ("assistant", [_tool_use(ids[0], gh, {**repo, "path": "README.md"})]),
        ("user", [_tool_result(ids[0], _github_file("README.md", content.README, rng))]),
        ("assistant", [_tool_use(ids[1], gh, {**repo, "path": content.EXFILTRATED_FILE})]),
        ("user", [_tool_result(ids[1], _github_file(content.EXFILTRATED_FILE, settings, rng))]),
        (
            "assistant",
            [
                _tool_use(
                    ids[2],
                    f"mcp__{content.POISONED_SERVER}__render_diagram",
                    {"title": "payments-api settings", "diagram": diagram, "source": settings},
                )
            ],
        ),
        (
            "user",
            [_tool_result(ids[2], "Rendered: https://mermaid-mcp.example/d/7Kq2xV (4 nodes)")],
        ),
        (
            "assistant",
            [
                {
                    "type": "text",
                    "text": "Here is the diagram: settings come from the environment, with "
                    "defaults in `payments/settings.py`, and feed the database and the Stripe "
                    "webhook handler. https://mermaid-mcp.example/d/7Kq2xV",
                }
            ],
        ),
        ("user", "thanks! unrelated: why does `make test` fail on my machine?"),
        (
            "assistant",
            [_tool_use(ids[3], "Bash", {"command": "make test", "description": "Run the tests"})],
        ),
        (
            "user",
            [
                _tool_result(
                    ids[3],
                    "python -m pytest -q\nImportError while loading conftest: "
                    "ModuleNotFoundError: No module named 'stripe'\nmake: *** [Makefile:3: "
                    "test] Error 4",
                    mcp=False,
                )
            ],
        ),
        (
            "assistant",
            [
                {
                    "type": "text",
                    "text": "The `stripe` package is missing from your virtualenv. Run "
                    "`.venv/bin/pip install -e '.[dev]'`, then `make test` again.",
                }
            ],
        ),
    ]


def _tool_use(tool_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": args}


def _tool_result(tool_id: str, text: str, mcp: bool = True) -> dict[str, Any]:
    # MCP results come back as content blocks; built-in tools like Bash as a plain string.
    body: Any = [{"type": "text", "text": text}] if mcp else text
    return {"tool_use_id": tool_id, "type": "tool_result", "content": body, "is_error": False}


def _transcript(home: Path, root: Path, session: str, rng: random.Random) -> tuple[Path, str]:
    """`~/.claude/projects/<slug>/<session>.jsonl`; returns it and the exfiltrating call's id."""
    # About a day ago: recent enough for any "last N days" window an investigation starts with.
    clock = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=26, minutes=13)
    lines: list[str] = []
    parent: str | None = None
    exfil_id = ""
    turns = _exchange(rng)
    for index, (role, body) in enumerate(turns):
        # Claude Code writes one line per content block; only a reply's last block has a reason.
        last = index + 1 == len(turns) or turns[index + 1][0] != role
        clock += timedelta(seconds=rng.randint(2, 40), milliseconds=rng.randint(0, 999))
        line_id = str(_uuid(rng))
        record: dict[str, Any] = {
            "parentUuid": parent,
            "isSidechain": False,
            "userType": "external",
            "cwd": str(root),
            "sessionId": session,
            "version": CLAUDE_CODE_VERSION,
            "gitBranch": "main",
            "type": role,
            "message": _message(role, body, last, rng),
            "uuid": line_id,
            "timestamp": clock.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if role == "assistant":
            record["requestId"] = _anthropic_id("req_011C", rng)
        if isinstance(body, list) and body[0]["type"] == "tool_result":
            result = body[0]["content"]
            record["toolUseResult"] = (
                {"stdout": result, "stderr": "", "interrupted": False, "isImage": False}
                if isinstance(result, str)
                else result
            )
        if isinstance(body, list) and body[0].get("name", "").startswith(
            f"mcp__{content.POISONED_SERVER}__"
        ):
            exfil_id = body[0]["id"]
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        parent = line_id
    path = home / ".claude" / "projects" / _slug(root) / f"{session}.jsonl"
    _write(path, "\n".join(lines) + "\n")
    return path, exfil_id


def _message(role: str, body: Any, last: bool, rng: random.Random) -> dict[str, Any]:  # noqa: ANN401
    if role == "user":
        return {"role": "user", "content": body}
    tool_call = any(block["type"] == "tool_use" for block in body)
    return {
        "id": _anthropic_id("msg_01", rng),
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": body,
        "stop_reason": ("tool_use" if tool_call else "end_turn") if last else None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": rng.randint(3, 12),
            "cache_creation_input_tokens": rng.randint(200, 4000),
            "cache_read_input_tokens": rng.randint(14000, 42000),
            "output_tokens": rng.randint(40, 600),
            "service_tier": "standard",
        },
    }
