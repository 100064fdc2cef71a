"""The `mcpir` command line: parses options, calls the library, renders. No logic lives here."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from mcpir import __version__
from mcpir.core.errors import EXIT_STEP_FAILED, EXIT_USAGE, McpirError

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

app = typer.Typer(
    name="mcpir",
    help="Incident response for poisoned, leaking or hijacked MCP servers.",
    no_args_is_help=True,
    # `mcpir --install-completion` / `--show-completion`: typer's own (bash, zsh, fish,
    # PowerShell); step names complete after `respond --only/--skip/--from`.
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mcpir {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Incident response for poisoned, leaking or hijacked MCP servers."""


def _register() -> None:
    from mcpir.cli import audit, demo, playbook, respond, run, scan, servers, tokens

    servers.register(app)
    scan.register(app)
    respond.register(app)
    playbook.register(app)
    demo.register(app)
    tokens.register(app)
    run.register(app)
    audit.register(app)
    from mcpir.cli import proxy

    proxy.register(app)
    from mcpir.cli import posture, schedule

    posture.register(app)
    schedule.register(app)
    from mcpir.cli import flows, investigate, report

    investigate.register(app)
    flows.register(app)
    report.register(app)
    from mcpir.cli import secrets

    secrets.register(app)
    from mcpir.cli import action, org

    org.register(app)
    action.register(app)
    from mcpir.cli.guide import document

    document(app)  # summaries, examples and exit codes in every --help


_register()


def main() -> None:
    """Entry point: turns every mcpir error into one line on stderr and a documented exit code."""
    try:
        # Not standalone: click's own usage errors come back to us, to be said in one line.
        code = _for(sys.argv[1:])(prog_name="mcpir", standalone_mode=False)
    except typer.Abort:  # a prompt met the end of its input
        print("mcpir: error: no answer to a prompt (stdin closed)", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except typer.TyperException as exc:  # click's: unknown option, bad choice, missing value
        _usage_error(exc)
    except McpirError as exc:
        message = f"mcpir: error: {exc.message}"
        if exc.hint:
            message += f" ({exc.hint})"
        print(message, file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:  # outside typer's own handler, which returns 130 (below)
        print("mcpir: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # `mcpir servers | head`: the reader left; that is not an error of ours.
        sys.stderr.close()
        sys.exit(0)
    except OSError as exc:
        # Disk full, permission denied, a file vanished: the journal keeps what was done.
        print(f"mcpir: error: {exc}", file=sys.stderr)
        sys.exit(EXIT_STEP_FAILED)
    if code == EXIT_INTERRUPTED:  # typer turned a Ctrl-C inside a command into this, silently
        print("mcpir: interrupted", file=sys.stderr)
    sys.exit(code if isinstance(code, int) else 0)


def _for(args: list[str]) -> typer.Typer:
    """The app with only the command `args` name: typer turns every registered command's
    signature into click parameters on each run, which costs more than the command itself
    for `respond --only contain` (start-up is part of the product). Help, completion and
    anything unknown get the whole app, so their output and errors are unchanged."""
    import copy

    from typer.main import get_command_name

    name = args[0] if args and not args[0].startswith("-") else None
    if name is None:
        return app
    commands = [
        info
        for info in app.registered_commands
        if (info.name or get_command_name(getattr(info.callback, "__name__", ""))) == name
    ]
    groups = [
        info
        for info in app.registered_groups
        if (info.name or info.typer_instance and info.typer_instance.info.name) == name
    ]
    if len(commands) + len(groups) != 1:
        return app
    narrow = copy.copy(app)
    narrow.registered_commands, narrow.registered_groups = commands, groups
    return narrow


def _usage_error(exc: typer.TyperException) -> NoReturn:
    show = getattr(exc, "show", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and callable(show):
        show()  # `mcpir tokens` alone: the help is the answer
        sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
    from mcpir.core.redact import (
        redact_text,
    )  # click quotes the bad value: it may be a pasted token

    message = redact_text(exc.format_message())
    context = getattr(exc, "ctx", None)
    hint = f" (see `{context.command_path} --help`)" if context is not None else ""
    print(f"mcpir: error: {message}{hint}", file=sys.stderr)
    sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
