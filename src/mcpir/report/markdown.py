"""The ATOM incident document as GitHub Markdown, readable as plain text in a terminal too.

Every piece of journal text is made safe here: secrets masked (again), one line, Markdown
markup escaped (a server name cannot open a link or a table cell), and paths under the
project root or the home shortened to `./…` and `~/…` as mcpir shows them everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from mcpir.core.safe import shown

_STATE = {"pass": "✅ pass", "fail": "❌ fail", "unknown": "❔ unknown"}
# Markup a journal text could use to forge links, images, HTML or table cells. Backticks stay:
# a code span shows text literally, and fix hints use them.
_MD = re.compile(r"([\\*_\[\]<>|])")
_RANK = {"high": 0, "medium": 1, "low": 2}


class _Writer:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.prefixes = [
            (str(doc[key]).rstrip("/") + "/", label)
            for key, label in (("root", "./"), ("home", "~/"))
            if doc.get(key)
        ]

    def plain(self, value: Any) -> str:  # noqa: ANN401
        # `shown` masks secrets and writes escape sequences and bidi overrides out as `\x1b`:
        # a hostile server name must not recolour a terminal or reorder the document's text.
        text = " ".join(shown(str(value)).split())
        for prefix, label in self.prefixes:
            text = text.replace(prefix, label)
        return text

    def text(self, value: Any) -> str:  # noqa: ANN401
        return _MD.sub(r"\\\1", self.plain(value))

    def code(self, value: Any) -> str:  # noqa: ANN401
        return "`" + self.plain(value).replace("`", "'") + "`"

    def findings(self, rows: list[dict[str, Any]], timed: bool) -> list[str]:
        if not rows:
            return ["No findings."]
        out = []
        # Strongest first; within a severity, in time order as the journal has them.
        for row in sorted(rows, key=lambda r: _RANK.get(str(r.get("severity")), 3)):
            where = self.code(f"{row.get('path')}:{row.get('line')}")
            line = f"- **{self.text(row.get('severity'))}** {self.code(row.get('rule'))} {where}"
            if timed:
                line += f", session {self.code(row.get('session') or '-')}"
                line += f", {self.text(row.get('time') or '-')}"
            line += f": {self.text(row.get('message'))}"
            if row.get("evidence"):
                line += f" (evidence: {self.code(row['evidence'])})"
            out.append(line)
        return out

    def step(self, block: dict[str, Any], timed: bool) -> list[str]:
        status, summary = self.text(block.get("status")), self.text(block.get("summary"))
        lines = [f"Status: **{status}**. {summary}", ""]
        if block.get("since"):
            lines += [f"Window: since {self.text(block['since'])}.", ""]
        lines += [
            f"- read {self.text(s.get('source'))}: {s.get('files')} files, {s.get('calls')} "
            f"tool calls in {s.get('sessions')} sessions"
            for s in block.get("sources") or ()
        ]
        malformed = block.get("malformed") or {}
        if malformed.get("count"):
            first, reason = self.code(malformed.get("first")), self.text(malformed.get("reason"))
            lines.append(
                f"- {malformed['count']} malformed lines skipped (first: {first}, {reason})"
            )
        if block.get("sources") or malformed.get("count"):
            lines.append("")
        return lines + self.findings(list(block.get("findings") or ()), timed)

    def header(self, doc: dict[str, Any]) -> list[str]:
        return [
            f"# {self.text(doc['atom'])}: {self.text(doc['title'])}",
            "",
            "| | |",
            "|---|---|",
            f"| ATOM tag | {self.code(doc['atom'])} |",
            f"| Status | **{self.text(doc['status'])}** |",
            f"| Severity | **{self.text(doc['severity'])}** |",
            f"| Owner | {self.text(doc['owner'])} |",
            f"| Opened | {self.text(doc['opened'])} |",
            f"| Last entry | {self.text(doc['updated'])} |",
            f"| Project | {self.code(doc['root'])} |",
            "",
            "## Summary",
            "",
            *[f"- {self.text(line)}" for line in doc["summary"]],
            "",
            "## Timeline",
            "",
            "```mermaid",
            doc["mermaid"],
            "```",
            "",
            *[f"- {self.text(e['ts'])}: {self.text(e['event'])}" for e in doc["timeline"]],
        ]

    def containment(self, contained: dict[str, Any]) -> list[str]:
        out = ["## Containment", ""]
        if not contained["files"] and not contained["processes"]:
            out.append("Nothing was changed.")
        for change in contained["files"]:
            target = f" → {self.code(change['target'])}" if change.get("target") else ""
            servers = self.text(", ".join(change.get("servers") or ()) or "-")
            out.append(
                f"- {self.code(change['path'])}{target}: {self.text(change['summary'])} "
                f"(servers: {servers}; {self.text(change['state'])})"
            )
        out += [
            f"- pid {p['pid']} ({self.text(p['server'])}): {self.text(p['outcome'])}"
            for p in contained["processes"]
        ]
        if contained["undo"]:
            undo = self.code(contained["undo"])
            out += ["", f"Undo: {undo} (byte for byte; it refuses files edited since)."]
        return out

    def rest(self, doc: dict[str, Any]) -> list[str]:
        out = ["## Tokens", ""]
        if not doc["tokens"]:
            out.append("No token was recorded as readable by an MCP server.")
        out += [
            f"- {self.code(t['fingerprint'])} **{t['state']}**: {self.text(t['detail'])}"
            for t in doc["tokens"]
        ]
        out += ["", "## History findings (audit)", "", *self.step(doc["history"], timed=False)]
        out += ["", "## Investigation findings", "", *self.step(doc["investigation"], True)]
        out += ["", "## Monitoring checklist", "", "| Item | State | Evidence | Fix |"]
        out.append("|---|---|---|---|")
        for item in doc["checklist"]:
            state = _STATE.get(str(item.get("status")), self.text(item.get("status")))
            out.append(
                f"| {self.text(item.get('title'))} | {state} | "
                f"{self.text(item.get('evidence') or '')} | {self.text(item.get('fix') or '')} |"
            )
        out += ["", "## Follow-ups", ""]
        out += [f"- [ ] {self.text(line)}" for line in doc["follow_ups"]] or ["None."]
        out += ["", "## References", "", *[f"- {self.text(ref)}" for ref in doc["references"]]]
        return out


def render(doc: dict[str, Any]) -> str:
    writer = _Writer(doc)
    lines = [*writer.header(doc), "", *writer.containment(doc["contained"]), ""]
    return "\n".join([*lines, *writer.rest(doc), ""])
