"""manifests/: the ECS API served from the operator's pod, behind a Service, with RBAC for exactly its calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import ClientError

from ecs_operator.api.server import start_api_server
from ecs_operator.k8s.rest import USER_AGENT
from tests.api.conftest import Backend, Ecs, api_config, boto3_ecs, settled
from tests.api.test_cli import new_key
from tests.api.workloads import batch_definition, task_definition
from tests.k8s_schema import validate_object

MANIFESTS = Path(__file__).resolve().parents[2] / "manifests"
VERBS = {"LIST": "list", "FETCH": "get", "CREATE": "create", "UPDATE": "patch", "DELETE": "delete", "WATCH": "watch"}


def documents(name: str) -> list[dict[str, Any]]:
    path = MANIFESTS / name if (MANIFESTS / name).exists() else MANIFESTS / "base" / name
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def granted(kind: str) -> set[tuple[str, str, str]]:
    """(group, resource, verb) the API's ClusterRole or Role grants."""
    return {
        (group, resource, verb)
        for doc in documents("api-rbac.yaml")
        if doc["kind"] == kind
        for rule in doc["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def test_the_operator_pod_serves_the_api_and_a_service_reaches_it() -> None:
    deployment = documents("deployment.yaml")[0]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert {"--api", "--api-host=0.0.0.0", "--api-port=8000"} <= set(container["args"])
    assert {"name": "ecs-api", "containerPort": 8000} in container["ports"]
    [service] = documents("api-service.yaml")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert all(labels.get(key) == value for key, value in service["spec"]["selector"].items())
    assert service["spec"]["ports"][0]["targetPort"] == "ecs-api"
    assert "base" in documents("kustomization.yaml")[0]["resources"]
    kustomization = yaml.safe_load((MANIFESTS / "base" / "kustomization.yaml").read_text())
    assert {"api-rbac.yaml", "api-service.yaml"} <= set(kustomization["resources"])
    assert "api-access-key.example.yaml" not in kustomization["resources"]  # no credentials applied by default
    for name in ("api-rbac.yaml", "api-service.yaml", "api-access-key.example.yaml"):
        for doc in documents(name):
            validate_object(doc)


async def test_the_api_rbac_grants_every_request_the_api_makes_and_nothing_more(
    kmock_backend: Backend, capsys: Any
) -> None:
    """A run through the operations, with keys read from Secrets; each request the API sends is allowed by its
    ClusterRole (its Role for Secrets, in ecs-system only), and each grant is used."""
    backend = kmock_backend
    assert backend.cluster is not None
    secret = new_key(capsys, backend.namespace)
    await backend.kubectl.create(secret)
    server = await start_api_server(backend.connection, config=api_config(credentials_namespace="ecs-system"))
    from ecs_operator.api.auth import key_from_secret

    ecs = Ecs(boto3_ecs(server.url, key_from_secret(secret)))
    try:
        await scenario(ecs)
    finally:
        await server.stop()
    requests = [r for r in list(backend.cluster.kmock) if r.headers.get("User-Agent") == USER_AGENT]
    used = {(r.resource.group or "", r.resource.plural, VERBS[r.action.name]) for r in requests}
    secrets = {(g, r, v) for g, r, v in used if r == "secrets"}
    assert secrets == granted("Role")
    assert all(r.namespace == "ecs-system" for r in requests if r.resource.plural == "secrets")
    assert used - secrets <= granted("ClusterRole"), sorted(used - secrets - granted("ClusterRole"))
    assert granted("ClusterRole") <= used, f"granted, never used: {sorted(granted('ClusterRole') - used)}"


async def scenario(ecs: Ecs) -> None:
    await ecs.create_cluster(clusterName="prod", tags=[{"key": "a", "value": "b"}])
    await ecs.register_task_definition(**task_definition())
    await ecs.register_task_definition(**batch_definition())
    await ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    await ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    await ecs.wait("services_stable", cluster="prod", services=["web"])
    [service_task] = (await ecs.list_tasks(cluster="prod", serviceName="web"))["taskArns"]
    await ecs.stop_task(cluster="prod", task=service_task)
    await ecs.describe_tasks(cluster="prod", tasks=[service_task])
    [task] = (await ecs.run_task(cluster="prod", taskDefinition="batch"))["tasks"]
    await ecs.stop_task(cluster="prod", task=task["taskArn"])
    await ecs.describe_container_instances(cluster="prod", containerInstances=["ecs-worker"])
    await ecs.create_service(
        cluster="prod",
        serviceName="secure",
        taskDefinition="web",
        desiredCount=0,
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["s"], "securityGroups": []}},
    )
    await ecs.update_service(cluster="prod", service="web", desiredCount=0)
    await ecs.delete_service(cluster="prod", service="web")
    await ecs.describe_services(cluster="prod", services=["web"])
    await ecs.update_cluster_settings(cluster="prod", settings=[{"name": "containerInsights", "value": "enabled"}])
    await ecs.deregister_task_definition(taskDefinition="batch:1")
    await ecs.delete_task_definitions(taskDefinitions=["batch:1"])
    await ecs.delete_service(cluster="prod", service="secure", force=True)

    async def deleted() -> bool:
        try:
            await ecs.delete_cluster(cluster="prod")
        except ClientError as error:  # until the stopped tasks' Pods are gone
            assert error.response["Error"]["Code"] == "ClusterContainsTasksException", error
            return False
        return True

    await settled(deleted, "the cluster to be deletable")  # the operator and the controllers: WAIT, not 8 s
