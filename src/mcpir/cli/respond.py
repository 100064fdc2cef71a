"""`mcpir respond` runs the incident playbook; `mcpir restore` undoes what it changed;
`mcpir close` records that the incident is over."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mcpir.cli.options import (
    HomeOption,
    IncidentHomeOption,
    JsonOption,
    OnlyRootOption,
    RootOption,
    SystemRootOption,
    existing_dir,
    incident_root,
    opened_for,
    resolve_scopes,
)
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask; approve every step.")]


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def step_names(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion after --only, --skip and --from: the step ids of the playbook (the
    one --playbook names when it came first), after any already typed: `contain,ro<TAB>`."""
    from mcpir.core.errors import McpirError
    from mcpir.playbook.loader import load_playbook

    chosen = ctx.params.get("playbook")  # click's value, before typer makes it a Path
    try:
        book = load_playbook(Path(chosen) if isinstance(chosen, str | Path) and chosen else None)
    except (McpirError, OSError):  # a half-typed path: nothing to offer, never a traceback
        return []
    typed, comma, word = incomplete.rpartition(",")
    given = set(_ids(typed))
    return [
        f"{typed}{comma}{step.id}"
        for step in book.steps
        if step.id.startswith(word) and step.id not in given
    ]


def _steps(option: str, help_text: str) -> Any:  # noqa: ANN401 - typer's OptionInfo
    return typer.Option(option, help=help_text, autocompletion=step_names, show_default=False)


def respond(
    title: Annotated[str, typer.Option("--title", help="What happened, in a few words.")] = (
        "MCP incident"
    ),
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "-n", help="Show each step's planned changes; change nothing."),
    ] = False,
    yes: YesOption = False,
    only: Annotated[str | None, _steps("--only", "Run only these steps (a,b).")] = None,
    skip: Annotated[str | None, _steps("--skip", "Skip these steps (a,b).")] = None,
    start_from: Annotated[str | None, _steps("--from", "Start at this step.")] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue this incident where it stopped.")
    ] = None,
    incident: Annotated[
        str | None,
        typer.Option(
            "--incident", help="Add the chosen steps to this open incident (with --only/--from)."
        ),
    ] = None,
    playbook: Annotated[
        Path | None, typer.Option("--playbook", help="Your own playbook (YAML).")
    ] = None,
    kill: Annotated[
        bool, typer.Option("--kill", help="contain: also stop running MCP server processes.")
    ] = False,
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run the incident playbook: contain, rotate, audit, investigate, document.

    --dry-run shows what each step would do and opens no incident; a step that failed is kept
    for --resume.
    """
    from mcpir.config.project import load_policy
    from mcpir.core.progress import SILENT
    from mcpir.output import respond_view
    from mcpir.playbook.engine import RespondRequest
    from mcpir.playbook.engine import respond as run_respond

    existing = resume or incident
    if existing is not None and root is None:
        root = incident_root(existing, None)  # found from any directory, through the index
    if existing is not None and home is None:
        home = _recorded_home(root, existing)
    scopes = resolve_scopes(home, root, system_root, only_root)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    quiet = json_output
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
        incident=incident,
        options={"kill": True} if kill else {},
        confirm=(lambda step: False) if quiet else respond_view.ask,
        progress=SILENT if quiet else respond_view.StepView(),
    )
    result = run_respond(request, load_policy(scopes.root))
    respond_view.show(result, json_output=json_output)
    raise typer.Exit(result.exit_code)


def _recorded_home(root: Path | None, incident: str) -> Path | None:
    """The home an incident was opened for, when it is not this user's: its steps go on
    there (the engine refuses any other). None: this user's own, or nothing recorded."""
    import os

    from mcpir.incident.store import find_incident

    recorded = find_incident(resolve_scopes(None, root, None).root or Path.cwd(), incident)
    home = recorded.header().get("home")
    if not isinstance(home, str) or os.path.realpath(home) == os.path.realpath(Path.home()):
        return None
    return Path(home)


def restore(
    incident: Annotated[
        str | None,
        typer.Argument(
            help="Incident or change set (ATOM-CHG-…) id or prefix, found from any directory "
            "(default: the latest incident here)."
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", "-n", help="Name the incident and what would happen to each server."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Restore even files edited since; the newer file is kept aside."
        ),
    ] = False,
    include_flagged: Annotated[
        bool,
        typer.Option(
            "--include-flagged",
            help="Also turn back on the servers this incident flagged (and those sharing "
            "their files).",
        ),
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Turn back on only this server (repeatable); a flagged one too, when named.",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--except", help="Keep this server disabled (repeatable)."),
    ] = None,
    home: IncidentHomeOption = None,
    root: RootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Undo an incident's file changes byte for byte; servers the incident flagged, and those
    sharing a file with one, stay disabled unless named. Run it again to finish a partial
    restore. A file edited since is not overwritten (see the diff); --force keeps the newer
    copy aside, listed."""
    from mcpir.incident.flagged import Selection
    from mcpir.incident.restore import restore as run_restore
    from mcpir.incident.store import find_incident
    from mcpir.output.restore import restored
    from mcpir.scan.checks import CREDENTIAL_RULES

    home_dir = existing_dir(home, "--home") if home is not None else None
    where = incident_root(incident, root)
    # Looked up before restore takes the project's lock, which creates `.atom-trail/`: a
    # lookup that fails (no such incident here) must leave nothing behind.
    opened_for(find_incident(where, incident, with_changes=True), home_dir)
    selection = Selection(include_flagged, tuple(only or ()), tuple(exclude or ()))
    result = run_restore(where, incident, dry_run=dry_run, force=force, selection=selection,
                         credential_rules=CREDENTIAL_RULES)  # fmt: skip
    refused = bool(result.conflicts) and not force and not dry_run
    restored(result, dry_run=dry_run, refused=refused, json_output=json_output)
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
    home: IncidentHomeOption = None,
    root: RootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Close an incident: who and why go into its journal, and `mcpir posture` stops counting it
    as open. Files stay as they are (`mcpir restore` is still the way back)."""
    from mcpir.incident.store import close_incident, find_incident
    from mcpir.output.restore import closed as show_closed
    from mcpir.report.owner import owner

    home_dir = existing_dir(home, "--home") if home is not None else None
    where = incident_root(incident, root)
    if home_dir is not None:
        opened_for(find_incident(where, incident), home_dir)
    who = by or owner(where)
    closed = close_incident(where, incident, reason=reason, by=who, force=force)
    show_closed(closed.id, json_output=json_output)
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("respond")(respond)
    app.command("restore")(restore)
    app.command("close")(close)
