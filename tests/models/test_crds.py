"""The CRDs: generated from the models, current in crds/, valid Kubernetes, and structural."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import jsonschema  # type: ignore[import-untyped]  # installed with kubernetes-validate
import pytest
import yaml
from pydantic import BaseModel, Field

from ecs_operator.cli import main
from ecs_operator.models.crds import all_crds, crd_filename, crd_yaml, openapi_schema, write_crds
from tests.k8s_schema import validate_object
from tests.models.specs import FARGATE, container, taskdef

CRDS_DIR = Path(__file__).resolve().parents[2] / "crds"
CRDS = {crd["spec"]["names"]["kind"]: crd for crd in all_crds()}
Schema = dict[str, Any]


def test_crds_directory_is_current() -> None:
    """Fails when a model changed and `make generate` was not run."""
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in CRDS_DIR.glob("*.yaml")}
    expected = {crd_filename(crd): crd_yaml(crd) for crd in all_crds()}
    assert sorted(on_disk) == sorted(expected)
    stale = [name for name in expected if on_disk[name] != expected[name]]
    assert stale == [], f"crds/ is stale ({stale}): run `make generate`"


@pytest.mark.parametrize("kind", CRDS)
def test_crd_is_valid_kubernetes(kind: str) -> None:
    validate_object(CRDS[kind])


def nodes(schema: Schema, path: str = "") -> Iterator[tuple[str, Schema]]:
    """Every schema node with its path."""
    yield path, schema
    for name, sub in schema.get("properties", {}).items():
        yield from nodes(sub, f"{path}.{name}")
    if "items" in schema:
        yield from nodes(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from nodes(schema["additionalProperties"], f"{path}{{}}")


def root_schema(kind: str) -> Schema:
    schema: Schema = CRDS[kind]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


FORBIDDEN = {
    "$ref",
    "$defs",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "nullable",
    "title",
    "default",
    "const",
    "propertyNames",
}


@pytest.mark.parametrize("kind", CRDS)
def test_schema_is_structural(kind: str) -> None:
    checked = 0
    for path, node in nodes(root_schema(kind)):
        checked += 1
        assert not FORBIDDEN & node.keys(), f"{kind}{path}: {sorted(FORBIDDEN & node.keys())}"
        assert "type" in node or node.get("x-kubernetes-preserve-unknown-fields") is True, f"{kind}{path} has no type"
        assert not ("properties" in node and "additionalProperties" in node), f"{kind}{path}: both kinds of properties"
        assert not isinstance(node.get("additionalProperties"), bool), f"{kind}{path}: boolean additionalProperties"
        if "enum" in node:
            assert node["type"] == "string" and all(isinstance(value, str) for value in node["enum"]), f"{kind}{path}"
    assert checked > 20


SPEC_REQUIRED = [
    ("TaskDefinition", "", ["containerDefinitions"]),
    ("TaskDefinition", ".containerDefinitions[]", ["name", "image"]),
    ("TaskDefinition", ".containerDefinitions[].healthCheck", ["command"]),
    ("ECSTask", "", ["taskDefinition"]),
    ("ECSService", ".autoScaling.scalableTarget", ["MinCapacity", "MaxCapacity"]),
    ("ECSService", "", None),
    ("ECSCluster", "", None),
]


@pytest.mark.parametrize(("kind", "path", "required"), SPEC_REQUIRED)
def test_spec_required_fields_follow_the_models(kind: str, path: str, required: list[str] | None) -> None:
    found = dict(nodes(root_schema(kind)["properties"]["spec"]))
    assert found[path].get("required") == required


@pytest.mark.parametrize(
    ("kind", "path", "bounds"),
    [
        ("TaskDefinition", ".containerDefinitions[].healthCheck.interval", {"minimum": 5, "maximum": 300}),
        ("TaskDefinition", ".containerDefinitions[].portMappings[].containerPort", {"minimum": 1, "maximum": 65535}),
        ("ECSTask", ".count", {"minimum": 1, "maximum": 10}),
        ("ECSService", ".capacityProviderStrategy[].weight", {"maximum": 1000}),
    ],
)
def test_bounds_reach_the_schema(kind: str, path: str, bounds: Schema) -> None:
    node = dict(nodes(root_schema(kind)["properties"]["spec"]))[path]
    assert {key: node.get(key) for key in bounds} == bounds


@pytest.mark.parametrize("kind", CRDS)
def test_status_keeps_kopfs_bookkeeping_and_nothing_else_unknown(kind: str) -> None:
    status = root_schema(kind)["properties"]["status"]
    assert status["properties"]["kopf"]["x-kubernetes-preserve-unknown-fields"] is True
    assert "x-kubernetes-preserve-unknown-fields" not in status
    assert {"observedGeneration", "conditions", "warnings"} <= status["properties"].keys()


def test_free_form_objects_are_kept_whole() -> None:
    tolerations = dict(nodes(root_schema("ECSCluster")["properties"]["spec"]))[".nodePools[].tolerations[]"]
    assert tolerations == {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


@pytest.mark.parametrize(
    ("spec", "valid"),
    [
        (taskdef(container(healthCheck={"command": ["CMD", "true"], "interval": 30}), **FARGATE), True),
        (taskdef(container(healthCheck={"command": ["CMD", "true"], "interval": 1})), False),
        (taskdef(container(portMappings=[{"containerPort": 70000}])), False),
        (taskdef(networkMode="overlay"), False),
        (taskdef(family="a b"), False),
        ({"family": "web"}, False),
    ],
    ids=["valid", "interval", "port", "network mode", "family", "no containers"],
)
def test_schema_rejects_at_apply_time_what_it_can(spec: Schema, valid: bool) -> None:
    """The spec schema, read as JSON Schema (as the API server applies it), refuses what the model refuses."""
    schema = root_schema("TaskDefinition")["properties"]["spec"]
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(spec))
    assert (errors == []) is valid, [error.message for error in errors]


DESIGN = {
    "ECSCluster": (
        "ecsclusters",
        ["ecscluster", "ecsc"],
        ["Status", "Services", "Running", "Pending", "Instances", "Age"],
    ),
    "TaskDefinition": ("taskdefinitions", ["taskdef", "td"], ["Family", "Revision", "Status", "Ready", "Age"]),
    "ECSService": (
        "ecsservices",
        ["ecsservice", "ecssvc"],
        ["Cluster", "Desired", "Running", "Pending", "Task Definition", "Status", "Ready", "Age"],
    ),
    "ECSTask": (
        "ecstasks",
        ["ecstask", "ecst"],
        ["Cluster", "Task Definition", "Last Status", "Desired Status", "Stop Code", "Age"],
    ),
    "SecurityGroup": ("securitygroups", ["securitygroup", "sg"], ["Group ID", "Ready", "Age"]),
}


@pytest.mark.parametrize(("kind", "design"), DESIGN.items())
def test_names_and_columns_follow_the_design(kind: str, design: tuple[str, list[str], list[str]]) -> None:
    crd = CRDS[kind]
    version = crd["spec"]["versions"][0]
    names = crd["spec"]["names"]
    assert (names["plural"], names["shortNames"], names["categories"]) == (design[0], design[1], ["ecs"])
    assert [column["name"] for column in version["additionalPrinterColumns"]] == design[2]
    assert (crd["spec"]["group"], version["name"], crd["spec"]["scope"]) == ("ecs.compat.dev", "v1alpha1", "Namespaced")
    assert version["subresources"] == {"status": {}}


@pytest.mark.parametrize("kind", CRDS)
def test_printer_columns_point_into_the_status_schema(kind: str) -> None:
    status = dict(nodes(root_schema(kind)["properties"]["status"], ".status"))
    for column in CRDS[kind]["spec"]["versions"][0]["additionalPrinterColumns"]:
        path = column["jsonPath"]
        if path.startswith(".metadata"):
            continue
        field = path.split("[?", 1)[0] + ("[].status" if "[?" in path else "")
        assert field in status, f"{kind}: {path}"
        assert column["type"] == ("integer" if status[field]["type"] == "integer" else "string")


def test_write_crds_to_a_directory(tmp_path: Path) -> None:
    assert main(["crds", "-o", str(tmp_path / "out")]) == 0
    written = {path.name: path.read_text(encoding="utf-8") for path in (tmp_path / "out").iterdir()}
    assert written == {crd_filename(crd): crd_yaml(crd) for crd in all_crds()}


def test_write_crds_to_stdout() -> None:
    out = io.StringIO()
    assert write_crds(None, out) == 0
    assert list(yaml.safe_load_all(out.getvalue())) == all_crds()


class Inner(BaseModel):
    """Inner's own description."""

    name: str


