"""Reads of the objects references point at, as records for the resolver (``ecs_operator.resolve``)."""

from __future__ import annotations

from collections.abc import Iterable

from ecs_operator.k8s import Api
from ecs_operator.resolve.readmodel import Resolver, Snapshot
from ecs_operator.resolve.records import (
    LABEL_FAMILY,
    cluster_record,
    revision_record,
    security_group_record,
    task_definition_record,
)
from ecs_operator.translate.context import MANAGED_BY, label_value


async def resolver(api: Api, namespace: str, families: Iterable[str]) -> Resolver:
    """A resolver over the namespace's clusters, security groups, task definitions and ``families``' revisions."""
    snapshot = Snapshot()
    snapshot.cluster_records[namespace] = [cluster_record(body) for body in await api.list("ECSCluster", namespace)]
    snapshot.security_group_records[namespace] = [
        security_group_record(body) for body in await api.list("SecurityGroup", namespace)
    ]
    snapshot.add_task_definitions(
        namespace, [task_definition_record(body) for body in await api.list("TaskDefinition", namespace)]
    )
    for family in set(families):
        selector = {**MANAGED_BY, LABEL_FAMILY: label_value(family)}
        found = [revision_record(body) for body in await api.list("ControllerRevision", namespace, selector)]
        snapshot.add_revisions(namespace, [record for record in found if record is not None])
    return Resolver(snapshot, namespace)
