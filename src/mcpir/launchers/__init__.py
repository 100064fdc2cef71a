"""How servers are launched: command lines unwrapped, package runners and container images.

Kept out of `mcpir.scan.checks` so that containment can read command lines without loading every
scan rule.
"""
