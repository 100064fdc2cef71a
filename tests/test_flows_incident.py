"""Flows in an incident: the contain step says which full chains containment broke and
records the flows; the document draws them, the observed one highlighted; hostile names and
hand-edited records cannot break the graph out of its code block."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcpir.demo.run import DemoResult, run_demo
from mcpir.flows import record
from mcpir.incident.entries import RecordedFinding
from mcpir.report.document import build
from mcpir.report.flow_graph import markdown, section
from mcpir.report.markdown import render


def _demo(tmp_path: Path) -> DemoResult:
    return run_demo(tmp_path / "demo", say=lambda line: None)


def test_containment_says_which_chains_it_broke_and_the_document_draws_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _demo(tmp_path)
    monkeypatch.setenv("MCPIR_HOME", str(result.state))  # the key the demo sealed it with
    [(_, contain)] = [(s, r) for s, r in result.response.steps if s.id == "contain"]
    assert "; broke " in contain.summary and "full chains (claude-code: " in contain.summary
    incident = result.response.incident
    assert incident is not None
    document = build(incident)
    flows = document["flows"]
    assert flows["broken"] == sum(f["kind"] == "chain" for f in flows["possible"]) > 0
    [seen] = flows["observed"]
    assert (seen["from"], seen["to"], seen["line"]) == ("github", "mermaid-diagrams", 7)
    assert seen["session"] == result.sandbox.planted["session_id"]
    assert any(f["observed"] and f["servers"][-2:] == ["github", "mermaid-diagrams"]
               for f in flows["possible"])  # fmt: skip
    text = render(document)
    assert "## Possible and observed flows" in text
    graph = text.split("## Possible and observed flows", 1)[1].split("```", 2)[1]
    assert graph.startswith("mermaid\nflowchart LR") and "==>|observed|" in graph
    assert "linkStyle" in graph and "stroke:#d00" in graph
    assert result.sandbox.planted["canary"] not in text


def test_a_journal_without_the_record_has_no_section() -> None:
    assert section([{"type": "step-finished", "step": "contain"}], ()) is None
    assert markdown(None) == []


def test_a_flow_seen_in_one_clients_transcripts_is_observed_in_that_client_only() -> None:
    both = [{"client": c, "kind": "pair", "servers": ["github", "mermaid"]}
            for c in ("claude-code", "cursor")]  # fmt: skip
    records = [{"type": record.KIND, "flows": both}]

    def seen(client: str | None) -> RecordedFinding:
        return RecordedFinding.from_row({"rule": "investigate/cross-tool-flow", "severity": "high",
                                         "server": "mermaid", "path": "/t", "line": 3,
                                         "message": "m", "source": "github.get_file",
                                         "session": "s", "client": client})  # fmt: skip

    flows = section(records, [seen("claude-code")])
    assert flows is not None
    assert [(f["client"], f["observed"]) for f in flows["possible"]] == [
        ("claude-code", True), ("cursor", False)]  # fmt: skip
    assert flows["mermaid"].count("==>|observed|") == 1
    # The proxy's log names no client: it may stand for either.
    flows = section(records, [seen("mcpir-proxy")])
    assert flows is not None and all(f["observed"] for f in flows["possible"])


def test_hostile_names_and_edited_records_stay_inside_the_graph() -> None:
    hostile = 'x"]\n```\n# Resolved\nclick n0 call alert(1)'
    records = [
        {"type": record.KIND, "flows": [
            {"client": "claude-code", "kind": "pair", "servers": [hostile, "out"]},
            {"client": "claude-code", "kind": "chain", "servers": ["a", 3, "b"]},
            {"client": 7, "kind": "pair", "servers": ["a", "b"]},
            {"client": "c", "kind": "triangle", "servers": ["a", "b"]},
            "not a flow",
        ]},
    ]  # fmt: skip
    seen = RecordedFinding.from_row({"rule": "investigate/cross-tool-flow", "severity": "high",
                                     "server": "out", "path": "/t", "line": 3, "message": "m",
                                     "source": f"{hostile}.get", "session": "s"})  # fmt: skip
    flows = section(records, [seen])
    assert flows is not None and len(flows["possible"]) == 1
    lines = markdown(flows)
    block = "\n".join(lines).split("```mermaid\n", 1)[1]
    assert block.count("```") == 1  # only the fence that closes the graph
    assert "\n# Resolved" not in "\n".join(lines)
    assert all('"' not in name for name in block.split('"')[1::2])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


@given(st.lists(_JSON, max_size=6), st.lists(st.text(max_size=30), max_size=4))
def test_any_sealed_record_and_any_name_keep_the_graph_in_its_block(
    flows: list[object], names: list[str]
) -> None:
    flows += [{"client": n, "kind": "pair", "servers": [n, f"{n}2"]} for n in names]
    found = section([{"type": record.KIND, "flows": flows}], ())
    assert found is not None
    text = "\n".join(markdown(found))
    assert text.count("```") == 2
    assert all(line.startswith(("  ", "flowchart")) for line in found["mermaid"].splitlines())
