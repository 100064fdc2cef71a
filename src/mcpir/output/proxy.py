"""How `mcpir pins` and `mcpir wrap|unwrap` talk. A pin file and a config lie in the
repository, so everything they say is shown one line each or masked, never obeyed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_value
from mcpir.core.safe import one_line, shown
from mcpir.core.words import plural
from mcpir.output import jsonout
from mcpir.proxy.pins import ToolChange

if TYPE_CHECKING:  # `pins` never needs the config editing that wrap plans with
    from mcpir.proxy.wrap import WrapPlan


def pin_row(server: str, pin: dict[str, Any] | None, waiting: dict[str, Any] | None,
            changes: list[ToolChange]) -> dict[str, Any]:  # fmt: skip
    return {
        "server": server,
        "approved": pin.get("approved") if pin else None,
        "tools": len(pin["tools"]) if pin else 0,
        "pending": [{"tool": c.tool, "change": c.change, "findings": list(c.findings)}
                    for c in changes],
        "pending_seen": waiting.get("seen") if waiting else None,
    }  # fmt: skip


def pins_list(rows: list[dict[str, Any]], *, json_output: bool) -> None:
    if json_output:
        jsonout.dump(redact_value(rows))  # masked, as in `pins show`
        return
    if not rows:
        typer.echo("No tool pins yet: mcpir proxy pins a server on its first tools/list.")
    for row in rows:
        changed = f"  {len(row['pending'])} changed since approval" if row["pending"] else ""
        approved = one_line(str(row["approved"]))
        tools = plural(row["tools"], "tool")
        typer.echo(f"{one_line(row['server'])}  {tools}  approved {approved}{changed}")


def pin_shown(server: str, pin: dict[str, Any], changes: list[ToolChange], *,
              json_output: bool) -> None:  # fmt: skip
    if json_output:
        jsonout.dump(redact_value(pin | {"pending": [c.__dict__ | {"findings": list(c.findings)}
                                                     for c in changes]}))  # fmt: skip
        return
    approved = shown(str(pin.get("approved")))
    typer.echo(f"{shown(server)}: {plural(len(pin['tools']), 'tool')}, approved {approved}")
    for tool in pin["tools"]:
        first = str(tool.get("description") or "").strip().splitlines()[:1]
        typer.echo(f"  {shown(str(tool.get('name')))}  {shown(first[0] if first else '')}")
    for change in changes:
        typer.echo(f"\n{change.change}: {shown(change.tool)}")
        if change.before is not None:
            typer.echo("  before: " + shown(change.before).replace("\n", "\n          "))
        if change.after is not None:
            typer.echo("  after:  " + shown(change.after).replace("\n", "\n          "))
        if change.findings:
            typer.echo("  injection signs: " + ", ".join(change.findings))
    if changes:
        typer.echo(f"\napprove with: mcpir pins approve {shown(server)}")


def pins_approved(server: str, changes: list[ToolChange], *, json_output: bool) -> None:
    if json_output:
        jsonout.dump({"server": server, "approved": [
            {"tool": c.tool, "change": c.change} for c in changes]})  # fmt: skip
    elif not changes:
        typer.echo(f"{shown(server)}: nothing changed since the pin; nothing to approve")
    else:
        listed = ", ".join(f"{c.tool} ({c.change})" for c in changes)
        typer.echo(f"{shown(server)}: approved {shown(listed)}")


def wrapped(result: WrapPlan, scopes: Scopes, incident: str | None, failures: list[str], *,
            unwrap: bool, yes: bool, json_output: bool) -> None:  # fmt: skip
    if json_output:
        # Masked as the table's lines are: a config names its servers, a token pasted there too.
        jsonout.dump(
            redact_value(
                {
                    "applied": incident is not None,
                    "incident": incident,
                    "servers": [o.as_dict() for o in result.outcomes],
                    "files": [str(c.path) for c in result.changes],
                    "failures": failures,
                }
            )
        )
        return
    if not yes and result.changes:
        from mcpir.proxy.wrap import diff

        typer.echo(diff(result), nl=False)
    for outcome in result.outcomes:
        where = scopes.display(outcome.path) + (f":{outcome.line}" if outcome.line else "")
        label = {
            "wrap": "wrapped" if yes else "to wrap",
            "unwrap": "unwrapped" if yes else "to unwrap",
        }.get(outcome.status, "")
        label = label or ("not wrapped" if outcome.status == "remote" else outcome.status)
        typer.echo(f"{one_line(outcome.server)}  {one_line(where)}  {label}: "
                   f"{one_line(outcome.reason)}")  # fmt: skip
    for failure in failures:
        typer.echo(f"failed: {shown(failure)}", err=True)
    if incident is not None:
        undo = f"`mcpir restore {incident}`" + ("" if unwrap else " or `mcpir unwrap`")
        typer.echo(f"journalled in {incident}; undo with {undo}. Restart the clients to "
                   "take effect.", err=True)  # fmt: skip
    elif result.changes:
        typer.echo(f"nothing changed: pass --yes to {'unwrap' if unwrap else 'wrap'}", err=True)
