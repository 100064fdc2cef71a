"""Container image references: `registry/namespace/name:tag@sha256:digest`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class ImageRef:
    text: str
    repository: str  # with registry, without tag or digest
    tag: str | None
    digest: str | None

    @property
    def pinned(self) -> bool:
        return self.digest is not None


def parse_image(text: str) -> ImageRef:
    rest, digest = text, None
    match = _DIGEST.search(text)
    if match:
        rest, digest = text[: match.start()], match.group(0)[1:]
    elif "@" in text:
        rest, digest = text.split("@", 1)[0], None
    tag = None
    last = rest.rsplit("/", 1)[-1]
    if ":" in last:
        tag = last.rsplit(":", 1)[1]
        rest = rest[: len(rest) - len(tag) - 1]
    return ImageRef(text, rest.lower(), tag, digest)


def is_official(image: ImageRef, official: tuple[str, ...]) -> bool:
    name = image.repository.removeprefix("index.docker.io/")
    return any(name.startswith(prefix.lower()) for prefix in official)
