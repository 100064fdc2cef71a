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

from mcpir.secrets.format import BASE62, DIGITS, WORD_DASH, Run, bounded, variant, variants

_NUMBER = Run(DIGITS, range(10, 14))
_WORKSPACE = Run(BASE62, range(8, 49), random=True)
# The configuration tokens' and some workspace tokens' single digit.
_ONE_DIGIT: tuple[str | Run, ...] = (Run(DIGITS, 1), "-")

PROVIDER = variants(
    "slack",
    bounded(r"xox(?:[bpaer]|e\.xox[bp])-[A-Za-z0-9\-]{8,250}", WORD_DASH),
    variant("xoxb-", *(_NUMBER, "-") * 2, Run(BASE62, 24, random=True)),
    *(
        variant(f"{kind}-", *(_NUMBER, "-") * 3, Run(BASE62, range(28, 35), random=True))
        for kind in ("xoxp", "xoxe")
    ),
    variant("xoxe-", *_ONE_DIGIT, Run(BASE62, 146, random=True)),
    *(
        variant(f"xoxe.{kind}-", *_ONE_DIGIT, Run(BASE62, range(163, 167), random=True))
        for kind in ("xoxb", "xoxp")
    ),
    variant(
        "xoxb-",
        Run(DIGITS, range(8, 15)),
        "-",
        Run(BASE62, range(18, 27), random=True),
        confidence="medium",
    ),
    # No fakes: at 8 characters a workspace token is shorter than a bare value the scan reads
    # (20) without a name vouching for it.
    *(
        variant(f"{kind}-", *lead, _WORKSPACE, confidence="medium", weight=0)
        for kind in ("xoxa", "xoxr")
        for lead in ((), _ONE_DIGIT)
    ),
    keywords=("xox",),
    near=[variant("xoxb-", *(_NUMBER, "-") * 2, Run(BASE62, (20, 21, 22, 23, 25, 27)))],
    lookalike_breaks="the bot token's last run is not 24 characters",
    templates=("{}", "SLACK_BOT_TOKEN={}", "Authorization: Bearer {}", "{}", "{}", "{}"),
    bad=(
        "xoxb-not-a-real-token-at-all",
        "xoxb-1234567890-1234567890-" + "x" * 24,
        "xoxp-1234-5678",
    ),
)
