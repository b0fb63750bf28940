"""What the real-cluster tests need on this machine, and the skip reason that names what is missing."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

DOCKER_INFO_TIMEOUT = 20.0


@dataclass(frozen=True)
class Tools:
    """What was found: the Docker engine's state, and the kind and kubectl binaries (paths, or None)."""

    docker_problem: str | None  # None when `docker info` answered
    kind: str | None
    kubectl: str | None


def skip_reason(tools: Tools) -> str | None:
    """Why the e2e tests cannot run here (every missing piece, named), or None when they can."""
    missing = []
    if tools.docker_problem is not None:
        missing.append(f"no Docker engine ({tools.docker_problem})")
    if tools.kind is None:
        missing.append("no `kind` binary (not on PATH; or pass --kind-bin)")
    if tools.kubectl is None:
        missing.append("no `kubectl` binary (not on PATH; or pass --kind-kubectl-bin)")
    if not missing:
        return None
    return "e2e needs a real kind cluster: " + "; ".join(missing)


def docker_problem(docker: str | None) -> str | None:
    """Why the Docker engine cannot be used, or None when `docker info` succeeds."""
    if docker is None:
        return "`docker` is not on PATH"
    try:
        result = subprocess.run(
            [docker, "info"], capture_output=True, text=True, timeout=DOCKER_INFO_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return f"`docker info` did not answer within {DOCKER_INFO_TIMEOUT:.0f} s"
    except OSError as error:
        return f"`docker info` could not run: {error.strerror or error}"
    if result.returncode != 0:
        detail = next((line.strip() for line in result.stderr.splitlines() if line.strip()), "no message")
        return f"`docker info` failed: {detail}"
    return None


def find_tools(kind_bin: str | None = None, kubectl_bin: str | None = None) -> Tools:
    """Probe this machine: `docker info`, and kind / kubectl from the given paths or PATH.

    pytest-kind would download kind and kubectl when they are missing; these tests never download (old pinned
    versions, and no network in CI), so a missing binary is a skip.
    """
    return Tools(
        docker_problem=docker_problem(shutil.which("docker")),
        kind=_executable(kind_bin, "kind"),
        kubectl=_executable(kubectl_bin, "kubectl"),
    )


def _executable(given: str | None, name: str) -> str | None:
    return shutil.which(given) if given else shutil.which(name)
