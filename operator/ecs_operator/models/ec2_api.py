"""ec2 API shapes, generated from botocore 1.44.5's ec2 service model.

Do not edit: run `make generate` (python -m ecs_operator.tools.codegen). Field names are the AWS API's
own, so JSON from the AWS CLI loads as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from ecs_operator.models.base import EcsModel

JsonObject = dict[str, Any]
BOTOCORE_VERSION = '1.44.5'


class UserIdGroupPair(EcsModel):
    """Describes a security group and Amazon Web Services account ID pair."""
    Description: str | None = Field(default=None, description='A description for the security group rule that references this user ID group pair.')
    UserId: str | None = Field(default=None, description='The ID of an Amazon Web Services account.')
    GroupName: str | None = Field(default=None, description='[Default VPC] The name of the security group.')
    GroupId: str | None = Field(default=None, description='The ID of the security group.')
    VpcId: str | None = Field(default=None, description='The ID of the VPC for the referenced security group, if applicable.')
    VpcPeeringConnectionId: str | None = Field(default=None, description='The ID of the VPC peering connection, if applicable.')
    PeeringStatus: str | None = Field(default=None, description='The status of a VPC peering connection, if applicable.')


class IpRange(EcsModel):
    """Describes an IPv4 address range."""
    Description: str | None = Field(default=None, description='A description for the security group rule that references this IPv4 address range.')
    CidrIp: str | None = Field(default=None, description='The IPv4 address range.')


class Ipv6Range(EcsModel):
    """Describes an IPv6 address range."""
    Description: str | None = Field(default=None, description='A description for the security group rule that references this IPv6 address range.')
    CidrIpv6: str | None = Field(default=None, description='The IPv6 address range.')


class PrefixListIdShape(EcsModel):
    """Describes a prefix list ID."""
    Description: str | None = Field(default=None, description='A description for the security group rule that references this prefix list ID.')
    PrefixListId: str | None = Field(default=None, description='The ID of the prefix.')


class IpPermission(EcsModel):
    """Describes the permissions for a security group rule."""
    IpProtocol: str | None = Field(default=None, description='The IP protocol name (tcp, udp, icmp, icmpv6) or number (see Protocol Numbers).')
    FromPort: int | None = Field(default=None, description='If the protocol is TCP or UDP, this is the start of the port range.')
    ToPort: int | None = Field(default=None, description='If the protocol is TCP or UDP, this is the end of the port range.')
    UserIdGroupPairs: list[UserIdGroupPair] | None = Field(default=None, description='The security group and Amazon Web Services account ID pairs.')
    IpRanges: list[IpRange] | None = Field(default=None, description='The IPv4 address ranges.')
    Ipv6Ranges: list[Ipv6Range] | None = Field(default=None, description='The IPv6 address ranges.')
    PrefixListIds: list[PrefixListIdShape] | None = Field(default=None, description='The prefix list IDs.')


class Tag(EcsModel):
    """Describes a tag."""
    Key: str | None = Field(default=None, description='The key of the tag.')
    Value: str | None = Field(default=None, description='The value of the tag.')


class SecurityGroupShape(EcsModel):
    """Describes a security group."""
    GroupId: str | None = Field(default=None, description='The ID of the security group.')
    IpPermissionsEgress: list[IpPermission] | None = Field(default=None, description='The outbound rules associated with the security group.')
    Tags: list[Tag] | None = Field(default=None, description='Any tags assigned to the security group.')
    VpcId: str | None = Field(default=None, description='The ID of the VPC for the security group.')
    SecurityGroupArn: str | None = Field(default=None, description='The ARN of the security group.')
    OwnerId: str | None = Field(default=None, description='The Amazon Web Services account ID of the owner of the security group.')
    GroupName: str | None = Field(default=None, description='The name of the security group.')
    Description: str | None = Field(default=None, description='A description of the security group.')
    IpPermissions: list[IpPermission] | None = Field(default=None, description='The inbound rules associated with the security group.')
