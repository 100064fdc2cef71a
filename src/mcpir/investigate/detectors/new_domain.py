"""URLs to sites never seen before in this history, and e-mail addresses sent out.

A site is the registrable part of the host name (`api.github.com` counts as `github.com`).

Order-independent: each domain's earliest sighting decides. A domain first seen inside the
window is new; one the model put in a call's arguments is reported as outbound (medium), one
only a result brought in is reported as low, and only when there is history before the window
to compare with.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from mcpir.core.model import Severity
from mcpir.investigate.detectors.base import Context, Hit, hit, label
from mcpir.investigate.events import Call, Event, Origin
from mcpir.investigate.values import domains, emails, site, strings

NAME = "new-domain"
EMAIL = "outbound-email"
RESULT_LIMIT = 256 << 10
_EPOCH = datetime.min.isoformat()

Sighting = tuple[str, bool, bool, Origin, str]  # (time, live, outbound, origin, call label)


def _earlier(a: Sighting | None, b: Sighting) -> bool:
    return a is None or (b[0], not b[2]) < (a[0], not a[2])


class NewDomains:
    name = NAME

    def __init__(self, ctx: Context) -> None:
        self.domains: dict[str, Sighting] = {}
        self.outbound: dict[str, Sighting] = {}  # first time each domain was sent out
        self.emails: dict[str, Sighting] = {}
        self.history = False

    def feed(self, event: Event, live: bool) -> Iterable[Hit]:
        if not isinstance(event, Call):
            return ()
        self.history = self.history or not live
        when = event.origin.ts.isoformat() if event.origin.ts else _EPOCH
        where = label(event.server, event.tool)
        sent = "\n".join(text for _, text in strings(event.arguments))
        for domain in {site(d) for d in domains(sent)}:
            sighting = (when, live, True, event.origin, where)
            if _earlier(self.domains.get(domain), sighting):
                self.domains[domain] = sighting
            if _earlier(self.outbound.get(domain), sighting):
                self.outbound[domain] = sighting
        for address in set(emails(sent)):
            sighting = (when, live, True, event.origin, where)
            if _earlier(self.emails.get(address), sighting):
                self.emails[address] = sighting
        if event.result:
            for domain in {site(d) for d in domains(event.result[:RESULT_LIMIT])}:
                sighting = (when, live, False, event.origin, where)
                if _earlier(self.domains.get(domain), sighting):
                    self.domains[domain] = sighting
            for address in set(emails(event.result[:RESULT_LIMIT])):
                sighting = (when, live, False, event.origin, where)
                if _earlier(self.emails.get(address), sighting):
                    self.emails[address] = sighting
        return ()

    def finish(self) -> Iterable[Hit]:
        for domain, (_, live, _, origin, where) in sorted(self.domains.items()):
            if not live:
                continue
            out = self.outbound.get(domain)
            if out is not None and out[1]:
                yield hit(
                    NAME,
                    Severity.MEDIUM,
                    f"{domain}: a domain never seen before in this history, sent to {out[4]}",
                    out[3],
                )
            elif out is None and self.history:
                yield hit(
                    NAME,
                    Severity.LOW,
                    f"{domain}: a domain never seen before in this history, in a result of {where}",
                    origin,
                )
        for address, (_, live, outbound, origin, where) in sorted(self.emails.items()):
            if live and outbound:
                yield hit(
                    EMAIL,
                    Severity.MEDIUM,
                    f"e-mail address {address} sent to {where}, never seen before",
                    origin,
                )


def make(ctx: Context) -> NewDomains:
    return NewDomains(ctx)
