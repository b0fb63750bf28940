"""ECSClusterSpec: capacity providers, node pools and the default strategy."""

from __future__ import annotations

import pytest

from tests.models.specs import Spec, problems

PROVIDERS = ["FARGATE", "FARGATE_SPOT"]

VALID = {
    "empty": {},
    "named": {"clusterName": "prod"},
    "default strategy over associated providers": {
        "capacityProviders": PROVIDERS,
        "defaultCapacityProviderStrategy": [
            {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
            {"capacityProvider": "FARGATE_SPOT", "weight": 4},
        ],
    },
    "node pools": {
        "capacityProviders": PROVIDERS,
        "nodePools": [
            {"capacityProvider": "FARGATE", "nodeSelector": {"pool": "on-demand"}},
            {"capacityProvider": "FARGATE_SPOT", "tolerations": [{"key": "spot", "operator": "Exists"}]},
        ],
    },
}


@pytest.mark.parametrize("spec", VALID.values(), ids=VALID.keys())
def test_valid_clusters(spec: Spec) -> None:
    assert problems("ECSCluster", spec) == []


INVALID = {
    "strategy names a provider the cluster lacks": (
        {
            "capacityProviders": ["FARGATE"],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "SPOT", "weight": 1}],
        },
        'spec.defaultCapacityProviderStrategy[0].capacityProvider: "SPOT" is not in capacityProviders: '
        "list it there first",
    ),
    "strategy without any providers": (
        {"defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]},
        'spec.defaultCapacityProviderStrategy[0].capacityProvider: "FARGATE" is not in capacityProviders: '
        "list it there first",
    ),
    "strategy with two bases": (
        {
            "capacityProviders": PROVIDERS,
            "defaultCapacityProviderStrategy": [
                {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "base": 1},
            ],
        },
        "spec.defaultCapacityProviderStrategy[1].base: only one capacity provider may have a base "
        "(also defaultCapacityProviderStrategy[0])",
    ),
    "two node pools for one provider": (
        {"nodePools": [{"capacityProvider": "FARGATE"}, {"capacityProvider": "FARGATE"}]},
        'spec.nodePools[1].capacityProvider: duplicate node pool for capacity provider "FARGATE" '
        "(also at nodePools[0].capacityProvider)",
    ),
    "a provider listed twice": (
        {"capacityProviders": ["FARGATE", "FARGATE"]},
        'spec.capacityProviders[1]: duplicate capacity provider "FARGATE" (also at capacityProviders[0])',
    ),
    "cluster name with a space": (
        {"clusterName": "my cluster"},
        "spec.clusterName: String should match pattern '^[A-Za-z0-9_-]+$'",
    ),
}


@pytest.mark.parametrize(("spec", "expected"), INVALID.values(), ids=INVALID.keys())
def test_invalid_clusters(spec: Spec, expected: str) -> None:
    assert problems("ECSCluster", spec) == [expected]
