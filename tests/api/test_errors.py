"""Each error code that botocore's model documents for the implemented operations, triggered with the real boto3
client where ECS would answer it: its name, its HTTP status, and a message that names the problem.

A code that cannot arise here is in ``CANNOT_ARISE`` with the reason, and docs/api.md lists it; a new botocore
that documents a new code for one of these operations fails ``test_every_documented_code_is_triggered_or_explained``
until it is one or the other. The protocol's own errors (before an operation is known) are tested in
test_protocol.py, the signature refusals in test_auth.py.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kmock as kmock_lib
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from ecs_operator.api import operations, protocol
from ecs_operator.k8s.rest import USER_AGENT
from tests.api.conftest import Backend, Ecs, settled

JsonDict = dict[str, Any]
DOCS = Path(__file__).parents[2] / "docs" / "api.md"
HOLD = "tests.ecs.compat.dev/hold"  # a finalizer of the test's: keeps a deleted cluster DEPROVISIONING

# Documented for some implemented operation, and why nothing here answers it.
CANNOT_ARISE = {
    "PlatformUnknownException": "no Fargate platform versions: platformVersion is accepted and has no effect",
    "PlatformTaskDefinitionIncompatibilityException": "no platform versions, so none lacks a capability",
    "BlockedException": "no account is blocked: the access keys decide",
    "ClusterContainsContainerInstancesException": "nodes are not registered to a cluster; deleting one leaves them",
    "ClusterContainsCapacityProviderException": "capacity providers are node labels, not resources of the cluster",
}


@dataclass(frozen=True)
class Case:
    """An operation called with ``params`` after ``setup``: it answers ``code`` with ``status`` and a message
    matching ``says`` (a regular expression). ``teardown`` undoes what the setup left in the way."""

    code: str
    operation: str
    params: Callable[[Backend], JsonDict]
    says: str
    setup: Callable[[Ecs, Backend], Awaitable[None]] | None = None
    teardown: Callable[[Backend], Awaitable[None]] | None = None
    status: int = 400
    name: str = field(default="")

    @property
    def id(self) -> str:
        return self.name or f"{self.code}-{self.operation}"


CONTAINER = {"name": "app", "image": "registry.example/app:1", "memory": 64, "essential": True}


async def task_definition(ecs: Ecs, _: Backend) -> None:
    await ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])


async def cluster(ecs: Ecs, _: Backend) -> None:
    await ecs.create_cluster(clusterName="prod")


async def cluster_with_30_tags(ecs: Ecs, _: Backend) -> None:
    await ecs.create_cluster(clusterName="prod", tags=[{"key": f"k{i}", "value": "v"} for i in range(30)])


async def cluster_with_a_service(ecs: Ecs, backend: Backend) -> None:
    await ecs.create_cluster(clusterName="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    await backend.kubectl.create(
        {
            "apiVersion": "ecs.compat.dev/v1alpha1",
            "kind": "ECSService",
            "metadata": {"name": "web", "namespace": backend.namespace},
            "spec": {
                "cluster": "prod",
                "taskDefinition": "web",
                "desiredCount": 0,
                "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
            },
        }
    )


async def cluster_with_a_task(ecs: Ecs, backend: Backend) -> None:
    await cluster(ecs, backend)
    await task_definition(ecs, backend)
    await ecs.run_task(cluster="prod", taskDefinition="web", clientToken="first-request")


async def deleted_service(ecs: Ecs, backend: Backend) -> None:
    await task_definition(ecs, backend)
    await ecs.create_service(serviceName="web", taskDefinition="web", desiredCount=0)
    await ecs.delete_service(service="web")


async def cluster_being_deleted(ecs: Ecs, backend: Backend) -> None:
    await cluster(ecs, backend)
    (body,) = await backend.kubectl.list("ECSCluster", backend.namespace)
    name = body["metadata"]["name"]
    finalizers = [*(body["metadata"].get("finalizers") or []), HOLD]
    await backend.kubectl.patch("ECSCluster", backend.namespace, name, {"metadata": {"finalizers": finalizers}})
    await backend.kubectl.delete("ECSCluster", backend.namespace, name)

    async def deprovisioning() -> bool:
        found = await ecs.describe_clusters(clusters=["prod"])
        return [c["status"] for c in found["clusters"]] == ["DEPROVISIONING"]

    await settled(deprovisioning, "the cluster to be DEPROVISIONING")


async def release_cluster(backend: Backend) -> None:
    for body in await backend.kubectl.list("ECSCluster", backend.namespace):
        kept = [f for f in body["metadata"].get("finalizers") or [] if f != HOLD]
        await backend.kubectl.patch(
            "ECSCluster", backend.namespace, body["metadata"]["name"], {"metadata": {"finalizers": kept or None}}
        )


CASES = [
    Case("ClientException", "DescribeTaskDefinition", lambda b: {"taskDefinition": "nope:1"}, r"family nope"),
    Case(
        "ClientException",
        "CreateCluster",
        lambda b: {"clusterName": "prod"},
        r"prod is being deleted",
        cluster_being_deleted,
        release_cluster,
    ),
    Case("InvalidParameterException", "ListClusters", lambda b: {"nextToken": "garbage"}, r"nextToken"),
    Case(
        "InvalidParameterException",
        "DescribeServices",
        lambda b: {"services": [f"s{i}" for i in range(11)]},
        r"at most 10 services",
    ),
    Case(
        "InvalidParameterException",
        "RegisterTaskDefinition",
        lambda b: {"family": "web", "containerDefinitions": [{**CONTAINER, "memory": 0}]},
        r"memory",
    ),
    Case("ClusterNotFoundException", "DescribeServices", lambda b: {"cluster": "nope", "services": ["web"]}, r"nope"),
    Case("ClusterNotFoundException", "ListTasks", lambda b: {"cluster": "nope"}, r"nope"),
    Case("ClusterNotFoundException", "UpdateCluster", lambda b: {"cluster": "nope", "settings": []}, r"nope"),
    Case("ServiceNotFoundException", "UpdateService", lambda b: {"service": "nope", "desiredCount": 1}, r"nope"),
    Case("ServiceNotFoundException", "ListTasks", lambda b: {"serviceName": "nope"}, r"nope"),
    Case(
        "ServiceNotActiveException",
        "UpdateService",
        lambda b: {"service": "web", "desiredCount": 1},
        r"not ACTIVE: web",
        deleted_service,
    ),
    Case(
        "ClusterContainsServicesException",
        "DeleteCluster",
        lambda b: {"cluster": "prod"},
        r"Services are active: web",
        cluster_with_a_service,
    ),
    Case(
        "ClusterContainsTasksException",
        "DeleteCluster",
        lambda b: {"cluster": "prod"},
        r"Tasks are active: web-",
        cluster_with_a_task,
    ),
    Case(
        "UpdateInProgressException",
        "UpdateClusterSettings",
        lambda b: {"cluster": "prod", "settings": [{"name": "containerInsights", "value": "enabled"}]},
        r"prod is being deleted",
        cluster_being_deleted,
        release_cluster,
    ),
    Case(
        "UpdateInProgressException",
        "DeleteCluster",
        lambda b: {"cluster": "prod"},
        r"prod is being deleted",
        cluster_being_deleted,
        release_cluster,
    ),
    Case(
        "ResourceInUseException",
        "PutClusterCapacityProviders",
        lambda b: {"cluster": "prod", "capacityProviders": ["FARGATE"], "defaultCapacityProviderStrategy": []},
        r"FARGATE_SPOT \(service web\)",
        cluster_with_a_service,
    ),
    Case(
        "ResourceNotFoundException",
        "TagResource",
        lambda b: {"resourceArn": b.arn("service/default/nope"), "tags": [{"key": "k", "value": "v"}]},
        r"service/default/nope",
    ),
    Case(
        "ResourceNotFoundException",
        "UntagResource",
        lambda b: {"resourceArn": b.arn("task/default/0123456789abcdef0123456789abcdef"), "tagKeys": ["k"]},
        r"task/default/0123456789abcdef0123456789abcdef",
    ),
    Case(
        "AccessDeniedException",
        "DescribeClusters",
        lambda b: {"clusters": [f"arn:aws:ecs:{b.region}:999999999999:cluster/prod"]},
        r"not authorized.*999999999999",
    ),
    Case(
        "LimitExceededException",
        "TagResource",
        lambda b: {"resourceArn": b.arn("cluster/prod"), "tags": [{"key": f"new{i}", "value": "v"} for i in range(21)]},
        r"at most 50 tags",
        cluster_with_30_tags,
    ),
    Case(
        "ConflictException",
        "RunTask",
        lambda b: {"cluster": "prod", "taskDefinition": "web", "clientToken": "first-request", "startedBy": "other"},
        r"first-request.*another RunTask request",
        cluster_with_a_task,
    ),
    Case(
        "ServiceDeploymentNotFoundException",
        "StopServiceDeployment",
        lambda b: {"serviceDeploymentArn": b.arn("service-deployment/default/web/nope")},
        r"service-deployment/default/web/nope",
    ),
    Case(
        "UnsupportedFeatureException",
        "CreateService",
        lambda b: {
            "serviceName": "web",
            "taskDefinition": "web",
            "deploymentConfiguration": {
                "lifecycleHooks": [{"hookTargetArn": "arn:aws:lambda:us-east-1:000000000000:function:f"}]
            },
        },
        r"lifecycleHooks",
        task_definition,
    ),
    Case(
        "UnsupportedFeatureException",
        "DescribeTaskSets",
        lambda b: {"cluster": "prod", "service": "web"},
        r"DescribeTaskSets is not supported",
        name="UnsupportedFeatureException-an-operation-not-implemented",
    ),
    Case(
        "NamespaceNotFoundException",
        "ListServicesByNamespace",
        lambda b: {"namespace": "nope.local"},
        r"nope\.local",
    ),
]


async def call(ecs: Ecs, operation: str, params: JsonDict) -> ClientError:
    with pytest.raises(ClientError) as caught:
        await getattr(ecs, xform_name(operation))(**params)
    return caught.value


def check(error: ClientError, code: str, status: int, says: str) -> None:
    answer = error.response
    assert (answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]) == (code, status), answer
    assert re.search(says, answer["Error"]["Message"]), answer["Error"]["Message"]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_the_error_code(case: Case, ecs: Ecs, backend: Backend) -> None:
    assert case.code in protocol.modelled_errors(case.operation), "a code the operation's model does not list"
    try:
        if case.setup is not None:
            await case.setup(ecs, backend)
        error = await call(ecs, case.operation, case.params(backend))
        check(error, case.code, case.status, case.says)
    finally:
        if case.teardown is not None:
            await case.teardown(backend)


async def test_server_exception_when_the_kubernetes_api_server_fails(kmock_backend: Backend, kmock_ecs: Ecs) -> None:
    """ServerException (HTTP 500, which the SDKs retry): the Kubernetes API server answered 500."""
    assert kmock_backend.cluster is not None

    def failing(request: Any) -> kmock_lib.KubernetesError | None:
        ours = str(request.headers.get("User-Agent", "")) == USER_AGENT
        if ours and request.resource is not None and request.resource.plural == "ecsclusters":
            return kmock_lib.KubernetesError(status=500, reason="InternalError", message="etcd is on fire")
        return None

    kmock_backend.cluster.reject(failing)
    error = await call(kmock_ecs, "ListClusters", {})
    check(error, "ServerException", 500, r"Kubernetes API server failed.*etcd is on fire")


def test_every_documented_code_is_triggered_or_explained() -> None:
    documented = {code for operation in operations.IMPLEMENTED for code in protocol.modelled_errors(operation)}
    triggered = {case.code for case in CASES} | {"ServerException"}
    assert documented - triggered == set(CANNOT_ARISE), "a documented code neither triggered nor explained"
    assert not triggered - documented


def test_the_docs_list_the_codes_that_cannot_arise() -> None:
    section = DOCS.read_text().split("### Error codes that cannot arise here", 1)[1].split("\n#", 1)[0]
    listed = set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE))
    assert listed == set(CANNOT_ARISE)
