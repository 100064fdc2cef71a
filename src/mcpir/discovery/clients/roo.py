"""Roo Code and its fork Kilo Code: `mcp_settings.json` and a project's `.roo/mcp.json`."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod, vscode_user_dirs

_EXTENSIONS = ("rooveterinaryinc.roo-cline", "kilocode.kilo-code")

CLIENT = Client(
    name="roo",
    title="Roo Code / Kilo Code",
    references=("${env:%s}", None),  # docs.roocode.com: env and args only
    user=tuple(
        f"{d}/globalStorage/{ext}/settings/mcp_settings.json"
        for d in vscode_user_dirs()
        for ext in _EXTENSIONS
    ),
    project=(".roo/mcp.json", ".kilocode/mcp.json"),
    disable=DisableMethod(DisableKind.FLAG, key="disabled", value=True),
)
