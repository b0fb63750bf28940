"""SecurityGroup -> NetworkPolicy for its members."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.ec2_api import IpPermission
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.translate.context import Meta, SecurityGroupRef, Target, TranslationError
from ecs_operator.translate.securitygroup import (
    DNS_EGRESS,
    enforcement_gaps,
    find_group,
    membership_label,
    permission_ports,
    render_security_group,
)
from tests.k8s_schema import validate_objects

META = Meta("SecurityGroup", "web", "shop", "uid-9")


def _group(name: str, **spec: Any) -> SecurityGroupRef:
    return SecurityGroupRef(name, SecurityGroupSpec.model_validate(spec))


DB = _group("db", GroupId="sg-0db", GroupName="database")


def _render(**spec: Any) -> tuple[dict[str, Any], list[str]]:
    rendered = render_security_group(_group("web", GroupId="sg-0web", **spec), META, [DB])
    assert validate_objects(rendered.objects) == 1
    return rendered.objects[0], [w.field for w in rendered.warnings]


@pytest.mark.parametrize(
    ("permission", "ports"),
    [
        ({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}, [{"protocol": "TCP", "port": 443}]),
        ({"IpProtocol": "udp", "FromPort": 8000, "ToPort": 8100}, [{"protocol": "UDP", "port": 8000, "endPort": 8100}]),
        ({"IpProtocol": "6", "FromPort": 0, "ToPort": 65535}, [{"protocol": "TCP"}]),
        ({"IpProtocol": "sctp", "FromPort": 9, "ToPort": 9}, [{"protocol": "SCTP", "port": 9}]),
        ({"IpProtocol": "-1"}, []),
        ({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1}, None),
        ({"IpProtocol": "50"}, None),
    ],
)
def test_permission_ports(permission: dict[str, Any], ports: list[dict[str, Any]] | None) -> None:
    assert permission_ports(IpPermission.model_validate(permission), "IpPermissions[0]") == ports


def test_ingress_rules_with_cidrs_and_groups() -> None:
    policy, warnings = _render(
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
                "Ipv6Ranges": [{"CidrIpv6": "fd00::/8"}],
                "UserIdGroupPairs": [{"GroupId": "sg-0db"}, {"GroupName": "web"}],
            }
        ]
    )
    assert policy["spec"]["podSelector"] == {"matchLabels": {"securitygroup.ecs.compat.dev/web": "member"}}
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {"ipBlock": {"cidr": "10.0.0.0/16"}},
                {"ipBlock": {"cidr": "fd00::/8"}},
                {"podSelector": {"matchLabels": {"securitygroup.ecs.compat.dev/db": "member"}}},
                {"podSelector": {"matchLabels": {"securitygroup.ecs.compat.dev/web": "member"}}},
            ],
            "ports": [{"protocol": "TCP", "port": 80}],
        }
    ]
    assert policy["metadata"]["ownerReferences"][0]["uid"] == "uid-9"
    assert warnings == ["IpPermissions[0].IpRanges[0].CidrIp"]  # 10.0.0.0/16: private, see below


@pytest.mark.parametrize(
    ("spec", "egress"),
    [
        # Left out: EC2 (and CloudFormation) give a new group an allow-all outbound rule.
        ({}, [{}]),
        # All outbound rules removed: no egress, but DNS, which EC2 never filters.
        ({"IpPermissionsEgress": []}, [DNS_EGRESS]),
        (
            {"IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
            [{}, DNS_EGRESS],
        ),
        (
            {
                "IpPermissionsEgress": [
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "52.0.0.0/8"}]}
                ]
            },
            [{"to": [{"ipBlock": {"cidr": "52.0.0.0/8"}}], "ports": [{"protocol": "TCP", "port": 443}]}, DNS_EGRESS],
        ),
    ],
    ids=["omitted", "empty", "allow all", "one rule"],
)
def test_egress_rules(spec: dict[str, Any], egress: list[dict[str, Any]]) -> None:
    policy, _ = _render(**spec)
    assert policy["spec"]["ingress"] == []
    assert policy["spec"]["egress"] == egress


@pytest.mark.parametrize(
    ("cidr", "warned"),
    [
        ("10.0.0.0/16", True),
        ("172.31.0.0/16", True),
        ("192.168.1.0/24", True),
        ("10.0.0.0/8", True),
        ("172.32.0.0/16", False),
        ("52.94.0.0/16", False),
        ("0.0.0.0/0", False),
    ],
)
def test_private_cidrs_are_warned_because_pods_do_not_have_vpc_addresses(cidr: str, warned: bool) -> None:
    permission = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": cidr}]}
    policy, warnings = _render(IpPermissions=[permission], IpPermissionsEgress=[permission])
    expected = ["IpPermissions[0].IpRanges[0].CidrIp", "IpPermissionsEgress[0].IpRanges[0].CidrIp"]
    assert warnings == (expected if warned else [])
    assert len(policy["spec"]["ingress"]) == 1  # still translated: the range may be the cluster's


def test_icmp_and_prefix_lists_are_warned_and_allow_nothing() -> None:
    policy, warnings = _render(
        IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": "pl-1"}]},
        ]
    )
    # A rule with no expressible peer must not turn into a rule without peers (which would allow everyone).
    assert policy["spec"]["ingress"] == []
    assert "IpPermissions[0].IpProtocol" in warnings
    assert "IpPermissions[1]" in warnings
    assert "IpPermissions[1].PrefixListIds" in warnings


def test_tags_and_description_become_annotations_and_read_only_fields_are_warned() -> None:
    policy, warnings = _render(Tags=[{"Key": "team", "Value": "a"}], Description="web tier", VpcId="vpc-1")
    assert policy["metadata"]["annotations"] == {
        "ecs.compat.dev/tags": '{"team": "a"}',
        "ecs.compat.dev/description": "web tier",
    }
    assert warnings == ["VpcId"]


INGRESS_CONTROLLER = {
    "namespaceSelector": {
        "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["ingress-nginx"]}]
    }
}
DB_MEMBERS = {"podSelector": {"matchLabels": {"securitygroup.ecs.compat.dev/db": "member"}}}
PORTS = [{"protocol": "TCP", "port": 1, "endPort": 2}]


@pytest.mark.parametrize(
    ("direction", "pairs", "peers", "warned"),
    [
        # An ALB's group, which the operator does not manage: traffic from the ingress controller stands in.
        (
            "IpPermissions",
            [{"GroupId": "sg-alb"}, {"GroupId": "sg-0db"}],
            [INGRESS_CONTROLLER, DB_MEMBERS],
            ["IpPermissions[0].UserIdGroupPairs[0]"],
        ),
        ("IpPermissions", [{"GroupName": "alb"}, {"GroupId": "sg-alb2"}], [INGRESS_CONTROLLER],
         ["IpPermissions[0].UserIdGroupPairs[0]", "IpPermissions[0].UserIdGroupPairs[1]"]),
        # A database's group outside the cluster: any address on the rule's ports (wider, warned).
        (
            "IpPermissionsEgress",
            [{"GroupId": "sg-rds"}],
            [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
            ["IpPermissionsEgress[0].UserIdGroupPairs[0]"],
        ),
    ],
)  # fmt: skip
def test_a_peer_group_the_operator_does_not_manage_allows_what_it_can_mean(
    direction: str, pairs: list[dict[str, Any]], peers: list[dict[str, Any]], warned: list[str]
) -> None:
    """Never an empty rule list that blocks everything while the group reads as enforced."""
    permission = {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 2, "UserIdGroupPairs": pairs}
    policy, warnings = _render(**{direction: [permission]})
    key, rules = ("from", "ingress") if direction == "IpPermissions" else ("to", "egress")
    assert policy["spec"][rules][0] == {key: peers, "ports": PORTS}
    assert warnings == warned


def test_enforcement_gaps_say_why_a_group_is_not_enforced() -> None:
    alb = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupId": "sg-alb"}]}
    web = SecurityGroupRef("web", SecurityGroupSpec.model_validate({"GroupId": "sg-web", "IpPermissions": [alb]}))
    [gap] = enforcement_gaps(web, [], Target(ingress_namespaces=("traefik",)))
    assert gap.startswith("IpPermissions[0].UserIdGroupPairs[0]: no SecurityGroup 'sg-alb'")
    assert "(traefik;" in gap
    plain = SecurityGroupRef("db", SecurityGroupSpec.model_validate({"GroupId": "sg-db"}))
    assert enforcement_gaps(plain, []) == []


def test_to_port_below_from_port_is_an_error() -> None:
    with pytest.raises(TranslationError) as error:
        permission_ports(IpPermission(IpProtocol="tcp", FromPort=90, ToPort=80), "IpPermissionsEgress[2]")
    assert error.value.field == "IpPermissionsEgress[2].ToPort"


@pytest.mark.parametrize("reference", ["sg-0db", "database", "db"])
def test_groups_are_found_by_id_name_or_resource_name(reference: str) -> None:
    assert find_group(reference, [DB]) is DB


def test_membership_label_of_a_long_name_fits_a_label_name() -> None:
    label = membership_label(_group("x" * 100))
    assert len(label.split("/")[1]) <= 63
    assert label != membership_label(_group("x" * 99))
