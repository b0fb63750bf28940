"""Placement strategies and constraints -> spreading, pod affinity and node affinity."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.ecs_api import PlacementConstraint, PlacementStrategy, TaskDefinitionPlacementConstraint
from ecs_operator.translate.context import TranslationError
from ecs_operator.translate.placement import (
    HOSTNAME_LABEL,
    ZONE_LABEL,
    constraint_fields,
    expression_terms,
    merge_pod_fields,
    parse_expression,
    pod_placement,
    strategy_fields,
)
from tests.k8s_schema import validate_object

OWN = {"ecs.compat.dev/cluster": "default", "ecs.compat.dev/service": "web"}
RESOURCE = "ECSService/web"


INSTANCE_TYPE = "node.kubernetes.io/instance-type"


def _in(key: str, *values: str) -> dict[str, Any]:
    return {"key": key, "operator": "In", "values": list(values)}


@pytest.mark.parametrize(
    ("expression", "terms"),
    [
        (
            "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
            [[_in(ZONE_LABEL, "us-east-1a", "us-east-1b")]],
        ),
        ("attribute:ecs.instance-type == t2.small", [[_in("node.kubernetes.io/instance-type", "t2.small")]]),
        ("attribute:ecs.os-type == linux", [[_in("kubernetes.io/os", "linux")]]),
        ("attribute:ecs.cpu-architecture == arm64", [[_in("kubernetes.io/arch", "arm64")]]),
        ("attribute:ecs.cpu-architecture equals x86_64", [[_in("kubernetes.io/arch", "amd64")]]),
        ("attribute:stack exists", [[{"key": "stack", "operator": "Exists"}]]),
        ("attribute:stack !exists", [[{"key": "stack", "operator": "DoesNotExist"}]]),
        (
            "attribute:ecs.instance-type != t2.micro",
            [[{"key": "node.kubernetes.io/instance-type", "operator": "NotIn", "values": ["t2.micro"]}]],
        ),
        (
            "attribute:ecs.availability-zone not in [us-east-1c]",
            [[{"key": ZONE_LABEL, "operator": "NotIn", "values": ["us-east-1c"]}]],
        ),
        (
            "attribute:ecs.availability-zone !in [us-east-1c, us-east-1d]",
            [[{"key": ZONE_LABEL, "operator": "NotIn", "values": ["us-east-1c", "us-east-1d"]}]],
        ),
        (
            "attribute:ecs.os-type == linux and attribute:example.com/team == payments",
            [[_in("kubernetes.io/os", "linux"), _in("example.com/team", "payments")]],
        ),
        (
            "attribute:ecs.instance-type == t2.small or attribute:ecs.instance-type == t2.medium",
            [
                [_in("node.kubernetes.io/instance-type", "t2.small")],
                [_in("node.kubernetes.io/instance-type", "t2.medium")],
            ],
        ),
        (
            "(attribute:a == x || attribute:a == y) && attribute:b exists",
            [[_in("a", "x"), {"key": "b", "operator": "Exists"}], [_in("a", "y"), {"key": "b", "operator": "Exists"}]],
        ),
        ("attribute:cores >= 4", [[{"key": "cores", "operator": "Gt", "values": ["3"]}]]),
        ("attribute:cores < 16", [[{"key": "cores", "operator": "Lt", "values": ["16"]}]]),
    ],
)
def test_expressions_become_node_selector_terms(expression: str, terms: list[list[dict[str, Any]]]) -> None:
    assert parse_expression(expression, "placementConstraints[0].expression") == terms


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("attribute:ecs.instance-type =~ zz9.*", "matches no known value"),
        ("attribute:ecs.instance-type =~ t2.**", "not a regular expression"),
        ("attribute:ecs.instance-type", "ends too early"),
        ("attribute:ecs.instance-type == t2.small and", "ends too early"),
        ("attribute:ecs.instance-type is t2.small", "unknown operator"),
        ("attribute:ecs.instance-type == [a, b]", "one value"),
        ("attribute:cores > many", "whole number"),
        ("attribute:Bad_Key! exists", "cannot read"),
        ("(attribute:a == x attribute:b exists)", "expected ')'"),
        ("(attribute:a == x", "ends too early"),
    ],
)
def test_unsupported_expressions_are_rejected_naming_the_field(expression: str, says: str) -> None:
    with pytest.raises(TranslationError) as error:
        parse_expression(expression, "placementConstraints[1].expression")
    assert error.value.field == "placementConstraints[1].expression"
    assert says in error.value.message


@pytest.mark.parametrize(
    ("strategy", "fields"),
    [
        ({"type": "random"}, {}),
        (
            {"type": "spread", "field": "attribute:ecs.availability-zone"},
            {
                "topologySpreadConstraints": [
                    {
                        "maxSkew": 1,
                        "topologyKey": ZONE_LABEL,
                        "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": {"matchLabels": OWN},
                    }
                ]
            },
        ),
        (
            {"type": "spread", "field": "instanceId"},
            {
                "topologySpreadConstraints": [
                    {
                        "maxSkew": 1,
                        "topologyKey": HOSTNAME_LABEL,
                        "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": {"matchLabels": OWN},
                    }
                ]
            },
        ),
    ],
)
def test_strategies(strategy: dict[str, Any], fields: dict[str, Any]) -> None:
    result, warnings = strategy_fields(
        PlacementStrategy.model_validate(strategy), "placementStrategy[0]", OWN, RESOURCE
    )
    assert result == fields
    assert warnings == []


def test_spread_on_host_is_the_same_as_instance_id() -> None:
    host, _ = strategy_fields(PlacementStrategy(type="spread", field="host"), "p", OWN, RESOURCE)
    assert host["topologySpreadConstraints"][0]["topologyKey"] == HOSTNAME_LABEL


def test_binpack_prefers_nodes_with_own_pods_and_says_it_is_approximate() -> None:
    fields, warnings = strategy_fields(
        PlacementStrategy(type="binpack", field="memory"), "placementStrategy[1]", OWN, RESOURCE
    )
    preferred = fields["affinity"]["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert preferred == [
        {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": OWN}, "topologyKey": HOSTNAME_LABEL}}
    ]
    assert [w.field for w in warnings] == ["placementStrategy[1].type"]


@pytest.mark.parametrize(
    ("strategy", "field"),
    [
        ({"type": "binpack", "field": "disk"}, "placementStrategy[0].field"),
        ({"type": "spread"}, "placementStrategy[0].field"),
        ({"type": "spread", "field": "cpu"}, "placementStrategy[0].field"),
    ],
)
def test_bad_strategies_name_the_field(strategy: dict[str, Any], field: str) -> None:
    with pytest.raises(TranslationError) as error:
        strategy_fields(PlacementStrategy.model_validate(strategy), "placementStrategy[0]", OWN, RESOURCE)
    assert error.value.field == field


T2 = ["t2.nano", "t2.micro", "t2.small", "t2.medium", "t2.large", "t2.xlarge", "t2.2xlarge"]


@pytest.mark.parametrize(
    ("expression", "terms", "noted"),
    [
        ("attribute:ecs.instance-type =~ t2.*", [[{"key": INSTANCE_TYPE, "operator": "In", "values": T2}]], True),
        ("attribute:ecs.instance-type matches t2.*", [[{"key": INSTANCE_TYPE, "operator": "In", "values": T2}]], True),
        ("attribute:ecs.instance-type !~ t2.*", [[{"key": INSTANCE_TYPE, "operator": "NotIn", "values": T2}]], True),
        ("attribute:ecs.instance-type == t2.*", [[{"key": INSTANCE_TYPE, "operator": "In", "values": T2}]], True),
        ("attribute:ecs.cpu-architecture =~ x86.*", [[_in("kubernetes.io/arch", "amd64")]], True),
        ("attribute:storage =~ ssd.*", [[{"key": "storage", "operator": "Exists"}]], True),
        ("attribute:storage !~ hdd.* and attribute:zone exists", [[{"key": "zone", "operator": "Exists"}]], True),
    ],
)
def test_pattern_matches_are_expanded_over_known_values(
    expression: str, terms: list[list[dict[str, Any]]], noted: bool
) -> None:
    """=~ (ECS's regular expression match): EC2 instance types come from botocore's EC2 model, and a pattern
    becomes the list of those it matches; a label whose values are not known is only required to exist."""
    found, notes = expression_terms(expression, "placementConstraints[0].expression")
    assert found == terms
    assert bool(notes) is noted


def test_a_pattern_that_always_holds_leaves_the_constraint_out() -> None:
    """An empty node selector term matches no node: a term whose every condition always holds makes none."""
    fields, notes = constraint_fields("memberOf", "attribute:storage !~ hdd.*", "placementConstraints[0]", OWN)
    assert fields == {}
    assert notes


def test_distinct_instance_is_required_anti_affinity_on_hostname() -> None:
    fields, notes = constraint_fields("distinctInstance", None, "placementConstraints[0]", OWN)
    assert notes == []
    assert fields == {
        "affinity": {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": OWN}, "topologyKey": HOSTNAME_LABEL}
                ]
            }
        }
    }


@pytest.mark.parametrize(
    ("kind", "expression", "field"),
    [
        ("distinctInstance", "attribute:a exists", "placementConstraints[0].expression"),
        ("memberOf", None, "placementConstraints[0].expression"),
        (None, None, "placementConstraints[0].type"),
    ],
)
def test_bad_constraints_name_the_field(kind: str | None, expression: str | None, field: str) -> None:
    with pytest.raises(TranslationError) as error:
        constraint_fields(kind, expression, "placementConstraints[0]", OWN)
    assert error.value.field == field


def test_constraints_of_service_and_task_definition_are_anded() -> None:
    fields, warnings = pod_placement(
        RESOURCE,
        OWN,
        [PlacementStrategy(type="spread", field="attribute:ecs.availability-zone")],
        [PlacementConstraint(type="memberOf", expression="attribute:ecs.os-type == linux or attribute:win exists")],
        [TaskDefinitionPlacementConstraint(type="memberOf", expression="attribute:ecs.cpu-architecture == arm64")],
    )
    terms = fields["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    arm = _in("kubernetes.io/arch", "arm64")
    assert terms == [
        {"matchExpressions": [_in("kubernetes.io/os", "linux"), arm]},
        {"matchExpressions": [{"key": "win", "operator": "Exists"}, arm]},
    ]
    assert len(fields["topologySpreadConstraints"]) == 1
    assert warnings == []
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    }
    pod["spec"].update(fields)
    validate_object(pod)


def test_task_definition_constraint_errors_name_the_task_definition_field() -> None:
    with pytest.raises(TranslationError) as error:
        pod_placement(
            RESOURCE,
            OWN,
            task_definition_constraints=[
                TaskDefinitionPlacementConstraint(type="memberOf", expression="attribute:cores > x")
            ],
        )
    assert error.value.field == "taskDefinition.placementConstraints[0].expression"


def test_merge_pod_fields_keeps_what_the_pod_had() -> None:
    spec: dict[str, Any] = {
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "a", "operator": "Exists"}],
    }
    merge_pod_fields(
        spec,
        {
            "nodeSelector": {"ecs.compat.dev/capacity-provider": "FARGATE"},
            "tolerations": [{"key": "b", "operator": "Exists"}],
        },
    )
    assert spec == {
        "nodeSelector": {"kubernetes.io/os": "linux", "ecs.compat.dev/capacity-provider": "FARGATE"},
        "tolerations": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}],
    }


def test_merge_refuses_contradicting_node_selectors() -> None:
    with pytest.raises(TranslationError):
        merge_pod_fields(
            {"nodeSelector": {"kubernetes.io/arch": "amd64"}}, {"nodeSelector": {"kubernetes.io/arch": "arm64"}}
        )


@pytest.mark.parametrize(
    ("expression", "terms"),
    [
        ("attribute:ecs.ami-id == ami-123", [[{"key": "ecs.ami-id", "operator": "In", "values": ["ami-123"]}]]),
        ("task:group == web and attribute:team == a", [[{"key": "team", "operator": "In", "values": ["a"]}]]),
        (
            "ec2InstanceId in [i-1, i-2] or attribute:team == a",
            [[], [{"key": "team", "operator": "In", "values": ["a"]}]],
        ),
    ],
)
def test_what_nodes_do_not_carry_is_noted_not_refused(expression: str, terms: list[list[dict[str, Any]]]) -> None:
    """ECS accepts these; an attribute no well-known label carries is a label of its name, and a condition on
    tasks or instance ids is left out (any node), each noted."""
    found, notes = expression_terms(expression, "placementConstraints[0].expression")
    assert found == terms
    assert notes
