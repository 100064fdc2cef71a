"""The shape of the code: which packages may import which."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "mcpir"

# Lowest first. A package imports from its own layer or below, never above; output renders
# what the layers below it return, and only the CLI (and the demo, which drives it) uses output.
# `incident` is the journal every edit goes through, so it sits with the foundations.
LAYERS: list[set[str]] = [
    {"mcpir", "core"},
    {"config", "secrets", "injection", "launchers", "incident"},
    # bom: records as CycloneDX, with the launchers' purls.
    {"discovery", "edits", "bom"},
    {"scan"},
    # workspace: one run's discovery and token listing, shared by the steps above it.
    {
        "containment",
        "tokens",
        "audit",
        "investigate",
        "proxy",
        "notify",
        "posture",
        "workspace",
        "live",
        "flows",
    },
    # org: an organization's repositories (GitHub API) and the merge of their results.
    {"schedule", "report", "org"},
    {"playbook"},
    {"output"},
    # ci: the GitHub Action's one entry point (scan, audit, posture, their renderers).
    {"ci"},
    {"cli", "demo"},
    {"launch"},
]

# Modules that sit loose in src/mcpir; the package root itself holds only `__version__`.
_ENTRY = {"launch": "launch", "__main__": "launch", "": "mcpir"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package(module: str) -> str:
    """The top-level package of `module`, given relative to `mcpir`."""
    head = module.split(".")[0]
    return _ENTRY.get(head, head)


def _imported(node: ast.AST, module: str, is_package: bool, modules: set[str]) -> list[str]:
    """The `mcpir` modules an import statement names, relative to `mcpir` (the root is "")."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = ["mcpir", *module.split(".")] if module else ["mcpir"]
            if not is_package:
                base.pop()
            base = base[: len(base) - node.level + 1]
            names = [".".join([*base, *([node.module] if node.module else [])])]
        else:
            names = [node.module or ""]
        # `from mcpir import output` imports the package `output`, not only the root.
        names += [
            name
            for alias in node.names
            if (name := f"{names[0]}.{alias.name}").removeprefix("mcpir.") in modules
        ]
    else:
        return []
    found = []
    for name in names:
        if name == "mcpir":
            found.append("")
        elif name.startswith("mcpir."):
            found.append(name.removeprefix("mcpir."))
    return found


def package_graph() -> dict[str, dict[str, set[str]]]:
    """package -> imported package -> the `module -> module` imports behind that edge.

    Every import counts: at the top, inside a function (a lazy import is still a dependency)
    and under `TYPE_CHECKING` (a type is part of the contract).
    """
    modules = {_module_name(path): path for path in SRC.rglob("*.py")}
    names = set(modules)
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            for target in _imported(node, module, is_package, names):
                source, dest = _package(module), _package(target)
                if source != dest:
                    graph[source][dest].add(f"mcpir.{module} -> mcpir.{target}".rstrip("."))
    return graph


def strongly_connected(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of packages that reach each other, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    nodes = set(graph) | {dest for edges in graph.values() for dest in edges}
    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return sorted((g for g in groups if len(g) > 1), key=len, reverse=True)


def test_packages_import_each_other_without_a_cycle() -> None:
    graph = package_graph()
    cycles = strongly_connected(graph)
    lines = []
    for group in cycles:
        lines.append("cycle between packages: " + " <-> ".join(group))
        for source in group:
            for dest in sorted(graph[source]):
                if dest in group:
                    lines.extend(f"    {edge}" for edge in sorted(graph[source][dest]))
    assert not cycles, "\n".join(lines)


def test_packages_import_only_their_own_layer_or_lower() -> None:
    layer = {package: number for number, members in enumerate(LAYERS) for package in members}
    graph = package_graph()
    packages = set(graph) | {dest for edges in graph.values() for dest in edges}
    assert packages <= set(layer), f"place in LAYERS: {sorted(packages - set(layer))}"
    upward = [
        f"{source} (layer {layer[source]}) imports {dest} (layer {layer[dest]}): {edge}"
        for source, edges in sorted(graph.items())
        for dest, found in sorted(edges.items())
        if layer[dest] > layer[source]
        for edge in sorted(found)
    ]
    assert not upward, "\n".join(upward)


MAX_LINES = 400
# Pure data tables, which read best whole: the injection phrases (regexes and the words that
# anchor them) and the demo machine's file contents.
DATA_TABLES = {"injection/patterns.py", "injection/act_words.py", "demo/content.py"}


def test_no_source_file_is_over_400_lines_except_data_tables() -> None:
    assert all((SRC / table).is_file() for table in DATA_TABLES), "stale DATA_TABLES entry"
    long = {
        path.relative_to(SRC).as_posix(): count
        for path in sorted(SRC.rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    over = [f"{name}: {count} lines" for name, count in long.items() if name not in DATA_TABLES]
    assert not over, f"split these into modules named for what they hold (max {MAX_LINES}):\n" + (
        "\n".join(over)
    )
