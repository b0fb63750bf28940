"""How tasks are reached and fenced: load balancers, service discovery, Service Connect, security groups.

One function per produced object family; ``service.py`` composes them. Decisions (Service types, names,
the Ingress for target groups) are in docs/mapping-workloads.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ecs_operator.models.crds import GROUP
from ecs_operator.models.ecs_api import (
    LoadBalancer,
    NetworkConfiguration,
    PortMapping,
    ServiceConnectConfiguration,
    ServiceConnectService,
    ServiceRegistry,
)
from ecs_operator.translate.context import (
    DEFAULT_TARGET,
    FieldWarning,
    JsonDict,
    Meta,
    MissingReference,
    SecurityGroupRef,
    Target,
    TaskDefinitionRevision,
    TranslationError,
    k8s_name,
    object_meta,
)
from ecs_operator.translate.securitygroup import MEMBER, find_group, membership_label

ANNOTATION_TARGET_GROUP = f"{GROUP}/target-group-arn"
ANNOTATION_LOAD_BALANCER = f"{GROUP}/load-balancer-name"
ANNOTATION_REGISTRY = f"{GROUP}/registry-arn"
ANNOTATION_CLIENT_ALIAS = f"{GROUP}/client-alias"
_TARGET_GROUP_NAME = re.compile(r":targetgroup/([^/]+)/")
_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_SERVICE_PREFIX = "s-"  # for names that start with a digit: a Service name must start with a letter


def service_name(name: str) -> str:
    """The name of a Service for an ECS, load balancer or DNS name: a DNS-1035 label (it starts with a letter).

    Valid names stay as they are; dots become "-", the rest as ``k8s_name`` (lower case, a hash when
    changed), and a name that would start with a digit gets "s-" in front: target group ``80-web`` ->
    ``s-80-web``.
    """
    if _DNS_1035.match(name) and len(name) <= 63:
        return name
    dashed = name.replace(".", "-")
    label = k8s_name(dashed)
    if label[0].isalpha():
        return label
    return _SERVICE_PREFIX + k8s_name(dashed, max_length=63 - len(_SERVICE_PREFIX))


def find_port_mapping(td: TaskDefinitionRevision, container: str | None, port: int | None, path: str) -> PortMapping:
    """The port mapping a load balancer or registry names, which must exist in the task definition."""
    definition = next((c for c in td.spec.containerDefinitions if c.name == container), None)
    if definition is None:
        raise TranslationError(
            f"{path}.containerName", f"task definition {td.family_revision} has no container named {container!r}"
        )
    mapping = next((m for m in definition.portMappings or [] if m.containerPort == port), None)
    if mapping is None:
        raise TranslationError(
            f"{path}.containerPort", f"container {container} has no portMappings entry with containerPort {port}"
        )
    return mapping


def target_port(pod_spec: JsonDict, port: int) -> str | int:
    """The name the pod gives a container port (Services then follow renumbering), else the number."""
    for container in [*pod_spec.get("containers", []), *pod_spec.get("initContainers", [])]:
        for entry in container.get("ports", []):
            if entry.get("containerPort") == port and entry.get("name"):
                return str(entry["name"])
    return port


def _service(name: str, meta: Meta, labels: dict[str, str], annotations: dict[str, str], spec: JsonDict) -> JsonDict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": object_meta(name, meta, labels, annotations),
        "spec": spec,
    }


# ECS appProtocol -> Service port appProtocol: IANA names as they are; HTTP/2 without TLS is Kubernetes'
# own `kubernetes.io/h2c`; "grpc" is the name service meshes and Gateway implementations recognise.
APP_PROTOCOLS = {"http": "http", "http2": "kubernetes.io/h2c", "grpc": "grpc"}


def _port(port: int, target: str | int, mapping: PortMapping, name: str | None = None) -> JsonDict:
    entry: JsonDict = {"port": port, "targetPort": target, "protocol": (mapping.protocol or "tcp").upper()}
    if name:
        entry["name"] = name
    if mapping.appProtocol:
        entry["appProtocol"] = APP_PROTOCOLS[mapping.appProtocol]
    return entry


def load_balancer_objects(
    balancers: Sequence[LoadBalancer],
    td: TaskDefinitionRevision,
    pod_spec: JsonDict,
    meta: Meta,
    labels: dict[str, str],
    selector: dict[str, str],
) -> tuple[list[JsonDict], list[FieldWarning]]:
    """A Service per loadBalancers entry; an Ingress in front of it for an (Application) target group."""
    objects: list[JsonDict] = []
    warnings: list[FieldWarning] = []
    for index, balancer in enumerate(balancers):
        path = f"loadBalancers[{index}]"
        mapping = find_port_mapping(td, balancer.containerName, balancer.containerPort, path)
        port = balancer.containerPort or 0
        name, annotations, external = _balancer_identity(balancer, meta, index, mapping)
        spec: JsonDict = {"selector": dict(selector), "ports": [_port(port, target_port(pod_spec, port), mapping)]}
        if external:
            spec["type"] = "LoadBalancer"
        objects.append(_service(name, meta, labels, annotations, spec))
        if balancer.targetGroupArn and not external:
            objects.append(_ingress(name, port, meta, labels, annotations))
            warnings.append(FieldWarning(meta.ref, f"{path}.targetGroupArn", _CATCH_ALL_INGRESS))
    return objects, warnings


# An ALB's listener rules live on the ALB, not in the ECS service: the Ingress cannot know them.
_CATCH_ALL_INGRESS = (
    "the ALB's listener rules (host, path) are not part of the ECS service, so the Ingress sends every request "
    "to this Service (defaultBackend); services that share one ALB need their Ingress rules written by hand"
)


def _balancer_identity(
    balancer: LoadBalancer, meta: Meta, index: int, mapping: PortMapping
) -> tuple[str, dict[str, str], bool]:
    """(Service name, annotations, whether the Service is itself an external load balancer)."""
    if balancer.loadBalancerName:  # a Classic Load Balancer: the Service is the load balancer
        return service_name(balancer.loadBalancerName), {ANNOTATION_LOAD_BALANCER: balancer.loadBalancerName}, True
    arn = balancer.targetGroupArn or ""
    match = _TARGET_GROUP_NAME.search(arn)
    name = service_name(match.group(1)) if match else service_name(f"{meta.name}-lb-{index}")
    # An ALB cannot forward UDP, so a UDP target group is a Network Load Balancer's: a LoadBalancer Service.
    return name, {ANNOTATION_TARGET_GROUP: arn}, mapping.protocol == "udp"


def _ingress(name: str, port: int, meta: Meta, labels: dict[str, str], annotations: dict[str, str]) -> JsonDict:
    # No ingressClassName: the cluster's default IngressClass serves it (docs/mapping-workloads.md).
    backend = {"service": {"name": name, "port": {"number": port}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": object_meta(name, meta, labels, annotations),
        "spec": {"defaultBackend": backend},
    }


def service_registry_objects(
    registries: Sequence[ServiceRegistry],
    td: TaskDefinitionRevision,
    pod_spec: JsonDict,
    ecs_service: str,
    meta: Meta,
    labels: dict[str, str],
    selector: dict[str, str],
) -> tuple[list[JsonDict], list[FieldWarning]]:
    """A headless Service per Cloud Map registry: its DNS name resolves to the tasks' addresses, as A records do."""
    objects = []
    warnings = []
    name = service_name(ecs_service)
    for index, registry in enumerate(registries):
        path = f"serviceRegistries[{index}]"
        spec: JsonDict = {"clusterIP": "None", "selector": dict(selector)}
        if registry.containerName is not None or registry.containerPort is not None:
            mapping = find_port_mapping(td, registry.containerName, registry.containerPort, path)
            port = registry.containerPort or 0
            spec["ports"] = [_port(port, target_port(pod_spec, port), mapping)]
        elif registry.port is not None:
            spec["ports"] = [{"port": registry.port, "targetPort": registry.port, "protocol": "TCP"}]
        annotations = {ANNOTATION_REGISTRY: registry.registryArn} if registry.registryArn else {}
        objects.append(_service(name, meta, labels, annotations, spec))
        if name != ecs_service:
            message = f"{ecs_service!r} is not a Kubernetes Service name; clients find the tasks as {name!r}"
            warnings.append(FieldWarning(meta.ref, path, message))
    return objects, warnings


