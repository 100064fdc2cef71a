"""The demo's fake machine: Alex's home, eight AI clients, a project repository and an incident.

Everything is written under one base directory, so the demo can run discovery, scan and
investigation against a machine where something went wrong without touching the real one.
Content is fixed by the seed; only the transcript's timestamps follow the clock (an incident is
recent), and git commits carry fixed dates, so their shas are fixed too.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mcpir.core.errors import McpirError
from mcpir.core.secret import fingerprint
from mcpir.demo import content, transcripts
from mcpir.demo.session import FIRST_PROMPT, claude_transcript, fake_uuid, write_file
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


@dataclass(frozen=True)
class Sandbox:
    base: Path  # the temp dir holding everything
    home: Path  # fake home: base / "home" / "alex"
    root: Path  # fake project git repo: home / "src" / "payments-api"
    story: tuple[str, ...]  # what was planted and why, a line each, for the demo to print
    planted: dict[str, str]  # name -> what an investigation should find


SEED = 20261124
KEY_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def linear_key(seed: int = SEED) -> str:
    """Alex's Linear API key (forged): what the demo's remote server requires as a bearer."""
    # Its own generator: drawing from the sandbox's would change every id and sha after it.
    rng = random.Random(f"linear-{seed}")  # noqa: S311 - a fake, reproducible on purpose
    return "lin_api_" + "".join(rng.choice(KEY_CHARS) for _ in range(40))


def build_sandbox(base: Path, *, seed: int = SEED, linear_url: str = content.LINEAR_URL) -> Sandbox:
    """Create the fake machine under `base` (must be empty or absent). `linear_url` is where
    the remote `linear` server answers (the demo serves one on loopback).

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
    ids = {name: str(fake_uuid(rng)) for name in ("session", "account", "organization")}
    ids["user"] = f"{rng.getrandbits(256):064x}"

    unauthorized, merge, leak = _project_repo(git, root, home, token)
    transcript, exfil_id = claude_transcript(home, root, ids["session"], rng)
    transcripts.add_history(home, root)  # the baseline and follow-up sessions investigate reads
    _user_configs(home, root, token, ids, linear_url)
    # Private, as a file holding a key should be; the config only refers to it.
    write_file(home / ".zshenv", content.zshenv(linear_key(seed)), 0o600)

    token_fp = fingerprint(token)
    story = (
        f"Alex's laptop: eight AI clients configured, one project, ~/src/{content.REPO_NAME}.",
        f"~/.claude.json: the `github` server holds a hardcoded GitHub token ({token_fp}).",
        f"`linear` is remote (streamable HTTP, served by the demo on {_host(linear_url)}): it "
        f"wants `Authorization: Bearer ${{{content.LINEAR_KEY_VAR}}}`, the key in ~/.zshenv.",
        f"{DRIVE_BY[0]}, not in CODEOWNERS, added `{content.POISONED_SERVER}` to .mcp.json "
        f"(commit {unauthorized[:7]}); Alex merged it ({merge[:7]}).",
        "Its description tells the model to put source code and credentials in every diagram, "
        "and to keep quiet about it.",
        f"Alex's own `{content.LIVE_SERVER}` server has a clean config; "
        f"`mcpir scan --live --server {content.LIVE_SERVER} --yes` asks it: its tool wants "
        "~/.ssh/id_rsa, and a parameter's default holds an instruction.",
        "That first listing becomes the pin the proxy shares: change the tool and the next "
        f"`scan --live` reports `tool-changed` until `mcpir pins approve {content.LIVE_SERVER}`.",
        f"In August Alex committed the same token in .cursor/mcp.json ({leak[0][:7]}) and took "
        f"it out the next commit ({leak[1][:7]}): it is still in the history.",
        f"A Claude Code session a day ago read {content.EXFILTRATED_FILE} through `github`, "
        f"then sent it, database password included, to `{content.POISONED_SERVER}`: a flow "
        "possible since the merge (`mcpir flows`), observed now.",
    )
    planted = {
        "poisoned_server": content.POISONED_SERVER,
        "poisoned_config": str(root / ".mcp.json"),
        "poisoned_description": content.POISONED_DESCRIPTION,
        "live_server": content.LIVE_SERVER,
        "live_server_file": str(root / content.LIVE_SERVER_FILE),
        "remote_server": "linear",
        "remote_url": linear_url,
        "remote_key_file": str(home / ".zshenv"),
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


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


def _github_pat(rng: random.Random) -> str:
    """A classic personal access token (`ghp_`), the kind people paste into MCP configs."""
    for _ in range(200):
        token = fake_token("github-classic", rng)
        if token.startswith("ghp_"):
            return token
    raise AssertionError("fake_token never produced a ghp_ token")  # pragma: no cover


def _user_configs(home: Path, root: Path, token: str, ids: dict[str, str], linear_url: str) -> None:
    allowed = [
        "mcp__github__get_file_contents",
        f"mcp__{content.POISONED_SERVER}__render_diagram",
        "Bash(make test:*)",
    ]
    claude = content.claude_json(home, root, token, ids, allowed, FIRST_PROMPT, linear_url)
    # Claude Code keeps its state file private: it holds OAuth details (and, here, a token).
    write_file(home / ".claude.json", claude, 0o600)
    write_file(home / ".cursor" / "mcp.json", content.cursor_user())
    write_file(home / ".config" / "Code" / "User" / "settings.json", content.VSCODE_SETTINGS)
    write_file(
        home / ".config" / "Claude" / "claude_desktop_config.json", content.claude_desktop(home)
    )
    write_file(home / ".codex" / "config.toml", content.CODEX_CONFIG)
    write_file(home / ".codeium" / "windsurf" / "mcp_config.json", content.windsurf())
    write_file(home / ".gemini" / "settings.json", content.gemini())
    write_file(home / ".continue" / "config.yaml", content.continue_config(root))


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
    for rel, text in content.initial_tree(sys.executable).items():
        write_file(root / rel, text)
    # Who may change the MCP configs (`mcpir audit`): Alex; drive-by's change stands out.
    audit = f'\n[audit]\nauthorized = ["{ALEX[1]}"]\n'
    write_file(root / ".mcpir.toml", content.MCPIR_TOML + audit)
    run(None, "add", "-A")
    run((ALEX, COMMIT_DATES[0]), "commit", "-q", "-m", "Payments API skeleton with MCP servers")
    write_file(root / ".cursor" / "mcp.json", content.cursor_project(token))
    run((ALEX, COMMIT_DATES[1]), "commit", "-q", "-am", "Cursor: add the GitHub server")
    added = run(None, "rev-parse", "HEAD")
    write_file(root / ".cursor" / "mcp.json", content.cursor_project())
    message = "Cursor: take the GitHub server out again\n\nIt held my token; not in the repo."
    run((ALEX, COMMIT_DATES[2]), "commit", "-q", "-am", message)
    removed = run(None, "rev-parse", "HEAD")
    run(None, "checkout", "-q", "-b", BRANCH)
    write_file(root / ".mcp.json", content.project_mcp(poisoned=True, python=sys.executable))
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
