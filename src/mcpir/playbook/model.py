"""A playbook: ordered incident steps, each an executable task with parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STEP_IDS = ("contain", "rotate", "audit", "investigate", "document")

SCHEMA_VERSION = 1  # bump with any change to SCHEMA or Step: it keys the validation cache
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "steps"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "steps": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title", "task"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                    "title": {"type": "string", "minLength": 1},
                    "task": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                    "params": {"type": "object"},
                    "on_failure": {"enum": ["stop", "continue"]},
                    "approval": {"type": "boolean"},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    task: str
    params: Mapping[str, Any] = field(default_factory=dict)
    on_failure: str = "stop"
    approval: bool = False
    line: int | None = None


@dataclass(frozen=True)
class Playbook:
    path: Path
    name: str
    description: str
    steps: tuple[Step, ...]
    sha256: str

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)
