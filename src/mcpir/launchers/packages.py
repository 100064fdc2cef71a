"""Package runners (`npx`, `bunx`, `pnpm dlx`, `yarn dlx`, `uvx`, `pipx run`): what they install."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mcpir.core.model import Server
from mcpir.launchers.commands import argv, program

# Runner argv prefixes, the ecosystem, and options that take the package (or a value) next.
_RUNNERS: dict[tuple[str, ...], str] = {
    ("npx",): "npm",
    ("npm", "exec"): "npm",
    ("bunx",): "npm",
    ("bun", "x"): "npm",
    ("pnpm", "dlx"): "npm",
    ("pnpx",): "npm",
    ("yarn", "dlx"): "npm",
    ("uvx",): "pypi",
    ("uv", "tool", "run"): "pypi",
    ("pipx", "run"): "pypi",
}
_PACKAGE_OPTIONS = frozenset({"-p", "--package", "--from", "--spec"})
_VALUE_OPTIONS = frozenset(
    {"--python", "-python", "--with", "--registry", "--cache", "--index", "--index-url", "-c",
     "--call", "--userconfig", "--node-options", "--pip-args", "--with-requirements"}
)  # fmt: skip
_AUTO_YES = frozenset({"-y", "--yes"})
_EXACT_NPM = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$")
_EXACT_PY = re.compile(r"^\d+(?:\.\d+)*(?:(?:a|b|rc|\.post|\.dev)\d+)*(?:\+[0-9A-Za-z.]+)?$")


@dataclass(frozen=True)
class PackageRun:
    runner: str  # "npx", "pnpm dlx", …
    ecosystem: str  # "npm" | "pypi"
    spec: str  # the package as written
    name: str
    version: str | None  # None: no version at all
    exact: bool
    auto_yes: bool


def _split(spec: str, ecosystem: str) -> tuple[str, str | None, bool]:
    if ecosystem == "npm":
        at = spec.rfind("@")
        if at > 0:
            version = spec[at + 1 :]
            return spec[:at], version, bool(_EXACT_NPM.match(version))
        return spec, None, False
    match = re.match(r"^([A-Za-z0-9_.\-\[\],]+)\s*(==|@)\s*(.+)$", spec)
    if match:
        version = match.group(3)
        return match.group(1), version, bool(_EXACT_PY.match(version))
    match = re.match(r"^([A-Za-z0-9_.\-\[\],]+)\s*(>=|~=|<=|>|<|!=)", spec)
    if match:
        return match.group(1), spec[len(match.group(1)) :], False
    return spec, None, False


def package_run(server: Server) -> PackageRun | None:
    words = argv(server)
    names = [program(words[0])] + words[1:] if words else []
    for prefix, ecosystem in _RUNNERS.items():
        if tuple(names[: len(prefix)]) != prefix:
            continue
        rest, spec, auto_yes, index = names[len(prefix) :], None, False, 0
        while index < len(rest):
            word = rest[index]
            if word == "--":
                index += 1
                continue
            if word in _AUTO_YES:
                auto_yes = True
            elif word in _PACKAGE_OPTIONS and index + 1 < len(rest):
                spec = rest[index + 1]
                break
            elif word.split("=", 1)[0] in _PACKAGE_OPTIONS and "=" in word:
                spec = word.split("=", 1)[1]
                break
            elif word in _VALUE_OPTIONS:
                index += 1
            elif not word.startswith("-"):
                spec = word
                break
            index += 1
        if spec is None:
            return None
        name, version, exact = _split(spec, ecosystem)
        return PackageRun(" ".join(prefix), ecosystem, spec, name, version, exact, auto_yes)
    return None
