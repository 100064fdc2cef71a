"""The token inventory's types: a `Token` as listed, and the metadata file that remembers them.

Neither ever holds a credential: a token is known by its fingerprint, and the metadata file
keeps dates and names only. Values live in the config they were found in, or in the keyring.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict, get_args

from mcpir.core.errors import McpirError
from mcpir.core.fileio import atomic_write_text, private_dirs
from mcpir.core.paths import data_dir
from mcpir.core.redact import redact_text
from mcpir.core.secret import FINGERPRINT_HEX
from mcpir.tokens import evidence as _evidence

Status = Literal["literal", "referenced", "keyring", "prompted", "missing"]
# When one fingerprint is found in several places, the most urgent status names it: a token
# written into a config must be externalized even if the keyring also holds it.
STATUS_ORDER: tuple[Status, ...] = get_args(Status)

# Server names and evidence sources repeat across tokens: redacting each once keeps 10,000
# tokens fast.
_redacted = lru_cache(maxsize=4096)(redact_text)

INVENTORY_FILE = "inventory.json"
INVENTORY_VERSION = 1
_PREFIX = "sha256:"


def token_id(fingerprint: str) -> str:
    """`tok_` + the fingerprint's hex: stable, and as safe to show as the fingerprint."""
    return "tok_" + fingerprint.removeprefix(_PREFIX)[:FINGERPRINT_HEX]


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Token:
    """A credential some configured MCP server can read. The value itself is never kept."""

    id: str
    provider: str
    fingerprint: str
    locations: tuple[str, ...]
    servers: tuple[str, ...]
    first_seen: str | None
    last_rotated: str | None
    age_days: int | None
    status: Status
    # See `mcpir.tokens.evidence`: where the age counts from, and what exposed the token.
    age_source: str | None = _evidence.FIRST_SEEN  # None with no age
    exposure: tuple[str, ...] = ()
    aged_from: str | None = None  # the ISO date the age counts from; None: `first_seen`
    # Where the value lives: `literal` (in a config), `env`, `prompted`, `op`, `vault`, or
    # `keyring:<backend>`; see `mcpir.tokens.backends` for which of those encrypt at rest.
    store: str = "literal"

    @property
    def exposed(self) -> bool:
        return bool(self.exposure)

    def identity(self) -> dict[str, Any]:
        """What says which token this is, and since when: the first fields of both
        `mcpir tokens list --json` and `mcpir tokens status --json`."""
        return {
            "id": self.id,
            "provider": self.provider,
            "fingerprint": self.fingerprint,
            "locations": list(self.locations),
            # Server names come from config files an attacker may have written.
            "servers": [_redacted(name) for name in self.servers],
            "first_seen": self.first_seen,
            "last_rotated": self.last_rotated,
        }

    def as_dict(self) -> dict[str, Any]:
        """The `mcpir tokens list --json` contract: exactly these fields."""
        return {
            **self.identity(),
            "age_days": self.age_days,
            "status": self.status,
            "store": self.store,
            # Sources name servers and tools, which come from files an attacker may write.
            "age_source": None if self.age_source is None else _redacted(self.age_source),
            "exposed": self.exposed,
            "exposure": [_redacted(source) for source in self.exposure],
        }


class TokenRecord(TypedDict):
    first_seen: str
    last_rotated: str | None
    names: list[str]
    evidence: NotRequired[dict[str, str]]  # source -> earliest ISO date (`tokens.evidence`)


class KeyringRecord(TypedDict):
    added: str
    fingerprint: str


class InventoryError(McpirError):
    """The metadata file cannot be read; overwriting it would lose the keyring's index (exit 2)."""


def _bad(path: Path, why: str) -> InventoryError:
    return InventoryError(
        f"{path}: {why}", hint="move the file aside; mcpir forgets its keyring names with it"
    )