def service_connect_objects(
    config: ServiceConnectConfiguration | None,
    td: TaskDefinitionRevision,
    pod_spec: JsonDict,
    meta: Meta,
    labels: dict[str, str],
    selector: dict[str, str],
    default_namespace: str | None = None,
) -> tuple[list[JsonDict], list[FieldWarning]]:
    """A Service per client alias name, its ports the aliases' ports, so clients keep their URLs.

    An alias without dnsName is ``discoveryName.namespace``, as in ECS (the Cloud Map namespace: the service's
    own or the cluster's ``serviceConnectDefaults``, ``default_namespace``). The Service is named after the
    name's first label, which ECS clients in the namespace use too; the full name resolves only with a DNS
    rewrite of its domain (docs/mapping-workloads.md), which is warned.
    """
    if config is None or not config.enabled:
        return [], []
    namespace = _namespace_name(config.namespace or default_namespace)
    ports_by_name: dict[str, list[JsonDict]] = {}
    warnings: list[FieldWarning] = []
    for index, service in enumerate(config.services or []):
        path = f"serviceConnectConfiguration.services[{index}]"
        mapping = _named_port_mapping(td, service.portName, f"{path}.portName")
        target = target_port(pod_spec, mapping.containerPort or 0)
        for alias_path, dns_name, port in _aliases(service, mapping, path, namespace):
            label, _, domain = dns_name.partition(".")
            name = service_name(label)
            if domain:
                message = (
                    f"clients call {dns_name}: the Service {name} answers as {name} and {name}.{meta.namespace}.svc; "
                    f"for {dns_name} to resolve, add a CoreDNS rewrite of the domain (rewrite name suffix .{domain} "
                    f".{meta.namespace}.svc.cluster.local answer auto)"
                )
                warnings.append(FieldWarning(meta.ref, alias_path, message))
            elif name != dns_name:
                message = f"{dns_name!r} is not a Kubernetes Service name; clients reach it as {name!r}"
                warnings.append(FieldWarning(meta.ref, alias_path, message))
            ports = ports_by_name.setdefault(name, [])
            if all(existing["port"] != port for existing in ports):
                ports.append(_port(port, target, mapping, name=f"port-{port}"))
    objects = [
        _service(name, meta, labels, {ANNOTATION_CLIENT_ALIAS: name}, {"selector": dict(selector), "ports": ports})
        for name, ports in ports_by_name.items()
    ]
    return objects, warnings


