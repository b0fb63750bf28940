"""The command line's options for render and import: --version, --strict, -v / --quiet, --set, --image,
--service-name and --family, as a user types them (``ecs_operator.cli.main``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_operator import cli

# A CI template: a placeholder in the family, an empty image, and ulimits (warned) on each of two containers.
TEMPLATE = {
    "family": "api-${STAGE}",
    "containerDefinitions": [
        {"name": "api", "image": "", "memory": 256, "ulimits": [{"name": "nofile", "softLimit": 1, "hardLimit": 2}]},
        {
            "name": "cache",
            "image": "redis:7",
            "memory": 128,
            "ulimits": [{"name": "core", "softLimit": 0, "hardLimit": 0}],
        },
    ],
}
SERVICE = {"taskDefinition": "api-prod", "desiredCount": 2, "deploymentController": {"type": "ECS"}}


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ecs_operator", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("ecs-operator ")
    assert result.stdout.split()[1][0].isdigit()


@pytest.mark.parametrize(
    ("flags", "family", "image"),
    [
        ([], "api-STAGE", "image-not-set.invalid/api"),
        (["--set", "STAGE=prod"], "api-prod", "image-not-set.invalid/api"),
        (["--set", "STAGE=prod", "--image", "api=registry.example/api:7"], "api-prod", "registry.example/api:7"),
    ],
)
def test_set_and_image_fill_a_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], family: str, image: str
) -> None:
    code, out, _ = main(capsys, "import", write(tmp_path, "task-definition.json", TEMPLATE), *flags)
    [resource] = yaml.safe_load_all(out)
    assert code == 0
    assert resource["spec"]["family"] == family
    assert resource["spec"]["containerDefinitions"][0]["image"] == image


def test_the_environment_fills_placeholders_set_leaves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGE", "staging")
    _, out, _ = main(capsys, "import", write(tmp_path, "td.json", TEMPLATE))
    assert next(yaml.safe_load_all(out))["spec"]["family"] == "api-staging"


def test_warnings_are_grouped_with_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = main(capsys, "render", "-f", write(tmp_path, "td.json", TEMPLATE), "--set", "STAGE=prod")
    lines = err.splitlines()
    assert code == 0
    ulimits = [line for line in lines if ".ulimits" in line]
    assert len(ulimits) == 1
    assert ulimits[0].endswith("[and 1 more like it]")
    assert lines[-1].endswith("; run with -v for each")
    count, groups = int(lines[-1].split()[0]), int(lines[-1].split()[3])
    assert count > groups == len(lines) - 1


def test_verbose_and_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "td.json", TEMPLATE)
    _, _, verbose = main(capsys, "render", "-f", path, "-v")
    _, _, quiet = main(capsys, "render", "-f", path, "--quiet")
    assert len([line for line in verbose.splitlines() if ".ulimits" in line]) == 2
    assert quiet == ""


def test_strict_fails_on_warnings_and_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = main(capsys, "render", "-f", write(tmp_path, "td.json", TEMPLATE), "--strict")
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert all(line.endswith("(--strict: warnings are errors)") for line in err.splitlines())


def test_strict_lets_informative_notes_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    described = {"taskDefinition": {**TEMPLATE, "family": "api", "revision": 3, "status": "ACTIVE"}}
    described["taskDefinition"]["containerDefinitions"] = [{"name": "api", "image": "nginx", "memory": 64}]
    code, _, err = main(capsys, "import", write(tmp_path, "td.json", described), "--strict")
    assert code == 0
    assert "dropped revision (read-only)" in err


@pytest.mark.parametrize(
    ("flags", "name"),
    [([], "create-service"), (["--service-name", "api"], "api")],
)
def test_service_name(tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], name: str) -> None:
    service = {key: value for key, value in SERVICE.items() if key != "taskDefinition"}
    _, out, _ = main(capsys, "import", write(tmp_path, "create-service.json", service), *flags)
    [resource] = yaml.safe_load_all(out)
    assert (resource["kind"], resource["metadata"]["name"]) == ("ECSService", name)


@pytest.mark.parametrize(("flags", "family"), [([], "containers"), (["--family", "api"], "api")])
def test_family_wraps_a_bare_array(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], family: str
) -> None:
    code, out, _ = main(
        capsys, "render", "-f", write(tmp_path, "containers.json", TEMPLATE["containerDefinitions"]), *flags
    )
    templates = [d for d in yaml.safe_load_all(out) if d["kind"] == "PodTemplate"]
    assert code == 0
    assert [t["metadata"]["name"] for t in templates] == [f"{family}-1"]


def test_a_service_without_a_task_definition_runs_the_inputs_only_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    write(tmp_path / "in", "ecs-service-def.json", {"desiredCount": 1})
    write(tmp_path / "in", "ecs-task-def.json", {**TEMPLATE, "family": "api"})
    code, out, err = main(capsys, "render", "-f", str(tmp_path / "in"), "-v")
    deployments = [d for d in yaml.safe_load_all(out) if d["kind"] == "Deployment"]
    assert code == 0
    assert [d["metadata"]["labels"]["ecs.compat.dev/task-definition"] for d in deployments] == ["api-1"]
    assert "the input's only task definition" in err


@pytest.mark.parametrize(("flags", "pod_level"), [([], False), (["--kubernetes-version", "1.34"], True)])
def test_kubernetes_version_chooses_pod_level_resources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], pod_level: bool
) -> None:
    sized = {"family": "api", "cpu": "512", "memory": "1024", "containerDefinitions": [{"name": "a", "image": "i"}]}
    code, out, _ = main(capsys, "render", "-f", write(tmp_path, "td.json", sized), *flags)
    [template] = yaml.safe_load_all(out)
    assert code == 0
    assert ("resources" in template["template"]["spec"]) is pod_level


def test_a_kubernetes_version_that_is_none_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["render", "-f", "-", "--kubernetes-version", "latest"])
    assert "is not a Kubernetes version" in capsys.readouterr().err


def test_ingress_namespace_names_where_load_balancer_traffic_comes_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group = {"GroupId": "sg-web", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupId": "sg-alb"}]}
    ]}  # fmt: skip
    _, out, _ = main(capsys, "render", "-f", write(tmp_path, "sg.json", group), "--ingress-namespace", "traefik")
    [policy] = yaml.safe_load_all(out)
    [peer] = policy["spec"]["ingress"][0]["from"]
    assert peer["namespaceSelector"]["matchExpressions"][0]["values"] == ["traefik"]
