"""The e2e skip logic, tested everywhere (unlike the e2e tests it guards): which tools, which reason."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.e2e.tools import Tools, docker_problem, find_tools, skip_reason

DOCKER_DOWN = "`docker info` failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock."


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        (Tools(None, "/bin/kind", "/bin/kubectl"), None),
        (
            Tools("`docker` is not on PATH", "/bin/kind", "/bin/kubectl"),
            "e2e needs a real kind cluster: no Docker engine (`docker` is not on PATH)",
        ),
        (
            Tools(DOCKER_DOWN, "/bin/kind", "/bin/kubectl"),
            f"e2e needs a real kind cluster: no Docker engine ({DOCKER_DOWN})",
        ),
        (
            Tools(None, None, "/bin/kubectl"),
            "e2e needs a real kind cluster: no `kind` binary (not on PATH; or pass --kind-bin)",
        ),
        (
            Tools(None, "/bin/kind", None),
            "e2e needs a real kind cluster: no `kubectl` binary (not on PATH; or pass --kind-kubectl-bin)",
        ),
        (
            Tools("`docker` is not on PATH", None, None),
            "e2e needs a real kind cluster: no Docker engine (`docker` is not on PATH); "
            "no `kind` binary (not on PATH; or pass --kind-bin); "
            "no `kubectl` binary (not on PATH; or pass --kind-kubectl-bin)",
        ),
    ],
    ids=["all-present", "no-docker-binary", "docker-engine-down", "no-kind", "no-kubectl", "nothing"],
)
def test_skip_reason_names_every_missing_tool(tools: Tools, expected: str | None) -> None:
    assert skip_reason(tools) == expected


def fake_tool(directory: Path, name: str, script: str = "exit 0") -> Path:
    path = directory / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_docker_problem_is_none_when_docker_info_answers(tmp_path: Path) -> None:
    assert docker_problem(str(fake_tool(tmp_path, "docker"))) is None


def test_docker_problem_quotes_the_first_line_docker_info_prints(tmp_path: Path) -> None:
    docker = fake_tool(tmp_path, "docker", f"echo; echo '{DOCKER_DOWN.split(': ', 1)[1]}' >&2; echo more >&2; exit 1")
    assert docker_problem(str(docker)) == DOCKER_DOWN


def test_docker_problem_without_docker() -> None:
    assert docker_problem(None) == "`docker` is not on PATH"


def test_find_tools_on_a_machine_without_any(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    tools = find_tools()
    assert tools == Tools("`docker` is not on PATH", None, None)
    assert skip_reason(tools) is not None


def test_find_tools_on_a_machine_with_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("docker", "kind", "kubectl"):
        fake_tool(tmp_path, name)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_tools() == Tools(None, str(tmp_path / "kind"), str(tmp_path / "kubectl"))


def test_find_tools_prefers_the_binaries_given_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    kind, kubectl = fake_tool(elsewhere, "kind-v0.27"), fake_tool(elsewhere, "kubectl-1.32")
    monkeypatch.setenv("PATH", str(tmp_path))
    tools = find_tools(str(kind), str(kubectl))
    assert (tools.kind, tools.kubectl) == (str(kind), str(kubectl))
    assert find_tools(str(tmp_path / "missing-kind")).kind is None
