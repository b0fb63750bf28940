"""Capacity providers and launch types -> the node pools tasks run on, and how many tasks each pool runs.

A capacity provider is a node pool described by the ECSCluster (``ECSClusterSpec.nodePools``; by default
nodes labelled ``ecs.compat.dev/capacity-provider: <name>``). A strategy with several providers becomes one
workload per provider; ``split_count`` divides a task count among them as ECS does (docs/mapping-workloads.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ecs_operator.models.cluster import CAPACITY_PROVIDER_LABEL, SPOT_TAINT_KEY
from ecs_operator.models.ecs_api import CapacityProviderStrategyItem
from ecs_operator.translate.context import ClusterContext, FieldWarning, JsonDict, TranslationError, k8s_name

FARGATE = "FARGATE"
FARGATE_SPOT = "FARGATE_SPOT"
SPOT_TOLERATION = {"key": SPOT_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}


@dataclass(frozen=True)
class CapacityShare:
    """The part of a service's or RunTask's tasks that one capacity provider runs."""

    provider: str | None  # None: no capacity provider (launch type EC2, EXTERNAL, ...): any node
    suffix: str | None  # appended to the workload's name; None when the share is the only one
    count: int
    scheduling: JsonDict  # nodeSelector / tolerations of the provider's node pool


def capacity_shares(
    strategy: Sequence[CapacityProviderStrategyItem] | None,
    launch_type: str | None,
    cluster: ClusterContext,
    count: int,
    resource: str,
) -> tuple[list[CapacityShare], list[FieldWarning]]:
    """Where ``count`` tasks run: the given strategy, else the launch type, else the cluster's default strategy."""
    if strategy and launch_type:
        raise TranslationError("launchType", "give either launchType or capacityProviderStrategy, not both (as ECS)")
    if launch_type:
        return _launch_type_share(launch_type, cluster, count, resource)
    path = "capacityProviderStrategy"
    if not strategy and cluster.spec is not None and cluster.spec.defaultCapacityProviderStrategy:
        strategy, path = cluster.spec.defaultCapacityProviderStrategy, "cluster.defaultCapacityProviderStrategy"
    if not strategy:
        return [CapacityShare(None, None, count, {})], []  # ECS's default launch type is EC2: any node
    items = list(strategy)
    check_strategy(items, cluster, path)
    counts = split_count(items, count, path)
    suffixes = _suffixes(items, path) if len(items) > 1 else [None]
    shares = [
        CapacityShare(item.capacityProvider, suffix, share, provider_scheduling(item.capacityProvider, cluster))
        for item, suffix, share in zip(items, suffixes, counts, strict=True)
    ]
    return shares, []


def _launch_type_share(
    launch_type: str, cluster: ClusterContext, count: int, resource: str
) -> tuple[list[CapacityShare], list[FieldWarning]]:
    if launch_type == FARGATE:
        return [CapacityShare(FARGATE, None, count, provider_scheduling(FARGATE, cluster))], []
    warnings = []
    if launch_type != "EC2":
        message = f"launch type {launch_type} has no node pool of its own; the tasks run on any node"
        warnings.append(FieldWarning(resource, "launchType", message))
    return [CapacityShare(None, None, count, {})], warnings


def check_strategy(items: Sequence[CapacityProviderStrategyItem], cluster: ClusterContext, path: str) -> None:
    """The rules ECS applies to a strategy: known, distinct providers; at most one base."""
    names = [item.capacityProvider for item in items]
    for index, name in enumerate(names):
        if names.index(name) != index:
            raise TranslationError(f"{path}[{index}].capacityProvider", f"{name} is listed twice")
        if not _associated(name, cluster):
            raise TranslationError(
                f"{path}[{index}].capacityProvider",
                f"{name} is not a capacity provider of cluster {cluster.name}: add it to the ECSCluster's "
                "capacityProviders (and nodePools if its nodes are not labelled the default way)",
            )
    with_base = [index for index, item in enumerate(items) if item.base]
    if len(with_base) > 1:
        raise TranslationError(
            f"{path}[{with_base[1]}].base", "only one capacity provider in a strategy can have a base"
        )


def _associated(provider: str, cluster: ClusterContext) -> bool:
    if cluster.spec is None:  # the implicit default cluster: every provider is allowed
        return True
    pools = [pool.capacityProvider for pool in cluster.spec.nodePools or []]
    return provider in (cluster.spec.capacityProviders or []) or provider in pools


def split_count(
    items: Sequence[CapacityProviderStrategyItem], count: int, path: str = "capacityProviderStrategy"
) -> list[int]:
    """ECS's split of ``count`` tasks: the base first, the rest by weight (largest remainder, ties in order)."""
    shares = [min(item.base or 0, count) for item in items]  # check_strategy allows one base only
    rest = count - sum(shares)
    weights = [item.weight or 0 for item in items]
    total = sum(weights)
    if total == 0:
        if len(items) == 1:  # a lone provider runs everything, whatever its weight
            return [count]
        if rest:
            raise TranslationError(f"{path}[0].weight", "at least one capacity provider needs a weight above 0")
        return shares
    exact = [rest * weight / total for weight in weights]
    floors = [math.floor(value) for value in exact]
    leftover = rest - sum(floors)
    by_remainder = sorted(range(len(items)), key=lambda index: (-(exact[index] - floors[index]), index))
    for index in by_remainder[:leftover]:
        floors[index] += 1
    return [base + share for base, share in zip(shares, floors, strict=True)]


def provider_scheduling(provider: str, cluster: ClusterContext) -> JsonDict:
    """nodeSelector and tolerations of a capacity provider's node pool."""
    pool = (
        next((p for p in (cluster.spec.nodePools or []) if p.capacityProvider == provider), None)
        if cluster.spec
        else None
    )
    selector = pool.nodeSelector if pool and pool.nodeSelector is not None else {CAPACITY_PROVIDER_LABEL: provider}
    tolerations = pool.tolerations if pool and pool.tolerations is not None else None
    if tolerations is None:
        tolerations = [dict(SPOT_TOLERATION)] if provider == FARGATE_SPOT else []
    scheduling: JsonDict = {"nodeSelector": dict(selector)} if selector else {}
    if tolerations:
        scheduling["tolerations"] = [dict(toleration) for toleration in tolerations]
    return scheduling


def provider_dns_name(provider: str) -> str:
    """A provider's name as part of a Kubernetes name: FARGATE_SPOT -> fargate-spot."""
    return k8s_name(provider.lower().replace("_", "-"), max_length=30)


def _suffixes(items: Sequence[CapacityProviderStrategyItem], path: str) -> list[str | None]:
    suffixes: list[str | None] = []
    for index, item in enumerate(items):
        suffix = provider_dns_name(item.capacityProvider)
        if suffix in suffixes:
            raise TranslationError(
                f"{path}[{index}].capacityProvider", f"{item.capacityProvider} gives the same workload name as another"
            )
        suffixes.append(suffix)
    return suffixes
