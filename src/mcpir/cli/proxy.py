"""`mcpir proxy`, `mcpir pins list|show|approve`, `mcpir wrap`, `mcpir unwrap`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mcpir.cli.options import HomeOption, JsonOption, OnlyRootOption, RootOption, resolve_scopes
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED

CommandArg = Annotated[
    list[str] | None,  # optional here so that a missing CMD is mcpir's one-line usage error
    typer.Argument(help="The server command and its arguments, after `--`.",
                   metavar="CMD [ARGS]...", show_default=False),
]  # fmt: skip
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Apply the plan without asking.")]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", "-n", help="Show the planned edits as a diff; change nothing.")
]
CommandOption = Annotated[
    str | None,
    typer.Option(
        "--command",
        help="How your teammates run mcpir, written into project files shared through git "
        "(e.g. 'uvx mcpir'; default: `mcpir` when it is on PATH, else those files are refused). "
        "A user's own files get this mcpir's absolute path.",
        show_default=False,
    ),
]
ServerArg = Annotated[str, typer.Argument(help="The server name (`--name` of its proxy).")]


def proxy(
    command: CommandArg = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Server name in records and pins (default: CMD).")
    ] = None,
    log_dir: Annotated[
        Path | None,
        typer.Option(
            "--log-dir",
            help="Where records go (default: <root>/.atom-trail/mcp-invocations).",
            show_default=False,
        ),
    ] = None,
    redact_responses: Annotated[
        bool, typer.Option("--redact-responses", help="Mask secrets in what the server sends.")
    ] = False,
    block_changed: Annotated[
        bool,
        typer.Option(
            "--block-changed", help="Hide tools added or changed since the pin until approved."
        ),
    ] = False,
    require_log: Annotated[
        bool,
        typer.Option(
            "--require-log",
            help="Stop relaying when a record cannot be written: pending requests get a "
            "JSON-RPC error, the server is stopped, exit 3; the server is not started when "
            "the log cannot be opened.",
        ),
    ] = False,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="A remote server's URL instead of CMD (streamable HTTP or SSE).",
            show_default=False,
        ),
    ] = None,
    transport: Annotated[
        str | None,
        typer.Option(
            "--transport",
            help="With --url: http (streamable HTTP, default) or sse.",
            show_default=False,
        ),
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            metavar="'K: V'",
            show_default=False,
            help="With --url: a header to send (repeatable); ${VAR} references are "
            "resolved from mcpir's keyring, then the environment, and never logged.",
        ),
    ] = None,
    header_env: Annotated[
        list[str] | None,
        typer.Option(
            "--header-env",
            metavar="K=VAR",
            show_default=False,
            help="With --url: header K takes the value of environment variable VAR (what "
            "`mcpir wrap` writes, so no value is on the command line).",
        ),
    ] = None,
    oauth: Annotated[
        bool,
        typer.Option(
            "--oauth",
            help="With --url: sign in with OAuth when the server answers 401 (browser, tokens "
            "in the keyring); `mcpir proxy login NAME` does it up front.",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Relay an MCP stdio server, logging every call; exit with the server's status.

    Records go to <log-dir>/YYYY-MM-DD.jsonl; the first tools/list is pinned in
    <root>/.atom-trail/tool-pins/. Exit 127/126 when CMD cannot be started. With --url the
    proxy speaks stdio to the client and HTTP to the server, and ends with the client's input.
    `mcpir proxy login NAME [--url URL]` signs in with OAuth up front (tokens in the keyring);
    `mcpir proxy logout NAME` revokes them (RFC 7009, where offered) and forgets them.
    """
    words = list(command or [])
    if words[:1] and words[0] in ("login", "logout"):
        from mcpir.proxy.remote_login import run

        raise typer.Exit(run(words[0], words[1:]))
    from mcpir.proxy.config import configure
    from mcpir.proxy.relay import run_proxy

    config = configure(list(command or []), name=name, log_dir=log_dir, root=root,
                       redact_responses=redact_responses, block_changed=block_changed,
                       require_log=require_log, url=url, transport=transport,
                       headers=header, header_env=header_env, oauth=oauth)  # fmt: skip
    raise typer.Exit(run_proxy(config))


