from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.loading.shapes import drop_read_only


@pytest.mark.parametrize(
    ("service", "output", "request_shape", "value", "kept", "dropped"),
    [
        (
            "ecs",
            "TaskDefinition",
            "RegisterTaskDefinitionRequest",
            {"family": "web", "revision": 3, "status": "ACTIVE", "compatibilities": ["EC2"], "cpu": "256"},
            {"family": "web", "cpu": "256"},
            ["revision", "status", "compatibilities"],
        ),
        (
            "ecs",
            "Service",
            "CreateServiceRequest",
            {"serviceName": "web", "runningCount": 2, "events": [], "deployments": [], "desiredCount": 2},
            {"serviceName": "web", "desiredCount": 2},
            ["runningCount", "events", "deployments"],
        ),
        (
            "ecs",
            "Cluster",
            "CreateClusterRequest",
            {"clusterName": "prod", "clusterArn": "arn", "status": "ACTIVE", "statistics": [], "settings": []},
            {"clusterName": "prod", "settings": []},
            ["clusterArn", "status", "statistics"],
        ),
        (
            "application-autoscaling",
            "ScalingPolicy",
            "PutScalingPolicyRequest",
            {"PolicyName": "p", "PolicyARN": "arn", "Alarms": [], "CreationTime": "2025-01-01"},
            {"PolicyName": "p"},
            ["PolicyARN", "Alarms", "CreationTime"],
        ),
        # Members only the request has, and members neither shape knows, are not ours to drop.
        (
            "ecs",
            "Service",
            "CreateServiceRequest",
            {"serviceName": "web", "clientToken": "t", "colour": "blue"},
            {"serviceName": "web", "clientToken": "t", "colour": "blue"},
            [],
        ),
        (
            "ecs",
            "Task",
            "RunTaskRequest",
            {"taskArn": "arn", "overrides": {"containerOverrides": [{"name": "a"}]}, "group": "g"},
            {"overrides": {"containerOverrides": [{"name": "a"}]}, "group": "g"},
            ["taskArn"],
        ),
    ],
)
def test_read_only_members_are_dropped(
    service: str, output: str, request_shape: str, value: dict[str, Any], kept: dict[str, Any], dropped: list[str]
) -> None:
    assert drop_read_only(value, service, output, request_shape) == (kept, dropped)


def test_members_of_different_shapes_are_compared_member_by_member() -> None:
    # Cluster.serviceConnectDefaults (ClusterServiceConnectDefaults) and the request's shape share "namespace".
    value = {"clusterName": "c", "serviceConnectDefaults": {"namespace": "arn:ns"}}
    assert drop_read_only(value, "ecs", "Cluster", "CreateClusterRequest") == (value, [])


def test_the_same_shape_drops_nothing() -> None:
    value = {"containerPort": 80, "anything": 1}
    assert drop_read_only(value, "ecs", "PortMapping", "PortMapping") == (value, [])