def _named_port_mapping(td: TaskDefinitionRevision, port_name: str, path: str) -> PortMapping:
    for container in td.spec.containerDefinitions:
        for mapping in container.portMappings or []:
            if mapping.name == port_name and mapping.containerPort is not None:
                return mapping
    raise TranslationError(path, f"no portMappings entry named {port_name!r} in {td.family_revision}")


def _namespace_name(namespace: str | None) -> str | None:
    """A Cloud Map namespace's name (``shop.local``); None for an ARN (its name is not in it) or nothing."""
    return None if not namespace or namespace.startswith("arn:") else namespace


def _aliases(
    service: ServiceConnectService, mapping: PortMapping, path: str, namespace: str | None
) -> list[tuple[str, str, int]]:
    """(field path, DNS name, port) per client alias; without aliases the discovery name on the container port.

    ECS names an alias without dnsName ``discoveryName.namespace``.
    """
    discovery = service.discoveryName or service.portName
    if not service.clientAliases:
        return [(f"{path}.discoveryName", discovery, mapping.containerPort or 0)]
    default = f"{discovery}.{namespace}" if namespace else discovery
    return [
        (f"{path}.clientAliases[{index}].dnsName", alias.dnsName or default, alias.port)
        for index, alias in enumerate(service.clientAliases)
    ]


