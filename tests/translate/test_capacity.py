"""Capacity providers -> node pools, and ECS's base/weight split of a task count."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.cluster import ECSClusterSpec
from ecs_operator.models.ecs_api import CapacityProviderStrategyItem
from ecs_operator.translate.capacity import (
    SPOT_TOLERATION,
    capacity_shares,
    provider_dns_name,
    provider_scheduling,
    split_count,
)
from ecs_operator.translate.context import ClusterContext, TranslationError

RESOURCE = "ECSService/web"
DEFAULT = ClusterContext()


def _items(*items: dict[str, Any]) -> list[CapacityProviderStrategyItem]:
    return [CapacityProviderStrategyItem.model_validate(item) for item in items]


def _cluster(**spec: Any) -> ClusterContext:
    return ClusterContext("prod", ECSClusterSpec.model_validate({"clusterName": "prod", **spec}))


@pytest.mark.parametrize(
    ("strategy", "count", "expected"),
    [
        # ECS's documented example: base 1 on FARGATE, then 1:4 by weight; 9 * 1/5 = 1.8 -> 2 by largest remainder.
        ([{"capacityProvider": "A", "base": 1, "weight": 1}, {"capacityProvider": "B", "weight": 4}], 10, [3, 7]),
        ([{"capacityProvider": "A", "weight": 1}, {"capacityProvider": "B", "weight": 1}], 4, [2, 2]),
        ([{"capacityProvider": "A", "weight": 1}, {"capacityProvider": "B", "weight": 1}], 3, [2, 1]),  # ties: order
        ([{"capacityProvider": "A", "weight": 1}, {"capacityProvider": "B", "weight": 2}], 1, [0, 1]),
        ([{"capacityProvider": "A", "base": 5, "weight": 0}, {"capacityProvider": "B", "weight": 1}], 3, [3, 0]),
        ([{"capacityProvider": "A", "base": 2, "weight": 0}, {"capacityProvider": "B", "weight": 1}], 6, [2, 4]),
        ([{"capacityProvider": "A"}], 7, [7]),  # a lone provider runs everything whatever its weight
        ([{"capacityProvider": "A", "weight": 1}, {"capacityProvider": "B", "weight": 1}], 0, [0, 0]),
        (
            [
                {"capacityProvider": "A", "weight": 3},
                {"capacityProvider": "B", "weight": 3},
                {"capacityProvider": "C", "weight": 1},
            ],
            10,
            [4, 4, 2],  # 4.29, 4.29, 1.43: the one left over goes to the largest remainder
        ),
    ],
)
def test_split_count(strategy: list[dict[str, Any]], count: int, expected: list[int]) -> None:
    assert split_count(_items(*strategy), count) == expected
    assert sum(expected) == count


def test_split_needs_a_weight_when_there_is_more_than_a_base() -> None:
    with pytest.raises(TranslationError) as error:
        split_count(_items({"capacityProvider": "A", "base": 1}, {"capacityProvider": "B"}), 3)
    assert error.value.field == "capacityProviderStrategy[0].weight"


@pytest.mark.parametrize(
    ("provider", "cluster", "scheduling"),
    [
        ("FARGATE", DEFAULT, {"nodeSelector": {"ecs.compat.dev/capacity-provider": "FARGATE"}}),
        (
            "FARGATE_SPOT",
            DEFAULT,
            {"nodeSelector": {"ecs.compat.dev/capacity-provider": "FARGATE_SPOT"}, "tolerations": [SPOT_TOLERATION]},
        ),
        (
            "FARGATE_SPOT",
            _cluster(
                nodePools=[{"capacityProvider": "FARGATE_SPOT", "nodeSelector": {"pool": "spot"}, "tolerations": []}]
            ),
            {"nodeSelector": {"pool": "spot"}},
        ),
        (
            "my-asg",
            _cluster(nodePools=[{"capacityProvider": "my-asg", "tolerations": [{"key": "gpu", "operator": "Exists"}]}]),
            {
                "nodeSelector": {"ecs.compat.dev/capacity-provider": "my-asg"},
                "tolerations": [{"key": "gpu", "operator": "Exists"}],
            },
        ),
    ],
)
def test_provider_scheduling(provider: str, cluster: ClusterContext, scheduling: dict[str, Any]) -> None:
    assert provider_scheduling(provider, cluster) == scheduling


def test_no_strategy_and_no_launch_type_runs_anywhere() -> None:
    shares, warnings = capacity_shares(None, None, DEFAULT, 3, RESOURCE)
    assert [(s.provider, s.suffix, s.count, s.scheduling) for s in shares] == [(None, None, 3, {})]
    assert warnings == []


def test_launch_type_fargate_is_the_fargate_pool_and_ec2_any_node() -> None:
    fargate, _ = capacity_shares(None, "FARGATE", DEFAULT, 2, RESOURCE)
    ec2, _ = capacity_shares(None, "EC2", DEFAULT, 2, RESOURCE)
    assert fargate[0].scheduling == {"nodeSelector": {"ecs.compat.dev/capacity-provider": "FARGATE"}}
    assert ec2[0].scheduling == {}


def test_launch_type_external_is_warned() -> None:
    shares, warnings = capacity_shares(None, "EXTERNAL", DEFAULT, 1, RESOURCE)
    assert shares[0].scheduling == {}
    assert [w.field for w in warnings] == ["launchType"]


def test_cluster_default_strategy_applies_when_the_service_gives_none() -> None:
    cluster = _cluster(
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[
            {"capacityProvider": "FARGATE", "weight": 1},
            {"capacityProvider": "FARGATE_SPOT", "weight": 1},
        ],
    )
    shares, _ = capacity_shares(None, None, cluster, 4, RESOURCE)
    assert [(s.provider, s.suffix, s.count) for s in shares] == [
        ("FARGATE", "fargate", 2),
        ("FARGATE_SPOT", "fargate-spot", 2),
    ]
    assert shares[1].scheduling["tolerations"] == [SPOT_TOLERATION]


def test_one_provider_has_no_suffix() -> None:
    shares, _ = capacity_shares(_items({"capacityProvider": "FARGATE_SPOT", "weight": 1}), None, DEFAULT, 2, RESOURCE)
    assert [(s.provider, s.suffix, s.count) for s in shares] == [("FARGATE_SPOT", None, 2)]


@pytest.mark.parametrize(
    ("strategy", "launch_type", "cluster", "field"),
    [
        ([{"capacityProvider": "FARGATE", "weight": 1}], "FARGATE", DEFAULT, "launchType"),
        (
            [{"capacityProvider": "FARGATE", "weight": 1}, {"capacityProvider": "FARGATE", "weight": 1}],
            None,
            DEFAULT,
            "capacityProviderStrategy[1].capacityProvider",
        ),
        (
            [{"capacityProvider": "A", "base": 1, "weight": 1}, {"capacityProvider": "B", "base": 1, "weight": 1}],
            None,
            DEFAULT,
            "capacityProviderStrategy[1].base",
        ),
        (
            [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
            None,
            _cluster(capacityProviders=["FARGATE"]),
            "capacityProviderStrategy[0].capacityProvider",
        ),
    ],
)
def test_invalid_strategies_name_the_field(
    strategy: list[dict[str, Any]], launch_type: str | None, cluster: ClusterContext, field: str
) -> None:
    with pytest.raises(TranslationError) as error:
        capacity_shares(_items(*strategy), launch_type, cluster, 2, RESOURCE)
    assert error.value.field == field


def test_node_pools_associate_providers_too() -> None:
    cluster = _cluster(nodePools=[{"capacityProvider": "gpu-asg"}])
    shares, _ = capacity_shares(_items({"capacityProvider": "gpu-asg", "weight": 1}), None, cluster, 1, RESOURCE)
    assert shares[0].provider == "gpu-asg"


@pytest.mark.parametrize(
    ("provider", "name"), [("FARGATE", "fargate"), ("FARGATE_SPOT", "fargate-spot"), ("my-asg", "my-asg")]
)
def test_provider_dns_name(provider: str, name: str) -> None:
    assert provider_dns_name(provider) == name
