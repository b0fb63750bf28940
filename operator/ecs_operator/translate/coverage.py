"""What becomes of every ECS field: translated, accepted with a warning, or rejected with a reason.

The classification is keyed by botocore shape and member (``"ContainerDefinition.dockerSecurityOptions"``),
so a shape that several requests share is classified once. It is operational, not only documentation:
``field_warnings`` walks a parsed model and reports each given field classified ``Ignored`` (or
``Partial``), and ``field_rejections`` each one classified ``Rejected``. A member classified ``Ignored``
or ``Rejected`` covers the whole subtree below it. tests/translate/test_coverage.py walks botocore's model
and fails on any member that is not classified.

The tables themselves live beside the translators that honour them:
``coverage_taskdefinition.py`` (RegisterTaskDefinition's tree) and ``coverage_workloads.py``
(CreateService, RunTask, CreateCluster, and the Application Auto Scaling and EC2 shapes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ecs_operator.translate.context import FieldWarning


@dataclass(frozen=True)
class Translated:
    """The field has a Kubernetes effect; ``to`` says which, for the docs."""

    to: str


@dataclass(frozen=True)
class Partial:
    """Translated, but with a difference the user must know about; warned every time it is given."""

    to: str
    caveat: str


@dataclass(frozen=True)
class Ignored:
    """Accepted, with a warning: the field has no effect on Kubernetes. ``reason`` says why or what instead."""

    reason: str


@dataclass(frozen=True)
class Rejected:
    """Refused: the field cannot be honoured and ignoring it would change what the workload does."""

    reason: str


Classification = Translated | Partial | Ignored | Rejected


def classification_table() -> dict[str, Classification]:
    """Every classified ``Shape.member``."""
    from ecs_operator.translate.coverage_taskdefinition import TASK_DEFINITION_FIELDS
    from ecs_operator.translate.coverage_workloads import WORKLOAD_FIELDS

    overlap = TASK_DEFINITION_FIELDS.keys() & WORKLOAD_FIELDS.keys()
    if overlap:
        raise AssertionError(f"classified twice: {sorted(overlap)}")
    return {**TASK_DEFINITION_FIELDS, **WORKLOAD_FIELDS}


def _shape_name(model: BaseModel) -> str:
    """The botocore shape a model class stands for (generated classes may carry a ``Shape`` suffix)."""
    for cls in type(model).__mro__:
        if cls.__module__.startswith("ecs_operator.models.") and cls.__module__.endswith("_api"):
            return cls.__name__.removesuffix("Shape")
    return type(model).__name__


def _walk(model: BaseModel, path: str) -> list[tuple[str, Classification | None, Any]]:
    """(path, classification, value) for each field given in ``model`` and below, stopping at leaves."""
    table = classification_table()
    shape = _shape_name(model)
    found: list[tuple[str, Classification | None, Any]] = []
    for member in sorted(model.model_fields_set):
        value = getattr(model, member)
        if value is None or value == [] or value == {}:
            continue  # AWS CLI output lists empty collections (``"ulimits": []``); they ask for nothing
        here = f"{path}.{member}" if path else member
        rule = table.get(f"{shape}.{member}")
        found.append((here, rule, value))
        if isinstance(rule, Ignored | Rejected):
            continue
        found.extend(_walk_value(value, here))
    return found


def _walk_value(value: Any, path: str) -> list[tuple[str, Classification | None, Any]]:
    if isinstance(value, BaseModel):
        return _walk(value, path)
    if isinstance(value, list):
        return [item for index, element in enumerate(value) for item in _walk_value(element, f"{path}[{index}]")]
    return []


def field_warnings(resource: str, model: BaseModel, path: str = "") -> list[FieldWarning]:
    """A warning for each given field that has no or only partial effect on Kubernetes."""
    warnings = []
    for here, rule, value in _walk(model, path):
        if isinstance(rule, Ignored) and value is False:
            continue  # a switched-off feature (enableExecuteCommand: false, ...) asks for nothing
        if isinstance(rule, Ignored):
            warnings.append(FieldWarning(resource, here, f"has no effect on Kubernetes: {rule.reason}"))
        elif isinstance(rule, Partial):
            warnings.append(FieldWarning(resource, here, rule.caveat))
    return warnings


def field_rejections(model: BaseModel, path: str = "") -> list[tuple[str, str]]:
    """(field path, reason) for each given field that is classified Rejected."""
    return [
        (here, rule.reason)
        for here, rule, value in _walk(model, path)
        if isinstance(rule, Rejected) and value is not False  # a switched-off feature asks for nothing
    ]
