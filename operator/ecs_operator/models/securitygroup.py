"""The SecurityGroup custom resource's spec: an EC2 security group, as `aws ec2 describe-security-groups` shows it."""

from __future__ import annotations

from pydantic import Field

from ecs_operator.models.ec2_api import SecurityGroupShape


class SecurityGroupSpec(SecurityGroupShape):
    """Allow-list rules for the tasks that are members of the group (awsvpc securityGroups)."""

    GroupName: str | None = Field(default=None, description="The group name; defaults to the resource's name.")
