"""`mcpir demo`: run a whole incident on a sandboxed fake machine; the real home is untouched."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from mcpir.core.errors import EXIT_OK, EXIT_STEP_FAILED, UsageError


def demo(
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Build the fake machine here (default: a new temp dir)."),
    ] = None,
) -> None:
    """Build a fake machine with a poisoned MCP server and a leaked token, then respond."""
    from mcpir.demo.run import TITLE, run_demo
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
    sandbox = result.sandbox
    respond_view.closing(result.response)
    scope = f"--home {sandbox.home} --root {sandbox.root}"
    say(f"\nafter: {result.servers_enabled_after} of {result.servers_before} servers still enabled")
    say("try next (in one shell: the demo's incidents are sealed with the key in its own state):")
    say(f"  export MCPIR_HOME={result.state}")
    say(f"  mcpir servers {scope}")
    say(f"  mcpir audit --repo {sandbox.root}")
    say(f"  mcpir investigate {scope}")
    say(f"  mcpir posture {scope}")
    say(f"  mcpir report --root {sandbox.root} --format json")
    if result.response.incident is not None:
        incident = result.response.incident.id
        say(f"  mcpir restore --root {sandbox.root} {incident}")
        say(f"  mcpir close --root {sandbox.root} {incident} --reason 'demo over'")
    say(f"  mcpir respond {scope} --title '{TITLE}' --dry-run")
    say(f"  rm -rf {base}")
    if result.response.incident is not None:
        from mcpir.report import Format, paths

        document = paths(result.response.incident)[Format.MD]
        if document.exists():
            say(f"\nthe incident document (GitHub Markdown): {document}")
    raise typer.Exit(EXIT_OK if result.contained else EXIT_STEP_FAILED)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
