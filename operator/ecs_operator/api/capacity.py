"""Capacity providers are node pools: DescribeCapacityProviders, and the account's fixed settings.

FARGATE and FARGATE_SPOT always exist, as in ECS; the other providers are those the caller's clusters name
in ``capacityProviders`` (their nodes are those of the cluster's ``nodePools``). Creating, changing and
deleting providers is refused (operations.py): a provider is a set of labelled nodes here.
"""

from __future__ import annotations

from ecs_operator.api.context import Call, JsonDict
from ecs_operator.api.errors import invalid_parameter
from ecs_operator.api.paging import page

BUILT_IN = ("FARGATE", "FARGATE_SPOT")
MAX_DESCRIBE = 100


async def provider_names(call: Call) -> list[str]:
    named = [
        provider
        for body in await call.objects_in_scope("ECSCluster")
        for provider in (body.get("spec") or {}).get("capacityProviders") or []
    ]
    return list(dict.fromkeys([*BUILT_IN, *named]))


def describe(call: Call, name: str, include_tags: bool) -> JsonDict:
    result: JsonDict = {
        "capacityProviderArn": call.arns.capacity_provider(name),
        "name": name,
        "status": "ACTIVE",
        "type": name if name in BUILT_IN else "EC2_AUTOSCALING",
    }
    if name not in BUILT_IN:
        result["autoScalingGroupProvider"] = {
            "autoScalingGroupArn": f"arn:aws:autoscaling:{call.config.region}:{call.config.account_id}:"
            f"autoScalingGroup:kubernetes:autoScalingGroupName/{name}",
            "managedScaling": {"status": "DISABLED"},
            "managedTerminationProtection": "DISABLED",
        }
    if include_tags:
        result["tags"] = []
    return result


async def describe_capacity_providers(call: Call, params: JsonDict) -> JsonDict:
    known = await provider_names(call)
    include_tags = "TAGS" in (params.get("include") or [])
    wanted = params.get("capacityProviders")
    if wanted is None:
        chosen, token = page([(name, name) for name in known], params, limit=10)
        return {"capacityProviders": [describe(call, name, include_tags) for name in chosen], "nextToken": token}
    if len(wanted) > MAX_DESCRIBE:
        raise invalid_parameter(f"capacityProviders: at most {MAX_DESCRIBE} per call")
    found, failures = [], []
    for reference in wanted:
        name = call.arns.name_in(reference, "capacity-provider", call.operation)[-1]
        if name in known:
            found.append(describe(call, name, include_tags))
        else:
            failures.append({"arn": call.arns.capacity_provider(name), "reason": "MISSING"})
    return {"capacityProviders": found, "failures": failures}


# What this endpoint behaves as (ARN formats, no opt-ins); PutAccountSetting is refused (operations.py).
ACCOUNT_SETTINGS = {
    "serviceLongArnFormat": "enabled",
    "taskLongArnFormat": "enabled",
    "containerInstanceLongArnFormat": "enabled",
    "awsvpcTrunking": "disabled",
    "containerInsights": "disabled",
    "fargateFIPSMode": "disabled",
    "tagResourceAuthorization": "on",
    "fargateTaskRetirementWaitPeriod": "7",
    "guardDutyActivate": "off",
    "defaultLogDriverMode": "blocking",
}


async def list_account_settings(call: Call, params: JsonDict) -> JsonDict:
    principal = params.get("principalArn") or call.principal
    items = [
        (name, {"name": name, "value": value, "principalArn": principal, "type": "aws_managed"})
        for name, value in ACCOUNT_SETTINGS.items()
        if params.get("name") in (None, name) and params.get("value") in (None, value)
    ]
    chosen, token = page(items, params, limit=10)
    return {"settings": chosen, "nextToken": token}
