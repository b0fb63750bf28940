"""SecurityGroup -> one NetworkPolicy for the group's members.

A task joins a group through ``awsvpcConfiguration.securityGroups``, which labels its pods
``securitygroup.ecs.compat.dev/<group>: member``. Both are allow-lists and both are stateful (replies to an
allowed connection are allowed), and a pod in several groups gets the union of their rules, as an ENI does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from ecs_operator.models.crds import GROUP
from ecs_operator.models.ec2_api import IpPermission
from ecs_operator.translate.context import (
    FieldWarning,
    JsonDict,
    Meta,
    Rendered,
    SecurityGroupRef,
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
_PROTOCOLS = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP", "sctp": "SCTP", "132": "SCTP"}
_ALL_PROTOCOLS = ("-1", "all")
_ANYWHERE = ("0.0.0.0/0", "::/0")
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


def render_security_group(sg: SecurityGroupRef, meta: Meta, groups: list[SecurityGroupRef]) -> Rendered:
    """The NetworkPolicy that enforces the group's inbound and outbound rules on its members."""
    rejected = field_rejections(sg.spec)
    if rejected:
        raise TranslationError(*rejected[0])
    known = [sg, *groups]
    warnings = field_warnings(meta.ref, sg.spec)
    ingress, more = permission_rules(sg.spec.IpPermissions or [], "IpPermissions", "from", known, meta.ref)
    warnings += more
    egress, more = permission_rules(sg.spec.IpPermissionsEgress or [], "IpPermissionsEgress", "to", known, meta.ref)
    warnings += more
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": object_meta(k8s_name(sg.name), meta, {LABEL_SECURITY_GROUP: k8s_name(sg.name)}, _annotations(sg)),
        "spec": {
            "podSelector": {"matchLabels": {membership_label(sg): MEMBER}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            # No outbound rule denies all egress, as a group without outbound rules does; DNS stays open.
            "egress": [*egress, DNS_EGRESS],
        },
    }
    return Rendered([policy], warnings)


def _annotations(sg: SecurityGroupRef) -> dict[str, str]:
    annotations = {}
    if sg.spec.Tags:
        annotations[ANNOTATION_TAGS] = json.dumps({tag.Key: tag.Value or "" for tag in sg.spec.Tags if tag.Key})
    if sg.spec.Description:
        annotations[ANNOTATION_DESCRIPTION] = sg.spec.Description
    return annotations


def permission_rules(
    permissions: Sequence[IpPermission], path: str, peer_key: str, groups: Sequence[SecurityGroupRef], resource: str
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
        peers = permission_peers(permission, here, groups)
        if peers == []:
            # A rule without peers would allow everyone; a permission whose sources all have no effect allows no one.
            message = "no source or destination of this rule can be expressed (prefix lists only?); it allows nothing"
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


def permission_peers(permission: IpPermission, path: str, groups: Sequence[SecurityGroupRef]) -> list[JsonDict] | None:
    """The permission's sources or destinations; None means anywhere (0.0.0.0/0 or ::/0)."""
    cidrs = [r.CidrIp for r in permission.IpRanges or [] if r.CidrIp]
    cidrs += [r.CidrIpv6 for r in permission.Ipv6Ranges or [] if r.CidrIpv6]
    if any(cidr in _ANYWHERE for cidr in cidrs):
        return None  # anywhere includes other pods, which an ipBlock may not match on every network plugin
    peers: list[JsonDict] = [{"ipBlock": {"cidr": cidr}} for cidr in cidrs]
    for index, pair in enumerate(permission.UserIdGroupPairs or []):
        reference = pair.GroupId or pair.GroupName
        group = find_group(reference, groups) if reference else None
        if group is None:
            raise TranslationError(
                f"{path}.UserIdGroupPairs[{index}]",
                f"no SecurityGroup {reference!r} in this namespace; create it (GroupId or GroupName must match)",
            )
        peers.append({"podSelector": {"matchLabels": {membership_label(group): MEMBER}}})
    return peers
