"""The read model references are resolved from, and ``Resolver``: every reconciler's one way to resolve them.

``ReadModel`` is what the operator's caches answer: records of the clusters, task definitions, revisions and
security groups of a namespace. ``Snapshot`` is a plain in-memory one (tests, and anything that has the records
at hand); the running operator's is backed by its Kopf indices (``handlers/indices.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ecs_operator.resolve import references
from ecs_operator.resolve.records import ClusterRecord, RevisionRecord, SecurityGroupRecord, TaskDefinitionRecord
from ecs_operator.translate.context import ClusterContext, SecurityGroupRef, TaskDefinitionRevision


class ReadModel(Protocol):
    """Records of what references point at, by namespace (and family)."""

    def clusters(self, namespace: str) -> Collection[ClusterRecord]: ...

    def task_definitions(self, namespace: str, family: str) -> Collection[TaskDefinitionRecord]: ...

    def revisions(self, namespace: str, family: str) -> Collection[RevisionRecord]: ...

    def security_groups(self, namespace: str) -> Collection[SecurityGroupRecord]: ...


@dataclass
class Snapshot:
    """A ``ReadModel`` over records given up front (each carrying its namespace in the key)."""

    cluster_records: dict[str, list[ClusterRecord]] = field(default_factory=dict)
    task_definition_records: dict[tuple[str, str], list[TaskDefinitionRecord]] = field(default_factory=dict)
    revision_records: dict[tuple[str, str], list[RevisionRecord]] = field(default_factory=dict)
    security_group_records: dict[str, list[SecurityGroupRecord]] = field(default_factory=dict)

    def clusters(self, namespace: str) -> Collection[ClusterRecord]:
        return self.cluster_records.get(namespace, [])

    def task_definitions(self, namespace: str, family: str) -> Collection[TaskDefinitionRecord]:
        return self.task_definition_records.get((namespace, family), [])

    def revisions(self, namespace: str, family: str) -> Collection[RevisionRecord]:
        return self.revision_records.get((namespace, family), [])

    def security_groups(self, namespace: str) -> Collection[SecurityGroupRecord]:
        return self.security_group_records.get(namespace, [])

    def add_task_definitions(self, namespace: str, records: Iterable[TaskDefinitionRecord]) -> None:
        for record in records:
            self.task_definition_records.setdefault((namespace, record.family), []).append(record)

    def add_revisions(self, namespace: str, records: Iterable[RevisionRecord]) -> None:
        for record in records:
            self.revision_records.setdefault((namespace, record.family), []).append(record)


@dataclass(frozen=True)
class Resolver:
    """Resolves the references of one namespace's resources from a read model."""

    model: ReadModel
    namespace: str

    def cluster(self, reference: str | None) -> ClusterContext:
        return references.resolve_cluster(self.namespace, reference, self.model.clusters(self.namespace))

    def task_definition(self, reference: str, in_use: str | None = None) -> TaskDefinitionRevision:
        family = references.parse_reference(reference).family
        return references.resolve_task_definition(
            self.namespace,
            reference,
            self.model.task_definitions(self.namespace, family),
            self.model.revisions(self.namespace, family),
            in_use,
        )

    def security_groups(self) -> list[SecurityGroupRef]:
        return references.security_groups(self.model.security_groups(self.namespace))
