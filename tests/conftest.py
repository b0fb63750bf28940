"""Shared fixtures: the offline commands run in-process with their standard streams captured."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Run:
    """What a command returned and printed."""

    code: int
    stdout: str
    stderr: str


RenderRunner = Callable[..., Run]
ImportRunner = Callable[..., Run]


@pytest.fixture
def render() -> RenderRunner:
    """``render(*filenames, output="yaml", stdin="")`` runs `ecs-operator render`."""
    from ecs_operator.loading.commands import render_command

    def run(*filenames: str, output: str = "yaml", stdin: str = "") -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = render_command(list(filenames), output, io.StringIO(stdin), out, err)
        return Run(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def import_() -> ImportRunner:
    """``import_(*files, namespace=None, stdin="")`` runs `ecs-operator import`."""
    from ecs_operator.loading.commands import import_command

    def run(*files: str, namespace: str | None = None, stdin: str = "") -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = import_command(list(files), namespace, io.StringIO(stdin), out, err)
        return Run(code, out.getvalue(), err.getvalue())

    return run
