"""Argo CD's health check for the ECS kinds, run by a real Lua interpreter on statuses the operator writes.

Argo CD runs health checks in gopher-lua (Lua 5.1); lupa embeds a newer Lua, and health.lua keeps to what
both have (no goto, no integer division, no bit operators).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lupa import LuaRuntime

HEALTH_LUA = Path(__file__).resolve().parents[2] / "manifests" / "argocd" / "health.lua"


def argocd_health(obj: dict[str, Any]) -> tuple[str, str]:
    """(status, message) as Argo CD would compute them: the script runs with the object as global ``obj``."""
    lua = LuaRuntime(unpack_returned_tuples=True)
    lua.globals().obj = _to_lua(lua, obj)
    result = lua.execute(HEALTH_LUA.read_text())
    return str(result["status"]), str(result["message"])


def _to_lua(lua: LuaRuntime, value: Any) -> Any:
    if isinstance(value, dict):
        return lua.table_from({key: _to_lua(lua, item) for key, item in value.items()})
    if isinstance(value, list):
        return lua.table_from([_to_lua(lua, item) for item in value])
    return value


def condition(kind: str, status: str, reason: str, message: str = "") -> dict[str, str]:
    return {"type": kind, "status": status, "reason": reason, "message": message}


def service(generation: int, status: dict[str, Any] | None) -> dict[str, Any]:
    obj: dict[str, Any] = {"kind": "ECSService", "metadata": {"name": "web", "generation": generation}}
    if status is not None:
        obj["status"] = status
    return obj


STEADY = [
    condition("Ready", "True", "SteadyState", "2 of 2 tasks running web:3"),
    condition("Progressing", "False", "SteadyState"),
    condition("Degraded", "False", "SteadyState"),
]


@pytest.mark.parametrize(
    ("obj", "health", "message_part"),
    [
        (service(1, None), "Progressing", "Waiting for ecs-operator"),
        (service(2, {"observedGeneration": 2, "conditions": STEADY}), "Healthy", "2 of 2 tasks"),
        (service(3, {"observedGeneration": 2, "conditions": STEADY}), "Progressing", "latest spec"),
        (
            service(
                2,
                {
                    "observedGeneration": 2,
                    "conditions": [
                        condition("Ready", "False", "RolloutInProgress", "deploying web:4"),
                        condition("Progressing", "True", "RolloutInProgress", "deploying web:4"),
                        condition("Degraded", "False", "RolloutInProgress"),
                    ],
                },
            ),
            "Progressing",
            "deploying web:4",
        ),
        (
            service(
                2,
                {
                    "observedGeneration": 2,
                    "conditions": [
                        condition("Ready", "False", "InvalidSpec", "spec.loadBalancers[0].containerName: no container"),
                        condition("Progressing", "False", "InvalidSpec"),
                        condition(
                            "Degraded", "True", "InvalidSpec", "spec.loadBalancers[0].containerName: no container"
                        ),
                    ],
                },
            ),
            "Degraded",
            "InvalidSpec: spec.loadBalancers[0].containerName",
        ),
        (
            service(
                2,
                {
                    "observedGeneration": 2,
                    "conditions": [
                        condition("Ready", "True", "RolledBack", "running web:3"),
                        condition("Progressing", "False", "RolledBack"),
                        condition("Degraded", "True", "RolledBack", "the deployment of web:4 failed"),
                    ],
                },
            ),
            "Degraded",
            "RolledBack",
        ),
        (
            service(
                2,
                {
                    "conditions": [
                        condition("Ready", "False", "TaskFailed", "exit 1"),
                        condition("Degraded", "False", ""),
                    ]
                },
            ),
            "Degraded",
            "TaskFailed: exit 1",
        ),
    ],
    ids=["not yet reconciled", "steady", "stale generation", "rolling out", "invalid spec", "rolled back", "failed"],
)
def test_health_follows_the_conditions(obj: dict[str, Any], health: str, message_part: str) -> None:
    status, message = argocd_health(obj)
    assert status == health
    assert message_part in message
