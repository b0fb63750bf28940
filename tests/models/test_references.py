from __future__ import annotations

import pytest

from ecs_operator.models.references import TaskDefinitionRef, parse_cluster, parse_task_definition


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("web", TaskDefinitionRef("web", None)),
        ("web:3", TaskDefinitionRef("web", 3)),
        ("Web_App-2:12", TaskDefinitionRef("Web_App-2", 12)),
        ("arn:aws:ecs:eu-west-1:123456789012:task-definition/web:14", TaskDefinitionRef("web", 14)),
        ("arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/web:2", TaskDefinitionRef("web", 2)),
        ("arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web", TaskDefinitionRef("web", None)),
    ],
)
def test_task_definition_references(value: str, expected: TaskDefinitionRef) -> None:
    assert parse_task_definition(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "web:",
        "web:latest",
        "web:0",
        "web:1:2",
        "arn:aws:ecs:eu-west-1:123456789012:service/web",
        "arn:aws:s3:::bucket/web:1",
        "has space",
    ],
)
def test_bad_task_definition_references(value: str) -> None:
    with pytest.raises(ValueError, match=r"task definition|revisions start at 1"):
        parse_task_definition(value)


@pytest.mark.parametrize(
    ("ref", "text"), [(TaskDefinitionRef("web", None), "web"), (TaskDefinitionRef("web", 4), "web:4")]
)
def test_task_definition_reference_text(ref: TaskDefinitionRef, text: str) -> None:
    assert str(ref) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("default", "default"),
        ("prod_eu-1", "prod_eu-1"),
        ("arn:aws:ecs:eu-west-1:123456789012:cluster/prod", "prod"),
    ],
)
def test_cluster_references(value: str, expected: str) -> None:
    assert parse_cluster(value) == expected


@pytest.mark.parametrize(
    "value", ["", "arn:aws:ecs:eu-west-1:123456789012:cluster/", "a/b", "arn:aws:ecs:r:1:service/x"]
)
def test_bad_cluster_references(value: str) -> None:
    with pytest.raises(ValueError, match="not a cluster name or cluster ARN"):
        parse_cluster(value)
