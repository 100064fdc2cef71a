"""`mcpir respond` runs the incident playbook; `mcpir restore` undoes what it changed;
`mcpir close` records that the incident is over."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mcpir.cli.options import HomeOption, JsonOption, RootOption, SystemRootOption, resolve_scopes
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED

if TYPE_CHECKING:
    from mcpir.playbook.model import Step

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask; approve every step.")]


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def respond(
    title: Annotated[str, typer.Option("--title", help="What happened, in a few words.")] = (
        "MCP incident"
    ),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show each step's planned changes; change nothing.")
    ] = False,
    yes: YesOption = False,
    only: Annotated[str | None, typer.Option("--only", help="Run only these steps (a,b).")] = None,
    skip: Annotated[str | None, typer.Option("--skip", help="Skip these steps (a,b).")] = None,
    start_from: Annotated[str | None, typer.Option("--from", help="Start at this step.")] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue this incident where it stopped.")
    ] = None,
    playbook: Annotated[
        Path | None, typer.Option("--playbook", help="Your own playbook (YAML).")
    ] = None,
    kill: Annotated[
        bool, typer.Option("--kill", help="contain: also stop running MCP server processes.")
    ] = False,
    home: HomeOption = None,
    root: RootOption = None,
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run the incident playbook: contain, rotate, audit, investigate, document.

    Exit 0: every step done; 1: a step needs attention; 3: a step failed (re-run with
    --resume to finish it).
    """
    from mcpir.config.project import load_policy
    from mcpir.output import jsonout, respond_view
    from mcpir.playbook.engine import RespondRequest
    from mcpir.playbook.engine import respond as run_respond

    scopes = resolve_scopes(home, root, system_root)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    quiet = json_output

    def confirm(step: Step) -> bool:
        if quiet or not sys.stdin.isatty():
            return False
        return typer.confirm(f"      run this step? ({step.title})", default=False)

    request = RespondRequest(
        scopes=scopes,
        title=title,
        playbook=playbook,
        dry_run=dry_run,
        yes=yes,
        only=_ids(only),
        skip=_ids(skip),
        start_from=start_from,
        resume=resume,
        options={"kill": True} if kill else {},
        confirm=confirm,
        say=(lambda line: None) if quiet else (lambda line: respond_view.say(f"      {line}")),
        on_step=(lambda i, n, s: None) if quiet else respond_view.step_header,
        on_result=(lambda s, r: None) if quiet else respond_view.step_result,
    )
    result = run_respond(request, load_policy(scopes.root))
    if json_output:
        jsonout.dump(respond_view.as_json(result))
    else:
        respond_view.closing(result)
    raise typer.Exit(result.exit_code)


def restore(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id or prefix (default: the latest).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be undone.")] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Restore even files edited since; the newer file is kept aside."
        ),
    ] = False,
    root: RootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Undo an incident's file changes byte for byte. Exit 0: restored; 1: refused (a file was
    edited since: see the diff, or pass --force: newer copies are kept aside and listed)."""
    from mcpir.core.redact import redact_text
    from mcpir.incident.restore import restore as run_restore
    from mcpir.output import jsonout, respond_view

    scopes = resolve_scopes(None, root, None)
    assert scopes.root is not None  # noqa: S101
    result = run_restore(scopes.root, incident, dry_run=dry_run, force=force)
    refused = bool(result.conflicts) and not force and not dry_run
    if json_output:
        jsonout.dump(
            {
                "version": 1,
                "incident": result.incident.id,
                "restored": [redact_text(line) for line in result.done],
                "planned": [redact_text(line) for line in result.planned],
                "conflicts": [redact_text(line) for line in result.conflicts],
                "failed": [redact_text(line) for line in result.failed],
                "kept": [redact_text(line) for line in result.kept],
            }
        )
    else:
        for line in result.done:
            respond_view.say(line)
        if dry_run:
            for line in result.planned:
                respond_view.say(f"would {line}")
        for conflict in result.conflicts:
            respond_view.say(conflict, err=True)
        for failure in result.failed:
            respond_view.say(f"not restored: {failure}", err=True)
        for kept in result.kept:
            respond_view.say(f"kept aside: {kept} (what was there before the restore: compare "
                             "it with the restored file)", err=True)  # fmt: skip
        if refused:
            respond_view.say("nothing was restored: pass --force to keep the newer files aside "
                             "and restore anyway", err=True)  # fmt: skip
        elif not dry_run:
            count = f"{len(result.done)} files restored"
            if result.kept:
                count += f", {len(result.kept)} newer copies kept aside"
            if result.failed:
                count += f", {len(result.failed)} not (fix them, then run restore again)"
            respond_view.say(f"incident {result.incident.id}: {count}")
    if result.failed:
        raise typer.Exit(EXIT_STEP_FAILED)
    raise typer.Exit(EXIT_FINDINGS if refused or (dry_run and result.conflicts) else EXIT_OK)


def close(
    incident: Annotated[str, typer.Argument(help="Incident id or prefix.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why it is closed (kept in the journal).")
    ],
    by: Annotated[
        str | None, typer.Option("--by", help="Who closes it (default: git user, else $USER).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Close even with a step that never finished.")
    ] = False,
    root: RootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Close an incident: who and why go into its journal, and `mcpir posture` stops counting it
    as open. Files stay as they are (`mcpir restore` is still the way back)."""
    from mcpir.incident.store import close_incident
    from mcpir.output import jsonout, respond_view
    from mcpir.report.owner import owner

    scopes = resolve_scopes(None, root, None)
    assert scopes.root is not None  # noqa: S101
    who = by or owner(scopes.root)
    closed = close_incident(scopes.root, incident, reason=reason, by=who, force=force)
    if json_output:
        jsonout.dump({"version": 1, "incident": closed.id, "status": "closed"})
    else:
        respond_view.say(f"closed {closed.id}")
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("respond")(respond)
    app.command("restore")(restore)
    app.command("close")(close)
