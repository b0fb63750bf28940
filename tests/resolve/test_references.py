"""Resolving references from records: clusters, task definition revisions (filtered by the owner's uid), groups."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.resolve.errors import NotReady
from ecs_operator.resolve.readmodel import Resolver, Snapshot
from ecs_operator.resolve.records import (
    ClusterRecord,
    RevisionRecord,
    TaskDefinitionRecord,
    cluster_record,
    revision_record,
    security_group_record,
    task_definition_record,
)
from ecs_operator.resolve.references import family_owner, resolve_cluster, security_groups
from ecs_operator.translate.context import TranslationError

JsonDict = dict[str, Any]
CONTAINERS = [{"name": "app", "image": "nginx", "memory": 128}]


def revision(number: int, owner: str = "uid-1", family: str = "web", image: str = "nginx") -> RevisionRecord:
    data = {"family": family, "containerDefinitions": [{"name": "app", "image": image, "memory": 128}]}
    return RevisionRecord(f"{family}-{number}", family, number, owner, f"digest-{number}", "", data)


def resolver(
    revisions: list[RevisionRecord], owners: list[TaskDefinitionRecord] | None = None, clusters: Any = ()
) -> Resolver:
    snapshot = Snapshot(cluster_records={"default": list(clusters)})
    snapshot.add_task_definitions("default", owners or [TaskDefinitionRecord("web", "uid-1", "web", "2025-01-01")])
    snapshot.add_revisions("default", revisions)
    return Resolver(snapshot, "default")


@pytest.mark.parametrize(
    ("reference", "in_use", "deregistered", "expected"),
    [
        ("web", None, set(), "web:3"),  # bare family: the latest ACTIVE
        ("web", None, {3}, "web:2"),
        ("web:1", None, set(), "web:1"),
        ("arn:aws:ecs:us-east-1:123456789012:task-definition/web:2", None, set(), "web:2"),
        ("web:2", "web:2", {2}, "web:2"),  # INACTIVE keeps serving what already runs it
    ],
)
def test_resolve_task_definition(reference: str, in_use: str | None, deregistered: set[int], expected: str) -> None:
    owner = TaskDefinitionRecord("web", "uid-1", "web", "2025-01-01", frozenset(deregistered))
    refs = resolver([revision(1), revision(3), revision(2)], [owner])
    assert refs.task_definition(reference, in_use).family_revision == expected


@pytest.mark.parametrize(
    ("reference", "deregistered", "reason"),
    [
        ("api", set(), "TaskDefinitionNotFound"),  # no resource for the family
        ("web:9", set(), "TaskDefinitionNotFound"),
        ("web:2", {2}, "TaskDefinitionInactive"),
        ("web", {1, 2, 3}, "TaskDefinitionNotFound"),  # no ACTIVE revision
    ],
)
def test_unresolved_task_definitions_are_waits(reference: str, deregistered: set[int], reason: str) -> None:
    owner = TaskDefinitionRecord("web", "uid-1", "web", "2025-01-01", frozenset(deregistered))
    with pytest.raises(NotReady) as raised:
        resolver([revision(1), revision(2), revision(3)], [owner]).task_definition(reference)
    assert raised.value.reason == reason


def test_revisions_of_a_deleted_family_resource_are_not_the_new_ones() -> None:
    """Garbage collection is asynchronous: a re-created TaskDefinition must not pick up its predecessor's revisions
    (same names, other owner uid) while they are still there."""
    new_owner = TaskDefinitionRecord("web", "uid-new", "web", "2025-02-01")
    old = [revision(1, owner="uid-old", image="old"), revision(2, owner="uid-old", image="old")]
    with pytest.raises(NotReady, match="no ACTIVE revision"):
        resolver(old, [new_owner]).task_definition("web")
    resolved = resolver([*old, revision(1, owner="uid-new", image="new")], [new_owner]).task_definition("web")
    assert (resolved.revision, resolved.spec.containerDefinitions[0].image) == (1, "new")


def test_a_family_belongs_to_the_first_resource_created() -> None:
    later = TaskDefinitionRecord("web-copy", "uid-2", "web", "2025-03-01")
    first = TaskDefinitionRecord("web", "uid-1", "web", "2025-01-01")
    assert family_owner([later, first]) == first
    assert family_owner([]) is None
    refs = resolver([revision(1, owner="uid-1"), revision(2, owner="uid-2")], [later, first])
    assert refs.task_definition("web").revision == 1  # the later resource's revision is not the family's


@pytest.mark.parametrize(
    ("reference", "clusters", "expected"),
    [
        (None, [], "default"),  # the default cluster need not exist
        ("prod", [ClusterRecord("prod", "prod", None, "bad")], "ClusterInvalid"),
        ("arn:aws:ecs:us-east-1:123456789012:cluster/prod", [], "ClusterNotFound"),
        ("prod", [cluster_record({"metadata": {"name": "p"}, "spec": {"clusterName": "prod"}})], "prod"),
    ],
)
def test_resolve_cluster(reference: str | None, clusters: list[ClusterRecord], expected: str) -> None:
    try:
        assert resolve_cluster("default", reference, clusters).name == expected
    except NotReady as error:
        assert error.reason == expected


def test_a_malformed_reference_is_an_invalid_spec_not_a_wait() -> None:
    with pytest.raises(TranslationError, match=r"spec\.cluster"):
        resolve_cluster("default", "arn:aws:s3:::bucket", [])
    with pytest.raises(TranslationError, match=r"spec\.taskDefinition"):
        resolver([]).task_definition("web:0")


def test_records_from_bodies() -> None:
    td = task_definition_record(
        {"metadata": {"name": "web", "uid": "u", "creationTimestamp": "t"}, "spec": {"deregisteredRevisions": [2]}}
    )
    assert (td.family, td.deregistered) == ("web", frozenset({2}))
    stored = revision_record(
        {
            "metadata": {
                "name": "web-1",
                "labels": {"ecs.compat.dev/family": "web"},
                "annotations": {"ecs.compat.dev/digest": "d"},
                "ownerReferences": [{"uid": "u", "controller": True}],
            },
            "revision": 1,
            "data": {"family": "web", "containerDefinitions": CONTAINERS},
        }
    )
    assert stored is not None and (stored.owner_uid, stored.digest, stored.revision) == ("u", "d", 1)
    # A DaemonSet's own ControllerRevision (no family label) is not a task definition revision.
    assert revision_record({"metadata": {"name": "ds-5d8f"}, "revision": 1, "data": {"spec": {}}}) is None
    valid = security_group_record({"metadata": {"name": "web"}, "spec": {"GroupName": "web"}})
    invalid = security_group_record({"metadata": {"name": "bad"}, "spec": {"IpPermissions": "x"}})
    assert [group.name for group in security_groups([invalid, valid])] == ["web"]
