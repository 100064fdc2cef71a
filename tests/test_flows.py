"""`mcpir flows`: capability classification (good and bad samples per source), flows per
client, observed marks, and the demo's github → mermaid-diagrams flow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcpir.core.model import ConfigFile, Format, Location, Scope, Server, Transport
from mcpir.flows import CHAIN, PAIR, Capability, analyze
from mcpir.flows.catalog import entries, match
from mcpir.flows.classify import from_annotations, from_listing, words
from mcpir.flows.model import Confidence, Source
from mcpir.flows.observed import Seen
from mcpir.investigate.events import Call, Origin

PRIVATE, UNTRUSTED = Capability.PRIVATE, Capability.UNTRUSTED
SENDS, DESTRUCTIVE = Capability.SENDS, Capability.DESTRUCTIVE


def _caps(tool: dict[str, Any]) -> set[Capability]:
    return {e.capability for e in from_listing(tool)}


def _tool(
    name: str, description: str = "", params: tuple[str, ...] = (), **hints: bool
) -> dict[str, Any]:
    tool: dict[str, Any] = {
        "name": name,
        "description": description,
        "inputSchema": {"type": "object", "properties": {p: {"type": "string"} for p in params}},
    }
    if hints:
        tool["annotations"] = hints
    return tool


# --- from annotations ----------------------------------------------------------------------

ANNOTATED_GOOD = [
    (_tool("x1", destructiveHint=True, readOnlyHint=False), DESTRUCTIVE),
    (_tool("x2", openWorldHint=True, readOnlyHint=True), UNTRUSTED),
    (_tool("x3", openWorldHint=True), SENDS),
]
ANNOTATED_BAD = [
    # read-only: whatever it says about the open world, it changes nothing out there
    (_tool("x4", openWorldHint=True, readOnlyHint=True), SENDS),
    (_tool("x5", destructiveHint=True, readOnlyHint=True), DESTRUCTIVE),
    (_tool("x6", openWorldHint=False), UNTRUSTED),
    (_tool("x7", destructiveHint=False), DESTRUCTIVE),
]


@pytest.mark.parametrize(("tool", "capability"), ANNOTATED_GOOD)
def test_annotations_classify(tool: dict[str, Any], capability: Capability) -> None:
    found = [e for e in from_annotations(tool) if e.capability is capability]
    assert found and all(e.source is Source.ANNOTATION for e in found)
    assert found[0].confidence is Confidence.HIGH


@pytest.mark.parametrize(("tool", "capability"), ANNOTATED_BAD)
def test_annotations_do_not_classify(tool: dict[str, Any], capability: Capability) -> None:
    assert capability not in {e.capability for e in from_annotations(tool)}


def test_read_only_hint_drops_what_only_the_name_said_it_destroys() -> None:
    assert DESTRUCTIVE in _caps(_tool("delete_cache"))
    assert DESTRUCTIVE not in _caps(_tool("delete_cache", readOnlyHint=True))


# --- from listings ------------------------------------------------------------------------

LISTED_GOOD = [
    (_tool("get_file_contents", "Get the contents of a file"), PRIVATE),
    (_tool("query", "Run a read-only SQL query"), PRIVATE),
    (_tool("readEmails", "Read messages in the inbox"), PRIVATE),
    (_tool("fetch_page", "Fetch a web page and return it as markdown", ("url",)), UNTRUSTED),
    (_tool("list_issue_comments", "Comments on an issue"), UNTRUSTED),
    (_tool("send_email", "Send an email", ("to", "subject", "body")), SENDS),
    (_tool("notify", "", ("webhook_url",)), SENDS),
    (_tool("render_diagram", "Render and publish at a shareable public link"), SENDS),
    (_tool("drop_table", "Drop a table"), DESTRUCTIVE),
]
LISTED_BAD = [
    (_tool("add_numbers", "Add two numbers", ("a", "b")), PRIVATE),
    (_tool("add_numbers", "Add two numbers", ("a", "b")), SENDS),
    (_tool("get_time", "Current time in a timezone", ("timezone",)), PRIVATE),
    (_tool("sequentialthinking", "Think step by step", ("thought",)), UNTRUSTED),
    # `url` is a word of its own: curl, hurl, urlencode's parts are not a parameter named url
    (_tool("format_text", "Format text", ("curl_flags",)), SENDS),
    (_tool("list_directory", "List a directory"), DESTRUCTIVE),
]


@pytest.mark.parametrize(("tool", "capability"), LISTED_GOOD)
def test_listing_classifies(tool: dict[str, Any], capability: Capability) -> None:
    assert capability in _caps(tool), from_listing(tool)


@pytest.mark.parametrize(("tool", "capability"), LISTED_BAD)
def test_listing_does_not_classify(tool: dict[str, Any], capability: Capability) -> None:
    assert capability not in _caps(tool), from_listing(tool)


def test_identifiers_split_into_words() -> None:
    assert words("getFileContents") == ["get", "file", "contents"]
    assert words("get-library_docs") == ["get", "library", "docs"]


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_any_json_as_a_tool_is_classified_without_error(value: Any) -> None:
    tool = (
        value
        if isinstance(value, dict)
        else {"name": "t", "annotations": value, "inputSchema": value, "description": value}
    )
    for evidence in from_listing(tool):
        assert evidence.detail


# --- from the catalog ---------------------------------------------------------------------


def _server(name: str, client: str = "claude-code", *, command: str | None = "npx",
            args: tuple[str, ...] = (), url: str | None = None, enabled: bool = True,
            project: Path | None = None) -> Server:  # fmt: skip
    return Server(
        name=name,
        client=client,
        scope=Scope.PROJECT if project else Scope.USER,
        transport=Transport.HTTP if url else Transport.STDIO,
        location=Location(Path(f"/cfg/{client}.json"), 3),
        command=None if url else command,
        args=args,
        url=url,
        enabled=enabled,
        project=project,
    )


CATALOG_GOOD = [
    (_server("gh", args=("-y", "@modelcontextprotocol/server-github@2025.4.8")), "github",
     "get_file_contents", PRIVATE, Confidence.HIGH),
    (_server("gh", args=("-y", "@modelcontextprotocol/server-github")), "github",
     "create_issue", SENDS, Confidence.MEDIUM),
    (_server("f", command="docker", args=("run", "-i", "--rm", "mcp/fetch")), "fetch", "fetch",
     UNTRUSTED, Confidence.MEDIUM),
    (_server("pg", command="uvx", args=("postgres-mcp==0.3.0",)), "postgres-mcp", "execute_sql",
     PRIVATE, Confidence.HIGH),
    (_server("lin", url="https://mcp.linear.app/sse"), "linear", "create_comment", SENDS,
     Confidence.MEDIUM),
]  # fmt: skip
CATALOG_BAD = [
    _server("look-alike", args=("-y", "@modelcontextprotocol/server-github-extra")),
    _server("typo", args=("-y", "modelcontextprotocol/server-github")),
    _server("remote", url="https://mcp.linear.app.evil.example/sse"),
    _server("local", command="python", args=("server.py",)),
]


@pytest.mark.parametrize(("server", "entry", "tool", "capability", "confidence"), CATALOG_GOOD)
def test_catalog_classifies(server: Server, entry: str, tool: str, capability: Capability,
                            confidence: Confidence) -> None:  # fmt: skip
    found = match(server)
    assert found is not None and found.entry.id == entry
    evidence = [e for e in found.evidence(tool) if e.capability is capability]
    assert evidence and evidence[0].confidence is confidence
    assert evidence[0].source is Source.CATALOG and found.entry.version in evidence[0].detail


@pytest.mark.parametrize("server", CATALOG_BAD)
def test_catalog_does_not_match_look_alikes(server: Server) -> None:
    assert match(server) is None


def test_every_catalog_entry_names_the_release_it_was_written_for() -> None:
    raw = json.loads((Path(__file__).parents[1] / "src/mcpir/flows/catalog.json").read_text())
    assert len(raw["servers"]) == len(entries()) >= 8
    for entry in entries():
        assert entry.version and entry.written_for and entry.tools
        assert entry.npm or entry.pypi or entry.docker or entry.hosts


def test_a_catalog_tool_with_no_capability_is_known_and_has_none() -> None:
    [report] = [
        analyze(
            [
                _file(
                    _server(
                        "st",
                        args=("-y", "@modelcontextprotocol/server-sequential-thinking@2025.7.1"),
                    )
                )
            ],
            root=None,
        )
    ]
    [server] = report.servers
    assert server.known and not report.flows
    assert all(not tool.capabilities() for tool in server.tools)


# --- flows per client ---------------------------------------------------------------------


def _file(*servers: Server) -> ConfigFile:
    first = servers[0]
    return ConfigFile(first.client, first.scope, first.path, Format.JSON, servers)


GITHUB = ("-y", "@modelcontextprotocol/server-github@2025.4.8")
FILESYSTEM = ("-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "/home")
FETCH = ("run", "-i", "--rm", "mcp/fetch")


def test_servers_in_different_clients_never_form_a_flow() -> None:
    files = [
        _file(_server("fs", "claude-desktop", args=FILESYSTEM)),
        _file(_server("web", "cursor", command="docker", args=FETCH)),
    ]
    report = analyze(files, root=None)
    assert report.flows == []
    together = analyze(
        [
            _file(
                _server("fs", "cursor", args=FILESYSTEM),
                _server("web", "cursor", command="docker", args=FETCH),
            )
        ],
        root=None,
    )
    kinds = {(flow.kind, flow.servers) for flow in together.flows}
    assert (CHAIN, ("web", "fs", "web")) in kinds
    assert (PAIR, ("fs", "web")) in kinds


def test_projects_of_one_client_are_apart_and_its_user_servers_join_each() -> None:
    a, b = Path("/src/a"), Path("/src/b")
    files = [
        _file(_server("fs", "claude-code", args=FILESYSTEM, project=a)),
        _file(_server("web", "claude-code", command="docker", args=FETCH, project=b)),
    ]
    assert analyze(files, root=None).flows == []
    files.append(_file(_server("gh", "claude-code", args=GITHUB)))
    flows = {flow.servers for flow in analyze(files, root=None).flows}
    assert ("fs", "gh") in flows and ("gh", "web") in flows
    assert not any({"fs", "web"} <= set(servers) for servers in flows)


def test_disabled_servers_count_only_when_asked() -> None:
    files = [_file(_server("fs", args=FILESYSTEM),
                   _server("web", command="docker", args=FETCH, enabled=False))]  # fmt: skip
    assert analyze(files, root=None).flows == []
    assert analyze(files, root=None, include_disabled=True).chains
    assert analyze(files, root=None, client="cursor", include_disabled=True).servers == []


def test_a_server_nothing_describes_is_unknown_not_harmless() -> None:
    report = analyze([_file(_server("mine", command="python", args=("srv.py",)))], root=None)
    [server] = report.unknown()
    assert server.name == "mine" and server.tools == ()


def _call(server: str, tool: str, line: int, args: dict[str, Any], client: str) -> Call:
    origin = Origin(client, Path("/t/s1.jsonl"), line, "s1")
    return Call(origin, tool, server, args)


def test_calls_seen_classify_a_server_and_mark_its_flow_observed() -> None:
    from mcpir.flows.model import Observation
    from mcpir.flows.observed import _called

    seen = Seen()
    for call in (
        _call("gh", "get_file_contents", 5, {"path": "a.py"}, "claude-code"),
        _call("diagrams", "share_diagram", 7, {"share_with": "x@y"}, "claude-code"),
    ):
        _called(seen, call)  # fmt: skip
    seen.flows.append(Observation("gh.get_file_contents", "diagrams.share_diagram", "s1",
                                  "/t/s1.jsonl", 7, None, "claude-code"))  # fmt: skip
    mine = _server("diagrams", command="python", args=("d.py",))
    report = analyze([_file(_server("gh", args=GITHUB), mine)], root=None, seen=seen)
    [profile] = [s for s in report.servers if s.name == "diagrams"]
    [tool] = profile.tools
    assert SENDS in tool.capabilities()
    assert {e.source for e in tool.evidence} == {Source.OBSERVED}
    [pair] = [f for f in report.flows if f.servers == ("gh", "diagrams")]
    assert pair.observed[0].session == "s1" and pair.observed[0].line == 7
    assert report.flows[0].observed, "observed flows rank first"
    # The same calls seen in another client's transcripts say nothing about this one's.
    other = analyze([_file(_server("gh", "codex", args=GITHUB),
                           _server("diagrams", "codex", command="python", args=("d.py",)))],
                    root=None, seen=seen)  # fmt: skip
    assert all(not f.observed for f in other.flows) and len(other.unmatched) == 1


# --- read-only servers and the posture item -----------------------------------------------

GH_IMAGE = "ghcr.io/github/github-mcp-server:v0.9.0"


@pytest.mark.parametrize(
    ("args", "read_only"),
    [
        (("run", "-i", "--rm", "-e", "GITHUB_READ_ONLY=1", GH_IMAGE), True),
        (("run", "-i", "--rm", GH_IMAGE, "stdio", "--read-only"), True),
        (("run", "-i", "--rm", "-e", "GITHUB_READ_ONLY=0", GH_IMAGE), False),
        (("run", "-i", "--rm", "-e", "GITHUB_READ_ONLY", GH_IMAGE), False),
        (("run", "-i", "--rm", GH_IMAGE), False),
    ],
)
def test_a_read_only_github_sends_nothing_out(args: tuple[str, ...], read_only: bool) -> None:
    found = match(_server("gh", command="docker", args=args))
    assert found is not None and found.read_only is read_only
    assert bool(found.evidence("create_issue")) is not read_only
    assert found.evidence("get_file_contents")  # it still reads


def test_posture_verdict_fails_on_a_chain_and_says_unknown_when_it_cannot_tell() -> None:
    from mcpir.flows.verdict import verdict

    github = _server("gh", args=GITHUB)
    status, evidence, fix = verdict([_file(github)], None)
    assert status == "fail" and "claude-code: 1 full chain, e.g. gh → gh → gh" in evidence
    assert "mcpir flows" in fix
    quiet = _server("gh", command="docker", args=("run", "-e", "GITHUB_READ_ONLY=1", GH_IMAGE))
    assert verdict([_file(quiet)], None)[0] == "pass"
    mystery = _server("mine", command="python", args=("srv.py",))
    status, evidence, _ = verdict([_file(quiet, mystery)], None)
    assert status == "unknown" and "mine (claude-code)" in evidence
    contained = _server("gh", args=GITHUB, enabled=False)
    status, evidence, _ = verdict([_file(contained)], None)
    assert status == "fail" and "judged as they would return" in evidence
