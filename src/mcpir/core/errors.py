"""The errors mcpir reports to a user: one line, a hint, and the exit code it maps to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_STEP_FAILED = 3


class McpirError(Exception):
    """A problem the user can act on; the CLI prints it on one line, never as a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        # Messages quote what the user typed or a file said (`tokens rotate <a pasted token>`):
        # masked here, so no caller can print or journal a secret through an error.
        from mcpir.core.redact import redact_text

        message = redact_text(message)
        super().__init__(message)
        self.message = message
        self.hint = None if hint is None else redact_text(hint)


class UsageError(McpirError):
    """Bad options or bad input (exit 2)."""


class PolicyError(McpirError):
    """`.mcpir.toml` could not be read or holds a value of the wrong kind (exit 2)."""
