"""Every example, in both of its forms: the AWS CLI JSON and the custom resources `import` makes of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_operator.translate.container import LOG_DRIVER_PREFIX, LOG_OPTIONS_PREFIX
from tests.conftest import ImportRunner, RenderRunner
from tests.k8s_schema import validate_objects

EXAMPLES = sorted(path for path in (Path(__file__).parent.parent / "examples").iterdir() if path.is_dir())
IDS = [example.name for example in EXAMPLES]


def resources_file(example: Path) -> Path:
    return example / f"{example.name}.yaml"


def aws_files(example: Path) -> list[str]:
    return [str(path) for path in sorted((example / "aws").glob("*.json"))]


def kubernetes_files(example: Path) -> list[Path]:
    """Plain Kubernetes manifests beside the ECS resources (a log agent), which render passes through."""
    return sorted(path for path in example.glob("*.yaml") if path != resources_file(example))


def rendered_items(output: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(output)["items"]
    return items


def test_the_examples_the_readme_promises_exist() -> None:
    assert set(IDS) >= {
        "web-alb",
        "queue-worker",
        "batch-job",
        "log-agent",
        "sidecar",
        "legacy-bridge",
        "awsvpc-security-groups",
        "fargate-spot",
        "log-routing",
    }


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_the_example_renders_valid_kubernetes(example: Path, render: RenderRunner) -> None:
    result = render(str(resources_file(example)), output="json")
    assert result.code == 0, result.stderr
    assert validate_objects(rendered_items(result.stdout)) >= 2
    assert "error" not in result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_import_of_the_aws_json_is_the_committed_yaml(example: Path, import_: ImportRunner) -> None:
    result = import_(*aws_files(example))
    assert result.code == 0, result.stderr
    assert result.stdout == resources_file(example).read_text(encoding="utf-8")
    assert all(line.startswith("import: ") for line in result.stderr.splitlines()[:-1])
    assert result.stderr.splitlines()[-1].endswith(" groups") or not result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_the_aws_json_renders_as_its_import_does(example: Path, render: RenderRunner, import_: ImportRunner) -> None:
    from_yaml = render(str(resources_file(example)), output="json")
    from_json = render(str(example / "aws"), output="json")
    from_import = render("-", output="json", stdin=import_(*aws_files(example)).stdout)
    assert from_yaml.code == from_json.code == from_import.code == 0
    assert rendered_items(from_json.stdout) == rendered_items(from_yaml.stdout)
    assert rendered_items(from_import.stdout) == rendered_items(from_yaml.stdout)


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_the_whole_directory_renders_each_resource_once(example: Path, render: RenderRunner) -> None:
    """`render -f examples/<name>` reads the YAML and the JSON: the same resources, given twice alike; plain
    Kubernetes manifests beside them are passed through as they are."""
    whole = render(str(example), output="json")
    from_yaml = render(str(resources_file(example)), output="json")
    passed = [document for path in kubernetes_files(example) for document in yaml.safe_load_all(path.read_text())]
    assert whole.code == 0, whole.stderr
    assert rendered_items(whole.stdout) == rendered_items(from_yaml.stdout) + passed
    assert validate_objects(passed) == len(passed)


def test_the_log_agent_reads_the_annotations_render_makes(render: RenderRunner) -> None:
    """examples/log-routing's Fluent Bit routes by the log annotations of the pods: the same keys."""
    example = Path(__file__).parent.parent / "examples" / "log-routing"
    items = rendered_items(render(str(example), output="json").stdout)
    [config] = [item for item in items if item["kind"] == "ConfigMap" and item["metadata"]["name"] == "fluent-bit"]
    [deployment] = [item for item in items if item["kind"] == "Deployment"]
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    script = config["data"]["ecs-logs.lua"]
    for prefix in (LOG_DRIVER_PREFIX, LOG_OPTIONS_PREFIX):
        assert f'"{prefix}/" .. container' in script
        assert any(key.startswith(f"{prefix}/") for key in annotations)
    drivers = {annotations[key] for key in annotations if key.startswith(LOG_DRIVER_PREFIX)}
    assert drivers == {"awslogs", "awsfirelens"}


def test_an_example_namespace_is_kept(import_: ImportRunner) -> None:
    result = import_(*aws_files(EXAMPLES[0]), namespace="migrated")
    documents = list(yaml.safe_load_all(result.stdout))
    assert documents
    assert {document["metadata"]["namespace"] for document in documents} == {"migrated"}
