"""`ecs-operator import --from-aws`: read an ECS cluster from AWS with boto3, import it as `import` of files does.

What is read, with the user's AWS credentials (``--profile``, the environment, the instance role):

- the cluster (``ecs describe-clusters`` with its settings, configuration and tags);
- its services (``ecs list-services``, ``ecs describe-services`` ten at a time, with tags);
- the task definition each service runs (``ecs describe-task-definition`` with tags);
- the security groups the services name, and the groups their rules name (``ec2 describe-security-groups``);
- the services' Application Auto Scaling targets and policies (``application-autoscaling
  describe-scalable-targets`` / ``describe-scaling-policies``).

Only Describe and List operations are called: every client refuses any other before it is sent. The answers are
turned into the documents the AWS CLI prints (timestamps as ISO strings, no response metadata) and handed to
``importer.import_sources``, so the custom resources are those `ecs-operator import` makes of the same JSON
files. ``--endpoint-url`` (or AWS_ENDPOINT_URL) points every client elsewhere (an emulator in tests).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

import boto3
import botocore.exceptions

from ecs_operator.loading.commands import FAILED, OK, dump_yaml
from ecs_operator.loading.importer import InputOptions, import_sources
from ecs_operator.loading.report import Reporting, report, strict_failures
from ecs_operator.loading.resources import parse_resource
from ecs_operator.loading.sources import Diagnostic, LoadError, Source

READ_ONLY_PREFIXES = ("Describe", "List")
DESCRIBE_SERVICES_AT_ONCE = 10
SCALING_RESOURCES_AT_ONCE = 50
SECURITY_GROUPS_AT_ONCE = 200


@dataclass(frozen=True)
class AwsTarget:
    """Which cluster, where, as whom."""

    cluster: str = "default"
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None


class NotReadOnly(Exception):
    """A call that is neither Describe nor List was about to be sent."""


def refuse_writes(model: Any, **_: Any) -> None:
    if not model.name.startswith(READ_ONLY_PREFIXES):
        raise NotReadOnly(f"import --from-aws only reads: {model.name} is not a Describe or List call")


class Aws:
    """The three read-only clients of one session."""

    def __init__(self, target: AwsTarget) -> None:
        session = boto3.Session(profile_name=target.profile, region_name=target.region)
        self.ecs = self._client(session, "ecs", target)
        self.ec2 = self._client(session, "ec2", target)
        self.scaling = self._client(session, "application-autoscaling", target)

    @staticmethod
    def _client(session: boto3.Session, service: str, target: AwsTarget) -> Any:
        client = session.client(service, endpoint_url=target.endpoint_url)
        client.meta.events.register("before-call", refuse_writes)
        return client


def as_printed(value: Any) -> Any:
    """A boto3 answer as the AWS CLI prints it: JSON values, timestamps as ISO strings, no ResponseMetadata."""
    if isinstance(value, dict):
        return {key: as_printed(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [as_printed(item) for item in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Fetched:
    """The documents read so far, each with the command that prints it as its origin."""

    sources: list[Source] = field(default_factory=list)

    def add(self, origin: str, answer: Any) -> Any:
        printed = as_printed(answer)
        self.sources.append(Source(origin, printed))
        return printed


def fetch(aws: Aws, cluster: str) -> list[Source]:
    """The AWS documents for one cluster, as the AWS CLI would print them."""
    fetched = Fetched()
    fetch_cluster(aws, cluster, fetched)
    services = fetch_services(aws, cluster, fetched)
    for reference in dict.fromkeys(str(s["taskDefinition"]) for s in services if s.get("taskDefinition")):
        fetched.add(
            f"aws ecs describe-task-definition --task-definition {reference}",
            aws.ecs.describe_task_definition(taskDefinition=reference, include=["TAGS"]),
        )
    named = {
        group
        for service in services
        for group in ((service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get(
            "securityGroups"
        )
        or []
    }
    if named:
        fetched.sources.extend(security_groups(aws, sorted(named)))
    fetch_scaling(aws, [f"service/{cluster}/{service['serviceName']}" for service in services], fetched)
    return fetched.sources


def fetch_cluster(aws: Aws, cluster: str, fetched: Fetched) -> None:
    origin = f"aws ecs describe-clusters --clusters {cluster}"
    described = fetched.add(
        origin, aws.ecs.describe_clusters(clusters=[cluster], include=["SETTINGS", "CONFIGURATIONS", "TAGS"])
    )
    if not described.get("clusters"):
        reason = "; ".join(f"{f.get('arn')}: {f.get('reason')}" for f in described.get("failures") or [])
        raise LoadError([Diagnostic(origin, f"no such cluster ({reason})")])


def fetch_services(aws: Aws, cluster: str, fetched: Fetched) -> list[dict[str, Any]]:
    arns = [
        arn for page in aws.ecs.get_paginator("list_services").paginate(cluster=cluster) for arn in page["serviceArns"]
    ]
    services: list[dict[str, Any]] = []
    for batch in chunks(arns, DESCRIBE_SERVICES_AT_ONCE):
        names = " ".join(arn.rsplit("/", 1)[1] for arn in batch)
        answer = fetched.add(
            f"aws ecs describe-services --cluster {cluster} --services {names}",
            aws.ecs.describe_services(cluster=cluster, services=batch, include=["TAGS"]),
        )
        services.extend(answer.get("services") or [])
    return services


def fetch_scaling(aws: Aws, resource_ids: list[str], fetched: Fetched) -> None:
    """The services' scalable targets and scaling policies (Application Auto Scaling)."""
    command = "aws application-autoscaling"
    for batch in chunks(resource_ids, SCALING_RESOURCES_AT_ONCE):
        targets = paged(
            aws.scaling, "describe_scalable_targets", "ScalableTargets", ServiceNamespace="ecs", ResourceIds=batch
        )
        if targets:
            fetched.add(f"{command} describe-scalable-targets --service-namespace ecs", {"ScalableTargets": targets})
    for resource_id in resource_ids:
        policies = paged(
            aws.scaling, "describe_scaling_policies", "ScalingPolicies", ServiceNamespace="ecs", ResourceId=resource_id
        )
        if policies:
            origin = f"{command} describe-scaling-policies --service-namespace ecs --resource-id {resource_id}"
            fetched.add(origin, {"ScalingPolicies": policies})


