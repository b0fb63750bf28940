"""SecurityGroup -> one NetworkPolicy for the group's members.

A task joins a group through ``awsvpcConfiguration.securityGroups``, which labels its pods
``securitygroup.ecs.compat.dev/<group>: member``. Both are allow-lists and both are stateful (replies to an
allowed connection are allowed), and a pod in several groups gets the union of their rules, as an ENI does.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Sequence

from ecs_operator.models.crds import GROUP
from ecs_operator.models.ec2_api import IpPermission
from ecs_operator.translate.context import (
    DEFAULT_TARGET,
    FieldWarning,
    JsonDict,
    Meta,
    Rendered,
    SecurityGroupRef,
    Target,
    TranslationError,
    k8s_name,
    object_meta,
)
from ecs_operator.translate.coverage import field_rejections, field_warnings

MEMBER_LABEL_PREFIX = f"securitygroup.{GROUP}/"
MEMBER = "member"
LABEL_SECURITY_GROUP = f"{GROUP}/security-group"
ANNOTATION_TAGS = f"{GROUP}/tags"
ANNOTATION_DESCRIPTION = f"{GROUP}/description"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
_PROTOCOLS = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP", "sctp": "SCTP", "132": "SCTP"}
_ALL_PROTOCOLS = ("-1", "all")
_ANYWHERE = ("0.0.0.0/0", "::/0")
# RFC 1918: in a security group these are nearly always the VPC's own addresses, which pods do not have.
_PRIVATE_NETWORKS = [ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
# EC2's CreateSecurityGroup (and CloudFormation) give a new group this outbound rule unless told otherwise.
ALLOW_ALL_EGRESS: JsonDict = {}
# EC2 never filters traffic to the VPC's DNS resolver; the cluster's DNS must stay reachable the same way.
DNS_EGRESS: JsonDict = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
}


def membership_label(group: SecurityGroupRef) -> str:
    """The pod label key that makes a pod a member of ``group`` (label names are at most 63 characters)."""
    name = (
        group.name
        if len(group.name) <= 63
        else f"{group.name[:56]}-{hashlib.sha256(group.name.encode()).hexdigest()[:6]}"
    )
    return MEMBER_LABEL_PREFIX + name


def find_group(reference: str, groups: Sequence[SecurityGroupRef]) -> SecurityGroupRef | None:
    """The group a reference names: its GroupId (sg-...), its GroupName or its resource name."""
    for group in groups:
        if reference in (group.spec.GroupId, group.spec.GroupName, group.name):
            return group
    return None


def render_security_group(
    sg: SecurityGroupRef, meta: Meta, groups: list[SecurityGroupRef], target: Target = DEFAULT_TARGET
) -> Rendered:
    """The NetworkPolicy that enforces the group's inbound and outbound rules on its members."""
    rejected = field_rejections(sg.spec)
    if rejected:
        raise TranslationError(*rejected[0])
    ingress, egress, gaps = policy_rules(sg, groups, meta.ref, target)
    warnings = field_warnings(meta.ref, sg.spec) + gaps
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": object_meta(k8s_name(sg.name), meta, {LABEL_SECURITY_GROUP: k8s_name(sg.name)}, _annotations(sg)),
        "spec": {
            "podSelector": {"matchLabels": {membership_label(sg): MEMBER}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": egress,
        },
    }
    return Rendered([policy], warnings)


def policy_rules(
    sg: SecurityGroupRef, groups: Sequence[SecurityGroupRef], resource: str, target: Target = DEFAULT_TARGET
) -> tuple[list[JsonDict], list[JsonDict], list[FieldWarning]]:
    """(ingress, egress, where the policy does not enforce the group's rules as EC2 would)."""
    known = [sg, *groups]
    ingress, gaps = permission_rules(sg.spec.IpPermissions or [], "IpPermissions", "from", known, resource, target)
    egress, more = egress_rules(sg.spec.IpPermissionsEgress, known, resource, target)
    return ingress, egress, gaps + more


