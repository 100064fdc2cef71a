"""A workspace's tokens with the evidence of their age and exposure (`mcpir.tokens.evidence`):
the project's git history, the scan's flagged servers, the transcripts under the scopes.

Here and not in `tokens`, because the history walk is the audit's and the audit already
reads the token inventory. A source that cannot be read (git missing, a broken transcript)
adds nothing, and the evidence recorded before still counts. A history walk that stopped at
its budget (`workspace.history`) is said in each token's `age_source` not dated by a commit
(`first_seen (git history read in part: over its 64 MiB budget)`): no commit found is no
proof that none holds the token.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from mcpir.core.errors import McpirError
from mcpir.tokens.evidence import Witness, kind, named, witnessed
from mcpir.tokens.model import today

if TYPE_CHECKING:
    from mcpir.tokens.model import Token
    from mcpir.workspace import Workspace


def with_evidence(workspace: Workspace) -> list[Token]:
    tokens = workspace.tokens()
    # Only a token with a value here has an age to date or a value to expose.
    aged = [token for token in tokens if token.age_days is not None]
    if not aged:
        return tokens
    wanted = {token.fingerprint for token in aged}
    seen: list[Witness] = []
    root = workspace.scopes.root
    partial = False
    if root is not None:
        from mcpir.workspace.history import committed

        walk = committed(root)
        partial = walk.partial
        for fp, (commit, day) in walk.found.items():
            if fp in wanted:
                seen.append(Witness(fp, f"git:{commit}", day))
    flagged = workspace.flagged_servers()
    on = today()
    seen += [
        # A server's name is the config writer's choice: kept only as `named` makes it.
        Witness(token.fingerprint, f"flagged-server:{named(server)}", on)
        for token in aged
        for server in token.servers
        if server in flagged
    ]
    try:
        from mcpir.workspace.transcripts import shown_in_transcripts

        seen += shown_in_transcripts(workspace.scopes, wanted)
    except (McpirError, OSError):
        pass  # the transcripts' earlier evidence is in the inventory already
    tokens = witnessed(tokens, seen)
    return _partly(tokens) if partial else tokens


def _partly(tokens: list[Token]) -> list[Token]:
    """Each token aged from anything but a commit, its `age_source` saying that the history
    walk stopped at its budget: a newer commit may hold it (and date and expose it)."""
    from mcpir.workspace.history import PARTIAL

    return [
        replace(token, age_source=f"{token.age_source} ({PARTIAL})")
        if token.age_source is not None and kind(token.age_source) != "git"
        else token
        for token in tokens
    ]
