"""`mcpir demo`: run a whole incident on a sandboxed fake machine; the real home is untouched."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mcpir.core.errors import EXIT_OK, EXIT_STEP_FAILED, UsageError

if TYPE_CHECKING:
    from mcpir.demo.run import DemoResult


def demo(
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Build the fake machine here (default: a new temp dir)."),
    ] = None,
) -> None:
    """Build a fake machine with a poisoned MCP server and a leaked token, then respond."""
    from mcpir.demo.run import run_demo
    from mcpir.output import respond_view

    say = respond_view.say
    if (
        directory is not None
        and directory.exists()
        and (not directory.is_dir() or any(directory.iterdir()))
    ):
        raise UsageError(f"--dir {directory} is not an empty directory", hint="give a new one")
    base = (directory or Path(tempfile.mkdtemp(prefix="mcpir-demo-"))).absolute()
    say(
        f": a whole incident on a fake machine in {base}",
        styled=typer.style("mcpir demo", bold=True),
    )
    say("(nothing outside that directory is read or changed)\n")
    result = run_demo(base, say=say, progress=respond_view.StepView())
    respond_view.closing(result.response)
    say(f"\nafter: {result.servers_enabled_after} of {result.servers_before} servers still enabled")
    _remote_after(result, say)
    _follow_ups(result, say)
    if result.response.incident is not None:
        from mcpir.report import Format, paths

        document = paths(result.response.incident)[Format.MD]
        if document.exists():
            say(f"\nthe incident document (GitHub Markdown): {document}")
    raise typer.Exit(EXIT_OK if result.contained else EXIT_STEP_FAILED)


def _remote_after(result: DemoResult, say: Callable[[str], None]) -> None:
    from mcpir.demo.remote import SERVER, after_lines
    from mcpir.report import Format, paths

    incident = result.response.incident
    say(f"remote: {SERVER} in the incident:")
    for line in after_lines(None if incident is None else paths(incident)[Format.JSON]):
        say(line)


def _follow_ups(result: DemoResult, say: Callable[[str], None]) -> None:
    import shlex

    from mcpir.demo.run import follow_ups
    from mcpir.proxy.launcher import running

    mcpir = running()
    say("try next, in one shell (the demo's incidents are sealed with the key in its own state,")
    say("and every command names the sandbox, so nothing outside it is read or changed):")
    for words in follow_ups(result):
        if words[0] == "export":  # `export NAME=VALUE`, the value quoted as a shell needs it
            name, _, value = words[1].partition("=")
            say(f"  export {name}={shlex.quote(value)}")
        else:
            say(f"  {shlex.join(words)}")
    activate = Path(mcpir[0]).parent / "activate"
    if len(mcpir) == 1 and activate.is_file():
        script = shlex.quote(str(activate))
        say(f"(or run `. {script}` once: then `mcpir` alone is this one)")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