pins_app = typer.Typer(help="Tool definitions pinned by `mcpir proxy`, and their changes.",
                       no_args_is_help=True)  # fmt: skip


def _store(root: Path | None) -> Any:  # noqa: ANN401 - PinStore, imported lazily
    from mcpir.incident.store import TRAIL
    from mcpir.proxy.pins import PinStore

    scopes = resolve_scopes(None, root, None)
    assert scopes.root is not None  # noqa: S101 - always set
    return PinStore(scopes.root / TRAIL / "tool-pins", root=scopes.root)  # refuses symlinks


def _summary(store: Any, server: str) -> dict[str, Any]:  # noqa: ANN401
    from mcpir.output.proxy import pin_row
    from mcpir.proxy.pins import differences

    pin, waiting = store.load(server), store.pending(server)
    changes = differences(pin["tools"], waiting["tools"]) if pin and waiting else []
    return pin_row(server, pin, waiting, changes)


@pins_app.command("list")
def pins_list(root: RootOption = None, json_output: JsonOption = False) -> None:
    """Every pinned server, with tools changed since approval. Exit 1 when any changed."""
    from mcpir.output.proxy import pins_list as show

    store = _store(root)
    rows = [_summary(store, server) for server in store.servers()]
    show(rows, json_output=json_output)
    raise typer.Exit(EXIT_FINDINGS if any(row["pending"] for row in rows) else EXIT_OK)


@pins_app.command("show")
def pins_show(server: ServerArg, root: RootOption = None, json_output: JsonOption = False) -> None:
    """The pinned tools of SERVER and what changed since. Exit 1 when something changed."""
    from mcpir.core.errors import UsageError
    from mcpir.output.proxy import pin_shown
    from mcpir.proxy.pins import differences

    store = _store(root)
    pin, waiting = store.load(server), store.pending(server)
    if pin is None:
        raise UsageError(f"no pin for {server!r}", hint="`mcpir pins list` shows pinned servers")
    changes = differences(pin["tools"], waiting["tools"]) if waiting else []
    pin_shown(server, pin, changes, json_output=json_output)
    raise typer.Exit(EXIT_FINDINGS if changes else EXIT_OK)


@pins_app.command("approve")
def pins_approve(
    server: ServerArg, root: RootOption = None, json_output: JsonOption = False
) -> None:
    """Make the tools SERVER advertised last its pin: blocked tools are shown again."""
    from mcpir.core.errors import UsageError
    from mcpir.output.proxy import pins_approved

    store = _store(root)
    if store.load(server) is None and store.pending(server) is None:
        raise UsageError(f"no pin for {server!r}", hint="`mcpir pins list` shows pinned servers")
    changes = store.approve(server)
    pins_approved(server, changes, json_output=json_output)
    raise typer.Exit(EXIT_OK)


ServersArg = Annotated[
    list[str] | None, typer.Argument(help="Server names (see `mcpir servers`).", show_default=False)
]
AllOption = Annotated[bool, typer.Option("--all", help="Every stdio server found.")]


