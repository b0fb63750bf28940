"""Helpers for the issue-10 tests on the real control plane: an operator copy with other settings (a short resync,
to watch it settle), and what the audit log says the operator wrote."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ecs_operator.localcluster.operator import OperatorProcess, free_port

JsonDict = dict[str, Any]
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


@contextlib.contextmanager
def operator_with(operator: OperatorProcess, **environment: str) -> Iterator[OperatorProcess]:
    """The session's operator stopped, and another copy run with the same command line and account but these
    environment settings (e.g. ``ECS_OPERATOR_RESYNC_SECONDS``); the session's is started again afterwards."""
    operator.stop()
    other = dataclasses.replace(
        operator,
        environment={**operator.environment, **environment},
        log=operator.log.with_name("operator-variant.log"),
        process=None,
        liveness_port=free_port(),
    )
    try:
        other.start()
        yield other
    finally:
        other.stop()
        operator.start()


@contextlib.contextmanager
def session_operator_stopped(operator: OperatorProcess) -> Iterator[None]:
    """The session's operator stopped for a test that runs copies of its own; started again afterwards."""
    operator.stop()
    try:
        yield
    finally:
        operator.start()


def readyz(operator: OperatorProcess) -> tuple[int, str]:
    """The readiness probe's status and body (0 and the error when it does not answer)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{operator.liveness_port}/readyz", timeout=2) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def writes(operator: OperatorProcess, namespace: str, since: int = 0) -> list[str]:
    """The operator's writes to the objects of ``namespace`` (Events aside), from its ``since``-th request on, as
    "verb resource/name[/subresource]"."""
    found = []
    for event in operator.requests(since=since):
        ref = event.get("objectRef") or {}
        if event["verb"] not in WRITE_VERBS or ref.get("namespace") != namespace or ref.get("resource") == "events":
            continue
        sub = f"/{ref['subresource']}" if ref.get("subresource") else ""
        found.append(f"{event['verb']} {ref.get('resource')}/{ref.get('name')}{sub}")
    return found


def reads_of(operator: OperatorProcess, namespace: str, resource: str, since: int = 0) -> int:
    """How many times the operator read objects of ``resource`` in ``namespace`` (a reconcile reads its object)."""
    return sum(
        1
        for event in operator.requests(since=since)
        if event["verb"] == "get"
        and (event.get("objectRef") or {}).get("namespace") == namespace
        and (event.get("objectRef") or {}).get("resource") == resource
    )


def start_sandbox(tmp_path: Path, **settings: str) -> tuple[subprocess.Popen[bytes], Path, dict[str, str]]:
    """``ecs-operator run`` as on a machine with no cluster (no kubeconfig, no AWS settings), with ``settings``
    added to its environment: the process, the file its output goes to, and that environment."""
    home = tmp_path / "home"
    home.mkdir()
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("KUBE", "AWS_"))}
    environment.update(HOME=str(home), ECS_OPERATOR_SANDBOX_DIR=str(tmp_path / "sandbox"), **settings)
    output = tmp_path / "sandbox.out"
    cli = Path(sys.executable).with_name("ecs-operator")
    with output.open("w") as out:
        process = subprocess.Popen([str(cli), "run"], env=environment, stdout=out, stderr=subprocess.STDOUT)
    return process, output, environment


def list_services_as_pasted(text: str, environment: dict[str, str], timeout: float) -> list[str]:
    """Run the sandbox's pasted ``aws ecs list-services`` line with its pasted ``export`` lines, as a user would,
    and check that it lists the example service; the command line it ran."""
    pasted = dict(re.findall(r"^\s+export (AWS_[A-Z_]+)=(\S+)$", text, re.M))
    assert set(pasted) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}
    [command] = re.findall(r"^\s+(aws ecs list-services .*)$", text, re.M)
    aws = shlex.split(command)
    aws[0] = str(Path(sys.executable).with_name("aws"))
    listed = subprocess.run(aws, env={**environment, **pasted}, capture_output=True, text=True, timeout=timeout)
    assert listed.returncode == 0, listed.stderr
    assert ":service/prod/web" in listed.stdout
    return aws
