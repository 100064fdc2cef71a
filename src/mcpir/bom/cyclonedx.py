"""Server and finding records (the `--json` rows of `servers` and `scan`, with `user` or
`repository` when a fleet or an org sweep added them) as one CycloneDX 1.6 JSON document.

Each server is a service: its transport, endpoint and the *names* of the env variables and
headers it reads as `mcpir:` properties (never a value: the rows hold none). The package or
image it launches is a component with its purl, which the service depends on. Each finding is
a vulnerability whose `affects` names the server's service (or the file, as a component, when
no server is named), rated by mcpir's severity.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mcpir import __version__
from mcpir.bom.purls import launched
from mcpir.core.redact import redact_text

if TYPE_CHECKING:
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component
    from cyclonedx.validation.json import JsonStrictValidator

Row = Mapping[str, Any]
# The fields that make a server (or a finding's server) one and the same across records; a
# finding row has no scope, so scope is not one of them.
_ENDPOINT = re.compile(r"(?i)(https?|wss?)://[^\s\x00-\x1f\x7f-\x9f<>\"{}|\\^`]+")
_IDENTITY = ("repository", "user", "client", "path", "name")


def _key(row: Row, name_field: str = "name") -> tuple[str, ...]:
    return tuple(str(row.get(name_field if field == "name" else field) or "")
                 for field in _IDENTITY)  # fmt: skip


def _ref(prefix: str, key: Iterable[str]) -> str:
    return f"{prefix}-" + hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:20]


def _properties(pairs: Iterable[tuple[str, object]]) -> list[Property]:
    from cyclonedx.model import Property

    return [
        Property(name=f"mcpir:{name}", value=redact_text(str(value)))
        for name, value in pairs
        if value not in (None, "")
    ]


def _service_properties(row: Row) -> list[Property]:
    command = " ".join([str(row.get("command") or ""), *map(str, row.get("args") or [])]).strip()
    pairs: list[tuple[str, object]] = [
        ("client", row.get("client")),
        ("scope", row.get("scope")),
        ("transport", row.get("transport")),
        ("enabled", str(bool(row.get("enabled", True))).lower()),
        ("path", row.get("path")),
        ("line", row.get("line")),
        ("project", row.get("project")),
        ("user", row.get("user")),
        ("repository", row.get("repository")),
        ("command", command),
        ("url", row.get("url")),
    ]
    pairs += [("env-name", name) for name in row.get("env_keys") or []]
    pairs += [("header-name", name) for name in row.get("header_keys") or []]
    return _properties(pairs)


def _endpoints(row: Row) -> list[Any]:
    from cyclonedx.exception import CycloneDxException
    from cyclonedx.model import XsUri

    url = redact_text(str(row.get("url") or ""))
    # The schema's iri-reference refuses blanks and control characters that a hostile config
    # may hold; such a URL stays a property, where any string is allowed.
    if row.get("transport") == "stdio" or not _ENDPOINT.fullmatch(url):
        return []
    try:
        return [XsUri(url)]
    except (CycloneDxException, ValueError):  # not a URI the schema takes: kept as a property
        return []


class _Builder:
    def __init__(self) -> None:
        from cyclonedx.model.dependency import Dependency
        from cyclonedx.model.service import Service
        from cyclonedx.model.vulnerability import Vulnerability

        # Plain lists, handed to `Bom` once: its sorted sets re-sort on every `add`, which made
        # an organization's 5,000 servers take minutes (benchmarks/org.py).
        self.service_list: list[Service] = []
        self.component_list: list[Component] = []
        self.dependency_list: list[Dependency] = []
        self.vulnerability_list: list[Vulnerability] = []
        self.services: dict[tuple[str, ...], str] = {}
        self.components: dict[str, Component] = {}
        self.files: dict[str, str] = {}

    def server(self, row: Row) -> None:
        from cyclonedx.model.component import Component, ComponentType
        from cyclonedx.model.dependency import Dependency
        from cyclonedx.model.service import Service
        from packageurl import PackageURL

        key = _key(row)
        if key in self.services:
            return
        ref = _ref("mcp-server", key)
        self.services[key] = ref
        name = redact_text(str(row.get("name") or "?"))
        service = Service(name=name, bom_ref=ref, endpoints=_endpoints(row),
                          properties=_service_properties(row))  # fmt: skip
        self.service_list.append(service)
        found = launched(row.get("command"), tuple(map(str, row.get("args") or ())))
        if found is None:
            return
        component = self.components.get(found.purl)
        if component is None:
            kind = ComponentType.CONTAINER if found.ecosystem == "docker" else ComponentType.LIBRARY
            component = Component(
                name=redact_text(found.name), version=found.version, type=kind,
                purl=PackageURL.from_string(found.purl), bom_ref=_ref("package", [found.purl]),
                properties=_properties([("pinned", str(found.pinned).lower())]),
            )  # fmt: skip
            self.components[found.purl] = component
            self.component_list.append(component)
        self.dependency_list.append(
            Dependency(ref=service.bom_ref, dependencies=[Dependency(ref=component.bom_ref)])
        )

    def _file(self, row: Row) -> str:
        from cyclonedx.model.component import Component, ComponentType

        path = redact_text(str(row.get("path") or "?"))
        where = (str(row.get("repository") or ""), str(row.get("user") or ""), path)
        ref = self.files.get("\x1f".join(where))
        if ref is None:
            ref = _ref("file", where)
            self.files["\x1f".join(where)] = ref
            pairs = [("repository", row.get("repository")), ("user", row.get("user"))]
            self.component_list.append(Component(name=path, type=ComponentType.FILE, bom_ref=ref,
                                               properties=_properties(pairs)))  # fmt: skip
        return ref

    def finding(self, row: Row, number: int) -> None:
        from cyclonedx.model.vulnerability import (
            BomTarget,
            Vulnerability,
            VulnerabilityRating,
            VulnerabilityScoreSource,
            VulnerabilitySeverity,
            VulnerabilitySource,
        )

        ref = self.services.get(_key(row, "server")) if row.get("server") else None
        target = ref or self._file(row)
        severity = str(row.get("severity") or "unknown")
        rating = VulnerabilityRating(
            source=VulnerabilitySource(name="mcpir"),
            severity=VulnerabilitySeverity(severity)
            if severity in ("low", "medium", "high")
            else VulnerabilitySeverity.UNKNOWN,
            method=VulnerabilityScoreSource.OTHER,
        )
        pairs = [("path", row.get("path")), ("line", row.get("line")),
                 ("tool", row.get("tool")), ("client", row.get("client"))]  # fmt: skip
        self.vulnerability_list.append(
            Vulnerability(
                bom_ref=f"finding-{number}",
                id=redact_text(str(row.get("rule") or "mcpir")),
                source=VulnerabilitySource(name="mcpir"),
                ratings=[rating],
                description=redact_text(str(row.get("message") or "")),
                detail=redact_text(str(row["evidence"])) if row.get("evidence") else None,
                affects=[BomTarget(ref=target)],
                properties=_properties(pairs),
            )
        )


def build(servers: Sequence[Row], findings: Sequence[Row] = (), *,
          properties: Mapping[str, str] | None = None) -> Bom:  # fmt: skip
    """The document for these records; `properties`: about the whole inventory (`host`…)."""
    from cyclonedx.model.component import Component, ComponentType

    builder = _Builder()
    for row in servers:
        if "error" not in row:
            builder.server(row)
    for number, row in enumerate(findings, 1):
        builder.finding(row, number)
    from cyclonedx.model.bom import Bom

    bom = Bom(services=builder.service_list, components=builder.component_list,
              dependencies=builder.dependency_list,
              vulnerabilities=builder.vulnerability_list)  # fmt: skip
    bom.metadata.tools.components.add(
        Component(name="mcpir", version=__version__, type=ComponentType.APPLICATION)
    )
    bom.metadata.properties.update(_properties((properties or {}).items()))
    return bom


def render(servers: Sequence[Row], findings: Sequence[Row] = (), *,
           properties: Mapping[str, str] | None = None) -> str:  # fmt: skip
    """CycloneDX 1.6 JSON text. The schema check is the tests' (`validate`): over an
    organization's thousands of servers it costs minutes, and the models keep the shape."""
    from cyclonedx.output.json import JsonV1Dot6

    text: str = JsonV1Dot6(build(servers, findings, properties=properties)).output_as_string(
        indent=2
    )
    return text + "\n"


@functools.cache
def _validator() -> JsonStrictValidator:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    return JsonStrictValidator(SchemaVersion.V1_6)


def validate(text: str) -> str | None:
    """None when `text` is valid CycloneDX 1.6 JSON, else the first error, in one line."""
    error = _validator().validate_str(text)
    return None if error is None else str(error).splitlines()[0][:500]
