"""`mcpir proxy`: a transparent stdio relay between an MCP client and a server that logs every
JSON-RPC exchange, can redact secrets in responses, and pins tool definitions.

Only the standard library (and mcpir's redaction) is imported on the relay's path: the proxy
sits in front of every server start, so it must start fast and add little per message.
"""
