"""ECS health checks as probes."""

from __future__ import annotations

import pytest

from ecs_operator.models.ecs_api import HealthCheck
from ecs_operator.translate.context import TranslationError
from ecs_operator.translate.probes import exec_command, health_probes, ignored_reason, startup_probe


@pytest.mark.parametrize(
    ("command", "windows", "expected"),
    [
        (["CMD", "curl", "-f", "http://localhost/"], False, ["curl", "-f", "http://localhost/"]),
        (
            ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
            False,
            ["/bin/sh", "-c", "curl -f http://localhost/ || exit 1"],
        ),
        (["CMD-SHELL", "echo", "a b"], False, ["/bin/sh", "-c", "echo a b"]),
        (["NONE"], False, None),
        # Windows has no /bin/sh: Docker runs CMD-SHELL with cmd /S /C there.
        (
            ["CMD-SHELL", 'powershell -command "exit 0"'],
            True,
            ["cmd", "/S", "/C", 'powershell -command "exit 0"'],
        ),
        (["CMD", "ping.exe", "localhost"], True, ["ping.exe", "localhost"]),
        (["NONE"], True, None),
    ],
)
def test_exec_command(command: list[str], windows: bool, expected: list[str] | None) -> None:
    assert exec_command(command, "healthCheck.command", windows=windows) == expected


@pytest.mark.parametrize("command", [[], ["curl", "localhost"], ["CMD"], ["CMD-SHELL"]])
def test_exec_command_refuses_what_is_not_a_health_check(command: list[str]) -> None:
    with pytest.raises(TranslationError) as error:
        exec_command(command, "containerDefinitions[0].healthCheck.command")
    assert error.value.field == "containerDefinitions[0].healthCheck.command"


@pytest.mark.parametrize(
    ("check", "period", "timeout", "threshold"),
    [
        (HealthCheck(command=["CMD", "true"]), 30, 5, 3),  # ECS defaults
        (HealthCheck(command=["CMD", "true"], interval=10, timeout=2, retries=5), 10, 2, 5),
        # 60 s of grace at a 30 s interval is two more failures allowed before the retries count.
        (HealthCheck(command=["CMD", "true"], startPeriod=60), 30, 5, 5),
        (HealthCheck(command=["CMD", "true"], interval=20, startPeriod=50, retries=1), 20, 5, 4),
    ],
)
def test_startup_probe(check: HealthCheck, period: int, timeout: int, threshold: int) -> None:
    assert startup_probe(check, "healthCheck") == {
        "exec": {"command": ["true"]},
        "periodSeconds": period,
        "timeoutSeconds": timeout,
        "failureThreshold": threshold,
    }


CHECK = HealthCheck(command=["CMD", "true"], retries=4)
WITH_GRACE = HealthCheck(command=["CMD", "true"], retries=4, startPeriod=30)


@pytest.mark.parametrize(
    ("check", "essential", "healthy_dependency", "present"),
    [
        (CHECK, True, False, {"readinessProbe", "livenessProbe"}),
        (WITH_GRACE, True, False, {"startupProbe", "readinessProbe", "livenessProbe"}),
        (CHECK, True, True, {"startupProbe", "readinessProbe", "livenessProbe"}),
        (CHECK, False, False, set()),  # a non-essential container's health does not affect the task
        (WITH_GRACE, False, True, {"startupProbe"}),
        (HealthCheck(command=["NONE"]), True, True, set()),
    ],
)
def test_health_probes(check: HealthCheck, essential: bool, healthy_dependency: bool, present: set[str]) -> None:
    fields = health_probes(check, "healthCheck", essential=essential, healthy_dependency=healthy_dependency).fields()
    assert set(fields) == present
    for name in present - {"startupProbe"}:
        assert fields[name]["failureThreshold"] == 4


@pytest.mark.parametrize(
    ("command", "ignored"),
    [
        (["CMD", "true"], False),
        (["CMD-SHELL", "curl -f http://localhost/"], False),
        (["NONE"], False),
        (["/bin/bash, curl http://localhost:8080 || exit 1"], True),  # one string, no CMD: Docker ignores it
        (["curl", "-f", "http://localhost/"], True),
        (["CMD"], True),
        (["CMD-SHELL", " "], True),
    ],
)
def test_health_checks_docker_ignores(command: list[str], ignored: bool) -> None:
    assert (ignored_reason(command) is not None) is ignored


@pytest.mark.parametrize(
    ("check", "healthy_dependency", "present"),
    [
        (HealthCheck(command=["CMD", "true"]), False, {"readinessProbe"}),
        (HealthCheck(command=["CMD", "true"], startPeriod=60), False, {"readinessProbe"}),
        (HealthCheck(command=["CMD", "true"], startPeriod=60), True, {"startupProbe", "readinessProbe"}),
    ],
)
def test_a_standalone_task_is_never_killed_for_its_health(
    check: HealthCheck, healthy_dependency: bool, present: set[str]
) -> None:
    """ECS leaves an unhealthy RunTask task running: no liveness probe, and no startup probe that could kill it."""
    probes = health_probes(
        check, "healthCheck", essential=True, healthy_dependency=healthy_dependency, replaced_when_unhealthy=False
    )
    assert set(probes.fields()) == present