class Sample(BaseModel):
    """A model with one of each shape the conversion handles."""

    required: int = Field(ge=1, le=9)
    optional: str | None = None
    choice: Literal["a", "b"] | None = None
    single: Literal["only"] = "only"
    counts: dict[str, int] = Field(default_factory=dict)
    free: dict[str, Any] | None = None
    anything: list[Any] = Field(default_factory=list)
    positive: float = Field(default=1.0, gt=0, lt=10)
    inner: Inner | None = Field(default=None, description="Where it is used.")


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("required", {"type": "integer", "minimum": 1, "maximum": 9}),
        ("optional", {"type": "string"}),
        ("choice", {"type": "string", "enum": ["a", "b"]}),
        ("single", {"type": "string", "enum": ["only"]}),
        ("counts", {"type": "object", "additionalProperties": {"type": "integer"}}),
        ("free", {"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
        ("anything", {"type": "array", "items": {"x-kubernetes-preserve-unknown-fields": True}}),
        (
            "positive",
            {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 10, "exclusiveMaximum": True},
        ),
        (
            "inner",
            {
                "type": "object",
                "description": "Where it is used.",
                "properties": {"name": {"type": "string"}},
                "required": ["name"],
            },
        ),
    ],
)
def test_openapi_schema_conversion(field: str, expected: Schema) -> None:
    schema = openapi_schema(Sample)
    assert (schema["required"], schema["properties"][field]) == (["required"], expected)


def test_openapi_schema_refuses_what_it_cannot_express() -> None:
    class Either(BaseModel):
        value: int | str

    with pytest.raises(ValueError, match="a union of several types"):
        openapi_schema(Either)
