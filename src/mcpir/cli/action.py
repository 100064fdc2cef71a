"""`mcpir action`: what the GitHub Action (`action.yml`) runs, one entry point for the scan,
the audit, the posture checklist, SARIF, the job summary, the result file and the comment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from mcpir.cli.options import HomeOption, JsonOption, RootOption, existing_dir
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_STEP_FAILED, UsageError


def action(
    root: RootOption = None,
    home: HomeOption = None,
    event: Annotated[
        str | None,
        typer.Option("--event", help="The event [default: $GITHUB_EVENT_NAME, else push].",
                     show_default=False),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option("--base", help="A pull request's base commit [default: from "
                     "$GITHUB_EVENT_PATH].", show_default=False),
    ] = None,
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="high | medium | low | never: exit 1 on a finding "
                          "at or above it.")
    ] = "high",
    sarif: Annotated[
        Path | None, typer.Option("--sarif", help="Write SARIF 2.1.0 here (code scanning).")
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option("--results", help="Write the result file `mcpir org merge` reads here."),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option("--summary", help="Append the Markdown summary here [default: "
                     "$GITHUB_STEP_SUMMARY].", show_default=False),
    ] = None,
    audit: Annotated[
        str, typer.Option("--audit", help="auto (a pull request's commits on pull_request, "
                          "the whole history on schedule), pull, full or off.")
    ] = "auto",
    posture: Annotated[
        bool | None,
        typer.Option("--posture/--no-posture", help="The posture checklist [default: on "
                     "schedule only].", show_default=False),
    ] = None,
    comment: Annotated[
        bool, typer.Option("--comment", help="On a pull request that adds a server or changes "
                           "a description, post a review comment (PyGithub).")
    ] = False,
    api_url: Annotated[
        str | None,
        typer.Option("--api-url", help="[default: $GITHUB_API_URL, else api.github.com]",
                     show_default=False),
    ] = None,
    repository: Annotated[
        str | None,
        typer.Option("--repository", metavar="OWNER/NAME", help="The repository checked out "
                     "[default: $GITHUB_REPOSITORY] (an org sweep checks out others).",
                     show_default=False),
    ] = None,
    token_env: Annotated[
        str, typer.Option("--token-env", help="The variable holding the token for --comment.")
    ] = "GITHUB_TOKEN",  # noqa: S107 - a variable's name, not a token
    json_output: JsonOption = False,
) -> None:  # fmt: skip
    """Run the GitHub Action's checks on the checked-out repository.

    Scans the repository (never the runner's home), audits a pull request's commits, runs the
    posture checklist on a schedule; writes SARIF, the job summary and the result file an org
    sweep merges; exits 1 on a finding at or above --fail-on.
    """
    from mcpir.ci import event as events
    from mcpir.ci.run import ActionRequest, AuditMode, FailOn
    from mcpir.core.paths import default_root

    try:
        threshold, mode = FailOn(fail_on), AuditMode(audit)
    except ValueError:
        raise UsageError(
            f"--fail-on {fail_on} / --audit {audit}: see `mcpir action --help`"
        ) from None
    environ = dict(os.environ)
    if repository is not None:
        if repository.count("/") != 1:
            raise UsageError(f"--repository {repository}: give OWNER/NAME")
        environ["GITHUB_REPOSITORY"] = repository
    request = ActionRequest(
        root=existing_dir(root, "--root") if root is not None else default_root(),
        event=events.read(environ, event, base),
        fail_on=threshold,
        home=existing_dir(home, "--home") if home is not None else None,
        sarif=sarif,
        results=results,
        summary=summary
        or (
            Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") else None
        ),  # fmt: skip
        audit=mode,
        posture=posture,
        comment=comment,
        api_url=api_url or environ.get("GITHUB_API_URL"),
        token=environ.get(token_env) or None,
    )
    raise typer.Exit(_run(request, json_output))


def _run(request: object, json_output: bool) -> int:
    import json
    import sys

    from mcpir.ci import event as events
    from mcpir.ci import summary as render
    from mcpir.ci.run import ActionRequest, result_document, run
    from mcpir.core.fileio import atomic_write_text

    assert isinstance(request, ActionRequest)  # noqa: S101 - typed once, for the lazy imports
    outcome = run(request)
    event = request.event
    if request.comment and event.is_pull and outcome.introduced:
        from mcpir.ci.comment import CommentFailed, post

        if event.repository is None or event.pull is None:
            outcome.errors.append("no pull request in the event: nothing to comment on")
        else:
            try:
                outcome.commented = post(request.api_url, request.token, event.repository,
                                         event.pull, render.review_body(outcome))  # fmt: skip
            except CommentFailed as exc:
                if exc.denied:
                    outcome.commented = f"no review comment: {exc}"
                else:
                    outcome.errors.append(str(exc))
    if request.sarif is not None:
        atomic_write_text(request.sarif, render.sarif(request, outcome))
    document = result_document(request, outcome)
    if request.results is not None:
        atomic_write_text(request.results, json.dumps(document, indent=2) + "\n")
    if request.summary is not None:
        try:
            events.append_summary(request.summary, render.markdown(request, outcome))
        except OSError as exc:
            outcome.errors.append(f"job summary {request.summary} not written: "
                                  f"{exc.strerror or exc}")  # fmt: skip
    events.github_output(os.environ, {
        "findings": str(len(outcome.findings)), "failing": str(len(outcome.failing)),
        "sarif": str(request.sarif or ""), "results": str(request.results or ""),
    })  # fmt: skip
    if json_output:
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        from mcpir.core.words import plural

        print(f"mcpir: {plural(len(outcome.findings), 'finding')}, {len(outcome.failing)} at "
              f"or above {request.fail_on}", file=sys.stderr)  # fmt: skip
    for error in outcome.errors:
        print(f"mcpir: warning: {error}", file=sys.stderr)
    if outcome.commented:
        print(f"mcpir: {outcome.commented}", file=sys.stderr)
    if outcome.errors:
        return EXIT_STEP_FAILED
    return EXIT_FINDINGS if outcome.failing else EXIT_OK


def register(app: typer.Typer) -> None:
    app.command("action")(action)
