"""What each command's exit status means: the one table that every `--help` shows (its
"Exit codes:" block), that README's table is rendered from (`markdown()`), and that
tests/test_cli_contract.py checks against real runs.

The rule: `0` done or nothing found, a preview (`--dry-run`) included; `1` findings or
something that needs a person; `2` bad usage or bad input (one line on stderr); `3` something
failed part-way and running the command again finishes it. `--exit-zero` turns `1` into `0`,
never `2` or `3`, as ruff and gitleaks do.
"""

from __future__ import annotations

USAGE = "bad usage or bad input (one line on stderr)"
EVERY_COMMAND = {
    3: "the OS failed it (disk full, permission denied): what was done is in the journal",
    130: "interrupted (Ctrl-C)",
}

EXITS: dict[str, dict[int, str]] = {
    "servers": {
        0: "every config file was read",
        1: "some config file could not be read (each is listed, with a reason)",
        2: USAGE,
    },
    "scan": {
        0: "no finding at or above --severity, --baseline's accepted ones aside (always, "
        "with --exit-zero)",
        1: "findings at or above --severity",
        2: USAGE,
    },
    "respond": {
        0: "every step done, or a --dry-run preview shown",
        1: "a step needs attention, or its task is unavailable in this mcpir",
        2: "bad usage, or another `mcpir respond` holds the lock",
        3: "a step failed; its state is kept for --resume",
    },
    "restore": {
        0: "restored (servers the incident flagged stay disabled); --dry-run: nothing in the way",
        1: "refused, nothing restored: a file was edited since (see the diff, or --force)",
        2: "no such incident here, one opened for another --home, or bad usage",
        3: "a file could not be written back: run it again",
    },
    "close": {
        0: "closed",
        2: "no such incident, one opened for another --home, a step never finished "
        "(--force), a change set, or bad usage",
    },
    "demo": {
        0: "the fake machine's servers were contained",
        2: "--dir is not a new or empty directory",
        3: "containment failed, or the demo's remote server did not start",
    },
    "run": {
        0: "CMD's own exit status, returned unchanged (any value)",
        2: "no CMD, an unknown token name, or no usable keyring",
        126: "CMD cannot be run",
        127: "CMD was not found",
    },
    "audit": {
        0: "no unauthorized change and no secret ever committed (always, with --exit-zero)",
        1: "an unauthorized change, or a secret ever committed",
        2: "not a git repository, a bad --since, a history git cannot read, or bad usage",
    },
    "proxy": {
        0: "the server's own exit status, unchanged (128+N when signal N ended it)",
        2: "no CMD, or bad usage",
        3: "--require-log: the invocation log could not be written",
        126: "CMD cannot be run",
        127: "CMD was not found",
    },
    "wrap": {
        0: "done, nothing to do, or a --dry-run preview shown",
        1: "edits wait for --yes, or a server needs you (each is listed)",
        2: USAGE,
        3: "a file could not be written",
    },
    "unwrap": {
        0: "done, nothing to do, or a --dry-run preview shown",
        1: "edits wait for --yes, or a server needs you (each is listed)",
        2: USAGE,
        3: "a file could not be written",
    },
    "investigate": {
        0: "nothing found (always, with --exit-zero)",
        1: "findings",
        2: "a --since in the future or neither a duration nor a date, or bad usage",
    },
    "flows": {
        0: "no full chain (untrusted input → private data → out) in any client (always, with "
        "--exit-zero)",
        1: "a full chain exists in some client",
        2: "an unknown --client, a bad --since, or bad usage",
    },
    "report": {
        0: "the document shown or written, an edit recorded, or the incidents listed",
        2: "no such incident, a change set, an --output that cannot be written, or bad usage",
    },
    "playbook list": {0: "listed (a file that does not load is listed with why)", 2: USAGE},
    "playbook show": {0: "shown", 2: "not a valid playbook, or bad usage"},
    "playbook check": {
        0: "every step's task is available",
        1: "some step's task is unavailable in this mcpir",
        2: "not a valid playbook, or bad usage",
    },
    "tokens list": {
        0: "listed (a token written into a config is a finding of `mcpir scan`)",
        1: "some config file could not be read (each is listed)",
        2: USAGE,
    },
    "tokens add": {0: "stored", 2: "a bad name, no usable keyring, or nothing to read"},
    "tokens remove": {0: "removed", 2: "mcpir's keyring holds no such token, or bad usage"},
    "tokens status": {
        0: "no token overdue or exposed (always, with --exit-zero)",
        1: "a token is overdue or exposed",
        2: USAGE,
    },
    "tokens externalize": {
        0: "every secret moved; --dry-run: every one can be",
        1: "some need you (args, url, YAML, managed files), or the move was not confirmed",
        2: USAGE,
        3: "a write failed: run it again to finish",
    },
    "tokens verify": {
        0: "the token works",
        1: "the provider rejected it (revoked, expired, wrong)",
        2: USAGE,
        3: "the provider could not be asked (network, rate limit): try again",
    },
    "tokens rotate": {
        0: "rotated",
        1: "refused, or something needs you (each is listed)",
        2: USAGE,
        3: "stopped part-way: run it again to resume",
    },
    "secrets backend": {
        0: "the backend works (a round trip), and NAME is recorded unless --dry-run",
        1: "no usable backend, the round trip failed, or a switch that was not confirmed",
        2: "an unknown or missing backend, a wrong passphrase, plaintext without --insecure, "
        "or bad usage",
    },
    "pins list": {
        0: "no server's tools changed since approval",
        1: "a server's tools changed since approval",
        2: "a pin file cannot be read, or bad usage",
    },
    "pins show": {
        0: "nothing changed since approval",
        1: "something changed since approval",
        2: "no pin for SERVER, a pin file cannot be read, or bad usage",
    },
    "pins approve": {0: "approved", 2: "no pin for SERVER, or bad usage"},
    "posture": {
        0: "every item passes or cannot be judged here (always, with --exit-zero)",
        1: "an item fails",
        2: USAGE,
    },
    "posture ack": {0: "recorded", 2: "not an item to acknowledge, a bad --by, or bad usage"},
    "schedule run": {
        0: "--once: the check ran and every reminder was delivered",
        1: "--once: a reminder could not be delivered",
        2: "a bad --at, a damaged schedule.sqlite, or bad usage",
        3: "--once: the check failed",
    },
    "schedule list": {0: "listed", 2: "a damaged schedule.sqlite, or bad usage"},
    "schedule install": {
        0: "installed, or --dry-run shown",
        1: "a step needs you (each is listed)",
        2: USAGE,
    },
    "schedule uninstall": {
        0: "removed, or nothing was installed",
        1: "a step needs you (each is listed)",
        2: USAGE,
    },
    "org repos": {
        0: "listed",
        1: "some repository could not be read (each is listed, with why)",
        2: "bad credentials, a bad --org, --select or --api-url, or bad usage",
        3: "GitHub could not be asked (network, server error, a rate limit past --max-wait)",
    },
    "action": {
        0: "nothing at or above --fail-on (always, with --fail-on never)",
        1: "a finding at or above --fail-on (scan, or the audit's unauthorized changes and "
        "committed secrets)",
        2: "not a git repository when the audit runs, a base not in the clone, a bad "
        "--fail-on, or bad usage",
        3: "a step could not run (the review comment could not be posted): SARIF, summary "
        "and result file are written all the same",
    },
    "org merge": {
        0: "merged: no finding, unauthorized change or committed secret in any repository "
        "(always, with --exit-zero)",
        1: "a finding, an unauthorized change or a committed secret somewhere, or a result "
        "file that could not be read (each is listed)",
        2: "no result file named or found, or bad usage",
    },
}


