"""The token inventory: every credential a configured MCP server can read, and where it lives.

Four sources: values written into configs (`literal`); the variables configs reference,
resolved against this machine's environment and the project's `.env` files (`referenced`, or
`missing` when nothing provides them); VS Code `${input:id}`s, asked for when the server starts
(`prompted`); and the entries mcpir keeps in the OS keyring (`keyring`). Every value is
fingerprinted where it is found and dropped there; tokens are merged by fingerprint.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from mcpir.core.model import ConfigFile, Scope, Server
from mcpir.core.paths import Scopes
from mcpir.core.secret import fingerprint
from mcpir.discovery import discover
from mcpir.secrets import GENERIC, find_secrets
from mcpir.secrets.entropy import MAX_CANDIDATE_LENGTH, is_placeholder, key_kind
from mcpir.tokens import store
from mcpir.tokens.client_held import held as client_held
from mcpir.tokens.evidence import FileTimes, age_in_days, basis
from mcpir.tokens.model import STATUS_ORDER, Metadata, Status, Token, today, token_id
from mcpir.tokens.oauth import held as oauth_held

UNKNOWN = "unknown"
VSCODE_INPUT = "vscode-input"
_STORE_OF: dict[Status, str] = {
    "literal": "literal",
    "referenced": "env",
    "keyring": "keyring:unknown",
    "prompted": "prompted",
    "missing": "env",
}

_REFERENCE = re.compile(
    r"\$\{input:(?P<input>[^}\s]+)\}"
    r"|\$\{(?:env:)?(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)
_SCHEME = re.compile(r"^(?:bearer|basic|token|bot)\s+", re.IGNORECASE)
# Inside URLs (the `url`, or a DSN in `args`): what sits under a name the detectors can judge.
_USERINFO = re.compile(r"://[^/\s:@]*:(?P<value>[^\s/@]+)@")
_QUERY = re.compile(r"[?&;](?P<name>[^=&#\s]+)=(?P<value>[^&#\s]+)")
_NOT_CREDENTIALS = frozenset("true false yes no on off none null".split())
# What a credential's name often holds instead of one: a file, an address, a number.
_NOT_A_VALUE = re.compile(
    r"(?:~|\.{1,2})?[/\\].*|[A-Za-z]:[/\\].*"
    r"|[^@\s]++@(?:[^@\s.]++\.)++[A-Za-z]{2,}+|[+-]?[0-9]+(?:\.[0-9]+)?"
)


@dataclass
class _Found:
    providers: list[str] = field(default_factory=list)
    locations: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    servers: set[str] = field(default_factory=set)
    statuses: set[Status] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    stores: dict[Status, str] = field(default_factory=dict)  # the first store seen per status


class _Sightings:
    """Everything seen so far, keyed by fingerprint: no value is ever stored here."""

    def __init__(self) -> None:
        self.by_fingerprint: dict[str, _Found] = {}

    def add(
        self,
        fp: str,
        provider: str,
        location: str,
        status: Status,
        servers: Iterable[str],
        name: str | None,
        store: str | None = None,
    ) -> None:
        found = self.by_fingerprint.setdefault(fp, _Found())
        found.providers.append(provider)
        found.locations[location] = None
        found.servers.update(servers)
        found.statuses.add(status)
        found.stores.setdefault(status, store or _STORE_OF[status])
        if name:
            found.names.add(name)


@dataclass
class _Uses:
    """Who references one environment variable, and under which names (`Authorization`…)."""

    servers: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)


class _Lines:
    """`path:line` of a text inside a config, searched from the server's own line on."""

    def __init__(self) -> None:
        self._files: dict[Path, list[str]] = {}

    def of(self, server: Server, needle: str) -> str:
        lines = self._files.get(server.path)
        if lines is None:
            try:
                lines = server.path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            self._files[server.path] = lines
        start = max((server.line or 1) - 1, 0)
        for index in chain(range(start, len(lines)), range(min(start, len(lines)))):
            if needle in lines[index]:
                return f"{server.path}:{index + 1}"
        # Written with escapes (`\u0041`) the text is not in the file as such: the server's line.
        return str(server.location)


def _pairs(server: Server) -> Iterator[tuple[str | None, str]]:
    """(name the value sits under, value) for every string a server is given."""
    for name, secret in chain(server.env.items(), server.headers.items()):
        yield name, secret.reveal()
    previous: str | None = None
    for arg in server.args:
        flag, equals, rest = arg.partition("=")
        if arg.startswith("-") and equals:
            yield flag.lstrip("-"), rest
        else:
            yield previous, arg
        previous = arg.lstrip("-") if arg.startswith("-") and not equals else None
    if server.url:
        yield None, server.url


