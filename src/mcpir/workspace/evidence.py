"""A workspace's tokens with the evidence of their age and exposure (`mcpir.tokens.evidence`):
the project's git history, the scan's flagged servers, the transcripts under the scopes.

Here and not in `tokens`, because the history walk is the audit's and the audit already
reads the token inventory. A source that cannot be read (git missing, a broken transcript)
adds nothing, and the evidence recorded before still counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcpir.core.errors import McpirError
from mcpir.tokens.evidence import Witness, witnessed
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
    if root is not None:
        from mcpir.workspace.history import committed

        for fp, (commit, day) in committed(root).items():
            if fp in wanted:
                seen.append(Witness(fp, f"git:{commit}", day))
    flagged = workspace.flagged_servers()
    on = today()
    seen += [
        Witness(token.fingerprint, f"flagged-server:{server}", on)
        for token in aged
        for server in token.servers
        if server in flagged
    ]
    try:
        from mcpir.workspace.transcripts import shown_in_transcripts

        seen += shown_in_transcripts(workspace.scopes, wanted)
    except (McpirError, OSError):
        pass  # the transcripts' earlier evidence is in the inventory already
    return witnessed(tokens, seen)
