"""`mcpir org repos` and `mcpir org merge`: an organization's repositories as an Actions matrix,
and every repository's result in one report."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mcpir.cli.options import ExitZeroOption, JsonOption, findings_exit
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from mcpir.core.progress import Progress
    from mcpir.output.org_view import MergeFormat

app = typer.Typer(name="org", no_args_is_help=True, rich_markup_mode=None,
                  help="An organization's repositories, swept on GitHub Actions.")  # fmt: skip


def _progress(wanted: bool | None) -> Progress:
    from mcpir.core.progress import SILENT

    if wanted is False:
        return SILENT
    if sys.stderr.isatty():
        from mcpir.output.progress import LineBar

        return LineBar("repositories")
    from mcpir.output.org_view import LogLines

    return LogLines()


@app.command("repos")
def repos(
    org: Annotated[str, typer.Option("--org", help="The organization (or user) to list.")],
    select: Annotated[
        str,
        typer.Option("--select", help="all | trees (default) | search: every repository, or "
                     "those holding a file discovery reads, by the git trees API or by code "
                     "search (fewer calls; only what GitHub indexed)."),
    ] = "trees",
    api_url: Annotated[
        str | None,
        typer.Option("--api-url", help="GitHub API (GitHub Enterprise Server: "
                     "https://HOST/api/v3) [default: $GITHUB_API_URL, else api.github.com]",
                     show_default=False),
    ] = None,
    token_env: Annotated[
        str, typer.Option("--token-env", help="The environment variable holding the token.")
    ] = "GITHUB_TOKEN",  # noqa: S107 - a variable's name, not a token
    include_archived: Annotated[bool, typer.Option("--include-archived")] = False,
    include_forks: Annotated[bool, typer.Option("--include-forks")] = False,
    max_wait: Annotated[
        float,
        typer.Option("--max-wait", metavar="SECONDS",
                     help="Longest wait, in all, for GitHub's rate limits to reset."),
    ] = 900.0,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress on stderr (default: on).",
                     show_default=False),
    ] = None,
    json_output: JsonOption = False,
) -> None:  # fmt: skip
    """List an organization's repositories, or those holding an MCP config, as a matrix.

    `--json` is the document a reusable workflow turns into its matrix (`.matrix`). A
    repository the token cannot read is listed with why (exit 1), never dropped silently.
    """
    from mcpir.org.github import DEFAULT_API, Session
    from mcpir.org.repos import Select, list_repos
    from mcpir.output import jsonout, org_view

    try:
        chosen = Select(select)
    except ValueError:
        raise UsageError(f"--select {select}: give all, trees or search") from None
    if not org.strip() or "/" in org:
        raise UsageError(f"--org {org!r}: give an organization's login")
    if max_wait < 0:
        raise UsageError("--max-wait: give 0 or more seconds")
    url = api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API
    if not url.startswith(("https://", "http://")):
        raise UsageError(f"--api-url {url}: give an http(s) URL")
    session = Session(url, os.environ.get(token_env) or None, max_wait, _progress(progress))
    listing = list_repos(session, org, chosen, include_archived=include_archived,
                         include_forks=include_forks)  # fmt: skip
    if json_output:
        jsonout.dump(listing.to_json())
    else:
        sys.stdout.write(org_view.repos_text(listing))
    raise typer.Exit(EXIT_FINDINGS if listing.unreachable else EXIT_OK)


@app.command("merge")
def merge(
    results: Annotated[
        list[Path],
        typer.Argument(help="Result files (`mcpir action --results`), or directories of them "
                       "(an artifact download)."),
    ],
    output_format: Annotated[
        str | None,
        typer.Option("--format", help="markdown (default), json, sarif (a run per repository) "
                     "or cyclonedx.", show_default=False),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")
    ] = None,
    json_output: JsonOption = False,
    exit_zero: ExitZeroOption = False,
) -> None:  # fmt: skip
    """Merge every repository's result into one report: servers, findings, unauthorized
    changes and secrets ever committed, each naming its repository."""
    from mcpir.org.merge import merge as merge_results
    from mcpir.output.org_view import render

    fmt = _merge_format(output_format, json_output)
    for path in results:
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or directory")
    merged = merge_results(results)
    if not merged.results and not merged.unreadable:
        raise UsageError("no result files found in what was named")
    text = render(merged, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        from mcpir.core.fileio import atomic_write_text

        atomic_write_text(output, text)
        print(f"report of {len(merged.results)} repositories written to {output}",
              file=sys.stderr)  # fmt: skip
    for path, why in merged.unreadable:
        from mcpir.core.safe import one_line

        print(f"mcpir: warning: {one_line(str(path))}: {one_line(why)}", file=sys.stderr)
    raise typer.Exit(findings_exit(merged.attention, exit_zero))


def _merge_format(given: str | None, json_output: bool) -> MergeFormat:
    from mcpir.output.org_view import MergeFormat

    if json_output and given not in (None, "json"):
        raise UsageError(f"--json and --format {given} disagree: give one of them")
    try:
        return MergeFormat("json" if json_output else given or "markdown")
    except ValueError:
        raise UsageError(f"--format {given}: give markdown, json, sarif or cyclonedx") from None


def register(root: typer.Typer) -> None:
    root.add_typer(app)
