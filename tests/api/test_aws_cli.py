"""The seeds' AWS CLI flow, run with the unmodified `aws` command (the awscli package) against the ECS API."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Backend
from tests.api.workloads import task_definition

AWS = Path(sys.executable).parent / "aws"
pytestmark = pytest.mark.skipif(not AWS.exists(), reason=f"no AWS CLI at {AWS} (the awscli test dependency)")


async def aws(backend: Backend, home: Path, *args: str, endpoint_flag: bool = True) -> Any:
    """Run ``aws ecs ...`` as a user would, with the main key in the environment; its JSON output."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),  # no ~/.aws of the machine's user
        "AWS_ACCESS_KEY_ID": backend.main_key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": backend.main_key.secret_access_key,
        "AWS_DEFAULT_REGION": backend.region,
        "AWS_MAX_ATTEMPTS": "1",
    }
    command = [str(AWS), "ecs", *args, "--output", "json"]
    if endpoint_flag:
        command += ["--endpoint-url", backend.api_url]
    else:
        env["AWS_ENDPOINT_URL_ECS"] = backend.api_url  # the service-specific endpoint variable
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode == 0, f"{' '.join(args)}: {err.decode()}"
    return json.loads(out) if out.strip() else None


async def test_the_seeds_cli_flow_creates_deploys_and_redeploys(backend: Backend, tmp_path: Path) -> None:
    created = await aws(backend, tmp_path, "create-cluster", "--cluster-name", "raghav_clust_cli")
    assert created["cluster"]["clusterName"] == "raghav_clust_cli"
    assert created["cluster"]["status"] == "ACTIVE"
    request = tmp_path / "web-td.json"
    request.write_text(json.dumps(task_definition()))
    registered = await aws(backend, tmp_path, "register-task-definition", "--cli-input-json", f"file://{request}")
    assert registered["taskDefinition"]["revision"] == 1
    service = await aws(
        backend,
        tmp_path,
        "create-service",
        "--cluster", "raghav_clust_cli",
        "--service-name", "web",
        "--task-definition", "web",
        "--desired-count", "2",
        "--launch-type", "FARGATE",
        "--network-configuration", "awsvpcConfiguration={subnets=[subnet-1],assignPublicIp=DISABLED}",
    )  # fmt: skip
    assert service["service"]["taskDefinition"].endswith(":task-definition/web:1")
    assert (
        await aws(backend, tmp_path, "wait", "services-stable", "--cluster", "raghav_clust_cli", "--services", "web")
        is None
    )
    before = set(
        (await aws(backend, tmp_path, "list-tasks", "--cluster", "raghav_clust_cli", "--service-name", "web"))[
            "taskArns"
        ]
    )
    assert len(before) == 2
    await aws(
        backend,
        tmp_path,
        "update-service",
        "--cluster",
        "raghav_clust_cli",
        "--service",
        "web",
        "--force-new-deployment",
    )
    await aws(backend, tmp_path, "wait", "services-stable", "--cluster", "raghav_clust_cli", "--services", "web")
    described = await aws(
        backend,
        tmp_path,
        "describe-services",
        "--cluster",
        "raghav_clust_cli",
        "--services",
        "web",
        endpoint_flag=False,
    )
    [web] = described["services"]
    assert (web["status"], web["runningCount"], web["desiredCount"]) == ("ACTIVE", 2, 2)
    after = (await aws(backend, tmp_path, "list-tasks", "--cluster", "raghav_clust_cli", "--service-name", "web"))[
        "taskArns"
    ]
    assert len(after) == 2 and not set(after) & before  # the waiter waited for every task to be replaced
    [resource] = await backend.kubectl.list("ECSService", backend.namespace)
    assert resource["spec"]["cluster"] == "raghav_clust_cli"
