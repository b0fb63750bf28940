"""Load balancers, Cloud Map, Service Connect, security group membership and networkMode none."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ecs_operator.models.ecs_api import LoadBalancer, NetworkConfiguration, ServiceConnectConfiguration, ServiceRegistry
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import (
    Meta,
    MissingReference,
    SecurityGroupRef,
    Target,
    TaskDefinitionRevision,
    TranslationError,
)
from ecs_operator.translate.networking import (
    deny_all_policy,
    load_balancer_objects,
    security_group_labels,
    service_connect_objects,
    service_name,
    service_registry_objects,
    target_port,
    unique_objects,
)
from tests.k8s_schema import validate_objects

META = Meta("ECSService", "web")
LABELS = {
    "ecs.compat.dev/cluster": "default",
    "ecs.compat.dev/service": "web",
    "ecs.compat.dev/task-definition": "web-1",
}
SELECTOR = {"ecs.compat.dev/cluster": "default", "ecs.compat.dev/service": "web"}
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/6d0ecf831eec9f09"
POD = {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "name": "http"}]}]}


def _td(network_mode: str = "awsvpc", app_protocol: str | None = None) -> TaskDefinitionRevision:
    http: dict[str, Any] = {"containerPort": 80, "name": "http"}
    if app_protocol:
        http["appProtocol"] = app_protocol
    spec = TaskDefinitionSpec.model_validate(
        {
            "family": "web",
            "networkMode": network_mode,
            "memory": "512",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "nginx",
                    "portMappings": [
                        http,
                        {"containerPort": 5353, "protocol": "udp", "name": "dns"},
                    ],
                },
                {"name": "sidecar", "image": "envoy"},
            ],
        }
    )
    return TaskDefinitionRevision("web", 1, spec, namespace="default")


def _balancers(*balancers: dict[str, Any]) -> list[dict[str, Any]]:
    return _balancers_warned(*balancers)[0]


def _balancers_warned(*balancers: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    objects, warnings = load_balancer_objects(
        [LoadBalancer.model_validate(b) for b in balancers], _td(), POD, META, LABELS, SELECTOR
    )
    assert validate_objects(objects) == len(objects)
    return objects, [w.field for w in warnings]


def test_alb_target_group_is_a_cluster_ip_service_and_an_ingress() -> None:
    service, ingress = _balancers({"targetGroupArn": TG, "containerName": "web", "containerPort": 80})
    assert service["kind"] == "Service"
    assert service["metadata"]["name"] == "web-tg"
    assert service["spec"] == {"selector": SELECTOR, "ports": [{"port": 80, "targetPort": "http", "protocol": "TCP"}]}
    assert service["metadata"]["annotations"] == {"ecs.compat.dev/target-group-arn": TG}
    assert ingress["kind"] == "Ingress"
    assert ingress["spec"] == {"defaultBackend": {"service": {"name": "web-tg", "port": {"number": 80}}}}


@pytest.mark.parametrize(
    ("balancer", "warned"),
    [
        ({"targetGroupArn": TG, "containerName": "web", "containerPort": 80}, ["loadBalancers[0].targetGroupArn"]),
        ({"targetGroupArn": TG, "containerName": "web", "containerPort": 5353}, []),  # NLB: no Ingress
        ({"loadBalancerName": "legacy", "containerName": "web", "containerPort": 80}, []),
    ],
    ids=["alb ingress", "udp target group", "classic load balancer"],
)
def test_a_catch_all_ingress_is_warned_because_listener_rules_are_unknown(
    balancer: dict[str, Any], warned: list[str]
) -> None:
    objects, warnings = _balancers_warned(balancer)
    assert warnings == warned
    assert ("Ingress" in [o["kind"] for o in objects]) == bool(warned)


# A Service name is a DNS-1035 label: lower case, and it starts with a letter (a target group may not).
_DNS_1035 = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("web", "web"),
        ("80-web", "s-80-web"),
        ("2048-game", "s-2048-game"),
        ("web.internal", "web-internal"),
        ("Web_Api", None),
        ("9" * 70, None),
        ("a" * 63, "a" * 63),
    ],
)
def test_service_names_are_dns_1035_labels(name: str, expected: str | None) -> None:
    made = service_name(name)
    assert re.match(_DNS_1035, made), made
    if expected is not None:
        assert made == expected


@pytest.mark.parametrize(
    ("balancer", "name"),
    [
        (
            {
                "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/80-web/6d0ecf831eec9f09",
                "containerName": "web",
                "containerPort": 80,
            },
            "s-80-web",
        ),
        ({"loadBalancerName": "1st-elb", "containerName": "web", "containerPort": 80}, "s-1st-elb"),
    ],
)
def test_load_balancer_services_starting_with_a_digit_get_a_letter(balancer: dict[str, Any], name: str) -> None:
    objects = _balancers(balancer)
    assert {o["metadata"]["name"] for o in objects} == {name}
    ingresses = [o for o in objects if o["kind"] == "Ingress"]
    assert all(i["spec"]["defaultBackend"]["service"]["name"] == name for i in ingresses)


@pytest.mark.parametrize(
    ("app_protocol", "expected"),
    [(None, None), ("http", "http"), ("http2", "kubernetes.io/h2c"), ("grpc", "grpc")],
)
def test_app_protocol_of_the_port_mapping_is_the_service_ports(app_protocol: str | None, expected: str | None) -> None:
    balancer = LoadBalancer.model_validate({"targetGroupArn": TG, "containerName": "web", "containerPort": 80})
    service = load_balancer_objects([balancer], _td(app_protocol=app_protocol), POD, META, LABELS, SELECTOR)[0][0]
    validate_objects([service])
    assert service["spec"]["ports"][0].get("appProtocol") == expected


def test_udp_target_group_is_a_network_load_balancer_service() -> None:
    (service,) = _balancers({"targetGroupArn": TG, "containerName": "web", "containerPort": 5353})
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["ports"] == [{"port": 5353, "targetPort": 5353, "protocol": "UDP"}]


def test_classic_load_balancer_is_a_load_balancer_service() -> None:
    (service,) = _balancers({"loadBalancerName": "Legacy_ELB", "containerName": "web", "containerPort": 80})
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["metadata"]["annotations"] == {"ecs.compat.dev/load-balancer-name": "Legacy_ELB"}


@pytest.mark.parametrize(
    ("balancer", "field"),
    [
        ({"targetGroupArn": TG, "containerName": "api", "containerPort": 80}, "loadBalancers[0].containerName"),
        ({"targetGroupArn": TG, "containerName": "web", "containerPort": 8080}, "loadBalancers[0].containerPort"),
        ({"targetGroupArn": TG, "containerName": "sidecar", "containerPort": 80}, "loadBalancers[0].containerPort"),
    ],
)
def test_load_balancer_must_name_a_container_port_of_the_task_definition(balancer: dict[str, Any], field: str) -> None:
    with pytest.raises(TranslationError) as error:
        _balancers(balancer)
    assert error.value.field == field


def test_target_port_is_the_pod_port_name_or_number() -> None:
    assert target_port(POD, 80) == "http"
    assert target_port(POD, 81) == 81
    assert target_port({"initContainers": [{"ports": [{"containerPort": 9, "name": "sc"}]}]}, 9) == "sc"


def test_service_registry_is_a_headless_service_named_after_the_service() -> None:
    registries = [
        ServiceRegistry(
            registryArn="arn:aws:servicediscovery:us-east-1:1:service/srv-1", containerName="web", containerPort=80
        )
    ]
    (service,), _ = service_registry_objects(registries, _td(), POD, "web", META, LABELS, SELECTOR)
    assert service["metadata"]["name"] == "web"
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["ports"] == [{"port": 80, "targetPort": "http", "protocol": "TCP"}]
    validate_objects([service])


@pytest.mark.parametrize(
    ("ecs_service", "expected"),
    [("web", "web"), ("2048-game", "s-2048-game"), ("Web_Api", None)],
)
def test_service_registry_name_is_a_service_name_and_a_change_is_warned(ecs_service: str, expected: str | None) -> None:
    registries = [ServiceRegistry(registryArn="arn:aws:servicediscovery:us-east-1:1:service/srv-1")]
    (service,), warnings = service_registry_objects(registries, _td(), POD, ecs_service, META, LABELS, SELECTOR)
    name = service["metadata"]["name"]
    assert re.match(_DNS_1035, name), name
    assert expected is None or name == expected
    assert [w.field for w in warnings] == ([] if name == ecs_service else ["serviceRegistries[0]"])
    validate_objects([service])


def test_service_registry_without_ports_is_valid() -> None:
    (service,), _ = service_registry_objects(
        [ServiceRegistry(registryArn="arn:x")], _td(), POD, "web", META, LABELS, SELECTOR
    )
    assert "ports" not in service["spec"]
    validate_objects([service])


def _connect(config: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    objects, warnings = service_connect_objects(
        ServiceConnectConfiguration.model_validate(config), _td(), POD, META, LABELS, SELECTOR
    )
    validate_objects(objects)
    return objects, [w.field for w in warnings]


def test_client_aliases_become_services_with_their_ports() -> None:
    objects, warnings = _connect(
        {
            "enabled": True,
            "namespace": "internal",
            "services": [
                {
                    "portName": "http",
                    "clientAliases": [
                        {"port": 80, "dnsName": "web"},
                        {"port": 8080, "dnsName": "web"},
                        {"port": 80, "dnsName": "web.internal"},
                    ],
                }
            ],
        }
    )
    # web.internal is the Service web too: its domain resolves with a DNS rewrite (warned).
    assert [(o["metadata"]["name"], [p["port"] for p in o["spec"]["ports"]]) for o in objects] == [("web", [80, 8080])]
    assert objects[0]["spec"]["ports"][0]["targetPort"] == "http"
    assert warnings == ["serviceConnectConfiguration.services[0].clientAliases[2].dnsName"]


@pytest.mark.parametrize(
    ("alias", "namespace", "default", "name", "warned"),
    [
        ({"port": 80}, "shop.local", None, "api", True),  # ECS's default: discoveryName.namespace
        ({"port": 80}, None, "shop.local", "api", True),  # the cluster's serviceConnectDefaults
        ({"port": 80}, "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-1", None, "api", False),
        ({"port": 80, "dnsName": "orders.shop.local"}, "shop.local", None, "orders", True),
        ({"port": 80, "dnsName": "orders"}, "shop.local", None, "orders", False),
    ],
)
def test_client_alias_names_resolve_as_ecs_names_them(
    alias: dict[str, Any], namespace: str | None, default: str | None, name: str, warned: bool
) -> None:
    config = {"enabled": True, "services": [{"portName": "http", "discoveryName": "api", "clientAliases": [alias]}]}
    if namespace:
        config["namespace"] = namespace
    objects, warnings = service_connect_objects(
        ServiceConnectConfiguration.model_validate(config), _td(), POD, META, LABELS, SELECTOR, default
    )
    assert [o["metadata"]["name"] for o in objects] == [name]
    assert bool(warnings) is warned
    assert all("rewrite name suffix" in w.message for w in warnings)


def test_service_without_aliases_is_found_by_discovery_name_on_the_container_port() -> None:
    objects, _ = _connect({"enabled": True, "services": [{"portName": "http", "discoveryName": "api"}]})
    assert [(o["metadata"]["name"], o["spec"]["ports"][0]["port"]) for o in objects] == [("api", 80)]


def test_disabled_service_connect_makes_nothing() -> None:
    assert _connect({"enabled": False, "services": [{"portName": "nope"}]}) == ([], [])


def test_unknown_port_name_is_an_error() -> None:
    with pytest.raises(TranslationError) as error:
        _connect({"enabled": True, "services": [{"portName": "grpc"}]})
    assert error.value.field == "serviceConnectConfiguration.services[0].portName"


GROUPS = [SecurityGroupRef("web-sg", SecurityGroupSpec(GroupId="sg-1", GroupName="web"))]


def _network(*groups: str) -> NetworkConfiguration:
    return NetworkConfiguration.model_validate(
        {"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": list(groups)}}
    )


def test_security_groups_become_membership_labels() -> None:
    membership = security_group_labels(_network("sg-1", "web"), "awsvpc", GROUPS, "ECSService/web")
    assert membership.labels == {"securitygroup.ecs.compat.dev/web-sg": "member"}
    assert (membership.warnings, membership.missing) == ([], [])
    assert security_group_labels(None, "bridge", GROUPS, "ECSService/web").labels == {}


def test_unknown_security_group_is_a_missing_reference_naming_its_index() -> None:
    # MissingReference: the operator waits for the group (GitOps applies resources in any order).
    with pytest.raises(MissingReference) as error:
        security_group_labels(_network("sg-1", "sg-2"), "awsvpc", GROUPS, "ECSService/web")
    assert error.value.field == "networkConfiguration.awsvpcConfiguration.securityGroups[1]"


@pytest.mark.parametrize(
    ("groups", "labels", "missing"),
    [
        (["sg-1", "sg-2"], {"securitygroup.ecs.compat.dev/web-sg": "member"}, ["securityGroups[1]"]),
        (["sg-9"], {}, ["securityGroups[0]"]),
        (["web"], {"securitygroup.ecs.compat.dev/web-sg": "member"}, []),
    ],
)
def test_offline_an_unknown_security_group_is_rendered_around_and_warned(
    groups: list[str], labels: dict[str, str], missing: list[str]
) -> None:
    """Render does not wait: the pods join the groups that are there; the others are warned and listed, so that
    the operator can report them on the service's conditions while the rest runs."""
    target = Target(unknown_security_groups="warn")
    membership = security_group_labels(_network(*groups), "awsvpc", GROUPS, "ECSService/web", target)
    assert membership.labels == labels
    assert [m.field.rpartition(".")[2] for m in membership.missing] == missing
    assert [w.field.rpartition(".")[2] for w in membership.warnings] == missing


def test_awsvpc_configuration_needs_awsvpc_mode() -> None:
    with pytest.raises(TranslationError) as error:
        security_group_labels(_network("sg-1"), "bridge", GROUPS, "ECSService/web")
    assert error.value.field == "networkConfiguration"
    assert "ECS refuses it too" in error.value.message


def test_deny_all_policy_selects_the_pods_and_allows_nothing() -> None:
    policy = deny_all_policy("web-no-network", META, LABELS, SELECTOR)
    assert policy["spec"] == {"podSelector": {"matchLabels": SELECTOR}, "policyTypes": ["Ingress", "Egress"]}
    validate_objects([policy])


def test_unique_objects_keeps_the_first_of_a_name_and_warns() -> None:
    first = {"kind": "Service", "metadata": {"name": "web"}}
    second = {"kind": "Service", "metadata": {"name": "web", "annotations": {"ecs.compat.dev/client-alias": "web"}}}
    other = {"kind": "Ingress", "metadata": {"name": "web"}}
    kept, warnings = unique_objects([first, second, other], "ECSService/web")
    assert kept == [first, other]
    assert [w.field for w in warnings] == ["serviceConnectConfiguration"]
