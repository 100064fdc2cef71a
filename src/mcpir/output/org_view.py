"""How `mcpir org repos` and `mcpir org merge` look: a repository list or an Actions matrix;
one organization report as Markdown (a job summary, an issue), JSON, SARIF (one run per
repository) or CycloneDX."""

from __future__ import annotations

import enum
import functools
import json
from pathlib import Path
from typing import Any

from mcpir.core.model import Finding, Location, Severity
from mcpir.core.safe import shown
from mcpir.core.words import plural
from mcpir.org.merge import Merged
from mcpir.org.repos import RepoListing
from mcpir.org.results import Result


class MergeFormat(enum.StrEnum):
    MARKDOWN = "markdown"
    JSON = "json"
    SARIF = "sarif"
    CYCLONEDX = "cyclonedx"


def repos_text(listing: RepoListing) -> str:
    lines = [f"{row.full_name}  ({', '.join(row.holds) or row.note or 'listed'})"
             for row in listing.repos]  # fmt: skip
    lines += [f"could not read {name}: {why}" for name, why in listing.unreachable]
    lines.append(
        f"{plural(len(listing.repos), 'repository', 'repositories')} of {listing.listed} "
        f"in {listing.org} ({listing.select.value}; {plural(listing.calls, 'API call')})"
    )
    return "\n".join(shown(line) for line in lines) + "\n"


