"""format_validation_error and parse_spec: one line per problem, naming the field path."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from ecs_operator.models.base import Problem, SpecProblems, field_path
from ecs_operator.models.errors import SPEC_MODELS, format_validation_error, parse_spec
from tests.models.specs import container, taskdef


def lines(kind: str, spec: dict[str, Any], prefix: str = "spec") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_spec(kind, spec)
    return format_validation_error(caught.value, prefix)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            taskdef(container(memory="lots")),
            "spec.containerDefinitions[0].memory: Input should be a valid integer, "
            "unable to parse string as an integer (the AWS CLI refuses it too: Invalid type for parameter "
            "containerDefinitions[0].memory, value: 'lots')",
        ),
        (
            taskdef(container(Image="x")),
            "spec.containerDefinitions[0].Image: unknown field: not part of the ECS API shape "
            "(check the spelling and case); did you mean 'image'? (the AWS CLI refuses it too: Unknown parameter in "
            'containerDefinitions[0]: "Image")',
        ),
        (
            {"family": "web"},
            "spec.containerDefinitions: is required (the AWS CLI refuses it too: Missing required parameter in input: "
            '"containerDefinitions")',
        ),
        (
            taskdef(container(dockerLabels={"a": 1})),
            "spec.containerDefinitions[0].dockerLabels.a: Input should be a valid string (the AWS CLI refuses it "
            "too: Invalid type for parameter containerDefinitions[0].dockerLabels.a, value: 1)",
        ),
        (
            taskdef(container(portMappings=[{"containerPort": 80, "protocol": "sctp"}])),
            "spec.containerDefinitions[0].portMappings[0].protocol: Input should be 'tcp' or 'udp' "
            "(ECS accepts only these values)",
        ),
    ],
    ids=["type", "unknown field", "missing", "map value", "enum"],
)
def test_schema_errors_name_the_field(spec: dict[str, Any], expected: str) -> None:
    assert lines("TaskDefinition", spec) == [expected]


def test_dict_key_errors_keep_pydantics_key_marker() -> None:
    spec = {
        "taskDefinition": "a",
        "autoScaling": {"scalableTarget": {"MinCapacity": 1, "MaxCapacity": 2, "Tags": {"": "x"}}},
    }
    assert lines("ECSService", spec) == [
        "spec.autoScaling.scalableTarget.Tags[key]: String should have at least 1 character (ECS refuses it too)"
    ]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "spec",
            'spec.containerDefinitions[0].links[0]: no container named "x" in containerDefinitions '
            "(ECS refuses it too)",
        ),
        ("", 'containerDefinitions[0].links[0]: no container named "x" in containerDefinitions (ECS refuses it too)'),
        (
            "TaskDefinition/web",
            'TaskDefinition/web.containerDefinitions[0].links[0]: no container named "x" in containerDefinitions '
            "(ECS refuses it too)",
        ),
    ],
)
def test_prefix(prefix: str, expected: str) -> None:
    assert lines("TaskDefinition", taskdef(container(links=["x"])), prefix) == [expected]


def test_cross_field_problems_give_one_line_each_under_the_models_location() -> None:
    spec = {
        "taskDefinition": "a",
        "autoScaling": {"scalableTarget": {"MinCapacity": 3, "MaxCapacity": 2, "ServiceNamespace": "rds"}},
    }
    assert lines("ECSService", spec) == [
        'spec.autoScaling.scalableTarget.ServiceNamespace: must be "ecs" (or left out)',  # not an AWS error
        "spec.autoScaling.scalableTarget.MinCapacity: 3 exceeds MaxCapacity (2) (Application Auto Scaling refuses it "
        "too)",
    ]


def test_pydantics_own_message_still_lists_every_problem() -> None:
    """Callers that print the ValidationError itself (not formatted) still see each problem's path."""
    with pytest.raises(ValidationError, match=r"containerDefinitions\[0\]\.links\[0\]: no container named"):
        parse_spec("TaskDefinition", taskdef(container(links=["x"])))


@pytest.mark.parametrize(("kind", "model"), SPEC_MODELS.items())
def test_parse_spec_gives_the_kinds_model(kind: str, model: type) -> None:
    minimal: dict[str, dict[str, Any]] = {
        "ECSCluster": {},
        "TaskDefinition": taskdef(),
        "ECSService": {"taskDefinition": "web"},
        "ECSTask": {"taskDefinition": "web"},
        "SecurityGroup": {},
    }
    assert type(parse_spec(kind, minimal[kind])) is model


def test_parse_spec_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown kind 'Pod': one of ECSCluster, TaskDefinition"):
        parse_spec("Pod", {})


@pytest.mark.parametrize(
    ("parts", "path"),
    [
        (("a",), "a"),
        (("a", 0, "b"), "a[0].b"),
        (("a", 1, 2), "a[1][2]"),
        ((0, "b"), "[0].b"),
        (("a", "", "b"), "a.b"),
        ((), ""),
    ],
)
def test_field_path(parts: tuple[str | int, ...], path: str) -> None:
    assert field_path(*parts) == path


def test_spec_problems_reads_as_one_message() -> None:
    error = SpecProblems([Problem("a", "bad"), Problem("", "worse")])
    assert (str(error), len(error.problems)) == ("a: bad; worse", 2)
