"""The `mcpir` console script: `mcpir proxy` skips the typer CLI, everything else goes to it.

The proxy sits in front of every MCP server start, so it takes the standard-library entry
(`mcpir.proxy.entry`, same options) and starts about 100 ms sooner; `mcpir proxy --help` still
shows the CLI's help.
"""

from __future__ import annotations

import sys


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["proxy"]:
        own = argv[1 : argv.index("--")] if "--" in argv else argv[1:]
        if not {"--help", "-h"} & set(own):
            from mcpir.proxy.entry import main as proxy_main

            sys.exit(proxy_main(argv[1:]))
    from mcpir.cli import main as cli_main

    cli_main()
