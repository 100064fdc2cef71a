"""`mcpir schedule run|list|install|uninstall`: the daily token rotation check."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mcpir.cli.options import HomeOption, JsonOption, RootOption, existing_dir
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED, UsageError

if TYPE_CHECKING:
    from mcpir.schedule.installers import Outcome
    from mcpir.schedule.scheduler import JobSpec

app = typer.Typer(
    help="The daily token rotation check: mcpir's own scheduler, or systemd, cron or launchd.",
    no_args_is_help=True,
)
AtOption = Annotated[
    str, typer.Option("--at", help="Local time of the daily check, HH:MM.", metavar="HH:MM")
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", "-n", help="Show what would be written and run; change nothing."),
]
# What --dry-run was called before every preview had that name: kept, out of the help.
PrintOption = Annotated[bool, typer.Option("--print", hidden=True)]
NoEnableOption = Annotated[
    bool,
    typer.Option(
        "--no-enable", help="Write or remove the files only; do not run systemctl/launchctl."
    ),
]


def _spec(at: str, home: Path | None, root: Path | None) -> JobSpec:
    from mcpir.core.paths import default_root
    from mcpir.schedule.scheduler import JobSpec, parse_at

    parse_at(at)
    # The root is fixed now: a timer starts in $HOME, not in this project.
    chosen = existing_dir(root, "--root") if root is not None else default_root()
    return JobSpec(
        at=at,
        home=str(existing_dir(home, "--home")) if home is not None else None,
        root=str(chosen),
    )


@app.command("run")
def run(
    once: Annotated[
        bool, typer.Option("--once", help="Run the check now, once, and exit (for timers).")
    ] = False,
    at: AtOption = "09:00",
    home: HomeOption = None,
    root: RootOption = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="With --once: the check's outcome as JSON on stdout.")
    ] = False,
) -> None:
    """Run the daily check under mcpir's own scheduler (APScheduler, jobs kept in SQLite),
    until interrupted; with --once, run it now and exit.
    """
    if json_output and not once:
        raise UsageError("--json needs --once: the scheduler says what it does as it goes")
    spec = _spec(at, home, root)
    if once:
        from mcpir.output import schedule as show
        from mcpir.schedule.jobs import daily_check

        if json_output:  # what the channels say goes to stderr: stdout is the document
            import contextlib
            import sys

            with contextlib.redirect_stdout(sys.stderr):
                outcome = daily_check(spec.home, spec.root)
        else:
            outcome = daily_check(spec.home, spec.root)
        if json_output:
            from mcpir.output import jsonout

            jsonout.dump(outcome)  # the record schedule-runs.jsonl keeps: counts, no value
        if "error" in outcome:
            show.check_failed(outcome["error"])
            raise typer.Exit(EXIT_STEP_FAILED)
        if not json_output:
            show.checked(outcome)
        raise typer.Exit(EXIT_FINDINGS if outcome["failed"] else EXIT_OK)
    from mcpir.output.schedule import scheduler_says
    from mcpir.schedule.scheduler import run_forever

    run_forever(spec, say=scheduler_says)


@app.command("list")
def list_command(json_output: JsonOption = False) -> None:
    """The scheduled jobs (next run), the OS schedulers that run the check, the last runs."""
    from mcpir.output.schedule import listing
    from mcpir.schedule.installers import installed
    from mcpir.schedule.jobs import runs
    from mcpir.schedule.scheduler import list_jobs, store_path

    listing(store_path(), list_jobs(), installed(), runs(5), json_output=json_output)


def _kind(systemd: bool, cron: bool, launchd: bool) -> str:
    from mcpir.schedule.installers import default_kind

    chosen = [
        name for name, on in (("systemd", systemd), ("cron", cron), ("launchd", launchd)) if on
    ]
    if len(chosen) > 1:
        raise UsageError("choose one of --systemd, --cron, --launchd")
    return chosen[0] if chosen else default_kind()


SystemdOption = Annotated[bool, typer.Option("--systemd", help="A systemd user timer + service.")]
CronOption = Annotated[bool, typer.Option("--cron", help="A line in your crontab.")]
LaunchdOption = Annotated[bool, typer.Option("--launchd", help="A launchd user agent (macOS).")]


@app.command("install")
def install(
    systemd: SystemdOption = False,
    cron: CronOption = False,
    launchd: LaunchdOption = False,
    dry_run: DryRunOption = False,
    print_only: PrintOption = False,
    no_enable: NoEnableOption = False,
    at: AtOption = "09:00",
    home: HomeOption = None,
    root: RootOption = None,
) -> None:
    """Run the daily check from the OS's scheduler (default: systemd where there is
    systemctl, launchd on macOS, else cron). The job runs `schedule run --once` on --home
    and --root, fixed now."""
    from mcpir.schedule import installers

    spec = _spec(at, home, root)
    planned = installers.plan(_kind(systemd, cron, launchd), spec)
    if dry_run or print_only:
        from mcpir.output.schedule import plan

        plan(planned)
        return
    _report(installers.install(planned, enable=not no_enable))


@app.command("uninstall")
def uninstall(
    systemd: SystemdOption = False,
    cron: CronOption = False,
    launchd: LaunchdOption = False,
    no_enable: NoEnableOption = False,
) -> None:
    """Remove the daily check from the OS's scheduler."""
    from mcpir.schedule import installers

    kind = _kind(systemd, cron, launchd)
    outcome = installers.uninstall(kind, enable=not no_enable)
    if not outcome.done and not outcome.needs_you:
        from mcpir.output.schedule import nothing_to_remove

        nothing_to_remove(kind)
    _report(outcome)


def _report(outcome: Outcome) -> None:
    from mcpir.output import schedule as show

    show.outcome(outcome)
    raise typer.Exit(EXIT_FINDINGS if outcome.needs_you else EXIT_OK)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="schedule")
