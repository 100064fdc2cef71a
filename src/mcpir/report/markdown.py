"""The ATOM incident document as GitHub Markdown, readable as plain text in a terminal too.

Every piece of journal text is made safe here: secrets masked (again), one line, Markdown
markup escaped (a server name cannot open a link or a table cell, a person's lessons cannot
open a code fence or a heading, `&lt;` is not an entity), and paths under the project root
shortened to `./…`; other paths stay absolute (never `~/…`, which names a home another
reader does not have).
"""

from __future__ import annotations

import re
from typing import Any

from mcpir.core.redact import redact_value
from mcpir.core.safe import shown
from mcpir.core.words import plural
from mcpir.report import sections

_STATE = {"pass": "✅ pass", "fail": "❌ fail", "unknown": "❔ unknown"}
# Markup a journal text could use to forge links, images, HTML or table cells. Backticks stay:
# a code span shows text literally, and fix hints use them.
_MD = re.compile(r"([\\*_\[\]<>|&])")
# What opens a block when a text starts a line: a heading (`#`), a quote (`>`), a list
# (`-`, `+`, `1.`, `1)`), a setext underline or thematic break (`=`, `---`), a code fence
# (```, `~~~`). A person's summary, impact, root cause and lessons are whole lines: a backslash
# keeps each mark text (a value mid-line renders the same with or without it). A lone `-` (an
# empty cell) is left: after the blank line every such field follows, it opens nothing.
_BLOCK = re.compile(r"^(?:[#>=]|[-+](?=\s|-)|```|~~~|\d{1,9}(?=[.)](?:\s|$)))")
_RANK = {"high": 0, "medium": 1, "low": 2}
_TILDE = re.compile(r"(?<![\w~/.-])~/")  # a path shown relative to the home, as `~/…`


def _lead(mark: str) -> str:
    """The escaped form of a block mark at the start of a line: `\\#`, or `1\\.` for `1.`."""
    return mark + "\\" if mark[0].isdigit() else "\\" + mark


def _count(value: Any, noun: str) -> str:  # noqa: ANN401
    return plural(value, noun) if isinstance(value, int) else f"{value} {noun}s"


