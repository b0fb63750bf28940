"""`render` and `import` as the CLI runs them: exit codes, what goes to stdout and stderr, and how errors read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ImportRunner, RenderRunner, warning_lines

TASK_DEFINITION = """\
apiVersion: ecs.compat.dev/v1alpha1
kind: TaskDefinition
metadata: {name: web}
spec:
  networkMode: awsvpc
  containerDefinitions:
    - {name: web, image: "nginx:1.27", memory: 256, essential: true, portMappings: [{containerPort: 80}]}
"""
SERVICE = """\
apiVersion: ecs.compat.dev/v1alpha1
kind: ECSService
metadata: {name: web}
spec:
  taskDefinition: %s
  desiredCount: 2
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def kinds(output: str) -> list[tuple[str, str]]:
    return [(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(output)]


def test_render_prints_yaml_documents_and_warnings_apart(tmp_path: Path, render: RenderRunner) -> None:
    result = render(write(tmp_path, "web.yaml", f"{TASK_DEFINITION}---\n{SERVICE % 'web'}"))
    assert result.code == 0
    assert ("Deployment", "web") in kinds(result.stdout)
    assert ("PodTemplate", "web-1") in kinds(result.stdout)
    assert all(line.startswith(f"warning: {tmp_path}/web.yaml: ") for line in result.stderr.splitlines())


def test_render_json_is_one_list(tmp_path: Path, render: RenderRunner) -> None:
    result = render(write(tmp_path, "web.yaml", TASK_DEFINITION), output="json")
    document = json.loads(result.stdout)
    assert document["apiVersion"] == "v1"
    assert document["kind"] == "List"
    assert [item["kind"] for item in document["items"]] == ["PodTemplate"]


def test_render_reads_stdin_and_directories_together(tmp_path: Path, render: RenderRunner) -> None:
    directory = tmp_path / "defs"
    write(directory, "nested/web.yaml", TASK_DEFINITION)
    write(directory, "README.md", "not input")
    result = render(str(directory), "-", stdin=SERVICE % "web")
    assert result.code == 0, result.stderr
    assert ("Deployment", "web") in kinds(result.stdout)


def test_services_and_tasks_carry_their_cluster(tmp_path: Path, render: RenderRunner) -> None:
    cluster = "apiVersion: ecs.compat.dev/v1alpha1\nkind: ECSCluster\nmetadata: {name: prod}\nspec: {}\n"
    service = (SERVICE % "web") + "  cluster: arn:aws:ecs:eu-west-1:123456789012:cluster/prod\n"
    result = render(write(tmp_path, "all.yaml", f"{service}---\n{cluster}---\n{TASK_DEFINITION}"), output="json")
    deployment = next(i for i in json.loads(result.stdout)["items"] if i["kind"] == "Deployment")
    assert deployment["metadata"]["labels"]["ecs.compat.dev/cluster"] == "prod"


@pytest.mark.parametrize(
    ("reference", "label", "warned"),
    [
        ("web", "web-1", False),
        ("web:1", "web-1", False),
        ("arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1", "web-1", False),
        ("web:4", "web-4", True),
    ],
)
def test_task_definition_references_resolve_offline(
    tmp_path: Path, render: RenderRunner, reference: str, label: str, warned: bool
) -> None:
    result = render(write(tmp_path, "web.yaml", f"{TASK_DEFINITION}---\n{SERVICE % reference}"), output="json")
    assert result.code == 0, result.stderr
    deployment = next(i for i in json.loads(result.stdout)["items"] if i["kind"] == "Deployment")
    assert deployment["metadata"]["labels"]["ecs.compat.dev/task-definition"] == label
    pinned = "ECSService/web: spec.taskDefinition: revision 4 cannot be checked offline"
    assert (pinned in result.stderr) is warned


BAD_SERVICE = (
    SERVICE % "web"
    + "  loadBalancers: [{targetGroupArn: arn:aws:elasticloadbalancing:x, containerName: api, containerPort: 80}]\n"
)


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        (["kind: [unclosed\n"], "{f}: cannot parse: "),
        (
            [SERVICE % "other"],
            "{f}: ECSService/web: spec.taskDefinition: task definition family 'other' is not in the input",
        ),
        ([SERVICE % "web:latest"], "{f}: ECSService/web: spec.taskDefinition: 'web:latest' is not a task definition"),
        ([TASK_DEFINITION, BAD_SERVICE], "{f}: ECSService/web: spec.loadBalancers[0].containerName: "),
        (
            [TASK_DEFINITION.replace("memory: 256", "memory: lots")],
            "{f}: TaskDefinition/web: spec.containerDefinitions[0].memory: ",
        ),
        (
            [TASK_DEFINITION.replace("image:", "imag:")],
            "{f}: TaskDefinition/web: spec.containerDefinitions[0].imag: unknown field",
        ),
        (
            [TASK_DEFINITION, TASK_DEFINITION.replace("memory: 256", "memory: 512")],
            "{f}: TaskDefinition/web: resource TaskDefinition/web is also defined in {f}",
        ),
        (
            [TASK_DEFINITION, TASK_DEFINITION.replace("{name: web}\nspec:\n", "{name: web2}\nspec:\n  family: web\n")],
            "{f}: TaskDefinition/web2: family web is also defined in {f} as TaskDefinition/web",
        ),
        (
            [TASK_DEFINITION.replace("kind: TaskDefinition", "kind: Deployment")],
            "{f}: ecs.compat.dev/v1alpha1/Deployment is not an ECS resource",
        ),
        (
            [TASK_DEFINITION.replace("metadata: {name: web}", "metadata: {}")],
            "{f}: TaskDefinition: metadata.name: metadata.name is required",
        ),
        (['{"serviceName": "web"}'], "{f}: ECSService/web: spec.taskDefinition: required"),
        (['{"hello": "world"}'], "{f}: not a custom resource (apiVersion/kind) nor ECS JSON"),
    ],
)
def test_render_errors_name_the_file_and_field_and_print_nothing(
    tmp_path: Path, render: RenderRunner, documents: list[str], expected: str
) -> None:
    path = write(tmp_path, "input.yaml", "---\n".join(documents))
    result = render(path)
    assert result.code == 1
    assert result.stdout == ""
    assert expected.format(f=path) in result.stderr
    assert all(line.startswith("error: ") for line in result.stderr.splitlines())


