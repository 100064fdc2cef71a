"""GitLab personal access tokens (`glpat-`), in their three shapes.

- Legacy: `glpat-` + 20 characters of `[0-9A-Za-z_-]`. No checksum: format only.
- Routable (GitLab 17.x): `glpat-<base64url payload>.<payload length, base36, 2>` followed by
  a CRC32 of everything before it, base36, padded to 7. This is GitLab's own generator
  (`Authn::TokenField::Generator::RoutableToken`); GitLab's published rule examples validate.
- Versioned routable: `glpat-<payload>.<version, 2>.<length, 2><crc, 7>`, the CRC covering
  `glpat-<payload>.<version>.<length>`. Taken from osv-scalibr's detector, which cites
  GitLab's routable-token design document; not checked against a real token.
"""

from __future__ import annotations

import base64
import random
import re

from mcpir.secrets.format import (
    BASE36,
    BASE64URL,
    WORD_DASH,
    Run,
    bounded,
    corrupt,
    crc32_base36,
    encode,
    structured,
    variant,
    variants,
)

_BODY = r"[A-Za-z0-9_\-]"
_PATTERN = bounded(
    rf"glpat-{_BODY}{{20,300}}(?:\.[0-9a-z]{{2}}\.[0-9a-z]{{9}}|\.[0-9a-z]{{9}})?", WORD_DASH
)
_ROUTABLE = re.compile(
    rf"(?P<signed>glpat-(?P<payload>{_BODY}{{27,300}})\.(?:[0-9a-z]{{2}}\.)?(?P<size>[0-9a-z]{{2}}))"
    r"(?P<crc>[0-9a-z]{7})"
)


def _valid_routable(token: str) -> bool:
    routable = _ROUTABLE.fullmatch(token)
    return (
        routable is not None
        and int(routable["size"], 36) == len(routable["payload"])
        and crc32_base36(routable["signed"]) == routable["crc"]
    )


def _routable(rng: random.Random, version: str | None) -> str:
    # The routing payload GitLab encodes: sorted `key:value` lines, integers in base36.
    routing = "\n".join(f"{k}:{encode(rng.randrange(1, 10**7), BASE36, 1)}" for k in "cgou")
    raw = routing.encode() + rng.randbytes(16) + bytes([16])
    payload = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    signed = f"glpat-{payload}." + (f"{version}." if version else "")
    signed += encode(len(payload), BASE36, 2)
    return signed + crc32_base36(signed)


def lookalike(rng: random.Random) -> str:
    token = _routable(rng, rng.choice(("01", None)))
    return corrupt(rng, token, len(token) - 7, BASE36)


PROVIDER = variants(
    "gitlab",
    _PATTERN,
    variant("glpat-", Run(BASE64URL, 20, random=True), confidence="medium"),
    structured("glpat-", _valid_routable, lambda rng: _routable(rng, None)),
    structured("glpat-", _valid_routable, lambda rng: _routable(rng, "01")),
    lookalike=lookalike,
    lookalike_breaks="checksum (routable shape; legacy tokens have none)",
    known=(
        # GitLab's own examples from its secret-detection rules (split: see `samples`).
        "glpat-bzox79Of-KE9FD2LjoXXF4CvyxA.0r03gxo7s",
        "GITLAB_PERSONAL_ACCESS_TOKEN=glpat-"
        "YzozdzVlMTEyNjRzZ3NmCmc6M3c1ZTExMjY0c2dzZgpoOjN3NW"
        "UxMTI2NHNnc2YKajozdzVlMTEyNjRzZ3NmCms6M3c1ZTExMjY0c2dzZgpsOjN3NWUxMTI2NHNnc2YKbTozdz"
        "VlMTEyNjRzZ3NmCm86M3c1ZTExMjY0c2dzZgpwOjN3NWUxMTI2NHNnc2YKdTozdzVlMTEyNjRzZ3NmPcvif4ca"
        "KLQwleVqBR5hp3vDX9WAKZKrT318xMVLFzdtP-OZciT7mCO-NDPZnozuj2_LP-aLYwRfzxHkPrxDbBlB.8c1f6"
        "ihl5",
    ),
    templates=("{}", "PRIVATE-TOKEN: {}", "https://oauth2:{}@gitlab.com/g/p.git", "{}", "{}"),
    bad=(
        "glpat-testd_Rb5_cHeWe1JH56wr2FCBA.0r1pum4t4",  # a scanner's test token: bad CRC
        "glpat-TESTtokenGq5K56y8RBbu286MQp1OmFwOAk.01.0z11111is",
        "glpat-xxxxxxxxxxxxxxxxxxxx",
        "glpat-abc",
    ),
)
