"""How `mcpir posture` looks: the checklist as a table and a count, or the JSON list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mcpir.core.words import plural
from mcpir.output import jsonout
from mcpir.output.terminal import say
from mcpir.posture import PostureItem

_MARK = {"pass": ("ok", "green"), "fail": ("FAIL", "bold red"), "unknown": ("??", "yellow")}


def show(items: Sequence[PostureItem], *, json_output: bool) -> None:
    if json_output:
        jsonout.dump([item.to_json() for item in items])
        return
    from mcpir.output.terminal import blank, cell, fit, lines, printed, table

    drawn = fit(table("status", "item", "evidence"), "evidence", min_width=40,
                caps={"item": 36})  # fmt: skip
    for item in items:
        mark, style = _MARK.get(item.status, (item.status, ""))
        evidence = [cell(item.evidence)]
        if item.status != "pass" and item.fix:
            evidence.append(cell(f"fix: {item.fix}", "dim"))
        drawn.add_row(cell(mark, style), cell(item.title), lines(*evidence))
    failed = sum(item.status == "fail" for item in items)
    if failed:
        summary = f"{len(items) - failed} of {plural(len(items), 'item')} pass"
    else:
        every = plural(len(items), "item passes", "items pass")
        summary = f"{'' if len(items) == 1 else 'all '}{every} or cannot be judged here"
    printed(drawn, blank(), cell(summary))


def acknowledged(item: str, recorded: dict[str, Any]) -> None:
    say(f"recorded {item}: acknowledged by {recorded['by']} on {recorded['on']}")
