"""Local doubles of the two vaults `op://` and `vault://` references name.

`FAKE_OP`: a small `op` executable speaking the 1Password CLI's documented contract for what
mcpir calls (`op read --no-newline REF`, `op item get ITEM --vault V --format json`,
`op item edit ITEM --vault V --template FILE`), its items in a JSON file, every argv logged.
`VaultDouble`: HashiCorp Vault's KV version 2 HTTP API (`GET`/`POST /v1/MOUNT/data/PATH`,
`X-Vault-Token`, check-and-set), over real HTTP for the real `hvac` client; it can answer
with a huge body or with something that is not JSON.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FAKE_OP = """
import json, os, sys
store_path, log_path = STORE, LOG
with open(log_path, "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
store = json.load(open(store_path))
args = sys.argv[1:]

def item(vault, name):
    for one in store["items"]:
        if one["vault"]["name"] == vault and name in (one["title"], one["id"]):
            return one
    sys.stderr.write(f'[ERROR] "{name}" isn\\'t an item in the "{vault}" vault\\n')
    sys.exit(1)

if args[:2] == ["read", "--no-newline"] and len(args) == 3 and args[2].startswith("op://"):
    parts = args[2][len("op://"):].split("/")
    found = item(parts[0], parts[1])
    section, field = (parts[2], parts[3]) if len(parts) == 4 else (None, parts[2])
    for one in found["fields"]:
        if field in (one.get("label"), one.get("id")):
            sys.stdout.write(one["value"])
            sys.exit(0)
    sys.stderr.write(f'[ERROR] "{field}" isn\\'t a field in the "{found["title"]}" item\\n')
    sys.exit(1)
if args[:2] == ["item", "get"] and args[3:] == ["--vault", args[4], "--format", "json"]:
    print(json.dumps(item(args[4], args[2])))
    sys.exit(0)
if args[:2] == ["item", "edit"] and args[3] == "--vault" and args[5] == "--template":
    old = item(args[4], args[2])
    new = json.load(open(args[6]))
    store["items"] = [new if one is old else one for one in store["items"]]
    json.dump(store, open(store_path, "w"))
    print(json.dumps(new))
    sys.exit(0)
sys.stderr.write(f"[ERROR] unknown command {args!r}\\n")
sys.exit(2)
"""


def install_fake_op(bin_dir: Path, items: list[dict[str, Any]]) -> tuple[Path, Path]:
    """`op` in `bin_dir`; returns (its items file, its argv log). Put `bin_dir` on PATH."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "op"
    store, log = bin_dir / "op-items.json", bin_dir / "op-argv.jsonl"
    where = f"STORE, LOG = {str(store)!r}, {str(log)!r}\n"
    script.write_text(f"#!{sys.executable}\n{where}{FAKE_OP}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    store.write_text(json.dumps({"items": items}), encoding="utf-8")
    log.write_text("", encoding="utf-8")
    return store, log


def op_item(vault: str, title: str, **fields: str) -> dict[str, Any]:
    return {
        "id": f"id{abs(hash(title)) % 10**8}",
        "title": title,
        "vault": {"id": "v1", "name": vault},
        "category": "API_CREDENTIAL",
        "fields": [
            {"id": label, "label": label, "type": "CONCEALED", "value": value}
            for label, value in fields.items()
        ],
    }


class VaultDouble:
    """KV v2 on 127.0.0.1; `secrets[(mount, path)]` is a list of versions (dicts)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.secrets: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.mode = "ok"  # "huge", "garbage"
        self.read_only = False  # writes answer 403, as a token with a read-only policy gets
        self.requests: list[tuple[str, str]] = []
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # noqa: ANN401
                pass

            def _answer(self, code: int, doc: object) -> None:
                body = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _route(self) -> tuple[str, str] | None:
                double.requests.append((self.command, self.path))
                if double.mode == "huge":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    chunk = b'{"data": "' + b"A" * (1 << 20)
                    for _ in range(16):
                        self.wfile.write(chunk)
                    return None
                if double.mode == "garbage":
                    body = b"<html>not vault</html>"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return None
                if self.headers.get("X-Vault-Token") != double.token:
                    self._answer(403, {"errors": ["permission denied"]})
                    return None
                path = self.path.split("?", 1)[0].removeprefix("/v1/")
                mount, _, rest = path.partition("/data/")
                return mount, rest

            def do_GET(self) -> None:  # noqa: N802
                where = self._route()
                if where is None:
                    return
                versions = double.secrets.get(where)
                if not versions:
                    self._answer(404, {"errors": []})
                    return
                meta = {"version": len(versions), "deletion_time": "", "destroyed": False}
                self._answer(200, {"data": {"data": versions[-1], "metadata": meta}})

            def do_POST(self) -> None:  # noqa: N802
                where = self._route()
                if where is None:
                    return
                if double.read_only:
                    self._answer(403, {"errors": ["1 error occurred:\n\t* permission denied"]})
                    return
                length = int(self.headers.get("Content-Length", "0"))
                doc = json.loads(self.rfile.read(length))
                versions = double.secrets.setdefault(where, [])
                cas = (doc.get("options") or {}).get("cas")
                if cas is not None and cas != len(versions):
                    self._answer(400, {"errors": ["check-and-set parameter did not match"]})
                    return
                versions.append(doc["data"])
                self._answer(200, {"data": {"version": len(versions)}})

            do_PUT = do_POST  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> VaultDouble:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def path_with(bin_dir: Path) -> str:
    return f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
