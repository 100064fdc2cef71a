"""Amazon Q Developer (CLI and IDE plugins): `mcpServers` in `mcp.json` and in agent files.

Where Q reads MCP servers:

- the legacy files `~/.aws/amazonq/mcp.json` and `<project>/.amazonq/mcp.json`, still read while
  an agent's `useLegacyMcpJson` is true (aws/amazon-q-developer-cli
  `crates/chat-cli/src/util/directories.rs`: `chat_legacy_global_mcp_config`,
  `chat_legacy_workspace_mcp_config`; `docs/agent-format.md`);
- Q CLI agents, `~/.aws/amazonq/cli-agents/*.json` and `<project>/.amazonq/cli-agents/*.json`
  (`GLOBAL_AGENT_DIR_RELATIVE_TO_HOME`, `WORKSPACE_AGENT_DIR_RELATIVE` in the same file);
- the IDE plugins' agent, `~/.aws/amazonq/agents/default.json` (docs.aws.amazon.com/amazonq,
  "Using MCP with Amazon Q Developer"), `<project>/.amazonq/agents/default.json`, and the other
  `agents/*.json` peers read (snyk/agent-scan `agents/partial/amazon_q.py`); the IDE page
  "MCP configuration for Q Developer in the IDE" also names `~/.aws/amazonq/default.json` and
  `.amazonq/default.json`, so those are read too.

A server entry takes `"disabled": true`: `CustomToolConfig.disabled` ("whether or not to load
this mcp server", `crates/chat-cli/src/cli/chat/tools/custom_tool.rs`). A legacy `mcp.json`
holding only servers is renamed by containment; an agent, which holds its prompt, tools and
hooks too, gets the flag, and `default.json` (the IDE's agent) is never renamed. No env-var
reference syntax is documented for Q's MCP entries, so `externalize` wraps servers in
`mcpir run`.

For `investigate`, not yet read: Q CLI keeps conversations in SQLite (`data.sqlite3` in
`~/.local/share/amazon-q/` or `~/Library/Application Support/amazon-q/`) and logs under
`$TMPDIR/qlog` (`directories.rs`: `database_path`, `logs_dir`).
"""

from __future__ import annotations

from mcpir.core.model import ConfigFile
from mcpir.core.paths import Scopes
from mcpir.discovery.bounded import at_most
from mcpir.discovery.client import Client, DisableKind, DisableMethod, servers_under

_USER_AGENTS = (".aws/amazonq/agents/*.json", ".aws/amazonq/cli-agents/*.json")
_PROJECT_AGENTS = (".amazonq/agents/*.json", ".amazonq/cli-agents/*.json")


def adjust(files: list[ConfigFile], scopes: Scopes) -> list[ConfigFile]:
    """A directory of agents is read up to a bound; the rest is one error line."""
    return at_most(files, "amazonq", _USER_AGENTS + _PROJECT_AGENTS)


CLIENT = Client(
    name="amazonq",
    title="Amazon Q Developer",
    user=(".aws/amazonq/mcp.json", ".aws/amazonq/default.json", *_USER_AGENTS),
    project=(".amazonq/mcp.json", ".amazonq/default.json", *_PROJECT_AGENTS),
    extract=servers_under(("mcpServers",)),
    shared_files=("default.json",),
    disable=DisableMethod(DisableKind.FLAG, key="disabled", value=True),
    adjust=adjust,
)
