"""`mcpir scan --live`: ask configured MCP servers what they advertise (the official `mcp` SDK).

`run.list_live` starts or reaches each server, lists it and shuts it down; `model.LiveResult` is
what it returns. The SDK is imported only inside the functions that talk to a server.
"""