def enforcement_gaps(
    sg: SecurityGroupRef, groups: Sequence[SecurityGroupRef], target: Target = DEFAULT_TARGET
) -> list[str]:
    """Why the group's NetworkPolicy does not enforce its rules exactly ([] when it does): what a handler reports
    as the SecurityGroup's ``NotEnforced`` reason (peers it does not manage, addresses pods do not have, ...)."""
    return [f"{gap.field}: {gap.message}" for gap in policy_rules(sg, groups, f"SecurityGroup/{sg.name}", target)[2]]


def egress_rules(
    permissions: Sequence[IpPermission] | None,
    groups: Sequence[SecurityGroupRef],
    resource: str,
    target: Target = DEFAULT_TARGET,
) -> tuple[list[JsonDict], list[FieldWarning]]:
    """Outbound rules: left out, all egress (EC2's default rule); given, those rules and DNS.

    ``IpPermissionsEgress: []`` is a group whose outbound rules were all removed: no egress, but DNS stays
    open, because EC2 never filters traffic to the VPC's DNS resolver.
    """
    if permissions is None:
        return [dict(ALLOW_ALL_EGRESS)], []
    rules, warnings = permission_rules(permissions, "IpPermissionsEgress", "to", groups, resource, target)
    return [*rules, DNS_EGRESS], warnings


def _annotations(sg: SecurityGroupRef) -> dict[str, str]:
    annotations = {}
    if sg.spec.Tags:
        annotations[ANNOTATION_TAGS] = json.dumps({tag.Key: tag.Value or "" for tag in sg.spec.Tags if tag.Key})
    if sg.spec.Description:
        annotations[ANNOTATION_DESCRIPTION] = sg.spec.Description
    return annotations


def permission_rules(
    permissions: Sequence[IpPermission],
    path: str,
    peer_key: str,
    groups: Sequence[SecurityGroupRef],
    resource: str,
    target: Target = DEFAULT_TARGET,
) -> tuple[list[JsonDict], list[FieldWarning]]:
    """NetworkPolicy rules for inbound (``peer_key`` "from") or outbound ("to") permissions."""
    rules: list[JsonDict] = []
    warnings: list[FieldWarning] = []
    for index, permission in enumerate(permissions):
        here = f"{path}[{index}]"
        ports = permission_ports(permission, here)
        if ports is None:
            message = (
                f"protocol {permission.IpProtocol} cannot be expressed by a NetworkPolicy; this rule allows nothing"
            )
            warnings.append(FieldWarning(resource, f"{here}.IpProtocol", message))
            continue
        peers, more = permission_peers(permission, here, groups, resource, peer_key, target)
        warnings += more
        if peers == []:
            # A rule without peers would allow everyone; a permission whose peers all have no effect allows no one.
            message = "none of this rule's sources or destinations can be expressed; it allows nothing"
            warnings.append(FieldWarning(resource, here, message))
            continue
        rule: JsonDict = {peer_key: peers} if peers is not None else {}
        if ports:
            rule["ports"] = ports
        rules.append(rule)
    return rules, warnings


def permission_ports(permission: IpPermission, path: str) -> list[JsonDict] | None:
    """NetworkPolicy ports of a permission: [] for all traffic, None when the protocol cannot be expressed."""
    protocol = (permission.IpProtocol or "-1").lower()
    if protocol in _ALL_PROTOCOLS:
        return []
    if protocol not in _PROTOCOLS:
        return None  # icmp, icmpv6 and other IP protocols: NetworkPolicy knows only TCP, UDP and SCTP
    port: JsonDict = {"protocol": _PROTOCOLS[protocol]}
    low, high = permission.FromPort, permission.ToPort
    if low is None or low == -1 or (low <= 1 and (high is None or high >= 65535)):
        return [port]  # every port of the protocol
    high = low if high is None else high
    if high < low:
        raise TranslationError(f"{path}.ToPort", f"ToPort {high} is below FromPort {low}")
    port["port"] = max(low, 1)
    if high != low:
        port["endPort"] = high
    return [port]