def _parts(name: str | None, value: str) -> Iterator[tuple[str | None, str]]:
    yield name, value
    if "://" in value:
        for match in _USERINFO.finditer(value):
            yield "password", match["value"]
        for match in _QUERY.finditer(value):
            yield match["name"], match["value"]


def _literals(name: str | None, value: str) -> list[tuple[str, str]]:
    """(provider, credential text) written into one value."""
    return [(provider, text) for provider, text, _ in _fingerprinted(name, value)]


def _fingerprinted(name: str | None, value: str) -> list[tuple[str, str, str]]:
    """(provider, credential text, fingerprint): a detector's hit is fingerprinted already."""
    hits = find_secrets(value, name)
    if hits:
        return [(hit.provider, hit.secret.reveal(), hit.secret.fingerprint) for hit in hits]
    # The detectors want a random-looking value; under a credential's name any value is one.
    if name is None or key_kind(name) is None or _REFERENCE.search(value):
        return []
    bare = _SCHEME.sub("", value.strip())
    if (
        not 4 <= len(bare) <= MAX_CANDIDATE_LENGTH
        or "://" in bare  # a URL's password and query were judged on their own
        or bare.lower() in _NOT_CREDENTIALS
        or _NOT_A_VALUE.fullmatch(bare)
        or is_placeholder(bare)
    ):
        return []
    return [(UNKNOWN, bare, fingerprint(bare))]


def _resolved(var: str, value: str, credential: bool) -> list[tuple[str, str]]:
    hits = find_secrets(value, var)
    if hits:
        return [(hit.provider, hit.secret.reveal()) for hit in hits]
    return [(UNKNOWN, value)] if credential else []


def _dotenv_files(
    root: Path | None, configs: list[ConfigFile]
) -> list[tuple[Path, dict[str, str | None]]]:
    """`.env` at the project root and beside each project config, inside the root only."""
    if root is None:
        return []
    dirs = {root} | {c.path.parent for c in configs if c.scope is Scope.PROJECT}
    base = os.path.realpath(root)
    found: list[tuple[Path, dict[str, str | None]]] = []
    for directory in sorted(dirs):
        path = directory / ".env"
        if not path.is_file() or not Path(os.path.realpath(path)).is_relative_to(base):
            continue
        from dotenv import dotenv_values

        try:
            # No interpolation: a sandboxed run must not pull in this machine's environment.
            found.append((path, dotenv_values(path, interpolate=False)))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
    return found


def _resolve(
    seen: _Sightings,
    var: str,
    use: _Uses,
    environ: Mapping[str, str] | None,
    dotenvs: list[tuple[Path, dict[str, str | None]]],
    in_keyring: bool,
) -> None:
    credential = key_kind(var) is not None or any(key_kind(key) for key in use.keys)
    sources: list[tuple[str, str]] = []
    if environ is not None and environ.get(var):
        sources.append((f"env:{var}", environ[var]))
    for path, values in dotenvs:
        value = values.get(var)
        if value:
            sources.append((f".env:{path}:{var}", value))
    for location, value in sources:
        for provider, text in _resolved(var, value, credential):
            seen.add(fingerprint(text), provider, location, "referenced", use.servers, var)
    # Without an environment (a sandboxed `--home`) an unresolved name says nothing.
    if not sources and not in_keyring and credential and environ is not None:
        where = f"env:{var}"
        seen.add(fingerprint(where), UNKNOWN, where, "missing", use.servers, var)


def _provider_of(value: str, name: str) -> str:
    whole = [h for h in find_secrets(value, name) if h.start == 0 and h.end == len(value)]
    return whole[0].provider if whole else UNKNOWN


def _keyring(seen: _Sightings, meta: Metadata, uses: dict[str, _Uses]) -> None:
    from mcpir.tokens.backends import label

    reachable = True
    for name, record in sorted(meta.keyring.items()):
        servers = uses[name].servers if name in uses else set()
        secret = None
        if reachable:
            try:
                secret = store.get(name)
            except store.KeyringUnavailable:
                # Locked or gone: the index still says what mcpir put there, so list that.
                reachable = False
        status: Status = "keyring" if secret is not None or not reachable else "missing"
        fp = secret.fingerprint if secret is not None else record["fingerprint"]
        provider = _provider_of(secret.reveal(), name) if secret is not None else UNKNOWN
        where = f"keyring:{label(reachable)}"
        seen.add(fp, provider, f"keyring:{name}", status, servers, name, where)


def _best_provider(providers: list[str]) -> str:
    named = [p for p in providers if p not in (UNKNOWN, GENERIC)]
    if named:
        return named[0]
    return GENERIC if GENERIC in providers else providers[0]


