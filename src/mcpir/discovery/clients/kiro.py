"""Kiro (IDE and CLI): `mcpServers` in `settings/mcp.json`, in custom agents, in installed powers.

Where Kiro reads MCP servers (kiro.dev/docs/mcp/configuration, kiro.dev/docs/cli/mcp/configuration,
kiro.dev/docs/cli/custom-agents/configuration-reference):

- `~/.kiro/settings/mcp.json` (user) and `<project>/.kiro/settings/mcp.json` (workspace), merged
  with the workspace winning. Installing a power also namespaces its servers under
  `powers.mcpServers` in the user file (snyk/agent-scan `agents/vscode/kiro.py`, citing
  kiro.dev/docs/powers/installation); both sections are read.
- Kiro CLI custom agents, `~/.kiro/agents/<name>.json` and `<project>/.kiro/agents/<name>.json`,
  each with an inline `mcpServers` beside its prompt, tools and hooks (the Amazon Q CLI agent
  format, which Kiro CLI continues).
- A power as installed, `~/.kiro/powers/installed/<power>/mcp.json` next to its `POWER.md`.

Every entry takes `"disabled": true` (both configuration pages: "Whether the server is
disabled"). An MCP-only file is renamed by containment; an agent, which holds other settings,
gets the flag. Env values and headers expand `${VAR}` (the docs' `"${EXPANDED_VARIABLE}"` and
`"Bearer ${API_TOKEN}"` examples).

Not read: the IDE's Markdown custom agents (`.kiro/agents/*.md`, servers in YAML front matter).
For `investigate`, not yet read: the IDE keeps chats under its VS Code-style user dir
(`<app dir>/kiro/User/globalStorage/kiro.kiroagent/`) and MCP logs in its "Kiro - MCP Logs"
output channel (`logs/`); Kiro CLI keeps conversations in a SQLite database in its data dir.
"""

from __future__ import annotations

from mcpir.core.model import ConfigFile
from mcpir.core.paths import Scopes
from mcpir.discovery.bounded import at_most
from mcpir.discovery.client import Client, DisableKind, DisableMethod, servers_under

AGENTS = ".kiro/agents/*.json"
POWERS = ".kiro/powers/installed/*/mcp.json"


def adjust(files: list[ConfigFile], scopes: Scopes) -> list[ConfigFile]:
    """A directory of agents or powers is read up to a bound; the rest is one error line."""
    return at_most(files, "kiro", (AGENTS, POWERS))


CLIENT = Client(
    name="kiro",
    title="Kiro",
    references=("${%s}", "${%s}"),  # kiro.dev/docs/mcp/configuration: env and headers
    user=(
        ".kiro/settings/mcp.json",
        AGENTS,
        POWERS,
    ),
    project=(".kiro/settings/mcp.json", AGENTS),
    extract=servers_under(("mcpServers",), ("powers", "mcpServers")),
    disable=DisableMethod(DisableKind.FLAG, key="disabled", value=True),
    adjust=adjust,
)