def permission_peers(
    permission: IpPermission,
    path: str,
    groups: Sequence[SecurityGroupRef],
    resource: str,
    peer_key: str = "from",
    target: Target = DEFAULT_TARGET,
) -> tuple[list[JsonDict] | None, list[FieldWarning]]:
    """The permission's sources or destinations (None means anywhere: 0.0.0.0/0 or ::/0), and warnings.

    A peer group that is not a SecurityGroup here is one the operator does not manage: as a source, a load
    balancer's (an ALB's group in front of the tasks), so traffic from the ingress controller's namespace
    stands in for it; as a destination, something outside the cluster (a database's group), so any address.
    """
    cidrs = [(f"IpRanges[{i}].CidrIp", r.CidrIp) for i, r in enumerate(permission.IpRanges or []) if r.CidrIp]
    cidrs += [
        (f"Ipv6Ranges[{i}].CidrIpv6", r.CidrIpv6) for i, r in enumerate(permission.Ipv6Ranges or []) if r.CidrIpv6
    ]
    if any(cidr in _ANYWHERE for _, cidr in cidrs):
        return None, []  # anywhere includes other pods, which an ipBlock may not match on every network plugin
    warnings = [
        FieldWarning(resource, f"{path}.{member}", _PRIVATE_CIDR.format(cidr=cidr))
        for member, cidr in cidrs
        if _is_private(cidr)
    ]
    peers: list[JsonDict] = [{"ipBlock": {"cidr": cidr}} for _, cidr in cidrs]
    for index, pair in enumerate(permission.UserIdGroupPairs or []):
        reference = pair.GroupId or pair.GroupName
        group = find_group(reference, groups) if reference else None
        if group is not None:
            peers.append({"podSelector": {"matchLabels": {membership_label(group): MEMBER}}})
            continue
        peer, message = _unmanaged_peer(reference, peer_key, target)
        if peer not in peers:
            peers.append(peer)
        warnings.append(FieldWarning(resource, f"{path}.UserIdGroupPairs[{index}]", message))
    return peers, warnings


def _unmanaged_peer(reference: str | None, peer_key: str, target: Target) -> tuple[JsonDict, str]:
    """What a peer group the operator does not manage can mean, and the warning that says so."""
    unknown = f"no SecurityGroup {reference!r} in this namespace"
    follow = "; define the group (GroupId or GroupName must match) and the rule follows it"
    if peer_key == "from":
        namespaces = list(target.ingress_namespaces)
        selector = {"matchExpressions": [{"key": NAMESPACE_NAME_LABEL, "operator": "In", "values": namespaces}]}
        message = (
            f"{unknown}: taken as a load balancer's group, so traffic from the ingress controller's namespace "
            f"({', '.join(namespaces)}; render --ingress-namespace) is allowed in its place, not enforced as "
            f"EC2 would{follow}"
        )
        return {"namespaceSelector": selector}, message
    message = (
        f"{unknown}: taken as something outside the cluster (a database's group), so any address is allowed on "
        f"this rule's ports: wider than EC2, not enforced{follow}"
    )
    return {"ipBlock": {"cidr": "0.0.0.0/0"}}, message


_PRIVATE_CIDR = (
    "{cidr} is a private (RFC 1918) range, in a security group usually the VPC's addresses; pods and nodes have "
    "the cluster's addresses, which it may not match. Use UserIdGroupPairs for traffic between tasks, or the "
    "cluster's pod or node CIDR"
)


def _is_private(cidr: str) -> bool:
    network = ipaddress.ip_network(cidr)  # the model has checked that it parses
    return isinstance(network, ipaddress.IPv4Network) and any(network.subnet_of(net) for net in _PRIVATE_NETWORKS)
