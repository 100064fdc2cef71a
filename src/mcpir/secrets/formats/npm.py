"""npm access tokens: `npm_` + 30 random base62 characters + a 6-character checksum.

npm adopted GitHub's token format in 2021; its announcement (github.blog, 2021-09-23)
states that the last six characters are a CRC32 encoded in base62. That the CRC covers
the 30 random characters only and uses GitHub's alphabet comes from GitHub's format and
from base62-token.js, which documents both as one scheme. No real npm token was at hand to
confirm it: if npm ever diverged, its tokens would be look-alikes here, so the GOOD samples
are the place to add a real (revoked) one.
"""

from __future__ import annotations

from mcpir.secrets.format import ALNUM, BASE62, prefixed

PROVIDER = prefixed(
    "npm",
    "npm_",
    BASE62,
    36,
    body=f"[{ALNUM}]{{36}}",
    checksum=True,
    templates=(
        "{}",
        "//registry.npmjs.org/:_authToken={}",
        "NPM_TOKEN={}",
        "--//registry.npmjs.org/:_authToken={}",
    ),
    bad=(
        "npm_TCllNwh2WLQlMWVhybM1iQrsTj6rMQ0BOh6d",  # a scanner's made-up example: no checksum
        "npm_" + "0" * 36,
        "//registry.npmjs.org/:_authToken=npm_1234567890abcdef",  # too short
    ),
)
