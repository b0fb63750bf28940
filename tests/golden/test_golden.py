"""Whole cases: ECS resources in, the exact Kubernetes objects and warnings out (regenerate: `make golden`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.golden.list_maps import duplicate_keys
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


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_no_expected_object_repeats_a_list_map_key(case: Path) -> None:
    """Server-side apply refuses a list-map with two entries of one key (env names, spread topologies, ports)."""
    objects = list(yaml.safe_load_all((case / EXPECTED).read_text()))
    assert [found for obj in objects for found in duplicate_keys(obj)] == []


def test_the_duplicate_key_check_finds_duplicates() -> None:
    env = [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]
    pod = {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "a", "image": "i", "env": env}]}}
    assert duplicate_keys(pod) == [".spec.containers[0].env[1]: {'name': 'A'}"]