@dataclass
class Metadata:
    """`inventory.json`: when each fingerprint was first seen or rotated, and the names of the
    keyring entries mcpir made (a keyring cannot list its entries, so this is their index)."""

    path: Path
    tokens: dict[str, TokenRecord] = field(default_factory=dict)
    keyring: dict[str, KeyringRecord] = field(default_factory=dict)
    changed: bool = False
    # This instance's own keyring-index changes, replayed onto the file as it is at save time.
    _put: dict[str, KeyringRecord] = field(default_factory=dict, repr=False)
    _dropped: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def load(cls, path: Path | None = None) -> Metadata:
        path = path or data_dir() / INVENTORY_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise _bad(path, f"cannot be read: {exc}") from None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _bad(path, f"not JSON (line {exc.lineno})") from None
        except RecursionError:  # `[[[[…`: no inventory nests this deep, and it holds the index
            raise _bad(path, "not an inventory (nested too deeply to read)") from None
        if not isinstance(doc, dict) or doc.get("version") != INVENTORY_VERSION:
            version = doc.get("version") if isinstance(doc, dict) else None
            raise _bad(path, f"unsupported inventory version {version!r}")
        tokens, keyring = doc.get("tokens", {}), doc.get("keyring", {})
        if not isinstance(tokens, dict) or not isinstance(keyring, dict):
            raise _bad(path, "`tokens` and `keyring` must be objects")
        records = {k: _token_record(path, v) for k, v in tokens.items()}
        meta = cls(path, records, {k: _keyring_record(path, v) for k, v in keyring.items()})
        # Evidence `valid` dropped (a name holding a secret, written before names were made
        # safe) leaves the file at the next save.
        meta.changed = any(
            isinstance(value, dict)
            and isinstance(value.get("evidence"), dict)
            and len(value["evidence"]) != len(records[key].get("evidence", {}))
            for key, value in tokens.items()
        )
        return meta

    def save(self) -> None:
        """Write, merged with what another mcpir may have saved since this one loaded: a
        `tokens add` racing a `tokens list` must not lose a keyring name (the only index)."""
        if not self.changed:
            return
        # The index of keyring names is nobody else's business on a shared machine.
        private_dirs(self.path.parent)
        with _locked(self.path.with_name(self.path.name + ".lock")):
            current = Metadata.load(self.path)
            for key, record in self.tokens.items():
                theirs = current.tokens.get(key)
                current.tokens[key] = record if theirs is None else _merge(theirs, record)
            current.keyring.update(self._put)
            for name in self._dropped:
                current.keyring.pop(name, None)
            doc = {
                "version": INVENTORY_VERSION,
                "tokens": current.tokens,
                "keyring": current.keyring,
            }
            text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
            atomic_write_text(self.path, text, 0o600)
        self.tokens, self.keyring = current.tokens, current.keyring
        self._put, self._dropped = {}, set()
        self.changed = False

    def see(self, fingerprint: str, names: list[str], on: date) -> TokenRecord:
        """The record of a fingerprint, created (first seen `on`) when it is new."""
        key = token_id(fingerprint)
        record = self.tokens.get(key)
        if record is None:
            record = TokenRecord(first_seen=on.isoformat(), last_rotated=None, names=[])
            self.tokens[key] = record
            self.changed = True
        merged = sorted(set(record["names"]) | set(names))
        if merged != record["names"]:
            record["names"] = merged
            self.changed = True
        return record

    def witness(self, fingerprint: str, source: str, on: date) -> None:
        """Keep the earliest date of one piece of evidence about a token already recorded
        (not a source evidence may not keep: a name not made safe, see `tokens.evidence`)."""
        record = self.tokens.get(token_id(fingerprint))
        if record is not None and _evidence.may_keep(source):
            self.note(record, source, on.isoformat())

    def note(self, record: TokenRecord, source: str, day: str) -> None:
        """`witness`, for a record in hand and an ISO date."""
        evidence = record.setdefault("evidence", {})
        if source not in evidence or day < evidence[source]:
            evidence[source] = day
            self.changed = True

    def rotated(self, fingerprint: str, on: date) -> None:
        self.see(fingerprint, [], on)["last_rotated"] = on.isoformat()
        self.changed = True

    def put_keyring(self, name: str, fingerprint: str, on: date) -> None:
        record = KeyringRecord(added=on.isoformat(), fingerprint=fingerprint)
        self.keyring[name] = self._put[name] = record
        self._dropped.discard(name)
        self.changed = True

    def drop_keyring(self, name: str) -> None:
        if self.keyring.pop(name, None) is not None:
            self._put.pop(name, None)
            self._dropped.add(name)
            self.changed = True


def _merge(theirs: TokenRecord, ours: TokenRecord) -> TokenRecord:
    rotated = [d for d in (theirs["last_rotated"], ours["last_rotated"]) if d]
    record = TokenRecord(
        first_seen=min(theirs["first_seen"], ours["first_seen"]),
        last_rotated=max(rotated) if rotated else None,
        names=sorted(set(theirs["names"]) | set(ours["names"])),
    )
    evidence = _evidence.merged(theirs.get("evidence", {}), ours.get("evidence", {}))
    if evidence:
        record["evidence"] = evidence
    return record


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Held for a read and a write (milliseconds), so two saves merge instead of one losing.
    filelock: flock here, LockFileEx on Windows (where there was no lock); O_NOFOLLOW."""
    from filelock import FileLock

    with FileLock(path, mode=0o600, preserve_lock_file=True):
        yield


def _token_record(path: Path, value: object) -> TokenRecord:
    if not isinstance(value, dict):
        raise _bad(path, "a token entry is not an object")
    first, last, names = value.get("first_seen"), value.get("last_rotated"), value.get("names")
    if not isinstance(first, str) or not (last is None or isinstance(last, str)):
        raise _bad(path, "a token entry has no valid dates")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _bad(path, "a token entry's `names` is not a list of strings")
    record = TokenRecord(first_seen=first, last_rotated=last, names=list(names))
    evidence = _evidence.valid(value.get("evidence"))
    if evidence:
        record["evidence"] = evidence
    return record


def _keyring_record(path: Path, value: object) -> KeyringRecord:
    if not isinstance(value, dict):
        raise _bad(path, "a keyring entry is not an object")
    added, fingerprint = value.get("added"), value.get("fingerprint")
    if not isinstance(added, str) or not isinstance(fingerprint, str):
        raise _bad(path, "a keyring entry needs `added` and `fingerprint`")
    return KeyringRecord(added=added, fingerprint=fingerprint)
