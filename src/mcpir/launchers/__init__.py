"""How servers are launched: command lines unwrapped, package runners and container images.

Kept out of `mcpir.checks` so that containment can read command lines without loading every
scan rule.
"""
