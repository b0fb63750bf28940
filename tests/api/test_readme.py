"""The README and docs/api.md stay true: their operation tables are the code's, and the README's AWS CLI flow
runs, command by command, against the API with the operator reconciling."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from ecs_operator.api import operations, protocol
from tests.api.conftest import Backend
from tests.api.test_aws_cli import AWS, aws

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
DOCS = (ROOT / "docs" / "api.md").read_text()
SECTION = README.split("## The ECS API: the AWS CLI, boto3 and deploy tools", 1)[1].split("\n## ", 1)[0]
NAMES = protocol.service_model().operation_names


def operation_names(text: str) -> list[str]:
    return [word for word in re.findall(r"\b[A-Z][A-Za-z]+\b", text) if word in NAMES]


def test_the_readme_table_is_the_code_s() -> None:
    rows = {row.split("|")[1].strip(): row.split("|")[2] for row in SECTION.splitlines() if row.startswith("| ")}
    implemented = [name for name in NAMES if name in operations.IMPLEMENTED]
    refused = [name for name in NAMES if name not in operations.IMPLEMENTED]
    assert sorted(operation_names(rows[f"implemented ({len(implemented)})"])) == sorted(implemented)
    assert sorted(operation_names(rows[f"refused, with the reason ({len(refused)})"])) == sorted(refused)


def test_docs_api_says_what_each_operation_does() -> None:
    table = [
        line for line in DOCS.split("## Operations", 1)[1].split("\n## ", 1)[0].splitlines() if line.startswith("| ")
    ]
    said: dict[str, str] = {}
    for row in table[1:]:  # after the header row (the separator does not start with "| ")
        _, names, here, _ = row.split("|")
        for name in operation_names(names):
            assert name not in said, f"{name} is in two rows"
            said[name] = here.strip()
    assert sorted(said) == sorted(NAMES)
    for name, here in said.items():
        assert here.startswith("refused:") == (name not in operations.IMPLEMENTED), name


def readme_commands() -> list[list[str]]:
    """The `aws ecs` commands of the README's flow (continued lines joined), as argument lists."""
    block = SECTION.split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    return [shlex.split(line.split("  #")[0])[2:] for line in block.splitlines() if line.startswith("aws ecs ")]


@pytest.mark.skipif(not AWS.exists(), reason=f"no AWS CLI at {AWS} (the awscli test dependency)")
async def test_the_readme_cli_flow_runs(backend: Backend, tmp_path: Path) -> None:
    commands = readme_commands()
    assert [command[0] for command in commands] == [
        "create-cluster",
        "register-task-definition",
        "create-service",
        "wait",
        "update-service",
        "wait",
    ]
    for command in commands:
        await aws(backend, tmp_path, *command, endpoint_flag=False)  # AWS_ENDPOINT_URL_ECS, as the README sets it
    kinds = {
        kind: await backend.kubectl.list(kind, backend.namespace)
        for kind in ("ECSCluster", "TaskDefinition", "ECSService")
    }
    assert [r["spec"]["clusterName"] for r in kinds["ECSCluster"]] == ["raghav_clust_cli"]
    assert [r["spec"]["family"] for r in kinds["TaskDefinition"]] == ["hello"]
    assert [(r["spec"]["serviceName"], r["status"]["runningCount"]) for r in kinds["ECSService"]] == [("hello", 2)]