def _tokens(seen: _Sightings, meta: Metadata, save: bool) -> list[Token]:
    on = today()
    rank = {status: index for index, status in enumerate(STATUS_ORDER)}
    files = FileTimes()
    tokens: list[Token] = []
    for fp, found in seen.by_fingerprint.items():
        record = meta.see(fp, sorted(found.names), on)
        status = min(found.statuses, key=rank.__getitem__)
        # A prompt or a missing variable has no value whose age could mean anything.
        valued = status not in ("prompted", "missing")
        if valued:
            for source, day in files.of(found.locations):
                # Only what is older than first_seen can date the token; kept, so that saving
                # the file again later does not make the token look younger.
                if day < record["first_seen"]:
                    meta.note(record, source, day)
        aged = basis(record) if valued else None
        tokens.append(
            Token(
                id=token_id(fp),
                provider=_best_provider(found.providers),
                fingerprint=fp,
                locations=tuple(found.locations),
                servers=tuple(sorted(found.servers)),
                first_seen=record["first_seen"],
                last_rotated=record["last_rotated"] if valued else None,
                age_days=age_in_days(aged.since, on) if aged is not None else None,
                status=status,
                store=found.stores.get(status, _STORE_OF[status]),
                age_source=aged.source if aged is not None else None,
                exposure=aged.exposure if aged is not None else (),
                aged_from=aged.since if aged is not None else None,
            )
        )
    if save:
        meta.save()
    tokens.sort(key=lambda t: (rank[t.status], t.locations[0], t.id))
    return tokens


def list_tokens(
    scopes: Scopes,
    *,
    environ: Mapping[str, str] | None,
    exclude: tuple[str, ...] = (),
    problems: list[ConfigFile] | None = None,
    configs: Sequence[ConfigFile] | None = None,
    record: bool = True,
) -> list[Token]:
    """Every credential a configured server can read. `environ` is this machine's environment,
    or None for a sandboxed run (then references resolve against `.env` files only, and the
    keyring, which belongs to this machine, is not read). Config files that could not be
    read are added to `problems`: a token in a broken file is still a token. `configs`, when
    given, are the files already discovered under `scopes` with `exclude`: not walked again.
    `record` False only reads the inventory: nothing new is written to `inventory.json`."""
    with _no_cycle_collection():
        return _list(scopes, environ, exclude, problems, configs, record)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A listing allocates a few small objects per value (servers, hits, sightings, tokens) and
    makes no reference cycles to speak of: with 10,000 tokens the cycle collector's repeated
    passes over them were a fifth of the time and freed nothing. Reference counting still
    frees everything; the collector runs again as soon as the listing is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _list(
    scopes: Scopes,
    environ: Mapping[str, str] | None,
    exclude: tuple[str, ...],
    problems: list[ConfigFile] | None,
    given: Sequence[ConfigFile] | None,
    record: bool = True,
) -> list[Token]:
    configs = discover(scopes, exclude) if given is None else list(given)
    if problems is not None:
        problems.extend(config for config in configs if config.error)
    seen = _Sightings()
    lines = _Lines()
    uses: dict[str, _Uses] = {}
    for server in (s for config in configs for s in config.servers):
        for name, value in _pairs(server):
            for key, part in _parts(name, value):
                for provider, text, fp in _fingerprinted(key, part):
                    where = lines.of(server, text)
                    seen.add(fp, provider, where, "literal", [server.name], key)
            if value.startswith(("op://", "vault://")):
                # Resolved only when a command needs it: known by the reference itself.
                kind = "op" if value.startswith("op://") else "vault"
                where = lines.of(server, value)
                seen.add(
                    fingerprint(value), UNKNOWN, where, "referenced", [server.name], name, kind
                )
                continue
            for match in _REFERENCE.finditer(value):
                if match["input"]:
                    where = lines.of(server, match.group())
                    seen.add(
                        fingerprint(match["input"]),
                        VSCODE_INPUT,
                        where,
                        "prompted",
                        [server.name],
                        match["input"],
                    )
                    continue
                use = uses.setdefault(match["braced"] or match["bare"], _Uses())
                use.servers.add(server.name)
                if name:
                    use.keys.add(name)
    meta = Metadata.load()
    in_keyring = set(meta.keyring) if environ is not None else set()
    dotenvs = _dotenv_files(scopes.root, configs) if uses else []
    for var, use in sorted(uses.items()):
        _resolve(seen, var, use, environ, dotenvs, var in in_keyring)
    if environ is not None:
        _keyring(seen, meta, uses)
    # Remote servers' OAuth tokens: mcpir's own, then those clients keep (names only).
    return _tokens(seen, meta, record) + oauth_held(environ) + client_held(scopes)
