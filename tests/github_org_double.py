"""The organization side of the local GitHub double (`tests/github_double.py` routes here):
repository listing with pagination, rate-limit headers on every answer (and a 403 once the
budget is spent before its reset, as github.com answers), repositories the token cannot read,
git trees (recursive, truncated, empty repositories), code search, pull requests and their
review comments."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from tests.github_double import GitHubDouble

Answer = tuple[int, Any, dict[str, str]]

_ORG_REPOS = re.compile(r"^/orgs/(?P<org>[^/]+)/repos$")
_TREE = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/git/trees/(?P<sha>.+)$")
_PULL = re.compile(
    r"^/repos/(?P<repo>[^/]+/[^/]+)/pulls/(?P<number>\d+)(?P<reviews>/reviews(?:/(?P<id>\d+))?)?$"
)
_REPO = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)$")


@dataclass
class OrgData:
    # org → repository names (`org/name`); every other field is keyed by the full name
    orgs: dict[str, list[str]] = field(default_factory=dict)
    trees: dict[str, list[str]] = field(default_factory=dict)  # blob paths on the default branch
    no_access: set[str] = field(default_factory=set)  # the token cannot read these (404)
    empty: set[str] = field(default_factory=set)  # no commit yet: the trees API answers 409
    truncated: set[str] = field(default_factory=set)
    archived: set[str] = field(default_factory=set)
    forks: set[str] = field(default_factory=set)
    indexed: set[str] = field(default_factory=set)  # what code search sees (default: all)
    # The primary rate limit: calls left until `reset` (epoch seconds), then `limit` again
    # for the next `window` seconds.
    limit: int = 5000
    remaining: int = 5000
    reset: float = 0.0
    window: float = 1.0
    refused: int = 0  # answers refused for a spent budget (a client that waits sees none)
    secondary_once: set[str] = field(default_factory=set)  # paths answered 403 once, then served
    pulls: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    # repo, pull number, event, body: each review as posted (an edit replaces its body)
    reviews: list[list[Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_org(self, org: str, names: list[str]) -> None:
        self.orgs[org] = [f"{org}/{name}" for name in names]


def _repo_json(base: str, name: str, data: OrgData) -> dict[str, Any]:
    owner, short = name.split("/")
    return {
        "id": abs(hash(name)) % 10**9, "name": short, "full_name": name,
        "owner": {"login": owner, "url": f"{base}/users/{owner}"},
        "private": True, "archived": name in data.archived, "fork": name in data.forks,
        "default_branch": "main", "url": f"{base}/repos/{name}",
        "html_url": f"https://github.invalid/{name}",
    }  # fmt: skip


def _budget(data: OrgData) -> tuple[bool, dict[str, str]]:
    """Spend one call of the budget: (allowed, the rate-limit headers to send)."""
    now = time.time()
    with data.lock:
        if not data.reset:  # the window opens at the first call, as GitHub's does
            data.reset = now + data.window
        elif now >= data.reset:
            data.remaining, data.reset = data.limit, now + data.window
        allowed = data.remaining > 0
        if allowed:
            data.remaining -= 1
        else:
            data.refused += 1
        reset = data.reset
        headers = {"X-RateLimit-Limit": str(data.limit),
                   "X-RateLimit-Remaining": str(data.remaining),
                   "X-RateLimit-Reset": str(int(reset) + 1),
                   "X-RateLimit-Resource": "core"}  # fmt: skip
    return allowed, headers


def _page(items: list[Any], query: dict[str, list[str]]) -> tuple[list[Any], int]:
    per = int(query.get("per_page", ["30"])[0])
    page = int(query.get("page", ["1"])[0])
    pages = max(1, -(-len(items) // per))
    return items[(page - 1) * per : page * per], pages


def _links(base: str, path: str, query: dict[str, list[str]], pages: int) -> dict[str, str]:
    page = int(query.get("page", ["1"])[0])
    if page >= pages:
        return {}
    rest = "&".join(f"{k}={v[0]}" for k, v in query.items() if k != "page")
    return {"Link": f'<{base}{path}?{rest}&page={page + 1}>; rel="next", '
                    f'<{base}{path}?{rest}&page={pages}>; rel="last"'}  # fmt: skip


def answer(
    double: GitHubDouble, verb: str, raw: str, token: str | None, body: Any
) -> Answer | None:  # noqa: ANN401, E501
    """The double's answer for an organization route, or None: not one of these."""
    parts = urlsplit(raw)
    path, query = parts.path, parse_qs(parts.query)
    routes = (_ORG_REPOS, _TREE, _PULL, _REPO)
    if path != "/search/code" and not any(r.match(path) for r in routes):
        return None
    data: OrgData = double.org
    with data.lock:
        data.calls.append(f"{verb} {path}")
        secondary = path in data.secondary_once
        data.secondary_once.discard(path)
    if double._account(token) is None:
        return 401, {"message": "Bad credentials"}, {}
    allowed, headers = _budget(data)
    if not allowed:
        return 403, {"message": "API rate limit exceeded for user ID 1."}, headers
    if secondary:
        message = "You have exceeded a secondary rate limit. Please wait a few minutes before " \
                  "you try again."  # fmt: skip
        return 403, {"message": message}, {**headers, "Retry-After": "1"}
    base = double.url
    if match := _ORG_REPOS.match(path):
        if match["org"] not in data.orgs:
            return 404, {"message": "Not Found"}, headers
        # A repository the token cannot read is still listed (its metadata is visible to the
        # organization's members); its tree is not.
        items, pages = _page([_repo_json(base, n, data) for n in data.orgs[match["org"]]], query)
        return 200, items, {**headers, **_links(base, path, query, pages)}
    if match := _TREE.match(path):
        name = match["repo"]
        if name in data.no_access:
            return 404, {"message": "Not Found"}, headers
        if name in data.empty:
            return 409, {"message": "Git Repository is empty."}, headers
        tree = [{"path": p, "mode": "100644", "type": "blob", "sha": "0" * 40,
                 "url": f"{base}/repos/{name}/git/blobs/{'0' * 40}"}
                for p in data.trees.get(name, [])]  # fmt: skip
        return 200, {"sha": "1" * 40, "url": f"{base}{path}", "tree": tree,
                     "truncated": name in data.truncated}, headers  # fmt: skip
    if path == "/search/code":
        return _search(double, data, query, headers)
    if match := _PULL.match(path):
        return _pull(double, data, verb, match, body, headers)
    if (match := _REPO.match(path)) and verb == "GET":
        if match["repo"] in data.no_access:
            return 404, {"message": "Not Found"}, headers
        return 200, _repo_json(base, match["repo"], data), headers
    return 404, {"message": "Not Found"}, headers


