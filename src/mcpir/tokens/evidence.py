"""What a token's age and exposure rest on: dated evidence, kept by fingerprint in the inventory.

When mcpir first saw a token says little about when it was made. Older evidence does: the
commit that first added it to a config (`git:<commit>`), the modification time of the file it
sits in (`mtime:<path>`), the first transcript or invocation log that shows it
(`transcript:<path>`). Its age counts from the oldest of those and `first_seen`, or from its
last rotation. Some evidence also means it may be in someone else's hands: committed to
history (`git:`), readable by a server the scan flags (`flagged-server:<name>`), sent to a
tool (`sent-to:<server>.<tool>`). Such a token is exposed until a rotation on or after the
evidence's date.

Evidence is kept (`evidence` in its inventory record: source -> the earliest ISO date seen),
so a file saved again or a transcript deleted later does not make a token younger or clean.
Only sources and dates are kept, never a value. A server's or a tool's name (`sent-to:`,
`flagged-server:`) is chosen by whoever wrote the config or the server: it is kept as
`named` makes it (secrets masked, one line, at most `NAME_LIMIT` characters), and a stored
one that is not so is dropped when read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mcpir.core.safe import one_line
from mcpir.core.secret import fingerprint

if TYPE_CHECKING:
    from mcpir.tokens.model import Token, TokenRecord

FIRST_SEEN = "first_seen"
LAST_ROTATED = "last_rotated"
# Kinds that date a token, most telling first: on a tie, the name of the better evidence wins.
AGE_KINDS = {"git": 0, "transcript": 1, "mtime": 2}
EXPOSURE_KINDS = frozenset({"git", "flagged-server", "sent-to"})
_FIRST_SEEN_RANK = len(AGE_KINDS)
# Kinds whose detail is a name someone else chose (a tool's, a server's): see `named`.
NAMED_KINDS = frozenset({"sent-to", "flagged-server"})
NAME_LIMIT = 128
# Masking a megabyte-long name costs a second: no more than this much of it is looked at.
_NAME_READ = 4096
# A value cut in two at that point would no longer look like one: its run goes too.
_CUT_RUN = re.compile(r"\S{1,1024}\Z")


@dataclass(frozen=True)
class Witness:
    """One piece of evidence about the token with this fingerprint."""

    fingerprint: str
    source: str  # `kind:detail`
    on: date


class Basis(NamedTuple):
    """Where a token's age counts from, why, and what exposes it (a tuple: one per token of
    a 10,000-token listing)."""

    since: str  # ISO date
    source: str  # an evidence source, `first_seen` or `last_rotated`
    exposure: tuple[str, ...]


def kind(source: str) -> str:
    return source.partition(":")[0]


def named(name: str) -> str:
    """A name someone else chose, as evidence keeps it: secrets masked, control characters
    shown (`one_line`), at most `NAME_LIMIT` characters. A name made so comes back the same,
    which is how a stored one is checked (`may_keep`)."""
    text = name
    if len(text) > _NAME_READ:
        text = _CUT_RUN.sub("", text[:_NAME_READ]) + "…"
    for _ in range(3):  # masking what a cut left can change it again: until it holds
        made = one_line(text)
        if len(made) > NAME_LIMIT:
            made = made[: NAME_LIMIT - 1] + "…"
        if made == text:
            return made
        text = made
    return f"…({fingerprint(name)})"


def may_keep(source: str) -> bool:
    """Whether evidence may keep `source`: a name in it must be as `named` makes it."""
    kind_, _, detail = source.partition(":")
    return kind_ not in NAMED_KINDS or (len(detail) <= NAME_LIMIT and _is_named(detail))


# Names repeat across tokens and runs (10,000 tokens sent to a few tools): checked once each.
@lru_cache(maxsize=4096)
def _is_named(detail: str) -> bool:
    return named(detail) == detail


def valid(evidence: object) -> dict[str, str]:
    """The entries of a stored `evidence` object that can be read; the rest are dropped, not
    fatal: evidence is found again, the keyring index in the same file is not. So is a name
    not as evidence keeps it (`may_keep`): a file written before, or by hand."""
    if not isinstance(evidence, dict):
        return {}
    kept: dict[str, str] = {}
    for source, on in evidence.items():
        if isinstance(source, str) and ":" in source and isinstance(on, str) and may_keep(source):
            try:
                kept[source] = date.fromisoformat(on).isoformat()
            except ValueError:
                continue
    return kept


def merged(theirs: Mapping[str, str], ours: Mapping[str, str]) -> dict[str, str]:
    both = dict(theirs)
    for source, on in ours.items():
        both[source] = min(on, both.get(source, on))
    return both


def basis(record: TokenRecord) -> Basis:
    evidence = record.get("evidence")
    rotated = record["last_rotated"]
    if not evidence:
        return (
            Basis(rotated, LAST_ROTATED, ())
            if rotated
            else Basis(record["first_seen"], FIRST_SEEN, ())
        )
    # A rotation on or after the evidence's day replaced what that evidence exposed.
    exposure = tuple(
        source
        for source, on in sorted(evidence.items(), key=lambda item: (item[1], item[0]))
        if kind(source) in EXPOSURE_KINDS and (rotated is None or rotated < on)
    )
    if rotated:
        return Basis(rotated, LAST_ROTATED, exposure)
    best = (record["first_seen"], _FIRST_SEEN_RANK, FIRST_SEEN)
    for source, on in evidence.items():
        rank = AGE_KINDS.get(kind(source))
        if rank is not None:
            best = min(best, (on, rank, source))
    return Basis(best[0], best[2], exposure)


def age_in_days(since: str, on: date) -> int | None:
    try:
        return max(0, (on - date.fromisoformat(since)).days)
    except ValueError:
        return None


def file_of(location: str) -> str | None:
    """The file a token sits in, from its location (`path:line`, `.env:path:NAME`); None
    for the environment and the keyring."""
    if location.startswith(("env:", "keyring:")):
        return None
    if location.startswith(".env:"):
        return location.removeprefix(".env:").rpartition(":")[0]
    path, colon, line = location.rpartition(":")
    return path if colon and line.isdigit() else location


class FileTimes:
    """`mtime:<path>` evidence, each file stat'ed once per listing (10,000 tokens sit in a
    few hundred files)."""

    def __init__(self) -> None:
        self._found: dict[str, tuple[str, str] | None] = {}

    def of(self, locations: Iterable[str]) -> list[tuple[str, str]]:
        """(source, ISO date) for each file among `locations`."""
        found = []
        for location in locations:
            path = file_of(location)
            if path is None:
                continue
            if path not in self._found:
                try:
                    stamp = Path(path).stat().st_mtime
                except OSError:
                    self._found[path] = None
                else:
                    day = datetime.fromtimestamp(stamp, UTC).date().isoformat()
                    self._found[path] = (f"mtime:{path}", day)
            hit = self._found[path]
            if hit is not None:
                found.append(hit)
        return found


def witnessed(tokens: list[Token], seen: Iterable[Witness]) -> list[Token]:
    """Record `seen` in the inventory, then each token's age and exposure as it now stands.
    Tokens with no age (no value here) stay as they are."""
    from mcpir.tokens.model import Metadata, today, token_id

    seen = list(seen)
    if not seen:  # nothing new: the listing applied what the inventory holds already
        return tokens
    meta = Metadata.load()
    for witness in seen:
        meta.witness(witness.fingerprint, witness.source, witness.on)
    meta.save()
    on = today()
    touched = {witness.fingerprint for witness in seen}
    out = []
    for token in tokens:
        record = meta.tokens.get(token_id(token.fingerprint))
        if token.age_days is None or record is None or token.fingerprint not in touched:
            out.append(token)
            continue
        found = basis(record)
        out.append(
            replace(
                token,
                age_days=age_in_days(found.since, on),
                age_source=found.source,
                aged_from=found.since,
                exposure=found.exposure,
            )
        )
    return out
