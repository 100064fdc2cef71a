"""`mcpir run [--only NAME,...] -- CMD [ARGS]...`: CMD with the keyring's tokens as env vars."""

from __future__ import annotations

from typing import Annotated

import typer

CommandArg = Annotated[
    list[str],
    typer.Argument(
        help="The command and its arguments, after `--`.",
        metavar="CMD [ARGS]...",
        show_default=False,
    ),
]
OnlyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--only",
        metavar="NAME,...",
        help="Pass only these tokens (comma-separated, repeatable); default: every one.",
        show_default=False,
    ),
]


def run(command: CommandArg, only: OnlyOption = None) -> None:
    """Start CMD with the tokens mcpir keeps in the OS keyring added to its environment.

    mcpir is replaced by CMD: signals reach CMD and its exit status is returned unchanged.
    """
    from mcpir.core.errors import UsageError
    from mcpir.tokens.run import exec_with_secrets, parse_only

    if command[0].startswith("-"):  # a mistyped option, not a program (typer passes it on)
        raise UsageError(f"no such option: {command[0]}", hint="mcpir run --help")
    exec_with_secrets(command, parse_only(only))


def register(app: typer.Typer) -> None:
    # Everything after CMD belongs to CMD, even words that look like mcpir's options.
    settings = {"allow_interspersed_args": False, "ignore_unknown_options": True}
    app.command("run", context_settings=settings)(run)