def _cell(value: object) -> str:
    """A Markdown table cell: one line, no pipe, no HTML a summary page would render."""
    if value is None or isinstance(value, (bool, int)):
        return "" if value is None else str(value)
    return _text_cell(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _text_cell(text: str) -> str:
    # Cached: an organization's rows repeat clients, paths, rules and repositories, and
    # redaction is most of a row's cost (benchmarks/org.py).
    text = shown(text).replace("\\", "\\\\").replace("\n", " ").replace("|", "\\|")
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")
    # No link or image a name could make (`[docs](https://evil)`, `![](tracker)`), no mention.
    return text.replace("[", "\\[").replace("]", "\\]").replace("@", "@\u200b")


def _known(count: int | None) -> str:
    return "not run" if count is None else str(count)


def markdown(merged: Merged) -> str:
    data = merged.to_json()
    out = ["# mcpir: MCP servers across the organization", ""]
    repos = data["repositories"]
    out.append(
        f"{plural(len(repos), 'repository', 'repositories')}, "
        f"{plural(len(data['servers']), 'server')}, {plural(len(data['findings']), 'finding')}, "
        f"{plural(len(data['unauthorized_changes']), 'unauthorized change')}, "
        f"{plural(len(data['secrets']), 'secret')} ever committed."
    )
    out += ["", "| repository | servers | findings | unauthorized changes | secrets committed |"
            " posture failed |", "|---|---|---|---|---|---|"]  # fmt: skip
    for repo in repos:
        out.append(
            f"| {_cell(repo['repository'])} | {repo['servers']} | {repo['findings']} | "
            f"{_known(repo['unauthorized_changes'])} | {_known(repo['secrets_committed'])} | "
            f"{_known(repo['posture_failed'])} |"
        )
    sections: list[tuple[str, list[str], str]] = [
        ("Findings", ["repository", "severity", "rule", "path", "line", "server", "message"],
         "findings"),
        ("Unauthorized changes", ["repository", "commit", "author", "path", "status"],
         "unauthorized_changes"),
        ("Secrets ever committed", ["repository", "provider", "fingerprint", "path", "added_in",
                                    "must_rotate"], "secrets"),
        ("Servers", ["repository", "client", "name", "transport", "path", "line"], "servers"),
    ]  # fmt: skip
    for title, columns, key in sections:
        rows = data[key]
        if not rows:
            continue
        out += ["", f"## {title}", "", "| " + " | ".join(columns) + " |",
                "|" + "---|" * len(columns)]  # fmt: skip
        out += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    if data["unreadable"]:
        out += ["", "## Results that could not be read", ""]
        out += [f"- {_cell(item['path'])}: {_cell(item['error'])}" for item in data["unreadable"]]
    return "\n".join(out) + "\n"


_ROOT = Path("/repository")


def _where(number: int, row: dict[str, Any]) -> Location:
    # Under a folder numbered for its repository: one builder run for every repository
    # (below), its results dealt back into a run per repository by that first part of the URI.
    path = str(row.get("path") or "?").lstrip("/")
    line = row.get("line")
    return Location(
        _ROOT / str(number) / path, line if isinstance(line, int) and line > 0 else None
    )


def _severity(text: object) -> Severity:
    try:
        return Severity.parse(str(text))
    except KeyError:
        return Severity.MEDIUM


def findings_of(result: Result, number: int = 0) -> list[Finding]:
    """A result's records as findings again, for SARIF: scan rules mcpir knows, and one
    finding per unauthorized change and per committed secret."""
    from mcpir.audit.model import SECRET_IN_HISTORY, UNAUTHORIZED
    from mcpir.scan.checks import CHECKS

    known = {check.rule.id for check in CHECKS}
    repo = number
    out = [
        Finding(str(row["rule"]), _severity(row.get("severity")), str(row.get("message") or ""),
                _where(repo, row), server=row.get("server"), tool=row.get("tool"),
                evidence=row.get("evidence"), client=row.get("client"))
        for row in result.findings if row.get("rule") in known
    ]  # fmt: skip
    for row in result.unauthorized:
        text = f"unauthorized change in {str(row.get('commit'))[:12]} by {row.get('author')}"
        out.append(Finding(UNAUTHORIZED.id, UNAUTHORIZED.severity, text, _where(repo, row)))
    for row in result.secrets:
        text = f"{row.get('provider')} secret {row.get('fingerprint')} committed in " + str(
            row.get("added_in") or "an earlier commit"
        )
        out.append(
            Finding(SECRET_IN_HISTORY.id, SECRET_IN_HISTORY.severity, text, _where(repo, row))
        )
    return out


def sarif(merged: Merged) -> str:
    """One SARIF log, one run per repository (`automationDetails.id` names it). Every finding
    goes through the scan's builder once (it validates what it builds), then the results are
    dealt into their repository's run by the first part of their URI."""
    from mcpir.audit.model import RULES
    from mcpir.core.paths import Scopes
    from mcpir.output.sarif import sarif_document

    every = [f for n, result in enumerate(merged.results) for f in findings_of(result, n)]
    built = json.loads(sarif_document(every, Scopes(home=_ROOT, root=_ROOT), rules=RULES))
    template = built["runs"][0]
    template.pop("originalUriBaseIds", None)
    by_repo: list[list[dict[str, Any]]] = [[] for _ in merged.results]
    for item in template.pop("results"):
        artifact = item["locations"][0]["physicalLocation"]["artifactLocation"]
        number, _, artifact["uri"] = artifact["uri"].partition("/")
        by_repo[int(number)].append(item)
    runs = []
    for number, result in enumerate(merged.results):
        provenance: dict[str, str] = {"repositoryUri": f"https://github.com/{result.repository}"}
        if result.commit:
            provenance["revisionId"] = result.commit
        runs.append({**template, "results": by_repo[number],
                     "automationDetails": {"id": f"mcpir/org/{result.repository}/"},
                     "versionControlProvenance": [provenance]})  # fmt: skip
    document = {"$schema": built["$schema"], "version": "2.1.0", "runs": runs}
    return json.dumps(document, ensure_ascii=False) + "\n"


def render(merged: Merged, fmt: MergeFormat) -> str:
    if fmt is MergeFormat.JSON:
        # One line: json's C encoder runs only without `indent` (4x faster on 1,000 results).
        return json.dumps(merged.to_json(), ensure_ascii=False) + "\n"
    if fmt is MergeFormat.SARIF:
        return sarif(merged)
    if fmt is MergeFormat.CYCLONEDX:
        from mcpir.bom.cyclonedx import render as bom

        return bom(merged.rows("servers"), merged.rows("findings"),
                   properties={"inventory": "organization",
                               "repositories": str(len(merged.results))})  # fmt: skip
    return markdown(merged)


class LogLines:
    """Progress as plain lines on stderr, for a log (an Actions job) where a redrawn bar is
    noise: a line when a phase starts, then every `every` units, then its total."""

    def __init__(self, every: int = 100) -> None:
        self.every, self.what, self.done = every, "", 0
        self.total: int | None = None

    def _say(self, text: str) -> None:
        import sys

        print(f"mcpir: {shown(text)}", file=sys.stderr, flush=True)

    def started(self, what: str, total: int | None) -> None:
        self.what, self.done, self.total = what, 0, total
        self._say(f"{what}: started" + (f" ({total})" if total is not None else ""))

    def advanced(self, count: int) -> None:
        before, self.done = self.done, self.done + count
        if before // self.every != self.done // self.every:
            of = f"/{self.total}" if self.total is not None else ""
            self._say(f"{self.what}: {self.done}{of}")

    def step(self, text: str) -> None:
        self._say(f"{self.what}: {text}")

    def finished(self) -> None:
        self._say(f"{self.what}: {self.done} done")

    def outcome(self, status: str, summary: str, details: Any, body: str) -> None:  # noqa: ANN401
        pass
