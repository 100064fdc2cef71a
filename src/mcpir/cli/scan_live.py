"""`mcpir scan --live`: which servers to start, the yes to ask first, and what the report adds
(servers that could not be listed; SARIF with the tool-changed rule)."""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING

import typer

from mcpir.core.errors import EXIT_FINDINGS, UsageError

if TYPE_CHECKING:
    from mcpir.config.project import Policy
    from mcpir.core.model import ConfigFile, Server
    from mcpir.core.paths import Scopes
    from mcpir.proxy.listings_store import Settled
    from mcpir.scan.engine import ScanReport, ScanRequest


def _note(text: str) -> None:
    print(f"mcpir: note: {text}", file=sys.stderr)


def _started(server: Server) -> str:
    """What --live starts or reaches, as the question shows it: redacted, on one line."""
    from mcpir.core.redact import redact_args, redact_text
    from mcpir.core.safe import one_line

    if server.url is not None:
        return one_line(redact_text(server.url))
    return one_line(" ".join(redact_args([server.command or "", *server.args])))


def _keyring(name: str) -> str | None:
    """A `${NAME}` reference as `mcpir run` resolves it: the keyring entry mcpir keeps."""
    from mcpir.tokens import store

    if name not in store.names():
        return None
    secret = store.get(name)
    return None if secret is None else secret.reveal()


def live_request(
    request: ScanRequest,
    policy: Policy,
    scopes: Scopes,
    *,
    names: list[str],
    include_disabled: bool,
    timeout: float,
    concurrency: int,
    yes: bool,
) -> tuple[ScanRequest, list[ConfigFile], Settled]:
    """Start or reach the chosen servers (after a yes), list them, and hand what they
    advertise to the scan: their texts, and the tool-changed findings of the pins."""
    from mcpir.core.paths import default_root
    from mcpir.core.words import plural
    from mcpir.incident.store import TRAIL
    from mcpir.proxy.listings_store import ListingStore, settle
    from mcpir.proxy.pins import PinStore
    from mcpir.scan.engine import collect

    files = collect(request, policy)
    every = [server for config in files for server in config.servers]
    unknown = sorted(set(names) - {server.name for server in every})
    if unknown:
        raise UsageError(f"--server: no configured server named {', '.join(unknown)}",
                         hint="`mcpir scan` lists the configured servers")  # fmt: skip
    chosen = [server for server in every if not names or server.name in names]
    start = [server for server in chosen if server.enabled or include_disabled]
    if len(start) < len(chosen):
        held = plural(len(chosen) - len(start), "disabled or contained server")
        _note(f"{held} not started (--include-disabled starts them)")
    root = scopes.root or default_root()
    pins = PinStore(root / TRAIL / "tool-pins", root=root)
    link = pins.planted()
    if link is not None:
        raise UsageError(f"{link} is a symbolic link; mcpir will not use pins through it",
                         hint="remove the link, then run the command again")  # fmt: skip
    if start and not yes:
        if sys.stdin is None or not sys.stdin.isatty():
            raise UsageError(
                f"--live would start {plural(len(start), 'configured server')} and there is "
                "no terminal to ask: pass --yes to start them"
            )
        typer.echo(f"mcpir scan --live will start or reach {plural(len(start), 'server')}:",
                   err=True)  # fmt: skip
        for server in start:
            typer.echo(f"  {server.name} ({server.client}): {_started(server)}", err=True)
        if not typer.confirm("start them and list what they advertise?", default=False, err=True):
            typer.echo("nothing started", err=True)
            raise typer.Exit(EXIT_FINDINGS)
    from mcpir.live.run import list_live
    from mcpir.scan.live_texts import texts

    results = list_live(start, timeout=timeout, concurrency=concurrency, secret=_keyring)
    settled = settle(results, start, pins=pins, listings=ListingStore(root), texts=texts)
    for warning in settled.warnings:
        print(f"mcpir: warning: {warning}", file=sys.stderr)
    found = dataclasses.replace(request, listed=tuple(settled.listed), found=tuple(settled.found))
    return found, files, settled


def unlisted_lines(errors: list[dict[str, str | None]]) -> list[str]:
    from mcpir.core.safe import one_line

    return [one_line(f"{e['server']} ({e['client']}): {e['kind'] or 'error'}: {e['error']}")
            for e in errors]  # fmt: skip


def live_sarif(report: ScanReport, scopes: Scopes, errors: list[dict[str, str | None]]) -> str:
    """SARIF with the tool-changed rule; servers that could not be listed are notifications of
    the run (`toolExecutionNotifications`), not results: a server that was down is no alert."""
    import json

    from sarif_pydantic import Sarif

    from mcpir.output.sarif import sarif_document
    from mcpir.proxy.listings_store import TOOL_CHANGED

    suppressed = [(finding, f".mcpir.toml: {rule.reason}") for finding, rule in report.suppressed]
    if report.baseline is not None:
        suppressed += [(f, f"accepted in {report.baseline.name}") for f in report.accepted]
    counts = {"suppressed": len(suppressed)}
    if report.baseline is not None:
        counts["baselineStale"] = report.stale
    text = sarif_document(report.findings, scopes, rules=[TOOL_CHANGED], suppressed=suppressed,
                          counts=counts)  # fmt: skip
    document = json.loads(text)
    notes = [{"level": "warning", "message": {"text": f"could not list {line}"},
              "descriptor": {"id": "live-unreachable"}, "properties": dict(error)}
             for line, error in zip(unlisted_lines(errors), errors, strict=True)]  # fmt: skip
    document["runs"][0]["invocations"] = [
        {"executionSuccessful": True, "toolExecutionNotifications": notes}
    ]
    model = Sarif.model_validate(document)
    rendered: str = model.model_dump_json(by_alias=True, exclude_none=True, indent=2)
    return rendered + "\n"
