"""Authorization: who may change an MCP config, and how the change must arrive.

A change is authorized when its author is listed in `.mcpir.toml` `[audit] authorized`
(emails or globs) or owns the path in CODEOWNERS, and, when the policy asks, the commit is
signed (`require_signed`) and reached the default branch through a merge or pull request
(`require_review`). Every other change is flagged with each reason that applies.
"""

from __future__ import annotations

import fnmatch

from mcpir.audit.history import Commit
from mcpir.audit.reach import Reached
from mcpir.config.codeowners import CodeOwners
from mcpir.config.project import AuditPolicy

# git's %G?: a good signature (U: good, from a key not marked trusted) counts as signed.
SIGNED = frozenset({"G", "U"})
SIGNATURE = {
    "G": "good signature",
    "U": "good signature (key validity unknown)",
    "B": "bad signature",
    "X": "good signature that has expired",
    "Y": "good signature by an expired key",
    "R": "good signature by a revoked key",
    "E": "signature cannot be checked (key not in the keyring)",
    "N": "not signed",
}


def signature_status(code: str) -> str:
    return SIGNATURE.get(code, f"unknown signature status {code!r}")


def signer_email(commit: Commit) -> str:
    """The signature's identity as an email: a GPG key's UID `Name <email>` (git reports the
    primary one), or an SSH principal."""
    signer = commit.signer.strip()
    email = signer[signer.rfind("<") + 1 : signer.rfind(">")] if ">" in signer else signer
    return email.strip().lower()


def listed(email: str, authorized: tuple[str, ...]) -> bool:
    email = email.strip().lower()
    return any(fnmatch.fnmatchcase(email, entry.strip().lower()) for entry in authorized)


def reasons(
    commit: Commit,
    path: str,
    reached: Reached,
    policy: AuditPolicy,
    owners: CodeOwners,
    branch: str,
) -> list[str]:
    """Why this change is not authorized; empty when it is."""
    why: list[str] = []
    email = commit.author_email
    if not (listed(email, policy.authorized) or owners.owns(path, email)):
        sources = []
        if policy.authorized:
            sources.append("not in [audit] authorized")
        if owners.path is not None:
            named = owners.owners(path)
            sources.append(
                f"not an owner of {path} in CODEOWNERS ({' '.join(named)})"
                if named
                else f"{path} has no owner in CODEOWNERS"
            )
        if not sources:
            sources.append("no policy names anyone: add [audit] authorized or a CODEOWNERS file")
        why.append(f"author {commit.author_id}: " + "; ".join(sources))
    if policy.require_signed and commit.signature not in SIGNED:
        why.append(f"require_signed: {signature_status(commit.signature)}")
    elif policy.require_signed:
        # A good signature says who signed, not who the author field names: anyone whose key
        # is trusted could otherwise sign a commit that says Alex wrote it. Someone authorized
        # in their own right signing for another gains nothing, so that is accepted.
        signer = signer_email(commit)
        if signer != email.strip().lower() and not (
            listed(signer, policy.authorized) or owners.owns(path, signer)
        ):
            who = commit.signer or "an unnamed key"
            why.append(f"require_signed: signed by {who}, not by the author")
    if policy.require_review and reached.via not in ("merge", "pull-request"):
        if reached.on_default:
            why.append(f"require_review: pushed straight to {branch}, not merged")
        else:
            why.append(f"require_review: not merged into {branch}")
    return why
