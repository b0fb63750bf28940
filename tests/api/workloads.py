"""ECS requests the API tests send, shaped as people write them for the AWS CLI and boto3."""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]


def task_definition(family: str = "web", image: str = "nginx:1.27", **extra: Any) -> JsonDict:
    """A Fargate web server, as `aws ecs register-task-definition --cli-input-json` takes it."""
    return {
        "family": family,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {
                "name": "app",
                "image": image,
                "essential": True,
                "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
                "environment": [{"name": "MODE", "value": "web"}],
            }
        ],
        **extra,
    }


def batch_definition(family: str = "batch") -> JsonDict:
    return {
        "family": family,
        "containerDefinitions": [{"name": "job", "image": "busybox:1.36", "essential": True, "memory": 128}],
    }


def networking(*groups: str) -> JsonDict:
    return {
        "awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": list(groups), "assignPublicIp": "DISABLED"}
    }