class _Writer:
    def __init__(self, doc: dict[str, Any]) -> None:
        # Paths under the project root read `./…`; every other path stays absolute, and a
        # step's `~/…` is written out: another machine has no such home.
        root, home = doc.get("root"), doc.get("home")
        self.prefixes = [(str(root).rstrip("/") + "/", "./")] if root else []
        self.home = str(home).rstrip("/") + "/" if home else None

    def plain(self, value: Any) -> str:  # noqa: ANN401
        # `shown` masks secrets and writes escape sequences and bidi overrides out as `\x1b`:
        # a hostile server name must not recolour a terminal or reorder the document's text.
        text = " ".join(shown(str(value)).split())
        if self.home is not None:
            text = _TILDE.sub(lambda _: self.home or "~/", text)
        for prefix, label in self.prefixes:
            text = text.replace(prefix, label)
        return text

    def text(self, value: Any) -> str:  # noqa: ANN401
        # `&` too: `&lt;` or `&#96;` would otherwise be read as the character it names.
        text = _MD.sub(r"\\\1", self.plain(value))
        return _BLOCK.sub(lambda m: _lead(m.group()), text)

    def code(self, value: Any) -> str:  # noqa: ANN401
        return "`" + self.plain(value).replace("`", "'") + "`"

    def findings(self, rows: list[dict[str, Any]], timed: bool) -> list[str]:
        if not rows:
            return ["No findings."]
        out = []
        # Strongest first; within a severity, in time order as the journal has them.
        for row in sorted(rows, key=lambda r: _RANK.get(str(r.get("severity")), 3)):
            line_no = row.get("line")
            where = self.code(
                f"{row.get('path')}:{line_no}" if line_no is not None else row.get("path")
            )
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
            f"- read {self.text(s.get('source'))}: {_count(s.get('files'), 'file')}, "
            f"{_count(s.get('calls'), 'tool call')} in {_count(s.get('sessions'), 'session')}"
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
            self.text(doc.get("summary_text") or " ".join(doc.get("overview") or ())),
            "",
            *[f"- {self.text(line)}" for line in doc["summary"]],
            "",
            *self.postmortem(doc),
            "## Timeline",
            "",
            "```mermaid",
            doc["mermaid"],
            "```",
            "",
            *[f"- {self.text(e['ts'])}: {self.text(e['event'])}" for e in doc["timeline"]],
        ]

    def postmortem(self, doc: dict[str, Any]) -> list[str]:
        """Impact, root cause, metrics, action items, lessons: what a team files."""
        out = ["## Impact", ""]
        impact = doc.get("impact") or {"status": "not run", "flows": []}
        if impact.get("text"):
            out += [self.text(impact["text"]), ""]
        for flow in impact["flows"]:
            leaks = f", {flow['leaks']} with a secret" if flow["leaks"] else ""
            calls, sessions = (
                plural(flow["calls"], "call"),
                plural(len(flow["sessions"]), "session"),
            )
            out.append(f"- data sent to {self.code(flow['to'])}: {calls} in {sessions}{leaks}")
            for item in flow["evidence"]:
                source = f"{self.code(item['from'])} " if item.get("from") else ""
                read = f"{self.code(item['read'])} " if item.get("read") else ""
                arrow = f"{source}{read}→ {self.code(flow['to'])}: " if source else ""
                out.append(
                    f"  - {self.text(item.get('time') or '-')}: {arrow}{self.text(item['message'])}"
                )
        if not impact["flows"]:
            out.append(
                "Not run: the investigate step did not run; whether data left is unknown."
                if impact["status"] == "not run"
                else "No tool call sent data to a flagged server in the transcripts read."
            )
        out += ["", "## Root cause", ""]
        if doc.get("root_cause_text"):
            out += [self.text(doc["root_cause_text"]), ""]
        cause = doc.get("root_cause") or {"status": "not run", "changes": []}
        for change in cause["changes"]:
            merge = ""
            if change.get("merge"):
                by = f" by {self.text(change['merged_by'])}" if change.get("merged_by") else ""
                at = (
                    f" on {self.text(str(change.get('merged_at'))[:10])}"
                    if change.get("merged_at")
                    else ""
                )
                merge = f"; merged in {self.code(str(change['merge'])[:12])}{by}{at}"
            by = self.text(sections.by(change))
            by = f" {by}" if by else ""
            out.append(
                f"- {self.code(str(change['commit'])[:12])}{by} {self.code(change['path'])}: "
                f"{self.text(change['summary'])}{merge}"
            )
            out += [f"  - {self.text(reason)}" for reason in change.get("reasons") or ()]
        if not cause["changes"]:
            out.append(
                "Not run: the audit step did not run; the root cause is unknown."
                if cause["status"] == "not run"
                else "No unauthorized change to an MCP config was found in the history audited."
            )
        metrics = doc.get("metrics") or {}
        out += ["", "## Metrics", "", "| Measure | When |", "|---|---|"]
        for key, label in (
            ("introduced", "Unauthorized change committed"),
            ("first_malicious_activity", "First malicious activity"),
            ("detected", "Detected (incident opened)"),
            ("contained", "Contained"),
            ("time_to_contain", "Time to contain"),
            ("exposure_window", "First activity to containment"),
        ):
            out.append(f"| {label} | {self.text(metrics.get(key) or 'unknown')} |")
        out += ["", "## Action items", "", "| Priority | Action | Owner | Due | Status |"]
        out.append("|---|---|---|---|---|")
        for item in doc.get("action_items") or ():
            out.append(
                f"| {self.text(item['priority'])} | {self.text(item['action'])} "
                f"({self.code(item['id'])}) | {self.text(item['owner'])} | "
                f"{self.text(item['due'] or '-')} | {self.text(item['status'])} |"
            )
        out += ["", "## Lessons learned", ""]
        out.append(
            self.text(
                doc.get("lessons") or "To be written: mcpir report edit ID --set lessons=TEXT"
            )
        )
        return [*out, ""]

    def containment(self, contained: dict[str, Any]) -> list[str]:
        out = ["## Containment", ""]
        if contained.get("status", "not run") == "not run" and not contained["files"]:
            out.append("Not run: the contain step did not run in this incident.")
        elif not contained["files"] and not contained["processes"]:
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
        if doc.get("tokens_status", "not run") == "not run" and not doc["tokens"]:
            out.append("Not run: the rotate step did not run in this incident.")
        elif not doc["tokens"]:
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
    from mcpir.report import front_matter

    writer = _Writer(doc)
    lines = [*front_matter.render(redact_value(doc)), *writer.header(doc), ""]
    lines += [*writer.containment(doc["contained"]), ""]
    from mcpir.report.flow_graph import markdown

    lines += markdown(doc.get("flows"))
    return "\n".join([*lines, *writer.rest(doc), ""])
