"""Every member of every request shape the custom resources carry is classified (botocore is the list)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ecs_operator.tools.codegen import AUTOSCALING_ROOTS, EC2_ROOTS, ECS_ROOTS, load_shapes, reachable_shapes
from ecs_operator.translate.coverage import Ignored, Partial, Rejected, classification_table
from ecs_operator.translate.coverage_workloads import WORKLOAD_FIELDS

SERVICES = (("ecs", ECS_ROOTS), ("application-autoscaling", AUTOSCALING_ROOTS), ("ec2", EC2_ROOTS))


def _walk(shapes: dict[str, Any], roots: tuple[str, ...], table: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(classified keys met, unclassified keys met); members below Ignored / Rejected ones are covered."""
    classified: set[str] = set()
    missing: set[str] = set()
    seen: set[str] = set()

    def shape(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        node = shapes[name]
        if node["type"] == "list":
            shape(node["member"]["shape"])
        elif node["type"] == "map":
            shape(node["value"]["shape"])
        elif node["type"] == "structure":
            for member, spec in node["members"].items():
                key = f"{name}.{member}"
                if key not in table:
                    missing.add(key)
                    continue
                classified.add(key)
                if not isinstance(table[key], Ignored | Rejected):
                    shape(spec["shape"])

    for root in roots:
        shape(root)
    return classified, missing


@pytest.mark.parametrize(("service", "roots"), SERVICES)
def test_every_member_is_classified(service: str, roots: tuple[str, ...]) -> None:
    table = classification_table()
    classified, missing = _walk(load_shapes(service), roots, table)
    print(f"{service}: {len(classified)} members classified, {len(missing)} missing")
    assert sorted(missing) == []
    assert len(classified) > 20


def test_every_workload_key_is_a_botocore_member_not_shared_with_task_definitions() -> None:
    members: set[str] = set()
    for service, roots in SERVICES:
        shapes = load_shapes(service)
        members |= {f"{name}.{m}" for name in reachable_shapes(shapes, roots) for m in shapes[name]["members"]}
    ecs = load_shapes("ecs")
    task_definition = set(reachable_shapes(ecs, ("RegisterTaskDefinitionRequest",)))
    assert sorted(WORKLOAD_FIELDS.keys() - members) == []
    task_definition_keys = {f"{name}.{m}" for name in task_definition for m in ecs[name]["members"]}
    assert sorted(WORKLOAD_FIELDS.keys() & task_definition_keys) == []


def test_classification_counts() -> None:
    kinds: dict[str, int] = {}
    for rule in WORKLOAD_FIELDS.values():
        kinds[type(rule).__name__] = kinds.get(type(rule).__name__, 0) + 1
    print(f"workload fields: {len(WORKLOAD_FIELDS)} {kinds}")
    assert set(kinds) == {"Translated", "Partial", "Ignored", "Rejected"}
    assert sum(kinds.values()) == len(WORKLOAD_FIELDS)


@pytest.mark.parametrize(
    ("container", "warned"),
    [
        ({"name": "app", "image": "nginx", "memory": 64, "ulimits": []}, []),
        (
            {
                "name": "app",
                "image": "nginx",
                "memory": 64,
                "ulimits": [{"name": "nofile", "softLimit": 1, "hardLimit": 2}],
            },
            ["containerDefinitions[0].ulimits"],
        ),
    ],
    ids=["empty list asks for nothing", "given list is warned"],
)
def test_field_warnings_skip_empty_collections(container: dict[str, Any], warned: list[str]) -> None:
    from ecs_operator.models.taskdefinition import TaskDefinitionSpec
    from ecs_operator.translate.coverage import field_warnings

    spec = TaskDefinitionSpec.model_validate({"family": "web", "containerDefinitions": [container]})
    fields = [w.field for w in field_warnings("TaskDefinition/web", spec) if "ulimits" in w.field]
    assert fields == warned


@pytest.mark.parametrize(
    ("value", "warned"),
    [(False, []), (True, ["enableExecuteCommand"])],
    ids=["switched off asks for nothing", "switched on is warned"],
)
def test_ignored_switches_warn_only_when_on(value: bool, warned: list[str]) -> None:
    from ecs_operator.models.service import ECSServiceSpec
    from ecs_operator.translate.coverage import field_warnings

    spec = ECSServiceSpec.model_validate({"taskDefinition": "web", "enableExecuteCommand": value})
    assert [w.field for w in field_warnings("ECSService/web", spec)] == warned


def test_docs_say_what_each_field_warning_means() -> None:
    """docs/warnings.md lists every field classified as having no or a partial effect, with its reason."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "warnings.md").read_text()
    warned = {key: rule for key, rule in classification_table().items() if isinstance(rule, Ignored | Partial)}
    missing = [key for key in warned if f"| `{key}` |" not in text]
    assert missing == [], "add these to docs/warnings.md's last table"
    stale = [
        key
        for key, rule in warned.items()
        if (rule.reason if isinstance(rule, Ignored) else rule.caveat).replace("|", "/") not in text
    ]
    assert stale == [], "their reason changed: update docs/warnings.md"
