"""The ECSCluster custom resource's spec: CreateCluster's request plus where capacity providers run."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ecs_operator.models.base import EcsModel
from ecs_operator.models.ecs_api import CreateClusterRequest

CAPACITY_PROVIDER_LABEL = "ecs.compat.dev/capacity-provider"
SPOT_TAINT_KEY = "ecs.compat.dev/spot"


class NodePool(EcsModel):
    """The Kubernetes nodes that stand for one capacity provider."""

    capacityProvider: str = Field(min_length=1, description="FARGATE, FARGATE_SPOT or an EC2 capacity provider name.")
    nodeSelector: dict[str, str] | None = Field(
        default=None,
        description=f"Node labels that select the pool; default {CAPACITY_PROVIDER_LABEL}: <capacityProvider>.",
    )
    tolerations: list[dict[str, Any]] | None = Field(
        default=None,
        description=f"Tolerations for the pool's taints; FARGATE_SPOT tolerates {SPOT_TAINT_KEY} by default.",
    )


class ECSClusterSpec(CreateClusterRequest):
    """An ECS cluster: a namespace-local grouping of services and tasks, and its capacity providers."""

    clusterName: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The cluster name; defaults to the resource's name.",
    )
    nodePools: list[NodePool] | None = Field(
        default=None,
        description="How each capacity provider maps onto nodes; providers not listed use the default labels.",
    )
