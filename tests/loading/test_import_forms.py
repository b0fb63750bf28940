"""The shapes real repositories hold: CodeDeploy and ecspresso service files, Terraform container definition
arrays, CI templates with empty images, and services that name a cluster or a revision."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.loading.importer import Imported, InputOptions, import_sources
from ecs_operator.loading.sources import Source

CONTAINERS = [{"name": "web", "image": "nginx:1.27", "memory": 256}]
TASK_DEFINITION = {"family": "shop", "containerDefinitions": CONTAINERS}
# CodeDeploy's create-service.json: no serviceName; ecspresso's ecs-service-def.json: no taskDefinition either.
CODEDEPLOY_SERVICE = {
    "taskDefinition": "shop:3",
    "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:x:1:targetgroup/tg/1", "containerName": "web",
                       "containerPort": 80}],
    "desiredCount": 2,
    "deploymentController": {"type": "CODE_DEPLOY"},
}  # fmt: skip
ECSPRESSO_SERVICE = {"schedulingStrategy": "DAEMON"}


def run(*documents: tuple[str, Any], **options: Any) -> Imported:
    return import_sources([Source(origin, data) for origin, data in documents], options=InputOptions(**options))


def resources(imported: Imported, kind: str) -> list[dict[str, Any]]:
    return [r for r in imported.resources if r["kind"] == kind]


@pytest.mark.parametrize(
    ("documents", "options", "name", "task_definition"),
    [
        ([("create-service.json", CODEDEPLOY_SERVICE)], {}, "shop", "shop"),
        ([("create-service.json", CODEDEPLOY_SERVICE)], {"service_name": "storefront"}, "storefront", "shop"),
        ([("ecs-service-def.json", ECSPRESSO_SERVICE)], {}, "ecs-service-def", None),
        (
            [("ecs-service-def.json", ECSPRESSO_SERVICE), ("ecs-task-def.json", TASK_DEFINITION)],
            {},
            "shop",
            "shop",
        ),
        (
            [("svc.json", ECSPRESSO_SERVICE), ("td.json", TASK_DEFINITION)],
            {"service_name": "agents"},
            "agents",
            "shop",
        ),
    ],
    ids=[
        "named after its task definition",
        "--service-name",
        "named after its file",
        "the input's only task definition",
        "--service-name, the only task definition",
    ],
)
def test_service_documents_without_a_name_are_services(
    documents: list[tuple[str, Any]], options: dict[str, Any], name: str, task_definition: str | None
) -> None:
    [service] = resources(run(*documents, **options), "ECSService")
    assert service["metadata"]["name"] == name
    assert service["spec"]["serviceName"] == name
    assert service["spec"].get("taskDefinition") == task_definition


def test_a_run_task_request_stays_a_task() -> None:
    imported = run(("run-task.json", {"taskDefinition": "shop", "count": 2, "launchType": "FARGATE"}))
    assert [r["kind"] for r in imported.resources] == ["ECSTask"]


@pytest.mark.parametrize(
    ("origin", "family", "expected", "noted"),
    [
        ("container-definitions.json", "shop", "shop", False),
        ("terraform/containers.json", None, "containers", True),
    ],
)
def test_a_bare_array_of_container_definitions_is_a_task_definition(
    origin: str, family: str | None, expected: str, noted: bool
) -> None:
    imported = run((origin, CONTAINERS), family=family)
    [task_definition] = resources(imported, "TaskDefinition")
    assert task_definition["spec"] == {"family": expected, "containerDefinitions": CONTAINERS}
    assert any(note.field == "family" for note in imported.notes) is noted


@pytest.mark.parametrize(
    ("image", "images", "expected", "strict"),
    [
        ("", {}, "image-not-set.invalid/web", True),
        ("", {"web": "registry.example/web:2"}, "registry.example/web:2", False),
        ("<IMAGE1_NAME>", {}, "IMAGE1_NAME", True),
        ("<IMAGE1_NAME>", {"web": "registry.example/web:2"}, "registry.example/web:2", False),
        ("nginx:1.27", {"other": "x"}, "nginx:1.27", None),
    ],
    ids=["empty", "empty, --image", "CodeDeploy placeholder", "placeholder, --image", "untouched"],
)
def test_images_ci_fills_in(image: str, images: dict[str, str], expected: str, strict: bool | None) -> None:
    document = {"family": "shop", "containerDefinitions": [{**CONTAINERS[0], "image": image}]}
    imported = run(("taskdef.json", document), images=images)
    [task_definition] = resources(imported, "TaskDefinition")
    assert task_definition["spec"]["containerDefinitions"][0]["image"] == expected
    image_notes = [note for note in imported.notes if note.field.endswith(".image")]
    assert [note.strict for note in image_notes][-1:] == ([] if strict is None else [strict])


@pytest.mark.parametrize(
    ("documents", "clusters"),
    [
        ([("svc.json", {"serviceName": "web", "taskDefinition": "shop", "cluster": "prod"})], ["prod"]),
        (
            [
                ("svc.json", {"serviceName": "web", "taskDefinition": "shop", "cluster": "prod"}),
                ("task.json", {"taskDefinition": "shop", "cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/prod"}),
            ],
            ["prod"],
        ),
        (
            [
                ("svc.json", {"serviceName": "web", "taskDefinition": "shop", "cluster": "prod"}),
                ("clusters.json", {"clusters": [{"clusterName": "prod", "capacityProviders": ["FARGATE"]}]}),
            ],
            ["prod"],
        ),
        ([("svc.json", {"serviceName": "web", "taskDefinition": "shop", "cluster": "default"})], []),
        ([("svc.json", {"serviceName": "web", "taskDefinition": "shop"})], []),
    ],
    ids=["a service's cluster", "one cluster for two users", "the input's own cluster", "default", "none"],
)
def test_named_clusters_are_imported_too(documents: list[tuple[str, Any]], clusters: list[str]) -> None:
    imported = run(*documents)
    assert [r["metadata"]["name"] for r in resources(imported, "ECSCluster")] == clusters
    given = [r for r in resources(imported, "ECSCluster") if r["spec"].get("capacityProviders")]
    assert len(given) == (1 if any(origin == "clusters.json" for origin, _ in documents) else 0)


@pytest.mark.parametrize(
    ("reference", "described_revision", "mismatch"),
    [
        ("shop:13", 14, True),
        ("shop:14", 14, False),
        ("shop:13", None, False),
        ("shop", 14, False),
    ],
)
def test_a_named_revision_is_said_to_become_the_newest(
    reference: str, described_revision: int | None, mismatch: bool
) -> None:
    described: Any = TASK_DEFINITION if described_revision is None else {
        "taskDefinition": {**TASK_DEFINITION, "revision": described_revision}
    }  # fmt: skip
    imported = run(("svc.json", {"serviceName": "web", "taskDefinition": reference}), ("td.json", described))
    rewrites = [note.reason for note in imported.notes if note.field == "taskDefinition"]
    pinned = ":" in reference
    assert any("the newest revision of shop" in reason for reason in rewrites) is pinned
    assert any("it runs revision 14's containers" in reason for reason in rewrites) is mismatch
