"""The package or image a server's command line launches, as a package URL (purl spec):
`pkg:npm/%40scope/name@1.2.3`, `pkg:pypi/name@1.2`, `pkg:docker/ns/name@sha256:…`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mcpir.core.model import Location, Scope, Server, Transport
from mcpir.launchers.commands import container_run
from mcpir.launchers.images import parse_image
from mcpir.launchers.packages import package_run

_PYPI_EXTRAS = re.compile(r"\[.*\]$")


@dataclass(frozen=True)
class Launched:
    ecosystem: str  # "npm" | "pypi" | "docker"
    name: str
    version: str | None  # exact version, or the image digest (else its tag)
    purl: str
    pinned: bool  # an exact version or an image digest: the purl names one artifact


def launched(command: str | None, args: tuple[str, ...]) -> Launched | None:
    """What `command args` runs, when a package runner or a container engine launches it."""
    from packageurl import PackageURL

    server = Server("", "", Scope.USER, Transport.STDIO, Location(Path()), command, args)
    package = package_run(server)
    if package is not None:
        if package.ecosystem == "npm":
            namespace, _, name = package.name.rpartition("/")
        else:
            # The purl spec: pypi names lower-cased, `_` read as `-`; extras are not the name.
            namespace, name = "", _PYPI_EXTRAS.sub("", package.name).lower().replace("_", "-")
        if not name:
            return None
        version = package.version if package.exact else None
        url = PackageURL(type=package.ecosystem, namespace=namespace or None, name=name,
                         version=version)  # fmt: skip
        return Launched(package.ecosystem, package.name, version, url.to_string(), package.exact)
    run = container_run(server)
    if run is None or not run.image:
        return None
    image = parse_image(run.image)
    parts = image.repository.split("/")
    registry = None
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, parts = parts[0], parts[1:]
    qualifiers = {key: value for key, value in (("repository_url", registry),
                                                ("tag", image.tag if image.digest else None))
                  if value}  # fmt: skip
    version = image.digest or image.tag
    url = PackageURL(type="docker", namespace="/".join(parts[:-1]) or None, name=parts[-1],
                     version=version, qualifiers=qualifiers)  # fmt: skip
    return Launched("docker", image.repository, version, url.to_string(), image.pinned)
