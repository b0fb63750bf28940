"""``shapes.clean``: a document read as the AWS SDKs and ECS's API read it, with what changed said."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.loading.shapes import clean
from ecs_operator.loading.templates import Values

TASK_DEFINITION = ("RegisterTaskDefinitionRequest", "TaskDefinition")


def container(**fields: Any) -> dict[str, Any]:
    return {"containerDefinitions": [{"name": "app", "image": "nginx", **fields}]}


@pytest.mark.parametrize(
    ("document", "expected", "changes"),
    [
        (
            {"pidMode": "", "ipcMode": "", "family": "web"},
            {"family": "web"},
            [("pidMode", "dropped"), ("ipcMode", "dropped")],
        ),
        ({"networkMode": "AWSVPC"}, {"networkMode": "awsvpc"}, [("networkMode", "rewrote")]),
        (
            container(portMappings=[{"containerPort": 80, "protocol": "http"}]),
            container(portMappings=[{"containerPort": 80, "protocol": "tcp"}]),
            [("containerDefinitions[0].portMappings[0].protocol", "rewrote")],
        ),
        (
            container(portMappings=[{"containerPort": 53, "protocol": "UDP"}]),
            container(portMappings=[{"containerPort": 53, "protocol": "udp"}]),
            [("containerDefinitions[0].portMappings[0].protocol", "rewrote")],
        ),
        (container(cpu="${CPU}"), container(), [("containerDefinitions[0].cpu", "dropped")]),
        (
            container(portMappings=[{"containerPort": "${PORT}"}, {"containerPort": 9090}]),
            container(portMappings=[{"containerPort": 9090}]),
            [
                ("containerDefinitions[0].portMappings[0].containerPort", "dropped"),
                ("containerDefinitions[0].portMappings[0]", "dropped"),
            ],
        ),
        (container(cpu="${SIZE}"), container(cpu="256"), []),  # --set fills it; the model reads "256" as 256
        ({"family": "api-${STAGE}"}, {"family": "api-STAGE"}, [("family", "rewrote")]),
        (
            container(command=["sh", "-c", "echo ${HOSTNAME}"]),
            container(command=["sh", "-c", "echo ${HOSTNAME}"]),
            [],
        ),
        ({"family": "web", "colour": ""}, {"family": "web", "colour": ""}, []),  # unknown members: the models'
        ({"cpu": 256, "memory": 512.0}, {"cpu": "256", "memory": "512.0"}, [("cpu", "rewrote"), ("memory", "rewrote")]),
    ],
    ids=[
        "empty enums unset",
        "enum in another case",
        "unknown protocol stored as tcp",
        "protocol case",
        "unfilled number left out",
        "a port mapping without its port left out",
        "filled number",
        "unfilled string stands in",
        "shell variables kept",
        "unknown member untouched",
        "numbers for strings",
    ],
)
def test_clean(document: dict[str, Any], expected: dict[str, Any], changes: list[tuple[str, str]]) -> None:
    cleaned, found = clean(document, "ecs", TASK_DEFINITION, Values(given={"SIZE": "256"}))
    assert cleaned == expected
    assert [(change.field, change.action) for change in found] == changes


def test_values_from_the_environment_are_said_but_informative() -> None:
    cleaned, [change] = clean({"family": "api-${STAGE}"}, "ecs", TASK_DEFINITION, Values(environment={"STAGE": "dev"}))
    assert cleaned == {"family": "api-dev"}
    assert (change.action, change.reason, change.strict) == ("filled", "${STAGE} from the environment", False)
