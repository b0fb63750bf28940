"""The ECS API beside moto's server, in the same run: DescribeServices of 10 services, ListTasks over 1000 tasks.

Both sides hold the same workload: a cluster, 10 services and 1000 running tasks. Ours: the ECS API served by
``start_api_server`` in this process, over kmock (the in-process Kubernetes API emulator of the tests), where the
services and their 100 Pods each are written as the operator and the Deployment controller write them
(ECSService with its status, Pods with labels, node and Running status). moto: its server mode in a thread of
this process, where ``run_task`` made the tasks. The same boto3 calls, from one client thread, signed with SigV4
(moto does not check the signature; ours does, with the key's secret).

- DescribeServices of all 10 services in one call;
- ListTasks, one page of 100 of the 1000 tasks (``maxResults=100``), and a whole listing (the paginator's 10
  pages).

Each call is timed on its own (perf_counter around the boto3 call): p50 and p95 of the calls, and the rate of one
client calling in sequence at the median.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import kmock as kmock_lib
import kopf
from botocore.config import Config

from bench.measure import Figure
from ecs_operator.api.auth import StaticKeys, new_access_key
from ecs_operator.api.config import ApiConfig
from ecs_operator.api.server import start_api_server
from tests.operator.conftest import Cluster, Emulator, declare_resources

SERVICES = 10
TASKS_PER_SERVICE = 100
PAGE = 100
REGION = "us-east-1"
NAMESPACE = "default"


@dataclass(frozen=True)
class Rounds:
    describe: int  # DescribeServices calls
    walks: int  # whole ListTasks listings (10 pages each)


FULL = Rounds(describe=60, walks=8)
QUICK = Rounds(describe=3, walks=1)


def timed(call: Callable[[], object], count: int) -> tuple[float, ...]:
    """Seconds of each of ``count`` calls, after one untimed warm-up call."""
    call()
    seconds = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return tuple(seconds)


def measure(client: Any, cluster: str, services: list[str], rounds: Rounds, side: str) -> list[Figure]:
    """The three figures for one side (``ours`` or ``moto``), from its boto3 client."""
    describe = timed(lambda: client.describe_services(cluster=cluster, services=services), rounds.describe)
    listed = client.list_tasks(cluster=cluster, maxResults=PAGE)
    token = listed.get("nextToken")
    paged = {"nextToken": token} if token else {}
    page = timed(lambda: client.list_tasks(cluster=cluster, maxResults=PAGE, **paged), rounds.walks * 10)
    page_meaning = (
        f"{side}: one ListTasks call, 100 of the 1000 tasks (the second page)"
        if token
        else f"{side}: one ListTasks call with maxResults=100: answers all {len(listed['taskArns'])} tasks at once"
    )

    def walk() -> None:
        arns = [
            arn
            for answer in client.get_paginator("list_tasks").paginate(
                cluster=cluster, PaginationConfig={"PageSize": PAGE}
            )
            for arn in answer["taskArns"]
        ]
        assert len(arns) == SERVICES * TASKS_PER_SERVICE, len(arns)

    walks = timed(walk, rounds.walks)
    return [
        Figure(
            f"{side}: DescribeServices x10",
            f"{side}: one DescribeServices call naming all 10 services",
            describe,
            rate_unit="requests/s",
        ),
        Figure(f"{side}: ListTasks page", page_meaning, page, rate_unit="requests/s"),
        Figure(
            f"{side}: ListTasks all 1000",
            f"{side}: the paginator's 10 pages of 100 tasks",
            walks,
            items_per_call=SERVICES * TASKS_PER_SERVICE,
            rate_unit="task ARNs/s",
        ),
    ]


def service_name(index: int) -> str:
    return f"svc{index:02d}"


async def seed_kmock(cluster: Cluster) -> None:
    """10 services with their status and 100 Running Pods each, as the operator and the controllers write them."""
    await cluster.create(
        {"apiVersion": "ecs.compat.dev/v1alpha1", "kind": "ECSCluster", "metadata": {"name": "bench"}, "spec": {}}
    )
    for node in range(3):
        await cluster.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node{node}"}})
    for index in range(SERVICES):
        name = service_name(index)
        spec = {
            "cluster": "bench",
            "taskDefinition": "web:1",
            "desiredCount": TASKS_PER_SERVICE,
            "launchType": "FARGATE",
        }
        await cluster.create(
            {"apiVersion": "ecs.compat.dev/v1alpha1", "kind": "ECSService", "metadata": {"name": name}, "spec": spec}
        )
        status = {
            "observedGeneration": 1,
            "serviceName": name,
            "clusterName": "bench",
            "status": "ACTIVE",
            "desiredCount": TASKS_PER_SERVICE,
            "runningCount": TASKS_PER_SERVICE,
            "pendingCount": 0,
            "taskDefinition": "web:1",
            "deployments": [
                {
                    "id": f"ecs-svc/{index:019d}",
                    "status": "PRIMARY",
                    "taskDefinition": "web:1",
                    "desiredCount": TASKS_PER_SERVICE,
                    "runningCount": TASKS_PER_SERVICE,
                    "pendingCount": 0,
                    "failedTasks": 0,
                    "rolloutState": "COMPLETED",
                    "createdAt": "2026-01-01T00:00:00Z",
                    "updatedAt": "2026-01-01T00:05:00Z",
                }
            ],
            "events": [
                {
                    "id": f"e{index}",
                    "createdAt": "2026-01-01T00:05:00Z",
                    "message": f"(service {name}) has reached a steady state.",
                }
            ],
        }
        await cluster.patch("ECSService", name, {"status": status}, subresource="status")
        for task in range(TASKS_PER_SERVICE):
            await cluster.create(service_pod(name, task))


def service_pod(service: str, index: int) -> dict[str, Any]:
    labels = {
        "app.kubernetes.io/managed-by": "ecs-operator",
        "ecs.compat.dev/cluster": "bench",
        "ecs.compat.dev/service": service,
        "ecs.compat.dev/task-definition": "web-1",
        "pod-template-hash": "5d8f7c9b4a",
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"{service}-5d8f7c9b4a-{index:05d}", "labels": labels},
        "spec": {"nodeName": f"node{index % 3}", "containers": [{"name": "app", "image": "nginx:1.27"}]},
        "status": {
            "phase": "Running",
            "startTime": "2026-01-01T00:01:00Z",
            "containerStatuses": [{"name": "app", "state": {"running": {"startedAt": "2026-01-01T00:01:00Z"}}}],
        },
    }


def seed_moto(client: Any, ec2: Any) -> None:
    client.create_cluster(clusterName="bench")
    client.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": "nginx:1.27", "essential": True, "memory": 256}
        ],  # moto needs it
    )
    subnet = ec2.describe_subnets()["Subnets"][0]
    group = ec2.create_security_group(GroupName="bench", Description="bench", VpcId=subnet["VpcId"])["GroupId"]
    network = {"awsvpcConfiguration": {"subnets": [subnet["SubnetId"]], "securityGroups": [group]}}
    for index in range(SERVICES):
        name = service_name(index)
        client.create_service(
            cluster="bench",
            serviceName=name,
            taskDefinition="web:1",
            desiredCount=TASKS_PER_SERVICE,
            launchType="FARGATE",
            networkConfiguration=network,
        )
        for _ in range(TASKS_PER_SERVICE // 10):
            client.run_task(
                cluster="bench",
                taskDefinition="web:1",
                count=10,
                launchType="FARGATE",
                startedBy=f"ecs-svc/{name}",
                networkConfiguration=network,
            )


def boto3_client(url: str, key_id: str, secret: str) -> Any:
    return boto3.client(
        "ecs",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


async def ours(rounds: Rounds) -> list[Figure]:
    async with Emulator() as kmock, kmock_lib.Server(kmock):
        declare_resources(kmock)
        await seed_kmock(Cluster(kmock))
        key = new_access_key([NAMESPACE], "bench")
        server = await start_api_server(
            kopf.ConnectionInfo(server=str(kmock.url)), config=ApiConfig(region=REGION), keys=StaticKeys([key])
        )
        try:
            client = boto3_client(server.url, key.access_key_id, key.secret_access_key)
            services = [service_name(index) for index in range(SERVICES)]
            return await asyncio.to_thread(measure, client, "bench", services, rounds, "ecs-operator")
        finally:
            await server.stop()


def theirs(rounds: Rounds) -> list[Figure]:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        client = boto3_client(f"http://{host}:{port}", "testing", "testing")
        ec2 = boto3.client(
            "ec2",
            endpoint_url=f"http://{host}:{port}",
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        seed_moto(client, ec2)
        return measure(client, "bench", [service_name(index) for index in range(SERVICES)], rounds, "moto")
    finally:
        server.stop()


def api_figures(quick: bool) -> list[Figure]:
    """Our figures and moto's, interleaved by call (ours first)."""
    rounds = QUICK if quick else FULL
    quiet = {name: logging.getLogger(name).level for name in ("ecs_operator.api.access", "werkzeug", "aiohttp")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        mine = asyncio.run(ours(rounds))
        moto = theirs(rounds)
    finally:
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
    return [figure for pair in zip(mine, moto, strict=True) for figure in pair]
