"""Across an organization: which of its repositories hold an MCP config (`org repos`, through
the GitHub API) and one report from every repository's result (`org merge`)."""
