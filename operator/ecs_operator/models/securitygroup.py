"""The SecurityGroup custom resource's spec: an EC2 security group, as `aws ec2 describe-security-groups` shows it."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from pydantic import Field, model_validator

from ecs_operator.models.base import Problem, field_path, raise_problems
from ecs_operator.models.ec2_api import IpPermission, SecurityGroupShape

NAMED_PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}
ALL_PROTOCOLS = "-1"
PORT_PROTOCOLS = {"tcp", "udp", "6", "17"}  # FromPort/ToPort are a port range only for these


class SecurityGroupSpec(SecurityGroupShape):
    """Allow-list rules for the tasks that are members of the group (awsvpc securityGroups)."""

    GroupName: str | None = Field(default=None, description="The group name; defaults to the resource's name.")

    @model_validator(mode="after")
    def _cross_field(self) -> SecurityGroupSpec:
        raise_problems(
            problem
            for direction in ("IpPermissions", "IpPermissionsEgress")
            for i, rule in enumerate(getattr(self, direction) or [])
            for problem in permission_problems(rule, field_path(direction, i))
        )
        return self


def permission_problems(rule: IpPermission, path: str) -> Iterator[Problem]:
    """One rule: a known protocol, a port range that makes sense for it, and CIDRs that parse."""
    protocol = (rule.IpProtocol or "").lower()
    if not _known_protocol(protocol):
        yield Problem(field_path(path, "IpProtocol"), "must be tcp, udp, icmp, icmpv6, -1 (all) or a number 0..255")
    if protocol in PORT_PROTOCOLS:
        yield from _port_range_problems(rule, path)
    for i, v4 in enumerate(rule.IpRanges or []):
        yield from _cidr_problems(v4.CidrIp, 4, field_path(path, "IpRanges", i, "CidrIp"))
    for i, v6 in enumerate(rule.Ipv6Ranges or []):
        yield from _cidr_problems(v6.CidrIpv6, 6, field_path(path, "Ipv6Ranges", i, "CidrIpv6"))
    for i, pair in enumerate(rule.UserIdGroupPairs or []):
        if pair.GroupId is None and pair.GroupName is None:
            yield Problem(field_path(path, "UserIdGroupPairs", i), "needs GroupId or GroupName")


def _known_protocol(protocol: str) -> bool:
    if protocol in NAMED_PROTOCOLS or protocol == ALL_PROTOCOLS:
        return True
    return protocol.isdigit() and 0 <= int(protocol) <= 255


def _port_range_problems(rule: IpPermission, path: str) -> Iterator[Problem]:
    low, high = rule.FromPort, rule.ToPort
    if low is None or high is None:
        yield Problem(field_path(path, "FromPort"), f"FromPort and ToPort are required for {rule.IpProtocol}")
        return
    for name, port in (("FromPort", low), ("ToPort", high)):
        if not 0 <= port <= 65535:
            yield Problem(field_path(path, name), f"{port} is not a port (0..65535)")
    if low > high:
        yield Problem(field_path(path, "FromPort"), f"{low} is above ToPort ({high})")


def _cidr_problems(cidr: str | None, version: int, path: str) -> Iterator[Problem]:
    if cidr is None:
        yield Problem(path, "is required")
        return
    try:
        network = ipaddress.ip_network(cidr, strict=True)
    except ValueError as error:
        yield Problem(path, f'"{cidr}" is not a CIDR block: {error}')
        return
    if network.version != version:
        yield Problem(path, f'"{cidr}" is not an IPv{version} CIDR block')