@pytest.mark.parametrize(
    ("first_text", "second_text"),
    [
        ("a: [\n", "b: {\n"),
        (TASK_DEFINITION.replace("image:", "imag:"), (SERVICE % "web").replace("desiredCount: 2", "desiredCount: x")),
    ],
    ids=["parse", "schema"],
)
def test_render_reports_every_bad_file(tmp_path: Path, render: RenderRunner, first_text: str, second_text: str) -> None:
    first = write(tmp_path, "a.yaml", first_text)
    second = write(tmp_path, "b.yaml", second_text)
    result = render(first, second)
    assert result.code == 1
    assert list(dict.fromkeys(line.split(": ")[1] for line in result.stderr.splitlines())) == [first, second]


def test_a_resource_given_twice_alike_renders_once(tmp_path: Path, render: RenderRunner) -> None:
    once = render(write(tmp_path, "once.yaml", TASK_DEFINITION))
    twice = render(write(tmp_path, "twice.yaml", f"{TASK_DEFINITION}---\n{TASK_DEFINITION}"))
    assert twice.code == 0
    assert twice.stdout == once.stdout


def test_render_of_nothing_is_an_error(tmp_path: Path, render: RenderRunner) -> None:
    result = render(str(tmp_path))
    assert (result.code, result.stdout, result.stderr) == (1, "", "error: input: no documents found\n")


DESCRIBED = {
    "taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/Web_App:3",
        "family": "Web_App",
        "revision": 3,
        "status": "ACTIVE",
        "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 256}],
    }
}


