"""action.yml and the reusable org-sweep workflow, validated against SchemaStore's schemas
(vendored in tests/fixtures/schemas/, see its README), and held to what mcpir needs of them:
every action pinned by a full commit SHA, inputs reaching scripts as variables, the options
the scripts pass being ones `mcpir` takes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "org-sweep.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


class _Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 booleans, as GitHub reads workflows: `on:` is a key, not `True`."""


_Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def load(path: Path) -> Any:  # noqa: ANN401 - a YAML document
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12Loader)  # noqa: S506


def _errors(document: Any, schema_file: str) -> list[str]:  # noqa: ANN401
    schema = json.loads((SCHEMAS / schema_file).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize(("path", "schema"), [(ACTION, "github-action.json"),
                                              (WORKFLOW, "github-workflow.json")])  # fmt: skip
def test_valid_against_schemastore(path: Path, schema: str) -> None:
    assert _errors(load(path), schema) == []


def test_the_schemas_catch_a_broken_file() -> None:
    broken = load(ACTION)
    broken["runs"]["using"] = "docker-compose"
    del broken["description"]
    assert len(_errors(broken, "github-action.json")) >= 2
    workflow = load(WORKFLOW)
    del workflow["jobs"]["scan"]["runs-on"]  # a job with steps needs a runner
    workflow["on"]["workflow_call"]["inputs"]["org"]["type"] = "list"
    assert _errors(workflow, "github-workflow.json")


def _steps() -> list[dict[str, Any]]:
    workflow = load(WORKFLOW)
    steps: list[dict[str, Any]] = list(load(ACTION)["runs"]["steps"])
    for job in workflow["jobs"].values():
        steps += job.get("steps", [])
    return steps


def test_every_action_is_pinned_by_a_commit() -> None:
    used = [step["uses"] for step in _steps() if "uses" in step]
    assert used and all(PINNED.match(u) or u.startswith("./") for u in used), used
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in used)


def test_no_expression_is_pasted_into_a_script() -> None:
    """`${{ inputs.x }}` inside `run:` is script injection; values go through `env:`."""
    for step in _steps():
        assert "${{" not in step.get("run", ""), step.get("name")


def _options(command: list[str]) -> set[str]:
    import typer

    from mcpir.cli import app

    cmd: Any = typer.main.get_command(app)
    for word in command:
        cmd = cmd.get_command(cmd.context_class(cmd), word)
        assert cmd is not None, command
    return {opt for param in cmd.params for opt in getattr(param, "opts", [])} | {
        opt for param in cmd.params for opt in getattr(param, "secondary_opts", [])
    }


def test_scripts_pass_only_options_mcpir_takes() -> None:
    action_run = next(s["run"] for s in load(ACTION)["runs"]["steps"] if s.get("id") == "run")
    assert "args=(action " in action_run  # the action's one entry point: `mcpir action`
    used = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", action_run))
    assert used <= _options(["action"]), used - _options(["action"])
    sweep = "\n".join(s.get("run", "") for s in _steps())
    for sub in ("repos", "merge"):
        lines = [line for line in sweep.splitlines() if f"mcpir org {sub}" in line]
        used = {o for line in lines for o in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", line)}
        assert lines and used <= _options(["org", sub]), (sub, used)


def test_action_inputs_match_what_mcpir_accepts() -> None:
    inputs = load(ACTION)["inputs"]
    assert inputs["fail-on"]["default"] in ("high", "medium", "low", "never")
    assert inputs["audit"]["default"] in ("auto", "pull", "full", "off")