def _search(double: GitHubDouble, data: OrgData, query: dict[str, list[str]],
            headers: dict[str, str]) -> Answer:  # fmt: skip
    terms = query.get("q", [""])[0].split()
    org = next((t[4:] for t in terms if t.startswith("org:")), "")
    filename = next((t[9:] for t in terms if t.startswith("filename:")), None)
    extension = next((t[10:] for t in terms if t.startswith("extension:")), None)
    hits = []
    for name in data.orgs.get(org, []):
        if name in data.no_access or (data.indexed and name not in data.indexed):
            continue
        for p in data.trees.get(name, []):
            leaf = p.rsplit("/", 1)[-1]
            if (filename and leaf == filename) or (extension and leaf.endswith("." + extension)):
                hits.append({"name": leaf, "path": p, "sha": "0" * 40,
                             "url": f"{double.url}/repos/{name}/contents/{p}",
                             "repository": _repo_json(double.url, name, data)})  # fmt: skip
    items, _ = _page(hits, query)
    return 200, {"total_count": len(hits), "incomplete_results": False, "items": items}, headers


def _pull(double: GitHubDouble, data: OrgData, verb: str, match: re.Match[str], body: Any,
          headers: dict[str, str]) -> Answer:  # noqa: ANN401 # fmt: skip
    repo, number = match["repo"], int(match["number"])
    pull = data.pulls.get((repo, number))
    if pull is None:
        return 404, {"message": "Not Found"}, headers

    def shown(index: int) -> dict[str, Any]:
        text = data.reviews[index][3]
        return {"id": index + 1, "body": text, "state": "COMMENTED", "user": {"login": "bot"},
                "url": f"{double.url}/repos/{repo}/pulls/{number}/reviews/{index + 1}",
                "pull_request_url": f"{double.url}/repos/{repo}/pulls/{number}"}  # fmt: skip

    with data.lock:
        if match["reviews"] and match["id"] is None and verb == "POST":
            data.reviews.append([repo, number, str(body.get("event")), str(body.get("body"))])
            return 200, shown(len(data.reviews) - 1), headers
        if match["reviews"] and match["id"] is None and verb == "GET":
            mine = [shown(i) for i, r in enumerate(data.reviews) if r[:2] == [repo, number]]
            return 200, mine, headers
        if match["id"] is not None and verb == "PUT":
            index = int(match["id"]) - 1
            data.reviews[index][3] = str(body.get("body"))
            return 200, shown(index), headers
    if verb == "GET" and not match["reviews"]:
        return 200, pull, headers
    return 404, {"message": "Not Found"}, headers


def add_pull(double: GitHubDouble, repo: str, number: int, base_sha: str, head_sha: str) -> None:
    url = f"{double.url}/repos/{repo}/pulls/{number}"
    double.org.pulls[(repo, number)] = {
        "id": number, "number": number, "url": url, "state": "open", "title": "a change",
        "base": {"sha": base_sha, "ref": "main"}, "head": {"sha": head_sha, "ref": "topic"},
        "html_url": f"https://github.invalid/{repo}/pull/{number}",
    }  # fmt: skip