def test_import_prints_resources_and_says_what_it_dropped(import_: ImportRunner) -> None:
    result = import_("-", namespace="shop", stdin=json.dumps(DESCRIBED))
    assert result.code == 0
    [resource] = list(yaml.safe_load_all(result.stdout))
    assert resource["metadata"] == {"name": resource["metadata"]["name"], "namespace": "shop"}
    assert resource["metadata"]["name"].startswith("web-app-")
    assert resource["spec"] == {
        "family": "Web_App",
        "containerDefinitions": DESCRIBED["taskDefinition"]["containerDefinitions"],
    }
    ref = f"TaskDefinition/{resource['metadata']['name']}"
    assert warning_lines(result.stderr, "import") == [
        f"import: <stdin>: {ref}: dropped {field} (read-only)" for field in ("taskDefinitionArn", "revision", "status")
    ]


def with_container(**fields: Any) -> str:
    described = json.loads(json.dumps(DESCRIBED))
    described["taskDefinition"]["containerDefinitions"][0].update(fields)
    return json.dumps(described)


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        (with_container(memory="lots"), "error: <stdin>: TaskDefinition/web-app-"),
        (with_container(colour="blue"), "spec.containerDefinitions[0].colour: unknown field"),
        ('{"nope": 1}', "error: <stdin>: not a custom resource (apiVersion/kind) nor ECS JSON"),
        ("apiVersion: ecs.compat.dev/v1alpha1\nkind: ECSCluster\nmetadata: {name: x}\n", "already a custom resource"),
        ("{", "error: <stdin>: cannot parse: "),
    ],
)
def test_import_errors_print_nothing_on_stdout(import_: ImportRunner, stdin: str, expected: str) -> None:
    result = import_("-", stdin=stdin)
    assert result.code == 1
    assert result.stdout == ""
    assert expected in result.stderr


SERVICE_JSON = {"serviceName": "web", "taskDefinition": "web"}
TASK_JSON = {"taskArn": "arn:aws:ecs:eu-west-1:1:task/prod/0123456789", "taskDefinitionArn": "web"}
TARGET_JSON = {
    "ServiceNamespace": "ecs",
    "ResourceId": "service/default/web",
    "ScalableDimension": "ecs:service:DesiredCount",
    "MinCapacity": 1,
    "MaxCapacity": 2,
}
CUSTOM = {"apiVersion": "ecs.compat.dev/v1alpha1", "kind": "ECSCluster", "metadata": {"name": "c"}, "spec": {}}

