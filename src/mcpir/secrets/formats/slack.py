"""Slack tokens: `xoxb-` bot, `xoxp-`/`xoxe-` user, `xoxe-`/`xoxe.xox?-` configuration, and
legacy `xoxa-`/`xoxr-` workspace tokens.

Slack publishes no checksum; each kind has a strict layout (as gitleaks encodes them):
- bot: `xoxb-<10-13 digits>-<10-13 digits>-<24 alphanumerics>`
- user: `xoxp-` or `xoxe-` + three runs of 10-13 digits + 28-34 alphanumerics
- configuration refresh `xoxe-<digit>-<146>`, access `xoxe.xoxb-<digit>-<163-166>`
- legacy bot `xoxb-<8-14 digits>-<18-26>` and workspace `xoxa-`/`xoxr-` (medium: loose layouts)
The look-alike is a bot token whose last run has the wrong length.
"""

from __future__ import annotations

import random
import re

from mcpir.secrets.format import (
    ALNUM,
    BASE62,
    DIGITS,
    HEX,
    WORD_DASH,
    Confidence,
    Provider,
    bounded,
    looks_random,
    pick,
    pick_random,
    samples,
)

_STRICT_HIGH = re.compile(
    rf"xoxb-[0-9]{{10,13}}-[0-9]{{10,13}}-(?P<bot>[{ALNUM}]{{24}})"
    rf"|xox[pe](?:-[0-9]{{10,13}}){{3}}-(?P<user>[{ALNUM}]{{28,34}})"
    rf"|xoxe-[0-9]-(?P<refresh>[{ALNUM}]{{146}})"
    rf"|xoxe\.xox[bp]-[0-9]-(?P<config>[{ALNUM}]{{163,166}})"
)
_STRICT_MEDIUM = re.compile(
    rf"xoxb-[0-9]{{8,14}}-(?P<bot>[{ALNUM}]{{18,26}})|xox[ar]-(?:[0-9]-)?(?P<ws>[{ALNUM}]{{8,48}})"
)


def _random_tail(match: re.Match[str] | None) -> bool:
    return match is not None and looks_random(next(g for g in match.groups() if g))


def validate(token: str) -> bool:
    return _random_tail(_STRICT_HIGH.fullmatch(token)) or _random_tail(
        _STRICT_MEDIUM.fullmatch(token)
    )


def _grade(token: str) -> Confidence:
    return "high" if _STRICT_HIGH.fullmatch(token) else "medium"


def _number(rng: random.Random) -> str:
    return rng.choice("123456789") + pick(rng, DIGITS, rng.randrange(9, 13))


def fake(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        numbers = "-".join(_number(rng) for _ in range(3))
        return f"xoxp-{numbers}-{pick_random(rng, HEX, 32)}"
    if kind == 1:
        return f"xoxe-1-{pick_random(rng, BASE62, 146)}"
    if kind == 2:
        return f"xoxe.xoxp-1-{pick_random(rng, BASE62, 164)}"
    return f"xoxb-{_number(rng)}-{_number(rng)}-{pick_random(rng, BASE62, 24)}"


def lookalike(rng: random.Random) -> str:
    size = rng.choice((20, 21, 22, 23, 25, 27))
    return f"xoxb-{_number(rng)}-{_number(rng)}-{pick(rng, BASE62, size)}"


PROVIDER = Provider(
    name="slack",
    pattern=bounded(r"xox(?:[bpaer]|e\.xox[bp])-[A-Za-z0-9\-]{8,250}", WORD_DASH),
    validate=validate,
    fake=fake,
    lookalike=lookalike,
    lookalike_breaks="the bot token's last run is not 24 characters",
    confidence=_grade,
    keywords=("xox",),
    good=samples(
        fake,
        "slack",
        ("{}", "SLACK_BOT_TOKEN={}", "Authorization: Bearer {}", "{}", "{}", "{}"),
    ),
    bad=(
        "xoxb-not-a-real-token-at-all",
        "xoxb-1234567890-1234567890-" + "x" * 24,
        "xoxp-1234-5678",
    ),
)
