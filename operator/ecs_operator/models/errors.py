"""Schema and cross-field errors as one line per problem, each naming the field path: `spec.a[0].b: ...`."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ecs_operator.models.base import EcsModel, SpecProblems
from ecs_operator.models.cluster import ECSClusterSpec
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.models.task import ECSTaskSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec

SPEC_MODELS: dict[str, type[EcsModel]] = {
    "ECSCluster": ECSClusterSpec,
    "TaskDefinition": TaskDefinitionSpec,
    "ECSService": ECSServiceSpec,
    "ECSTask": ECSTaskSpec,
    "SecurityGroup": SecurityGroupSpec,
}

# Pydantic's wording for the errors users meet most, said in this product's terms.
_MESSAGES = {
    "extra_forbidden": "unknown field: not part of the ECS API shape (check the spelling and case)",
    "missing": "is required",
}


def parse_spec(kind: str, spec: dict[str, Any]) -> EcsModel:
    """The spec model of ``kind`` for ``spec``; raises pydantic.ValidationError (see format_validation_error)."""
    try:
        model = SPEC_MODELS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(SPEC_MODELS)}") from None
    return model.model_validate(spec)


def format_validation_error(exc: ValidationError, prefix: str = "spec") -> list[str]:
    """One line per problem, ``<prefix>.<path>: <message>``; cross-field problems give one line each."""
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        where = _join(prefix, _loc_path(error["loc"]))
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, SpecProblems):
            lines.extend(f"{_join(where, problem.path)}: {problem.message}" for problem in cause.problems)
        else:
            lines.append(f"{where}: {_message(error['type'], error['msg'])}")
    return lines


def _loc_path(loc: tuple[int | str, ...]) -> str:
    """pydantic's loc as a field path; its dict-key marker ("[key]") is kept as it is."""
    path = ""
    for part in loc:
        path = _join(path, part) if isinstance(part, str) else f"{path}[{part}]"
    return path


def _join(prefix: str, path: str) -> str:
    if not path:
        return prefix
    if not prefix or path.startswith("["):
        return f"{prefix}{path}"
    return f"{prefix}.{path}"


def _message(kind: str, message: str) -> str:
    return _MESSAGES.get(kind, message.removeprefix("Value error, "))