def help_block(command: str) -> str:
    """The "Exit codes:" block of `mcpir COMMAND --help` (click keeps a `\\b` paragraph as it
    is, so long meanings are wrapped here, under their text)."""
    import textwrap

    lines = ["\b", "Exit codes:"]
    for code, meaning in EXITS[command].items():
        wrapped = textwrap.wrap(meaning, width=68, break_on_hyphens=False) or [""]
        lines.append(f"  {code:<3}  {wrapped[0]}")
        lines += [f"       {rest}" for rest in wrapped[1:]]
    return "\n".join(lines)


def markdown() -> str:
    """README's table: one row per command, one column per exit code (options in code
    spans; "bad usage" for the usual `2`, said once below the table)."""
    import re

    codes = (0, 1, 2, 3)

    def cell(text: str | None) -> str:
        if text is None:
            return ""
        text = "bad usage" if text == USAGE else text
        return re.sub(r"(?<![\w`])(--[a-z][a-z-]*)", r"`\1`", text).replace("|", "\\|")

    rows = ["| command | `0` | `1` | `2` | `3` and others |", "|---|---|---|---|---|"]
    for command, meanings in EXITS.items():
        cells = [cell(meanings.get(code)) for code in codes]
        others = [f"`{code}` {meaning}" for code, meaning in meanings.items() if code not in codes]
        if others:
            cells[-1] = "; ".join(filter(None, [cells[-1], *others]))
        rows.append(f"| `mcpir {command}` | " + " | ".join(cells) + " |")
    notes = "; ".join(f"`{code}` {meaning}" for code, meaning in EVERY_COMMAND.items())
    return "\n".join(rows) + f"\n\n`2` is always one line on stderr. Any command: {notes}.\n"
