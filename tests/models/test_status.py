"""Status models: the status contract of docs/design.md, which the CRDs' status schemas enforce."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from ecs_operator.models.status import STATUS_MODELS

NOW = "2024-05-01T12:00:00Z"
READY = {"type": "Ready", "status": "True", "reason": "SteadyState", "message": "ok", "lastTransitionTime": NOW}
COMMON = {"observedGeneration": 3, "conditions": [READY], "warnings": ["spec.x: no effect"]}

EXAMPLES: dict[str, dict[str, Any]] = {
    "ECSCluster": {
        "clusterName": "default",
        "status": "ACTIVE",
        "runningTasksCount": 4,
        "pendingTasksCount": 1,
        "activeServicesCount": 2,
        "registeredContainerInstancesCount": 3,
    },
    "TaskDefinition": {
        "family": "web",
        "revision": 2,
        "taskDefinition": "web:2",
        "taskDefinitionArn": "arn:aws:ecs:local:000000000000:task-definition/web:2",
        "status": "ACTIVE",
        "revisions": [
            {"revision": 1, "status": "INACTIVE", "registeredAt": NOW, "deregisteredAt": NOW, "digest": "abc"},
            {"revision": 2, "status": "ACTIVE", "registeredAt": NOW, "digest": "def"},
        ],
    },
    "ECSService": {
        "serviceName": "web",
        "clusterName": "default",
        "status": "ACTIVE",
        "launchType": "FARGATE",
        "schedulingStrategy": "REPLICA",
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "taskDefinition": "web:2",
        "deployments": [
            {
                "id": "ecs-svc/1",
                "status": "PRIMARY",
                "taskDefinition": "web:2",
                "rolloutState": "COMPLETED",
                "createdAt": NOW,
            }
        ],
        "events": [{"id": "e1", "createdAt": NOW, "message": "(service web) has reached a steady state."}],
        "runningTasks": ["web-7d4b9c8f6d-abcde", "web-7d4b9c8f6d-fghij"],
    },
    "ECSTask": {
        "lastStatus": "STOPPED",
        "desiredStatus": "STOPPED",
        "taskDefinition": "batch:1",
        "stopCode": "EssentialContainerExited",
        "stoppedReason": "Essential container in task exited",
        "tasks": [
            {
                "podName": "batch-0",
                "lastStatus": "STOPPED",
                "cpu": "256",
                "memory": "512",
                "capacityProviderName": "FARGATE_SPOT",
                "createdAt": NOW,
                "startedAt": NOW,
                "stoppingAt": NOW,
                "stoppedAt": NOW,
                "containers": [{"name": "main", "lastStatus": "STOPPED", "exitCode": 1, "image": "busybox"}],
            }
        ],
    },
    "SecurityGroup": {"GroupId": "sg-0123", "members": 3},
}


@pytest.mark.parametrize("kind", STATUS_MODELS)
def test_status_contract_examples(kind: str) -> None:
    status = STATUS_MODELS[kind].model_validate({**COMMON, **EXAMPLES[kind]})
    assert status.to_ecs() == {**COMMON, **EXAMPLES[kind]}


@pytest.mark.parametrize(
    ("kind", "status", "field"),
    [
        ("ECSService", {"conditions": [{**READY, "type": "Available"}]}, "conditions.0.type"),
        ("ECSService", {"conditions": [{**READY, "status": "true"}]}, "conditions.0.status"),
        ("ECSService", {"conditions": [{**READY, "reason": "not camel"}]}, "conditions.0.reason"),
        ("ECSService", {"events": [{"id": str(i), "message": "m"} for i in range(101)]}, "events"),
        ("ECSService", {"runningTasks": [f"web-{i}" for i in range(101)]}, "runningTasks"),
        (
            "ECSService",
            {"deployments": [{"id": "d", "status": "PRIMARY", "rolloutState": "DONE"}]},
            "deployments.0.rolloutState",
        ),
        ("ECSTask", {"stopCode": "Crashed"}, "stopCode"),
        ("ECSTask", {"tasks": [{"startedAt": "when it started"}]}, "tasks.0.startedAt"),
        ("TaskDefinition", {"revisions": [{"revision": 0, "status": "ACTIVE"}]}, "revisions.0.revision"),
        ("ECSCluster", {"runningTasksCount": -1}, "runningTasksCount"),
    ],
)
def test_status_outside_the_contract_is_refused(kind: str, status: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        STATUS_MODELS[kind].model_validate(status)
    assert [".".join(map(str, error["loc"])) for error in caught.value.errors()] == [field]