@dataclass(frozen=True)
class Membership:
    """The security groups a task's pods join: their labels, and the groups that are not there."""

    labels: dict[str, str] = field(default_factory=dict)
    warnings: list[FieldWarning] = field(default_factory=list)
    missing: list[MissingReference] = field(default_factory=list)


def security_group_labels(
    network: NetworkConfiguration | None,
    network_mode: str | None,
    groups: Sequence[SecurityGroupRef],
    resource: str,
    target: Target = DEFAULT_TARGET,
) -> Membership:
    """Membership labels for the groups a task's ENI would have, found by GroupId, GroupName or name.

    A group that is not there raises ``MissingReference`` (the operator waits for it), or with
    ``target.unknown_security_groups`` "warn" is left out, warned and listed.
    """
    if network is None or network.awsvpcConfiguration is None:
        return Membership()
    if network_mode != "awsvpc":
        raise TranslationError(
            "networkConfiguration",
            f"awsvpcConfiguration needs networkMode awsvpc; the task definition has {network_mode} (ECS refuses it "
            "too: InvalidParameterException, network configuration is not valid for the task definition's "
            "networkMode)",
        )
    result = Membership()
    for index, reference in enumerate(network.awsvpcConfiguration.securityGroups or []):
        field_path = f"networkConfiguration.awsvpcConfiguration.securityGroups[{index}]"
        group = find_group(reference, groups)
        if group is None:  # maybe not yet: the operator waits for it
            missing = MissingReference(
                field_path,
                f"no SecurityGroup {reference!r} in this namespace; create one whose GroupId, GroupName or name it is",
            )
            if target.unknown_security_groups == "wait":
                raise missing
            result.missing.append(missing)
            message = (
                f"no SecurityGroup {reference!r} in the input: rendered without it, so no NetworkPolicy of it "
                "selects the tasks and its rules do not filter their traffic; add the group (aws ec2 "
                "describe-security-groups) to enforce them"
            )
            result.warnings.append(FieldWarning(resource, field_path, message))
            continue
        result.labels[membership_label(group)] = MEMBER
    return result


def deny_all_policy(name: str, meta: Meta, labels: dict[str, str], selector: dict[str, str]) -> JsonDict:
    """networkMode none: the pods get no traffic in or out (they still have an interface Kubernetes gives them)."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": object_meta(name, meta, labels),
        "spec": {"podSelector": {"matchLabels": dict(selector)}, "policyTypes": ["Ingress", "Egress"]},
    }


def unique_objects(objects: Sequence[JsonDict], resource: str) -> tuple[list[JsonDict], list[FieldWarning]]:
    """Drop later objects of a kind and name already made (a registry and an alias both named after the service)."""
    seen: set[tuple[str, str]] = set()
    kept: list[JsonDict] = []
    warnings = []
    for obj in objects:
        key = (obj["kind"], obj["metadata"]["name"])
        if key in seen:
            message = f"{key[0]} {key[1]} is made by an earlier field already; this one is served by it"
            warnings.append(FieldWarning(resource, _origin(obj), message))
            continue
        seen.add(key)
        kept.append(obj)
    return kept, warnings


def _origin(obj: JsonDict) -> str:
    annotations = obj["metadata"].get("annotations", {})
    if ANNOTATION_REGISTRY in annotations:
        return "serviceRegistries"
    if ANNOTATION_CLIENT_ALIAS in annotations:
        return "serviceConnectConfiguration"
    return "loadBalancers"