def paged(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def security_groups(aws: Aws, named: list[str]) -> list[Source]:
    """The named groups and the groups of this account their rules name (what their NetworkPolicies select)."""
    found = describe_groups(aws, named)
    peers = {
        pair["GroupId"]
        for group in found.values()
        for rule in [*(group.get("IpPermissions") or []), *(group.get("IpPermissionsEgress") or [])]
        for pair in rule.get("UserIdGroupPairs") or []
        if pair.get("GroupId") and pair.get("UserId") in (None, group.get("OwnerId"))
    }
    found.update(describe_groups(aws, sorted(peers - set(found))))
    origin = "aws ec2 describe-security-groups --group-ids " + " ".join(sorted(found))
    return [Source(origin, {"SecurityGroups": [found[group] for group in sorted(found)]})]


def describe_groups(aws: Aws, ids: list[str]) -> dict[str, Any]:
    found = {}
    for batch in chunks(ids, SECURITY_GROUPS_AT_ONCE):
        for group in paged(aws.ec2, "describe_security_groups", "SecurityGroups", GroupIds=batch):
            found[group["GroupId"]] = as_printed(group)
    return found


def import_from_aws(
    target: AwsTarget,
    namespace: str | None,
    stdout: TextIO,
    stderr: TextIO,
    options: InputOptions | None = None,
    reporting: Reporting | None = None,
) -> int:
    """Print the custom resources for an ECS cluster read from AWS, as `import` prints them for the same JSON
    files (the same options, notes and --strict); what was dropped or rewritten on stderr."""
    reporting = reporting or Reporting()
    try:
        sources = fetch(Aws(target), target.cluster)
        imported = import_sources(sources, namespace, options)
        errors = []
        for origin, resource in zip(imported.origins, imported.resources, strict=True):
            try:
                parse_resource(resource, origin)
            except LoadError as error:
                errors.extend(error.diagnostics)
        notes = [note.as_line() for note in imported.notes]
        errors.extend(strict_failures(notes, reporting))
        if errors:
            raise LoadError(errors)
    except LoadError as error:
        for diagnostic in error.diagnostics:
            print(f"error: {diagnostic}", file=stderr)
        return FAILED
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, NotReadOnly) as error:
        print(f"error: reading cluster {target.cluster} from AWS: {error}", file=stderr)
        return FAILED
    report(notes, reporting, stderr, "import", "note")
    stdout.write(dump_yaml(imported.resources))
    return OK
