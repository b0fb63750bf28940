"""The ECS API beside moto's server, in the same run: DescribeServices of 10 services, ListTasks over 1000 tasks.

Both sides hold the same workload: a cluster, 10 services and 1000 running tasks, made through each one's API.

- **ecs-operator**: the local control plane (``ecs_operator.localcluster``: kube-apiserver, etcd,
  controller-manager, scheduler, kwok nodes) with the operator as ``manifests/`` runs it (a process, ``run
  --api``, under its ServiceAccount's RBAC), serving the ECS API; CreateCluster, RegisterTaskDefinition and 10
  CreateService calls of 100 tasks each, then ``services-stable``: 1000 Pods that kwok runs. Every answer is read
  from the custom resources' status and the Pods, through the Kubernetes API.
- **moto**: its server mode in a thread of this process; the same calls, and the tasks from RunTask (moto
  starts no service tasks).

The same boto3 calls, from one client thread, signed with SigV4 (moto does not check the signature; ours does):
DescribeServices of all 10 services in one call; ListTasks, one page of 100 of the 1000 tasks; a whole listing
(the paginator's pages). Each call is timed on its own (perf_counter around the boto3 call): p50 and p95 of the
calls, and the rate of one client calling in sequence at the median. Without the control plane's programs the
section is left out, with the reason.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from bench.measure import Figure
from ecs_operator.api.auth import access_key_secret, new_access_key
from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.controlplane import ControlPlane
from ecs_operator.localcluster.install import install_crds, install_operator_access
from ecs_operator.localcluster.operator import OperatorProcess

SERVICES = 10
TASKS_PER_SERVICE = 100
PAGE = 100
REGION = "us-east-1"
NAMESPACE = "default"  # where the key creates the cluster and services


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


def seed_ours(client: Any) -> None:
    """The cluster, task definition and 10 services of 100 tasks, through the ECS API; until they are stable."""
    client.create_cluster(clusterName="bench")
    client.register_task_definition(
        family="web",
        containerDefinitions=[{"name": "app", "image": "nginx:1.27", "essential": True, "memory": 64}],
    )
    services = [service_name(index) for index in range(SERVICES)]
    for name in services:
        client.create_service(cluster="bench", serviceName=name, taskDefinition="web", desiredCount=TASKS_PER_SERVICE)
    client.get_waiter("services_stable").wait(
        cluster="bench", services=services, WaiterConfig={"Delay": 2, "MaxAttempts": 300}
    )


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


def ours(rounds: Rounds) -> list[Figure]:
    """The figures of the ECS API the operator process serves on a fresh local control plane."""
    with tempfile.TemporaryDirectory(prefix="ecs-bench-") as workdir:
        plane = ControlPlane(f"ecs-bench-{os.getpid()}", Path(workdir) / "kwok", binaries.ensure())
        plane.start()
        try:
            install_crds(plane)
            objects = install_operator_access(plane)
            process = OperatorProcess.from_manifests(plane, objects, Path(workdir) / "operator")
            process.start()
            try:
                key = new_access_key([NAMESPACE], "bench")
                plane.apply([access_key_secret(key, "ecs-system")])
                client = boto3_client(process.api_url, key.access_key_id, key.secret_access_key)
                seed_ours(client)
                services = [service_name(index) for index in range(SERVICES)]
                return measure(client, "bench", services, rounds, "ecs-operator")
            finally:
                process.stop()
        finally:
            plane.stop()


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


def api_figures(quick: bool) -> tuple[list[Figure], str | None]:
    """Our figures and moto's, interleaved by call (ours first); or none, and why not."""
    reason = binaries.why_unavailable()
    if reason is not None:
        return [], f"ECS API figures left out: {reason}"
    rounds = QUICK if quick else FULL
    quiet = {name: logging.getLogger(name).level for name in ("werkzeug", "botocore")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        mine = ours(rounds)
        moto = theirs(rounds)
    finally:
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
    return [figure for pair in zip(mine, moto, strict=True) for figure in pair], None
