"""SecurityGroupSpec: protocols, port ranges and CIDR blocks of each rule."""

from __future__ import annotations

import pytest

from tests.models.specs import Spec, problems


def ingress(**rule: object) -> Spec:
    return {"IpPermissions": [rule]}


VALID = {
    "no rules": {},
    "tcp from a CIDR": ingress(IpProtocol="tcp", FromPort=80, ToPort=80, IpRanges=[{"CidrIp": "10.0.0.0/8"}]),
    "udp range from IPv6": ingress(IpProtocol="udp", FromPort=1000, ToPort=2000, Ipv6Ranges=[{"CidrIpv6": "fd00::/8"}]),
    "all traffic from a group": ingress(IpProtocol="-1", UserIdGroupPairs=[{"GroupId": "sg-123"}]),
    "icmp type and code": ingress(IpProtocol="icmp", FromPort=8, ToPort=-1),
    "protocol by number": ingress(IpProtocol="6", FromPort=443, ToPort=443),
    "protocol number without ports": ingress(IpProtocol="47"),
    "upper case protocol": ingress(IpProtocol="TCP", FromPort=22, ToPort=22),
    "egress anywhere": {"IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
}


@pytest.mark.parametrize("spec", VALID.values(), ids=VALID.keys())
def test_valid_security_groups(spec: Spec) -> None:
    assert problems("SecurityGroup", spec) == []


R = "spec.IpPermissions[0]"
INVALID = {
    "unknown protocol": (
        ingress(IpProtocol="http"),
        f"{R}.IpProtocol: must be tcp, udp, icmp, icmpv6, -1 (all) or a number 0..255",
    ),
    "protocol number above 255": (
        ingress(IpProtocol="256"),
        f"{R}.IpProtocol: must be tcp, udp, icmp, icmpv6, -1 (all) or a number 0..255",
    ),
    "no protocol": (
        ingress(FromPort=1, ToPort=2),
        f"{R}.IpProtocol: must be tcp, udp, icmp, icmpv6, -1 (all) or a number 0..255",
    ),
    "FromPort above ToPort": (
        ingress(IpProtocol="tcp", FromPort=90, ToPort=80),
        f"{R}.FromPort: 90 is above ToPort (80)",
    ),
    "tcp without ports": (ingress(IpProtocol="tcp"), f"{R}.FromPort: FromPort and ToPort are required for tcp"),
    "port beyond 65535": (
        ingress(IpProtocol="udp", FromPort=1, ToPort=70000),
        f"{R}.ToPort: 70000 is not a port (0..65535)",
    ),
    "CIDR that does not parse": (
        ingress(IpProtocol="-1", IpRanges=[{"CidrIp": "10.0.0/33"}]),
        f'{R}.IpRanges[0].CidrIp: "10.0.0/33" is not a CIDR block: '
        "'10.0.0/33' does not appear to be an IPv4 or IPv6 network",
    ),
    "CIDR with host bits": (
        ingress(IpProtocol="-1", IpRanges=[{"CidrIp": "10.0.0.1/8"}]),
        f'{R}.IpRanges[0].CidrIp: "10.0.0.1/8" is not a CIDR block: 10.0.0.1/8 has host bits set',
    ),
    "IPv6 block among IPv4 ranges": (
        ingress(IpProtocol="-1", IpRanges=[{"CidrIp": "fd00::/8"}]),
        f'{R}.IpRanges[0].CidrIp: "fd00::/8" is not an IPv4 CIDR block',
    ),
    "IPv4 block among IPv6 ranges": (
        ingress(IpProtocol="-1", Ipv6Ranges=[{"CidrIpv6": "10.0.0.0/8"}]),
        f'{R}.Ipv6Ranges[0].CidrIpv6: "10.0.0.0/8" is not an IPv6 CIDR block',
    ),
    "range without a CIDR": (
        ingress(IpProtocol="-1", IpRanges=[{"Description": "x"}]),
        f"{R}.IpRanges[0].CidrIp: is required",
    ),
    "group pair naming no group": (
        ingress(IpProtocol="-1", UserIdGroupPairs=[{"Description": "x"}]),
        f"{R}.UserIdGroupPairs[0]: needs GroupId or GroupName",
    ),
    "egress rules are checked too": (
        {"IpPermissionsEgress": [{"IpProtocol": "tcp", "FromPort": 2, "ToPort": 1}]},
        "spec.IpPermissionsEgress[0].FromPort: 2 is above ToPort (1)",
    ),
}


@pytest.mark.parametrize(("spec", "expected"), INVALID.values(), ids=INVALID.keys())
def test_invalid_security_groups(spec: Spec, expected: str) -> None:
    assert problems("SecurityGroup", spec) == [expected]
