"""Whole cases: ECS resources in, the exact Kubernetes objects and warnings out (regenerate: `make golden`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.golden_update import EXPECTED, WARNINGS, case_directories, render_case
from tests.k8s_schema import validate_objects

CASES = case_directories()


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_rendering_matches_the_fixture(case: Path) -> None:
    expected, warnings = render_case(case)
    assert list(yaml.safe_load_all(expected)) == list(yaml.safe_load_all((case / EXPECTED).read_text())), "make golden"
    assert expected == (case / EXPECTED).read_text(), "same objects, other text: make golden"
    assert warnings == (case / WARNINGS).read_text(), "make golden"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_expected_object_is_valid_kubernetes(case: Path) -> None:
    objects = list(yaml.safe_load_all((case / EXPECTED).read_text()))
    assert validate_objects(objects) >= 1
