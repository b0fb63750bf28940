"""Shared fixtures: the offline commands run in-process with their standard streams captured."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ecs_operator.loading.importer import InputOptions
from ecs_operator.loading.report import Reporting

# Tests read every warning line: the fixtures print them all (-v) unless told otherwise.
VERBOSE = Reporting(verbose=True)


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
    """``render(*filenames, output="yaml", stdin="", reporting=VERBOSE, **InputOptions)`` runs `ecs-operator
    render`."""
    from ecs_operator.loading.commands import render_command

    def run(
        *filenames: str, output: str = "yaml", stdin: str = "", reporting: Reporting = VERBOSE, **given: Any
    ) -> Run:
        out, err = io.StringIO(), io.StringIO()
        options = InputOptions(**given)
        code = render_command(list(filenames), output, io.StringIO(stdin), out, err, options, reporting)
        return Run(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def import_() -> ImportRunner:
    """``import_(*files, namespace=None, stdin="", reporting=VERBOSE, **InputOptions)`` runs `ecs-operator
    import`."""
    from ecs_operator.loading.commands import import_command

    def run(
        *files: str, namespace: str | None = None, stdin: str = "", reporting: Reporting = VERBOSE, **given: Any
    ) -> Run:
        out, err = io.StringIO(), io.StringIO()
        options = InputOptions(**given)
        code = import_command(list(files), namespace, io.StringIO(stdin), out, err, options, reporting)
        return Run(code, out.getvalue(), err.getvalue())

    return run


def warning_lines(stderr: str, prefix: str = "warning") -> list[str]:
    """The warning (or import note) lines of a command's stderr, without the summary line."""
    return [line for line in stderr.splitlines() if line.startswith(f"{prefix}: ")]
