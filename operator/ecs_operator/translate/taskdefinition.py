"""A TaskDefinition revision as Kubernetes objects: a PodTemplate (what its tasks look like), the
ServiceAccount of its task role, and claims for its shared, autoprovisioned Docker volumes."""

from __future__ import annotations

import json

from ecs_operator.models.crds import GROUP
from ecs_operator.models.ecs_api import Tag
from ecs_operator.translate.context import (
    DEFAULT_TARGET,
    FieldWarning,
    JsonDict,
    Meta,
    Rendered,
    Target,
    TaskDefinitionRevision,
    k8s_name,
    object_meta,
)
from ecs_operator.translate.iam import service_account
from ecs_operator.translate.placement import constraint_fields
from ecs_operator.translate.pod import PodSpecResult, pod_spec
from ecs_operator.translate.volumes import volume_claims

__all__ = ["ANNOTATION_TAGS", "PodSpecResult", "pod_spec", "pod_template", "render_task_definition", "tag_annotations"]

# JSON map of the task definition's tags. Tags may hold characters labels cannot, so they are kept whole;
# services and tasks copy them to their pods when propagateTags is TASK_DEFINITION.
ANNOTATION_TAGS = f"{GROUP}/tags"


def tag_annotations(tags: list[Tag] | None) -> dict[str, str]:
    """The tags annotation (empty without tags)."""
    pairs = {tag.key: tag.value or "" for tag in tags or [] if tag.key}
    return {ANNOTATION_TAGS: json.dumps(pairs, sort_keys=True)} if pairs else {}


def pod_template_name(td: TaskDefinitionRevision) -> str:
    """``<family>-<revision>`` (the family alone when the revision is not known), DNS-safe."""
    return k8s_name(td.label, max_length=253)


def pod_template(
    td: TaskDefinitionRevision, meta: Meta, target: Target = DEFAULT_TARGET
) -> tuple[JsonDict, list[FieldWarning]]:
    """The PodTemplate of a revision: the pod every task and service of it runs (before overrides)."""
    result = pod_spec(td, meta.ref, target=target)
    metadata = object_meta(pod_template_name(td), meta, result.labels, tag_annotations(td.spec.tags))
    template = {"metadata": {"labels": result.labels, "annotations": result.annotations}, "spec": result.spec}
    return {"apiVersion": "v1", "kind": "PodTemplate", "metadata": metadata, "template": template}, result.warnings


def check_placement_constraints(td: TaskDefinitionRevision) -> None:
    """The task definition's own placementConstraints translate, or it is refused at registration (as ECS
    does), not later in every service and task that runs it."""
    for index, constraint in enumerate(td.spec.placementConstraints or []):
        constraint_fields(constraint.type, constraint.expression, f"placementConstraints[{index}]", {})  # raises


def render_task_definition(td: TaskDefinitionRevision, meta: Meta, target: Target = DEFAULT_TARGET) -> Rendered:
    """The PodTemplate, the task role's ServiceAccount and the volume claims of a revision."""
    check_placement_constraints(td)
    template, warnings = pod_template(td, meta, target)
    account = service_account(td, meta)
    return Rendered([template, *([account] if account else []), *volume_claims(td.spec, meta)], warnings)
