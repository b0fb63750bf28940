"""Reading and writing the custom resources: the one store behind the API.

A request's input is checked with the custom resource's own spec model (the CRD schema's source) and the
coverage table's rejections before anything is written, so a request the operator would refuse is refused
here, naming the field, and nothing is written for it. Specs are replaced with a JSON merge patch carrying the
resourceVersion they were read at: a concurrent change (kubectl, another API call) is a ClientException to
retry, never a lost update.
"""

from __future__ import annotations

from typing import Any

import pydantic

from ecs_operator.api import protocol
from ecs_operator.api.context import ANNOTATION_CREATED_BY, Call, JsonDict, merge_patch, reconciled
from ecs_operator.api.errors import EcsError, client_error, invalid_parameter
from ecs_operator.k8s.rest import Conflict
from ecs_operator.models.base import EcsModel
from ecs_operator.models.errors import format_validation_error, parse_spec
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.translate.context import API_VERSION, SecurityGroupRef, TranslationError
from ecs_operator.translate.coverage import field_rejections


def checked_spec(kind: str, spec: JsonDict, operation: str | None = None) -> EcsModel:
    """The spec model for ``spec``; InvalidParameterException naming every failing member otherwise. A feature
    the coverage table rejects (nothing here can do it) is the ``operation``'s UnsupportedFeatureException where
    its model lists that, as ECS refuses a feature it lacks in a Region."""
    try:
        model = parse_spec(kind, spec)
    except pydantic.ValidationError as error:
        raise invalid_parameter("; ".join(format_validation_error(error, prefix=""))) from error
    rejected = field_rejections(model)
    if rejected:
        message = "; ".join(f"{field}: {reason}" for field, reason in rejected)
        if operation is None:
            raise invalid_parameter(message)
        raise protocol.modelled_error(operation, "UnsupportedFeatureException", message, "InvalidParameterException")
    return model


def untranslatable(error: TranslationError) -> EcsError:
    """A translator's refusal, as ECS refuses a parameter (the field path without the ``spec.`` prefix)."""
    return invalid_parameter(f"{error.field.removeprefix('spec.')}: {error.message}")


def without_nulls(value: Any) -> Any:
    """Input as a spec holds it: JSON nulls are absent members (the CRD schema refuses nulls)."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


async def create(
    call: Call,
    kind: str,
    namespace: str,
    name: str,
    spec: JsonDict,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> JsonDict:
    """POST a custom resource made by this call; ClientException if the name is taken."""
    metadata: JsonDict = {
        "name": name,
        "namespace": namespace,
        "annotations": {ANNOTATION_CREATED_BY: call.principal, **(annotations or {})},
    }
    if labels:
        metadata["labels"] = labels
    body = {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": without_nulls(spec)}
    try:
        created = await call.kube.create(body)
    except Conflict as error:
        raise client_error(f"{kind} {namespace}/{name} already exists: {error.message}") from error
    call.forget(kind, namespace)
    return {"apiVersion": API_VERSION, "kind": kind, **created}


async def replace_spec(call: Call, body: JsonDict, spec: JsonDict, attempts: int = 5) -> JsonDict:
    """Make ``spec`` the resource's spec: a merge patch from the spec it was read with, at the resourceVersion it
    was read at. The operator changes annotations and finalizers, never the spec: when only those changed in the
    meantime (409), the patch is sent again at the new version; a spec changed by someone else is a
    ClientException to retry."""
    meta = body["metadata"]
    base = body.get("spec") or {}
    current = body
    for _ in range(attempts):
        patch: JsonDict = {"spec": merge_patch(base, without_nulls(spec))}
        version = current["metadata"].get("resourceVersion")
        if version:
            patch["metadata"] = {"resourceVersion": version}
        try:
            updated = await call.kube.patch(body["kind"], meta["namespace"], meta["name"], patch)
        except Conflict:
            found = await call.kube.get(body["kind"], meta["namespace"], meta["name"])
            if found is None or (found.get("spec") or {}) != base:
                break
            current = found
            continue
        call.forget(body["kind"], meta["namespace"])
        return {"apiVersion": API_VERSION, "kind": body["kind"], **updated}
    raise client_error(
        f"{body['kind']} {meta['namespace']}/{meta['name']} changed while this call was updating it; retry"
    )


async def after_reconcile(call: Call, body: JsonDict) -> JsonDict | None:
    """The resource once the operator has reconciled its current spec (or as it is when the wait is over);
    None if it is gone."""
    meta = body["metadata"]
    return await call.poll(lambda: call.kube.get(body["kind"], meta["namespace"], meta["name"]), reconciled)


async def security_groups(call: Call, namespace: str) -> list[SecurityGroupRef]:
    """The namespace's SecurityGroups, as the translators take them (invalid ones left out, as the operator
    leaves them out)."""
    groups = []
    for body in await call.objects("SecurityGroup", namespace):
        try:
            groups.append(
                SecurityGroupRef(body["metadata"]["name"], SecurityGroupSpec.model_validate(body.get("spec") or {}))
            )
        except pydantic.ValidationError:
            continue
    return groups


def ready_condition(body: JsonDict) -> JsonDict:
    conditions = (body.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Ready"), {})
