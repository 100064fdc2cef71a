"""The AI-BOM: MCP servers as CycloneDX 1.6 services, their launcher packages and images as
components with purls, scan findings as vulnerabilities (`servers --format cyclonedx`,
`org merge --format cyclonedx`). cyclonedx-python-lib is imported inside the calls."""
