"""mcpir: incident response for poisoned, leaking or hijacked MCP servers."""

__version__ = "0.1.0"
