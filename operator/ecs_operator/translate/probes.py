"""A container's ECS ``healthCheck`` as Kubernetes probes.

ECS runs the check every ``interval`` seconds; ``retries`` consecutive failures make the container
UNHEALTHY, and failures during ``startPeriod`` do not count. Kubernetes splits that in three probes with the
same exec command: a startupProbe that allows ``startPeriod`` plus ``retries`` failures, then a
readinessProbe (the task is not "healthy" until it passes, as ECS deployments wait for it) and a
livenessProbe (the service replaces an unhealthy task; Kubernetes restarts the container in place).

A standalone task (RunTask) keeps running when it is unhealthy, as ECS leaves it: no liveness probe, and a
startup probe only where another container waits for this one to be HEALTHY.

Docker ignores a health check whose command does not start with ``CMD`` or ``CMD-SHELL`` followed by a
command ("Unknown healthcheck type"), and so does ECS's agent: ``ignored_reason`` says why, and the container
gets no probes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ecs_operator.models.ecs_api import HealthCheck
from ecs_operator.translate.context import JsonDict, TranslationError

# ECS defaults (RegisterTaskDefinition documentation).
DEFAULT_INTERVAL = 30
DEFAULT_TIMEOUT = 5
DEFAULT_RETRIES = 3
# The shells Docker runs CMD-SHELL (and a Dockerfile's shell form) with.
LINUX_SHELL = ("/bin/sh", "-c")
WINDOWS_SHELL = ("cmd", "/S", "/C")


@dataclass(frozen=True)
class Probes:
    """The probes of one container; ``None`` where there is none."""

    startup: JsonDict | None = None
    readiness: JsonDict | None = None
    liveness: JsonDict | None = None

    def fields(self) -> JsonDict:
        """The probe fields of a Kubernetes container."""
        named = {"startupProbe": self.startup, "readinessProbe": self.readiness, "livenessProbe": self.liveness}
        return {key: value for key, value in named.items() if value is not None}


def ignored_reason(command: list[str]) -> str | None:
    """Why Docker would ignore this health check command, or None when it runs it (or it is NONE)."""
    kind = command[0] if command else ""
    if kind == "NONE":
        return None
    if kind not in ("CMD", "CMD-SHELL"):
        return (
            f"{command!r} does not start with CMD or CMD-SHELL, so Docker ignores it (unknown health check type) "
            'and ECS runs the container without a health check: so does Kubernetes. Write ["CMD-SHELL", "<command>"]'
        )
    if not any(part.strip() for part in command[1:]):
        return f"{kind} has no command to run: Docker cannot run it; the container gets no probes"
    return None


def exec_command(command: list[str], field: str, *, windows: bool = False) -> list[str] | None:
    """The exec probe command for an ECS health check command; None for NONE (checks disabled).

    ``windows``: the task runs on Windows (runtimePlatform), where there is no /bin/sh.
    """
    if not command:
        raise TranslationError(field, "the health check command is empty")
    kind, rest = command[0], command[1:]
    if kind == "NONE":
        return None
    if kind == "CMD" and rest:
        return rest
    if kind == "CMD-SHELL" and rest:
        # Docker runs CMD-SHELL with its platform's shell and the remaining words joined.
        return [*(WINDOWS_SHELL if windows else LINUX_SHELL), " ".join(rest)]
    raise TranslationError(field, f"must start with CMD, CMD-SHELL or NONE followed by a command, not {command!r}")


def _probe(command: list[str], check: HealthCheck, failure_threshold: int) -> JsonDict:
    return {
        "exec": {"command": command},
        "periodSeconds": check.interval or DEFAULT_INTERVAL,
        "timeoutSeconds": check.timeout or DEFAULT_TIMEOUT,
        "failureThreshold": failure_threshold,
    }


def startup_probe(check: HealthCheck, field: str, *, windows: bool = False) -> JsonDict | None:
    """A probe that passes once the container is HEALTHY in ECS terms (startPeriod grace, then retries)."""
    command = exec_command(check.command, f"{field}.command", windows=windows)
    if command is None:
        return None
    interval = check.interval or DEFAULT_INTERVAL
    grace = math.ceil((check.startPeriod or 0) / interval)
    return _probe(command, check, grace + (check.retries or DEFAULT_RETRIES))


def health_probes(
    check: HealthCheck,
    field: str,
    *,
    essential: bool,
    healthy_dependency: bool,
    windows: bool = False,
    replaced_when_unhealthy: bool = True,
) -> Probes:
    """Probes for a container's health check.

    A non-essential container's health does not affect an ECS task, so it gets no readiness or liveness
    probe. A startup probe is made when ECS has a start period to honour, or when other containers wait
    for this one to be HEALTHY (a native sidecar's startup probe holds back the containers after it).
    ``replaced_when_unhealthy`` False (a standalone task): no liveness probe, and no startup probe (which
    would kill the container) but for a HEALTHY dependency.
    """
    startup = startup_probe(check, field, windows=windows)
    if startup is None:
        return Probes()
    wants_startup = healthy_dependency or (bool(check.startPeriod) and replaced_when_unhealthy)
    if not essential:
        return Probes(startup=startup if healthy_dependency else None)
    command = startup["exec"]["command"]
    retries = check.retries or DEFAULT_RETRIES
    return Probes(
        startup=startup if wants_startup else None,
        readiness=_probe(command, check, retries),
        liveness=_probe(command, check, retries) if replaced_when_unhealthy else None,
    )