# Every member the loaders read themselves (rather than leave to the models), given a value of the wrong type.
WRONG_TYPES = {
    "services": ({"services": {"serviceName": "web"}}, "services: expected a list"),
    "services item": ({"services": ["web"]}, "services[0]: expected an object"),
    "clusters item": ({"clusters": [5]}, "clusters[0]: expected an object"),
    "tasks": ({"tasks": "t"}, "tasks: expected a list"),
    "SecurityGroups item": ({"SecurityGroups": [None]}, "SecurityGroups[0]: expected an object"),
    "ScalableTargets": ({"ScalableTargets": 1}, "ScalableTargets: expected a list"),
    "ScalingPolicies item": ({"ScalingPolicies": [[]]}, "ScalingPolicies[0]: expected an object"),
    "failures": ({"services": [], "failures": "none"}, "failures: expected a list"),
    "failures item": ({"services": [], "failures": ["x"]}, "failures: expected a list of objects"),
    "family": ({"family": 5, "containerDefinitions": []}, "family: expected a string, not a number (5)"),
    "serviceName": ({"serviceName": ["web"]}, "serviceName: expected a string, not a list"),
    "service taskDefinition": (
        {"services": [{**SERVICE_JSON, "taskDefinition": 5}]},
        "ECSService/web: taskDefinition: expected a string, not a number (5)",
    ),
    "service clusterArn": ({**SERVICE_JSON, "clusterArn": 5}, "ECSService/web: clusterArn: expected a string"),
    "service cluster": ({**SERVICE_JSON, "cluster": True}, "ECSService/web: cluster: expected a string, not a boolean"),
    "service roleArn": ({**SERVICE_JSON, "roleArn": {}}, "ECSService/web: roleArn: expected a string, not an object"),
    "task taskDefinitionArn": ({"tasks": [{**TASK_JSON, "taskDefinitionArn": 1}]}, "taskDefinitionArn: expected a"),
    "task taskDefinition": ({"taskDefinition": 5, "count": 1}, "taskDefinition: expected a string"),
    "task taskArn": ({"tasks": [{**TASK_JSON, "taskArn": 7}]}, "taskArn: expected a string, not a number (7)"),
    "task clusterArn": ({"tasks": [{**TASK_JSON, "clusterArn": []}]}, "ECSTask/web-01234567: clusterArn: expected a"),
    "clusterName": ({"clusters": [{"clusterName": 1.5}]}, "clusterName: expected a string, not a number (1.5)"),
    "GroupName": ({"GroupName": 7, "GroupId": "sg-1"}, "GroupName: expected a string, not a number (7)"),
    "GroupId": ({"SecurityGroups": [{"GroupId": 7}]}, "GroupId: expected a string, not a number (7)"),
    "ResourceId": ({"ScalableTargets": [{**TARGET_JSON, "ResourceId": 1}]}, "ResourceId: expected a string"),
    "ServiceNamespace": ({"ScalableTargets": [{**TARGET_JSON, "ServiceNamespace": 1}]}, "ServiceNamespace: expected"),
    "ScalableDimension": ({"ScalingPolicies": [{**TARGET_JSON, "ScalableDimension": [1]}]}, "ScalableDimension: exp"),
}
WRONG_METADATA = {
    "kind": ({**CUSTOM, "kind": ["ECSCluster"]}, "ecs.compat.dev/v1alpha1/['ECSCluster'] is not an ECS resource"),
    "metadata": ({**CUSTOM, "metadata": "c"}, "ECSCluster: metadata: expected an object"),
    "metadata.name": ({**CUSTOM, "metadata": {"name": 5}}, "ECSCluster: metadata.name: expected a string"),
    "metadata.namespace": (
        {**CUSTOM, "metadata": {"name": "c", "namespace": 5}},
        "ECSCluster: metadata.namespace: expected a string",
    ),
}


@pytest.mark.parametrize(("document", "message"), WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_wrong_types_are_errors_naming_the_field(
    import_: ImportRunner, render: RenderRunner, document: dict[str, Any], message: str
) -> None:
    for result in (import_("-", stdin=json.dumps(document)), render("-", stdin=json.dumps(document))):
        assert (result.code, result.stdout) == (1, "")
        assert f"error: <stdin>: {message}" in result.stderr


@pytest.mark.parametrize(("document", "message"), WRONG_METADATA.values(), ids=WRONG_METADATA.keys())
def test_wrong_types_in_custom_resources_are_errors_naming_the_field(
    render: RenderRunner, document: dict[str, Any], message: str
) -> None:
    result = render("-", stdin=yaml.safe_dump(document))
    assert (result.code, result.stdout) == (1, "")
    assert f"error: <stdin>: {message}" in result.stderr


def test_the_offline_commands_load_no_kubernetes_client() -> None:
    code = (
        "import sys, ecs_operator.loading.commands, ecs_operator.cli\n"
        "loaded = sorted(m for m in ('kopf', 'kubernetes', 'aiohttp') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_shared_values_are_written_out_not_aliased() -> None:
    from ecs_operator.loading.commands import dump_yaml

    command = ["/bin/sh", "-c", "true"]
    text = dump_yaml([{"readinessProbe": {"command": command}, "livenessProbe": {"command": command}}])
    assert "&" not in text
    assert "*" not in text
    assert text.count("- /bin/sh") == 2
