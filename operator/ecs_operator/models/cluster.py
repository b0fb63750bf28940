"""The ECSCluster custom resource's spec: CreateCluster's request plus where capacity providers run.

Also the capacity provider strategy rules that services, tasks and clusters share.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import Field, model_validator

from ecs_operator.models.base import EcsModel, Problem, duplicate_problems, field_path, raise_problems
from ecs_operator.models.ecs_api import CapacityProviderStrategyItem, CreateClusterRequest

CAPACITY_PROVIDER_LABEL = "ecs.compat.dev/capacity-provider"
SPOT_TAINT_KEY = "ecs.compat.dev/spot"
MAX_STRATEGY_ITEMS = 20


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

    @model_validator(mode="after")
    def _cross_field(self) -> ECSClusterSpec:
        raise_problems(_cluster_problems(self))
        return self


def _cluster_problems(spec: ECSClusterSpec) -> Iterator[Problem]:
    providers = spec.capacityProviders or []
    yield from duplicate_problems(
        [(field_path("capacityProviders", i), name) for i, name in enumerate(providers)], "capacity provider"
    )
    pools = [
        (field_path("nodePools", i, "capacityProvider"), p.capacityProvider) for i, p in enumerate(spec.nodePools or [])
    ]
    yield from duplicate_problems(pools, "node pool for capacity provider")
    strategy = spec.defaultCapacityProviderStrategy or []
    yield from strategy_problems(strategy, "defaultCapacityProviderStrategy")
    for i, item in enumerate(strategy):
        if item.capacityProvider not in providers:
            yield Problem(
                field_path("defaultCapacityProviderStrategy", i, "capacityProvider"),
                f'"{item.capacityProvider}" is not in capacityProviders: list it there first',
            )


def strategy_problems(items: Sequence[CapacityProviderStrategyItem], path: str) -> Iterator[Problem]:
    """A capacity provider strategy as ECS accepts it: distinct providers, one base, some weight to place by."""
    if len(items) > MAX_STRATEGY_ITEMS:
        yield Problem(path, f"at most {MAX_STRATEGY_ITEMS} capacity providers")
    yield from duplicate_problems(
        [(field_path(path, i, "capacityProvider"), item.capacityProvider) for i, item in enumerate(items)],
        "capacity provider",
    )
    for i, item in enumerate(items):
        for name in ("base", "weight"):
            value = getattr(item, name)
            if value is not None and value < 0:
                yield Problem(field_path(path, i, name), "must not be negative")
    with_base = [i for i, item in enumerate(items) if (item.base or 0) > 0]
    for i in with_base[1:]:
        yield Problem(
            field_path(path, i, "base"), f"only one capacity provider may have a base (also {path}[{with_base[0]}])"
        )
    if len(items) > 1 and not any((item.weight or 0) > 0 for item in items):
        yield Problem(path, "at least one capacity provider needs a weight above 0 to place tasks")
