"""The generated AWS shape models are up to date with the installed botocore, and cover every member."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from ecs_operator.tools import codegen


@pytest.mark.parametrize(("service", "roots", "target"), codegen.GENERATED, ids=[g[0] for g in codegen.GENERATED])
def test_generated_module_is_current(service: str, roots: tuple[str, ...], target: Path) -> None:
    assert target.read_text() == codegen.render_module(service, roots), "stale: run `make generate`"


@pytest.mark.parametrize(("service", "roots", "target"), codegen.GENERATED, ids=[g[0] for g in codegen.GENERATED])
def test_every_member_of_every_reachable_shape_is_a_field(service: str, roots: tuple[str, ...], target: Path) -> None:
    shapes = codegen.load_shapes(service)
    module = importlib.import_module(f"ecs_operator.models.{target.stem}")
    names = codegen.reachable_shapes(shapes, roots)
    assert names, "no shapes reached"
    for name in names:
        if shapes[name].get("document"):
            continue
        cls = getattr(module, codegen.class_name(shapes, name))
        assert set(cls.model_fields) == set(shapes[name]["members"]), name


def test_unknown_fields_are_rejected_with_their_name() -> None:
    from pydantic import ValidationError

    from ecs_operator.models.ecs_api import ContainerDefinition

    with pytest.raises(ValidationError) as caught:
        ContainerDefinition.model_validate({"name": "web", "image": "nginx", "memmory": 512})
    assert caught.value.errors()[0]["loc"] == ("memmory",)


def test_enums_and_bounds_come_from_botocore() -> None:
    from pydantic import ValidationError

    from ecs_operator.models.ecs_api import CapacityProviderStrategyItem, PortMapping

    with pytest.raises(ValidationError, match="protocol"):
        PortMapping.model_validate({"containerPort": 80, "protocol": "sctp"})
    with pytest.raises(ValidationError, match="weight"):
        CapacityProviderStrategyItem.model_validate({"capacityProvider": "FARGATE", "weight": 1001})


def test_operator_source_root_is_not_a_package() -> None:
    # operator/ is a source root; an __init__.py there would shadow the standard library's `operator`.
    assert not (Path(codegen.__file__).parents[2] / "__init__.py").exists()