def _wrap_command(unwrap: bool, servers: list[str] | None, every: bool, yes: bool,
                  dry_run: bool, command: str | None, home: Path | None, root: Path | None,
                  only_root: bool, json_output: bool) -> None:  # fmt: skip
    from mcpir.core.errors import UsageError
    from mcpir.output.proxy import wrapped
    from mcpir.proxy import launcher, wrap
    from mcpir.workspace import Workspace

    verb = "unwrap" if unwrap else "wrap"
    if bool(servers) == every:
        raise UsageError(f"name the servers to {verb}, or pass --all (not both)")
    if yes and dry_run:
        raise UsageError("--yes applies the plan and --dry-run only shows it: pass one")
    launchers = None if unwrap else launcher.resolve(command)  # a bad --command: before anything
    scopes = resolve_scopes(home, root, None, only_root)
    assert scopes.root is not None  # noqa: S101 - always set
    files = Workspace.load(scopes).configs()
    result = wrap.plan(files, set(servers) if servers else None, unwrap=unwrap, root=scopes.root,
                       launchers=launchers)  # fmt: skip
    apply = yes
    if result.changes and not yes and not dry_run and _terminal(json_output):
        typer.echo(wrap.diff(result), nl=False)
        if not typer.confirm(_question(result, verb), default=False, err=True):
            typer.echo("nothing changed", err=True)
            raise typer.Exit(EXIT_FINDINGS)  # the edits still wait for a yes
        apply = True
    incident: str | None = None
    failures: list[str] = []
    if apply and result.changes:
        incident, failures = wrap.apply(result, scopes.root, {"home": str(scopes.home)})
    if launchers is not None:  # what was written where, and why: on stderr, also under --json
        for note in launcher.notes(launchers, result.written, scopes.display, incident is not None):
            typer.echo(f"mcpir: warning: {note}", err=True)
    wrapped(result, scopes, incident, failures, unwrap=unwrap, yes=apply,
            json_output=json_output)  # fmt: skip
    if failures:
        raise typer.Exit(EXIT_STEP_FAILED)
    # 1: something needs you: edits that wait for a yes (never the --dry-run preview), or a
    # server you must see to; what does not apply (a remote server) is only reported.
    waiting = bool(result.changes) and not apply and not dry_run
    raise typer.Exit(EXIT_FINDINGS if waiting or result.needs_you else EXIT_OK)


def _terminal(json_output: bool) -> bool:
    """Someone to ask: not --json, and stdin a terminal. Elsewhere nothing changes without --yes."""
    import sys

    return not json_output and sys.stdin is not None and sys.stdin.isatty()


def _question(result: Any, verb: str) -> str:  # noqa: ANN401 - WrapPlan, imported lazily
    count = sum(len(change.servers) for change in result.changes)
    files = len(result.changes)
    return (f"{verb} {count} server{'s' if count != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''}?")  # fmt: skip


def wrap_servers(servers: ServersArg = None, every: AllOption = False, yes: YesOption = False,
                 dry_run: DryRunOption = False, command: CommandOption = None,
                 home: HomeOption = None, root: RootOption = None,
                 only_root: OnlyRootOption = False,
                 json_output: JsonOption = False) -> None:  # fmt: skip
    """Launch stdio servers through `mcpir proxy --name NAME -- CMD ARGS` (journalled).

    A user's own files get this mcpir by its absolute path; project files shared through git get
    `mcpir` when it is on PATH, or --command (else they are refused). --dry-run shows the plan;
    without --yes it is asked for at a terminal, and nothing changes elsewhere.
    """
    _wrap_command(False, servers, every, yes, dry_run, command, home, root, only_root, json_output)


def unwrap_servers(servers: ServersArg = None, every: AllOption = False, yes: YesOption = False,
                   dry_run: DryRunOption = False, home: HomeOption = None,
                   root: RootOption = None, only_root: OnlyRootOption = False,
                   json_output: JsonOption = False) -> None:  # fmt: skip
    """Give wrapped servers their original command back (byte-exact when nothing else changed).

    Every form wrap writes is recognised: `mcpir`, its absolute path, `python -m mcpir`, and a
    --command such as `uvx mcpir`.
    """
    _wrap_command(True, servers, every, yes, dry_run, None, home, root, only_root, json_output)


def register(app: typer.Typer) -> None:
    # Everything after `--` belongs to the server, even words that look like mcpir's options.
    settings = {"allow_interspersed_args": False, "ignore_unknown_options": True}
    app.command("proxy", context_settings=settings)(proxy)
    app.add_typer(pins_app, name="pins")
    app.command("wrap")(wrap_servers)
    app.command("unwrap")(unwrap_servers)
