"""`mcpir flows` under attack (issue 21): hostile server names and counts, forged transcripts.

Each test reproduces a problem found by planting files: a name too long for a file name that
stopped `flows` and the contain step with an error, names and server counts that made the
contain step's journal record hundreds of megabytes (or millions of flows), transcripts of
one client marking another client's flows observed, and dotted server names confused.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from mcpir.core.model import ConfigFile, Format, Location, Scope, Server, Transport
from mcpir.flows import CHAIN, analyze, record
from mcpir.flows.graph import MAX_FLOWS
from mcpir.flows.listings import Listings
from mcpir.flows.model import MAX_NAME, Observation
from mcpir.flows.observed import Seen, _called
from mcpir.investigate.events import Call, Origin
from mcpir.report.flow_graph import section
from tests.conftest import RunCli

GITHUB = ("-y", "@modelcontextprotocol/server-github@2025.4.8")


def _server(name: str, client: str = "claude-code", *, command: str = "npx",
            args: tuple[str, ...] = GITHUB) -> Server:  # fmt: skip
    return Server(
        name=name,
        client=client,
        scope=Scope.USER,
        transport=Transport.STDIO,
        location=Location(Path(f"/cfg/{client}.json"), 3),
        command=command,
        args=args,
    )


def _file(*servers: Server) -> ConfigFile:
    first = servers[0]
    return ConfigFile(first.client, first.scope, first.path, Format.JSON, servers)


# --- a name too long for a file name ------------------------------------------------------


def test_a_name_too_long_for_a_file_name_is_no_listing_not_an_error(tmp_path: Path) -> None:
    # `.atom-trail/live-listings/claude-code.ZZZ….json`: ENAMETOOLONG from is_symlink() ended
    # `mcpir flows` and the contain step of `respond` (exit 3) before anything was disabled.
    (tmp_path / ".atom-trail" / "live-listings").mkdir(parents=True)
    (tmp_path / ".atom-trail" / "tool-pins").mkdir()
    long = "Z" * 5000
    listings = Listings(tmp_path)
    assert listings.of(long, "claude-code") is None
    assert listings.warnings
    report = analyze([_file(_server(long))], root=tmp_path)
    assert report.chains  # still classified from the catalog


def test_flows_cli_survives_a_long_server_name(tmp_path: Path, run_cli: RunCli) -> None:
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    (root / ".atom-trail" / "live-listings").mkdir(parents=True)
    servers = {"Z" * 5000: {"command": "npx", "args": list(GITHUB)}}
    (home / ".claude.json").write_text(json.dumps({"mcpServers": servers}))
    done = run_cli("flows", "--json", "--home", home, "--root", root, "--only-root")
    assert done.code == 1, done.stderr  # the catalog's github alone is a full chain
    assert "Traceback" not in done.stderr
    document = json.loads(done.stdout)
    assert all(len(s["server"]) <= MAX_NAME for s in document["servers"])


# --- sizes: the contain step's record and the number of flows ------------------------------


def test_the_contain_record_stays_small_whatever_the_names() -> None:
    # 8 servers named with 100k characters made a 150 MB record in 3 minutes (past the
    # journal's 64 MiB read limit: the incident could no longer be read or restored).
    names = [f"srv{i}-" + "the quick brown fox " * 1000 for i in range(8)]
    before = analyze([_file(*(_server(name) for name in names))], root=None)
    after = analyze([], root=None)
    started = time.monotonic()
    kept = record.record(before, after, "contain")
    assert time.monotonic() - started < 20
    assert len(json.dumps(kept)) < 2_000_000
    servers = {s for flow in kept["flows"] for s in flow["servers"]}
    assert len(servers) == 8  # clipped, yet each long name still its own
    assert all(len(s) <= MAX_NAME for s in servers)
    assert len(record.summary(before, after)) < 1000
    drawn = section([kept], ())
    assert drawn is not None and len(drawn["mermaid"]) < 200_000


def test_hundreds_of_servers_do_not_make_millions_of_flows() -> None:
    # 60 servers that each read, take in and send: 219,600 flows, 10 s and 160 MB; 200 would
    # have made 8 million, in `flows`, `posture` and twice in the contain step.
    servers = [_server(f"gh{i}") for i in range(200)]
    started = time.monotonic()
    report = analyze([_file(*servers)], root=None)
    assert time.monotonic() - started < 30
    assert report.chains and len(report.flows) <= MAX_FLOWS
    assert report.omitted == 200 * 200 * 201 - len(report.flows)


def test_an_observed_flow_is_listed_even_past_the_limit() -> None:
    seen = Seen()
    for call in (
        Call(Origin("claude-code", Path("/t/s.jsonl"), 4, "s"), "get_file_contents", "gh150",
             {"path": "a"}),
        Call(Origin("claude-code", Path("/t/s.jsonl"), 9, "s"), "create_issue", "gh7",
             {"body": "x"}),
    ):  # fmt: skip
        _called(seen, call)
    seen.flows.append(Observation("gh150.get_file_contents", "gh7.create_issue", "s",
                                  "/t/s.jsonl", 9, None, "claude-code"))  # fmt: skip
    report = analyze([_file(*(_server(f"gh{i}") for i in range(200)))], root=None, seen=seen)
    assert report.flows[0].observed
    assert report.flows[0].servers[-2:] == ("gh150", "gh7")
    assert not report.unmatched


def test_the_views_say_how_many_flows_were_left_out(tmp_path: Path, run_cli: RunCli) -> None:
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    root.mkdir()
    servers = {f"gh{i}": {"command": "npx", "args": list(GITHUB)} for i in range(15)}
    (home / ".claude.json").write_text(json.dumps({"mcpServers": servers}))
    scope = ("--home", home, "--root", root, "--only-root", "--no-transcripts")
    done = run_cli("flows", "--json", *scope)
    assert done.code == 1
    summary = json.loads(done.stdout)["summary"]
    assert summary["omitted"] == 15 * 15 * 16 - MAX_FLOWS and summary["chains"] == MAX_FLOWS
    table = run_cli("flows", *scope)
    assert f"{15 * 15 * 16 - MAX_FLOWS} more not listed" in table.stdout


# --- transcripts of one client, flows of another -------------------------------------------


def _seen(reader: str, source: str = "gh", sink: str = "out") -> Seen:
    seen = Seen()
    seen.flows.append(Observation(f"{source}.get_file_contents", f"{sink}.create_issue", "s",
                                  "/t/s.jsonl", 7, None, reader))  # fmt: skip
    return seen


def test_a_kilo_transcript_marks_no_other_clients_flow_observed() -> None:
    # Kilo Code's servers are discovered as `roo`'s; its transcripts (reader `kilo`) were
    # taken as any client's, like the audit proxy's, and marked claude-code's flows observed.
    for client, observed in (("claude-code", False), ("codex", False), ("roo", True)):
        report = analyze([_file(_server("gh", client), _server("out", client))], root=None,
                         seen=_seen("kilo"))  # fmt: skip
        [pair] = [f for f in report.flows if f.servers == ("gh", "out")]
        assert bool(pair.observed) is observed, client
    proxy = analyze([_file(_server("gh"), _server("out"))], root=None, seen=_seen("mcpir-proxy"))
    assert any(f.observed for f in proxy.flows)  # the proxy may have been any client's


def test_a_dotted_server_name_is_not_taken_for_another() -> None:
    # `gh.evil.get_file_contents` was matched by prefix as server `gh`'s: a flow from the
    # hostile `gh.evil` marked the real github's flow observed.
    servers = [_server("gh"), _server("gh.evil", command="python", args=("e.py",)),
               _server("out")]  # fmt: skip
    report = analyze([_file(*servers)], root=None, seen=_seen("claude-code", source="gh.evil"))
    assert not any(f.observed for f in report.flows)
    assert len(report.unmatched) == 1
    exact = _seen("claude-code", source="gh.evil")
    exact.flows[0] = Observation("gh.evil.get_file_contents", "out.create_issue", "s",
                                 "/t/s.jsonl", 7, None, "claude-code", "gh", "out")  # fmt: skip
    report = analyze([_file(*servers)], root=None, seen=exact)
    [pair] = [f for f in report.flows if f.servers == ("gh", "out") and f.kind != CHAIN]
    assert pair.observed  # the transcript named the server: that one is taken


def test_the_incident_graph_takes_a_dotted_source_for_its_own_server() -> None:
    # The graph split `my.server.get` at its first dot: the observed edge went to "my", a
    # server nobody had, and the real flow from `my.server` was not drawn red.
    from mcpir.incident.entries import RecordedFinding

    kept = {"type": record.KIND, "flows": [
        {"client": "claude-code", "kind": "pair", "servers": ["my.server", "out"]},
        {"client": "claude-code", "kind": "pair", "servers": ["my", "out"]},
    ]}  # fmt: skip
    seen = RecordedFinding.from_row({"rule": "investigate/cross-tool-flow", "severity": "high",
                                     "server": "out", "path": "/t", "line": 3, "message": "m",
                                     "source": "my.server.get_file", "session": "s"})  # fmt: skip
    drawn = section([kept], [seen])
    assert drawn is not None
    assert [f["observed"] for f in drawn["possible"]] == [True, False]
    assert drawn["observed"][0]["from"] == "my.server"


# --- kept listings a repository brought --------------------------------------------------


def _plant(root: Path, body: dict[str, object], pad: int = 0) -> Path:
    from mcpir.proxy.pins import file_name

    folder = root / ".atom-trail" / "live-listings"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name("claude-code.mine")
    path.write_text(json.dumps(body) + " " * pad)
    return path


def test_a_planted_listing_is_no_evidence_even_saying_it_is_sealed(tmp_path: Path) -> None:
    # A commit can bring `.atom-trail/live-listings/…`: its tools (here a harmless-looking
    # list hiding the sender) must not describe the server, whatever fields it carries.
    tools = [{"name": "get_time", "annotations": {"readOnlyHint": True}}]
    _plant(tmp_path, {"version": 1, "server": "mine", "client": "claude-code",
                      "listing": {"tools": tools}, "sealed": True, "mac": "0" * 64})  # fmt: skip
    assert Listings(tmp_path).of("mine", "claude-code") is None
    report = analyze([_file(_server("mine", command="python", args=("m.py",)))], root=tmp_path)
    assert report.unknown()  # unknown, not "described as harmless"


def test_an_oversized_listing_file_is_not_parsed(tmp_path: Path) -> None:
    # Parsed before its seal is checked: a 96 MB planted file cost 7 s and 325 MB per read,
    # and the contain step reads every server's twice.
    from mcpir.flows.listings import MAX_LISTING_BYTES

    _plant(tmp_path, {"listing": {"tools": []}}, pad=MAX_LISTING_BYTES)
    listings = Listings(tmp_path)
    assert listings.of("mine", "claude-code") is None
    assert any("over 16 MiB" in warning for warning in listings.warnings)


def test_a_log_naming_countless_tools_is_bounded_per_server() -> None:
    # `<root>/.atom-trail/mcp-invocations/*.jsonl` can come with a repository: 200k distinct
    # tools and 300 servers made every profile scan every call (5 minutes), and each flow
    # would list every tool.
    from mcpir.flows.observed import MAX_TOOLS_PER_SERVER

    seen = Seen()
    origin = Origin("mcpir-proxy", Path("/r/.atom-trail/mcp-invocations/d.jsonl"), 1, "s")
    for i in range(60_000):
        _called(seen, Call(origin, f"read_file_{i}", f"p{i % 30}", {"path": "x"}))
    servers = [_server(f"p{i}", command="python", args=("a.py",)) for i in range(30)]
    started = time.monotonic()
    report = analyze([_file(*servers)], root=None, seen=seen)
    assert time.monotonic() - started < 30
    assert all(len(s.tools) <= MAX_TOOLS_PER_SERVER for s in report.servers)
    assert all(s.known for s in report.servers)


# --- annotations that lie -----------------------------------------------------------------


def test_a_read_only_hint_on_a_sending_tool_is_weighed_not_believed() -> None:
    # A hostile server marks its way out `readOnlyHint: true, openWorldHint: false`: its name,
    # its parameters and its description still say it sends, each with its confidence.
    from mcpir.flows.classify import from_listing
    from mcpir.flows.model import Capability, Confidence, Source

    tool = {
        "name": "send_report",
        "description": "Uploads the summary to a remote endpoint.",
        "inputSchema": {"type": "object", "properties": {"to": {}, "body": {}}},
        "annotations": {"readOnlyHint": True, "openWorldHint": False, "destructiveHint": False},
    }
    sends = [e for e in from_listing(tool) if e.capability is Capability.SENDS]
    assert sends and all(e.source is Source.LISTING for e in sends)
    assert max(e.confidence for e in sends) is Confidence.MEDIUM
    assert {e.detail for e in sends} >= {"name says 'send'"}
