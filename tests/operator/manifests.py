"""ECS-shaped custom resources for the operator tests, as a user would kubectl apply them."""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]
API_VERSION = "ecs.compat.dev/v1alpha1"


def task_definition(name: str = "web", image: str = "nginx:1.27", **spec: Any) -> JsonDict:
    containers = [
        {"name": "app", "image": image, "essential": True, "memory": 256, "portMappings": [{"containerPort": 80}]}
    ]
    return {
        "apiVersion": API_VERSION,
        "kind": "TaskDefinition",
        "metadata": {"name": name},
        "spec": {"family": name, "containerDefinitions": containers, **spec},
    }


def service(name: str = "web", task_definition: str = "web", desired: int = 2, **spec: Any) -> JsonDict:
    return {
        "apiVersion": API_VERSION,
        "kind": "ECSService",
        "metadata": {"name": name},
        "spec": {"serviceName": name, "taskDefinition": task_definition, "desiredCount": desired, **spec},
    }


def task(name: str = "job", task_definition: str = "batch", **spec: Any) -> JsonDict:
    return {
        "apiVersion": API_VERSION,
        "kind": "ECSTask",
        "metadata": {"name": name},
        "spec": {"taskDefinition": task_definition, **spec},
    }


def cluster(name: str = "prod", **spec: Any) -> JsonDict:
    return {
        "apiVersion": API_VERSION,
        "kind": "ECSCluster",
        "metadata": {"name": name},
        "spec": {"clusterName": name, **spec},
    }
