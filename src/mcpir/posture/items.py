"""The checklist items, one function each, in the order `mcpir posture` shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mcpir.config.project import FILENAME, Policy
from mcpir.core.errors import McpirError
from mcpir.core.model import ConfigFile, Finding, Server
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_text
from mcpir.core.words import plural
from mcpir.posture import PostureItem

if TYPE_CHECKING:
    from mcpir.posture.branch import BranchProtection
    from mcpir.workspace import Workspace

CLOSED_INCIDENTS = frozenset({"closed", "resolved", "restored"})
# Every item's id and title, in the order shown; an item that cannot be evaluated keeps both.
TITLES = {
    "codeowners": "MCP config changes require code review (CODEOWNERS)",
    "branch-protection": "Default branch protected, with code-owner review required",
    "token-age": "API tokens rotated within their maximum age",
    "secrets-at-rest": "Tokens encrypted at rest (no plaintext config, .env or keyring file)",
    "pinned-versions": "MCP server versions pinned",
    "official-images": "Container images from official sources",
    "audit-proxy": "MCP servers wrapped by the audit proxy (ATOM trail gap closed)",
    "flows": "No client runs untrusted input, private data and a way out together",
    "open-incidents": "No incident left open",
    "training": "Team trained on MCP risks (acknowledged within a year)",
}
_SHOW = 5  # names listed in evidence before "and N more"


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOW])
    return shown + (f" and {len(names) - _SHOW} more" if len(names) > _SHOW else "")


def _relative(scopes: Scopes, path: Path) -> str | None:
    root = scopes.root
    if root is None or not path.is_relative_to(root):
        return None
    return path.relative_to(root).as_posix()


def codeowners(scopes: Scopes, configs: list[ConfigFile]) -> PostureItem:
    from mcpir.config import codeowners as co

    title = TITLES["codeowners"]
    root = scopes.root
    if root is None:
        return PostureItem("codeowners", title, "unknown", "no project root", "pass --root")
    paths = sorted({rel for c in configs if (rel := _relative(scopes, c.path)) is not None})
    if (root / FILENAME).is_file():
        paths.append(FILENAME)
    file = co.find(root)
    if not paths:
        return PostureItem("codeowners", title, "pass", "no MCP config file in this project", "")
    fix_lines = " ".join(f"`/{p} @your-team`" for p in paths[:_SHOW])
    if file is None:
        return PostureItem(
            "codeowners", title, "fail",
            f"no CODEOWNERS file; MCP configs here: {_some(paths)}",
            f"add .github/CODEOWNERS with {fix_lines}, and require code-owner review on the "
            "default branch",
        )  # fmt: skip
    try:
        rules = co.parse(file.read_text(encoding="utf-8", errors="replace"))
    except OSError as exc:
        return PostureItem("codeowners", title, "unknown", f"{file}: {exc}", "")
    owned, unowned = [], []
    for path in paths:
        rule = co.owner_of(rules, path)
        if rule is not None and rule.owners:
            owned.append(f"{path} ({' '.join(rule.owners)}, line {rule.line})")
        else:
            unowned.append(path)
    where = scopes.display(file)
    if unowned:
        fixes = " ".join(f"`/{p} @your-team`" for p in unowned[:_SHOW])
        return PostureItem(
            "codeowners", title, "fail",
            redact_text(f"{where} owns no one for: {_some(unowned)}"),
            f"add to {where}: {fixes}",
        )  # fmt: skip
    return PostureItem("codeowners", title, "pass", redact_text(f"{where}: {_some(owned)}"), "")


def token_age(scopes: Scopes, policy: Policy, workspace: Workspace) -> PostureItem:
    from mcpir.tokens.status import check

    title = TITLES["token-age"]
    tokens = workspace.tokens_with_evidence()
    result = check(scopes, policy, configs=workspace.configs(), tokens=tokens)
    # An exposed token fails whatever its age: it may be in someone else's hands already.
    exposed = [s for s in result.aged if s.state == "exposed"]
    overdue = [s for s in result.aged if s.days_left < 0 and s.state != "exposed"]
    if not result.aged:
        extra = f" ({len(result.unaged)} without a value here)" if result.unaged else ""
        return PostureItem("token-age", title, "pass", f"no aged token{extra}", "")
    if exposed or overdue:
        names = [
            redact_text(
                f"{s.token.id} (exposed: {', '.join(s.token.exposure)}; "
                f"{s.age_days}d, from {s.token.age_source})"
            )
            for s in exposed
        ] + [f"{s.token.id} ({s.age_days}d > {s.rule.max_age_days}d)" for s in overdue]
        counted = "; ".join(
            f"{len(found)} of {len(result.aged)} tokens {what}"
            for found, what in ((exposed, "exposed"), (overdue, "overdue"))
            if found
        )
        return PostureItem(
            "token-age", title, "fail", f"{counted}: {_some(names)}",
            "; ".join(s.rotate_command for s in (exposed + overdue)[:_SHOW]),
        )  # fmt: skip
    oldest = max(result.aged, key=lambda s: s.age_days)
    soon = sum(s.state == "due-soon" for s in result.aged)
    return PostureItem(
        "token-age", title, "pass",
        f"{len(result.aged)} tokens within their age (oldest {oldest.token.id}, "
        f"{oldest.age_days}d); {soon} due soon",
        "",
    )  # fmt: skip


def secrets_at_rest(workspace: Workspace) -> PostureItem:
    """A token whose value sits readable on disk: written into a config, in a `.env` file, or
    in a keyring backend that does not encrypt (see `mcpir secrets backend`)."""
    from mcpir.tokens.backends import encrypted_name

    title = TITLES["secrets-at-rest"]
    plain: list[str] = []
    unknown: list[str] = []
    for token in workspace.tokens_with_evidence():
        if token.store == "literal" or any(loc.startswith(".env:") for loc in token.locations):
            plain.append(f"{token.id} ({token.store}: {token.locations[0]})")
        elif token.store.startswith("keyring:"):
            encrypted = encrypted_name(token.store.removeprefix("keyring:"))
            if encrypted is False:
                plain.append(f"{token.id} ({token.store})")
            elif encrypted is None:
                unknown.append(token.id)
    if plain:
        return PostureItem(
            "secrets-at-rest", title, "fail",
            redact_text(f"{len(plain)} tokens stored unencrypted: {_some(plain)}"),
            "`mcpir tokens externalize` (configs), and an encrypted keyring backend "
            "(`mcpir secrets backend cryptfile`, or your OS keyring)",
        )  # fmt: skip
    if unknown:
        return PostureItem(
            "secrets-at-rest", title, "unknown",
            f"keyring backend not known to encrypt: {_some(unknown)}",
            "`mcpir secrets backend` shows what it is",
        )  # fmt: skip
    return PostureItem("secrets-at-rest", title, "pass", "no token stored unencrypted", "")


def _findings(
    scopes: Scopes, policy: Policy, configs: list[ConfigFile], rules: set[str]
) -> tuple[list[Finding], int]:
    from mcpir.scan.checks.base import ScanContext
    from mcpir.scan.engine import check_all, suppression_for

    ctx = ScanContext(official_images=policy.scan.official_images)
    found, suppressed = [], 0
    for finding in check_all(configs, (), ctx, frozenset(rules)):
        if suppression_for(finding, policy.scan.ignore, scopes) is not None:
            suppressed += 1
        else:
            found.append(finding)
    return found, suppressed


def _scan_item(
    item: str, rules: set[str], fix: str
) -> Callable[[Scopes, Policy, list[ConfigFile]], PostureItem]:
    title = TITLES[item]

    def run(scopes: Scopes, policy: Policy, configs: list[ConfigFile]) -> PostureItem:
        found, suppressed = _findings(scopes, policy, configs, rules)
        note = f"; {suppressed} accepted in {FILENAME}" if suppressed else ""
        servers = sum(len(c.servers) for c in configs)
        if not found:
            return PostureItem(item, title, "pass", f"{servers} servers checked{note}", "")
        shown = [
            redact_text(f"{f.server} ({scopes.display(f.location.path)}"
                        f"{':' + str(f.location.line) if f.location.line else ''}): {f.evidence}")
            for f in found
        ]  # fmt: skip
        return PostureItem(
            item, title, "fail", f"{plural(len(found), 'finding')} ({', '.join(sorted(rules))}): "
            f"{_some(shown)}{note}", fix,
        )  # fmt: skip

    return run


pinned_versions = _scan_item(
    "pinned-versions",
    {"unpinned-package", "unpinned-image"},
    "pin exact versions (`pkg@1.2.3`, `pkg==1.2.3`) and images by digest (`image@sha256:…`); "
    "see `mcpir scan`",
)
official_images = _scan_item(
    "official-images",
    {"unofficial-image"},
    "use images from `mcp/` or `ghcr.io/github/`, or add your registry to "
    f"`[scan] official_images` in {FILENAME}",
)


def is_wrapped(server: Server) -> bool:
    """Launched through the audit proxy, as `mcpir wrap` recognises it (also inside the
    `mcpir run … --` that `tokens externalize` puts around a wrapped server), or a remote
    server wrapped as `mcpir proxy --url`."""
    from mcpir.launchers.mcpir import proxied
    from mcpir.proxy.wrap_remote import url_proxy

    if server.command is None:
        return False
    line = [server.command, *server.args]
    return proxied(line) is not None or url_proxy(line) is not None


def _remote_wrapped(server: Server) -> bool:
    from mcpir.proxy.wrap_remote import url_proxy

    return server.command is not None and url_proxy([server.command, *server.args]) is not None


def audit_proxy(scopes: Scopes, configs: list[ConfigFile]) -> PostureItem:
    from mcpir.edits.server_entry import JSON_FORMATS

    title = TITLES["audit-proxy"]
    pairs = [(c, s) for c in configs for s in c.servers if s.enabled]
    state = ""
    if not pairs:
        # Contained (or all switched off): they come back as they are, so judge them as such,
        # and say that they are off today.
        pairs = [(c, s) for c in configs for s in c.servers]
        state = f" (all {plural(len(pairs), 'server')} disabled now; judged as they would return)"
    through = [s for _, s in pairs if s.transport == "stdio" and _remote_wrapped(s)]
    local = [s for _, s in pairs if s.transport == "stdio" and not _remote_wrapped(s)]
    # A remote server in a JSON file `wrap` turns into `mcpir proxy --url`; elsewhere it cannot.
    remote = [s for c, s in pairs if s.transport != "stdio" and c.format in JSON_FORMATS]
    stuck = [s for c, s in pairs if s.transport != "stdio" and c.format not in JSON_FORMATS]
    bare = [s for s in local if not is_wrapped(s)] + remote
    fix = ("`mcpir wrap` (each becomes `mcpir proxy --name NAME -- CMD …`, a remote one "
           "`mcpir proxy --name NAME --url URL`); restart the clients")  # fmt: skip
    far = len(remote) + len(through) + len(stuck)
    counts = plural(len(local), "local server")
    if far:
        counts = f"{plural(len(local) + far, 'server')} ({len(local)} local, {far} remote)"
    if bare:
        names = [redact_text(f"{s.name} ({scopes.display(s.path)})") for s in bare]
        return PostureItem(
            "audit-proxy", title, "fail",
            f"{len(bare)} of {counts} not wrapped{state}: {_some(names)}", fix,
        )  # fmt: skip
    if stuck:
        names = [redact_text(s.name) for s in stuck]
        return PostureItem(
            "audit-proxy", title, "unknown",
            f"{len(local)} local and {len(through)} remote servers wrapped; "
            f"{len(stuck)} remote servers in files `mcpir wrap` does not rewrite: {_some(names)}",
            "wrap them by hand (`mcpir proxy --name NAME --url URL`), or log their calls at "
            "their gateway",
        )  # fmt: skip
    return PostureItem("audit-proxy", title, "pass", f"all {counts} wrapped", "")


def flows(scopes: Scopes, configs: list[ConfigFile]) -> PostureItem:
    from mcpir.flows.verdict import verdict

    status, evidence, fix = verdict(configs, scopes.root)
    return PostureItem("flows", TITLES["flows"], status, redact_text(evidence), fix)


def open_incidents(scopes: Scopes) -> PostureItem:
    from mcpir.incident.store import (
        INCIDENT,
        Incident,
        incident_names,
        incidents_dir,
        kind_of,
        openings,
    )

    title = TITLES["open-incidents"]
    if scopes.root is None:
        return PostureItem("open-incidents", title, "unknown", "no project root", "pass --root")
    folder = incidents_dir(scopes.root)
    names = incident_names(scopes.root)  # change sets (ATOM-CHG-…) are not incidents
    still: list[str] = []
    total = 0
    # Only incidents this machine opened count, with their status taken from their sealed
    # journal: an `incident.json` is a plain file a repository could ship saying "closed".
    for _, name, opening in openings(folder, names):
        # An earlier mcpir journalled the edits of `tokens externalize`, `tokens rotate` and
        # `wrap` as ATOM-INC incidents with no playbook: changes made to harden the setup,
        # not incidents someone must close.
        if kind_of(name, opening) != INCIDENT:
            continue
        incident = Incident(name, folder / name)
        try:
            status = incident.status()
        except (OSError, McpirError):
            status = "unreadable"
        total += 1
        if status not in CLOSED_INCIDENTS:
            still.append(f"{name} ({status})")
    if still:
        return PostureItem(
            "open-incidents", title, "fail",
            f"{len(still)} of {total} incidents open: {_some(still)}",
            "finish each (`mcpir respond --resume ID`), then `mcpir close ID --reason TEXT` "
            "(its servers may stay disabled; `mcpir restore ID` once they are trusted again)",
        )  # fmt: skip
    return PostureItem("open-incidents", title, "pass", f"{total} incidents, none open", "")


def training(on: date) -> PostureItem:
    from mcpir.posture import ack

    title = TITLES["training"]
    fix = "after the training: `mcpir posture ack training --by NAME`"
    record = ack.load().get("training")
    if record is None:
        return PostureItem("training", title, "fail", "no acknowledgement recorded", fix)
    try:
        age = (on - date.fromisoformat(record["on"])).days
    except ValueError:
        return PostureItem("training", title, "fail", "acknowledgement has no valid date", fix)
    who = redact_text(record["by"])
    if age > ack.VALID_DAYS:
        return PostureItem(
            "training", title, "fail", f"acknowledged by {who} on {record['on']}, "
            f"{age} days ago (over {ack.VALID_DAYS})", fix,
        )  # fmt: skip
    return PostureItem("training", title, "pass", f"acknowledged by {who} on {record['on']}", "")


def _guarded(item: str, run: Callable[[], PostureItem]) -> PostureItem:
    try:
        return run()
    except (McpirError, OSError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        return PostureItem(item, TITLES[item], "unknown", redact_text(str(message)), "")


def evaluate_items(
    scopes: Scopes,
    policy: Policy,
    branch: BranchProtection | None,
    workspace: Workspace | None = None,
) -> list[PostureItem]:
    from mcpir.tokens.model import today
    from mcpir.workspace import Workspace

    shared = workspace if workspace is not None else Workspace(scopes, policy)
    configs = shared.configs()
    on = today()
    items = [_guarded("codeowners", lambda: codeowners(scopes, configs))]
    if branch is not None:
        from mcpir.posture.branch import check_branch

        items.append(_guarded("branch-protection", lambda: check_branch(branch)))
    items += [
        _guarded("token-age", lambda: token_age(scopes, policy, shared)),
        _guarded("secrets-at-rest", lambda: secrets_at_rest(shared)),
        _guarded("pinned-versions", lambda: pinned_versions(scopes, policy, configs)),
        _guarded("official-images", lambda: official_images(scopes, policy, configs)),
        _guarded("audit-proxy", lambda: audit_proxy(scopes, configs)),
        _guarded("flows", lambda: flows(scopes, configs)),
        _guarded("open-incidents", lambda: open_incidents(scopes)),
        _guarded("training", lambda: training(on)),
    ]
    return items
