"""Schema and cross-field errors as one line per problem, each naming the field path: `spec.a[0].b: ...`."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ecs_operator.models.base import EcsModel, Problem, SpecProblems
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
# Errors of a JSON type the AWS CLI's parameter validation (botocore) reports as "Invalid type for parameter".
_TYPE_ERRORS = frozenset(
    {
        "int_parsing",
        "int_type",
        "int_from_float",
        "float_parsing",
        "float_type",
        "bool_parsing",
        "bool_type",
        "string_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
    }
)
# Where the AWS API, not the AWS CLI, refuses a value (ECS's ClientException / InvalidParameterException).
_ECS_REFUSES = "ECS refuses it too"
# ECS's own words, where they are known, for (model, field, pydantic error type) of a schema error.
_ECS_ERRORS = {
    ("TaskDefinitionSpec", "containerDefinitions", "too_short"): "ClientException: Container list cannot be empty.",
    ("TaskDefinitionSpec", "family", "string_pattern_mismatch"): "ClientException: Family contains invalid characters.",
    **{
        ("ContainerSpec", member, kind): f"ClientException: Container.{member} should not be null or empty."
        for member in ("name", "image")
        for kind in ("missing", "string_too_short")
    },
}


def parse_spec(kind: str, spec: dict[str, Any]) -> EcsModel:
    """The spec model of ``kind`` for ``spec``; raises pydantic.ValidationError (see format_validation_error)."""
    try:
        model = SPEC_MODELS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(SPEC_MODELS)}") from None
    return model.model_validate(spec)


def format_validation_error(exc: ValidationError, prefix: str = "spec") -> list[str]:
    """One line per problem, ``<prefix>.<path>: <message>``; cross-field problems give one line each.

    Schema errors say which error the AWS tools give for the same input: the AWS CLI's parameter validation
    (unknown, missing or mistyped members, in botocore's words) or ECS's own refusal.
    """
    model = next((m for m in SPEC_MODELS.values() if m.__name__ == exc.title), None)
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        where = _join(prefix, _loc_path(error["loc"]))
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, SpecProblems):
            refuser = _refuser(model, error["loc"])
            lines.extend(
                f"{_join(where, problem.path)}: {problem.message}{_refused_by(problem, refuser)}"
                for problem in cause.problems
            )
        else:
            message = _message(error["type"], error["msg"])
            lines.append(f"{where}: {message}{_aws_says(error, model)}")
    return lines


def _aws_says(error: Any, model: type[BaseModel] | None) -> str:
    """What the AWS CLI or ECS says of the same input, as a suffix of the message."""
    loc: tuple[int | str, ...] = error["loc"]
    kind = error["type"]
    parent = _loc_path(loc[:-1]) or "input"
    name = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        members = _members(model, loc[:-1])
        close = difflib.get_close_matches(str(name), members, n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f'{hint} (the AWS CLI refuses it too: Unknown parameter in {parent}: "{name}")'
    shape = _model_at(model, loc[:-1])
    known = _ECS_ERRORS.get((shape.__name__ if shape else "", str(name), kind))
    if kind == "missing" and _required_by_botocore(shape, str(name)):
        return f' (the AWS CLI refuses it too: Missing required parameter in {parent}: "{name}")'
    if kind in _TYPE_ERRORS:
        value = error.get("input")
        return f" (the AWS CLI refuses it too: Invalid type for parameter {_loc_path(loc)}, value: {value!r})"
    if kind in ("literal_error", "enum"):
        return " (ECS accepts only these values)"
    return f" ({_ECS_REFUSES}: {known})" if known else f" ({_ECS_REFUSES})"


def _refuser(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    """The AWS service whose API refuses what a cross-field check at ``loc`` of ``model`` refuses."""
    if "autoScaling" in loc:
        return "Application Auto Scaling"
    if model is not None and model.__name__ == "SecurityGroupSpec":
        return "EC2"
    return "ECS"


def _refused_by(problem: Problem, refuser: str) -> str:
    """ " (ECS refuses it too)" for a problem the AWS API refuses, unless its message names the error already."""
    if not problem.aws_refuses or "refuses" in problem.message:
        return ""
    return f" ({refuser} refuses it too)"


def _required_by_botocore(shape: type[BaseModel] | None, name: str) -> bool:
    """Whether botocore's model requires the member (the generated class the spec model extends says so)."""
    for base in shape.__mro__ if shape is not None else ():
        if isinstance(base, type) and base.__module__.endswith("_api") and issubclass(base, BaseModel):
            field = base.model_fields.get(name)
            return field is not None and field.is_required()
    return False


def _model_at(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class at ``loc`` below ``model`` (list indices skipped), or None where it is not a model."""
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _model_of(field.annotation) if field is not None else None
    return model


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model in an annotation such as ``list[X] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) in (typing.Union, list):
        for argument in typing.get_args(annotation):
            found = _model_of(argument)
            if found is not None:
                return found
    return None


def _members(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> list[str]:
    shape = _model_at(model, loc)
    return list(shape.model_fields) if shape is not None else []


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
