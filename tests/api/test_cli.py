"""`ecs-operator api`, `ecs-operator run --api` and `ecs-operator api-key`, as processes against the emulator."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_operator.api.auth import key_from_secret
from ecs_operator.api.server import ApiServer
from ecs_operator.cli import main
from tests.api.conftest import REGION, Backend, Ecs
from tests.api.signing import post

ECS_OPERATOR = Path(sys.executable).parent / "ecs-operator"


def kubeconfig(backend: Backend, path: Path) -> Path:
    """A kubeconfig for the emulator, as kubectl would use it."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kmock", "cluster": {"server": backend.connection.server}}],
        "users": [{"name": "tester", "user": {"token": "any"}}],
        "contexts": [{"name": "kmock", "context": {"cluster": "kmock", "user": "tester"}}],
        "current-context": "kmock",
    }
    path.write_text(yaml.safe_dump(config))
    return path


def new_key(capsys: pytest.CaptureFixture[str], *namespaces: str) -> dict[str, Any]:
    """`ecs-operator api-key`: the Secret it prints, as the API server stores it (data, base64)."""
    arguments = ["api-key", "--name", "deployer"]
    for namespace in namespaces:
        arguments += ["-n", namespace]
    assert main(arguments) == 0
    out, err = capsys.readouterr()
    secret: dict[str, Any] = yaml.safe_load(out)
    assert f"export AWS_ACCESS_KEY_ID={secret['stringData']['accessKeyId']}" in err
    secret["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in secret.pop("stringData").items()}
    return secret


def test_api_key_prints_a_secret_the_api_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    secret = new_key(capsys, "team-a", "team-b")
    key = key_from_secret(secret)
    assert key.namespaces == ("team-a", "team-b")
    assert secret["metadata"] == {
        "name": "deployer",
        "namespace": "ecs-system",
        "labels": {"ecs.compat.dev/access-key": "true"},
    }


async def served(arguments: list[str], environment: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    """Start an ``ecs-operator`` process; the URL its log says the ECS API listens on."""
    process = await asyncio.create_subprocess_exec(
        str(ECS_OPERATOR), *arguments, env={**os.environ, **environment}, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    seen: list[str] = []
    while True:
        try:
            line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
        except TimeoutError:
            raise AssertionError(f"not serving after 60 s: {''.join(seen)}") from None
        assert line, f"exited before serving: {''.join(seen)}"
        seen.append(line)
        match = re.search(r"ECS API listening on (http://\S+)", line)
        if match:
            return process, match.group(1)


async def stopped(process: asyncio.subprocess.Process) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), 60)


@pytest.mark.parametrize("command", [["api", "--port", "0"], ["run", "--standalone", "--api", "--api-port", "0"]])
async def test_the_api_serves_alone_and_beside_the_operator_until_sigterm(
    kmock_backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    backend = kmock_backend
    secret = new_key(capsys, "default")
    await backend.kubectl.create(secret)
    key = key_from_secret(secret)
    environment = {
        "KUBECONFIG": str(kubeconfig(backend, tmp_path / "config")),
        "ECS_OPERATOR_API_CREDENTIALS_NAMESPACE": "ecs-system",
        "ECS_OPERATOR_REGION": REGION,
    }
    if command[0] == "run":
        command += ["--liveness", ""]
    process, url = await served(command, environment)
    try:
        status, answer = await post(url, "CreateCluster", {"clusterName": "from-cli"}, key, REGION)
        assert status == 200, answer
        assert answer["cluster"]["clusterArn"].endswith(":cluster/from-cli")
        status, answer = await post(url, "ListClusters", {}, key, "us-west-2")  # any region signs
        assert (status, answer["clusterArns"]) == (200, [answer["clusterArns"][0]])
    finally:
        assert await stopped(process) == 0
    assert await backend.kubectl.get("ECSCluster", "default", "from-cli") is not None


def test_half_a_tls_configuration_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["api", "--tls-cert", "cert.pem"]) == 2
    assert "--tls-key" in capsys.readouterr().err


async def test_each_request_is_one_json_access_log_line(
    kmock_ecs: Ecs, api: ApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ecs_operator.api.access"):
        await kmock_ecs.list_clusters()
        await post(api.url, "ListClusters", {}, None, REGION)
    entries = [json.loads(record.getMessage()) for record in caplog.records if record.name == "ecs_operator.api.access"]
    ok, refused = entries
    assert (ok["operation"], ok["status"], ok["accessKeyId"]) == ("ListClusters", 200, "ECSOTESTMAINKEY00001")
    assert isinstance(ok["durationMs"], float) and len(ok["requestId"]) == 36
    assert (refused["status"], refused["error"]) == (403, "MissingAuthenticationTokenException")
    assert "accessKeyId" not in refused
