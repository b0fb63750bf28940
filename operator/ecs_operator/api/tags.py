"""Tags: TagResource, UntagResource, ListTagsForResource, on the ``tags`` of the resources' specs.

Clusters, services and RunTask's tasks keep their tags in their spec and take new ones. A task definition's
tags belong to the revision they were registered with (changing them here would register a new revision), a
service's task takes its tags from its service or task definition (``propagateTags``), and a container
instance is a node (labelled with kubectl): those are listed, and tagging them is refused with the reason.
"""

from __future__ import annotations

from ecs_operator.api import clusters, protocol, resources, services, taskdefinitions, tasks
from ecs_operator.api.context import Call, JsonDict
from ecs_operator.api.errors import EcsError, invalid_parameter

MAX_TAGS = 50


def not_found(call: Call, arn: str) -> EcsError:
    """A service, task or ARN kind with no resource: ResourceNotFoundException where the operation's model has it
    (TagResource, UntagResource), else InvalidParameterException (ListTagsForResource), as ECS answers."""
    message = f"The specified resource was not found: {arn}"
    return protocol.modelled_error(call.operation, "ResourceNotFoundException", message, "InvalidParameterException")


async def tagged(call: Call, arn: str) -> tuple[JsonDict | None, list[JsonDict], str | None]:
    """The resource an ARN names, its tags, and why its tags cannot change here (None when they can)."""
    parsed = call.arns.parse(arn, call.operation)
    if parsed is None:
        raise invalid_parameter(f"resourceArn: {arn!r} is not an ARN")
    kind, path = parsed
    if kind == "cluster":
        cluster = await clusters.find_cluster(call, path[0], implicit_default=False)
        return cluster.body, (cluster.body or {}).get("spec", {}).get("tags") or [], None
    if kind == "service" and len(path) == 2:
        cluster = await clusters.find_cluster(call, path[0])
        body = await services.find_service(call, cluster, path[1])
        if body is None:
            raise not_found(call, arn)
        return body, body.get("spec", {}).get("tags") or [], None
    if kind == "task-definition":
        _, revision = await taskdefinitions.find_revision(call, arn)
        reason = "a task definition's tags are those of its revision: register a new revision with the tags"
        return None, revision.data.get("tags") or [], reason
    if kind == "task" and len(path) == 2:
        cluster = await clusters.find_cluster(call, path[0])
        task = next((t for t in await tasks.cluster_tasks(call, cluster) if t.task_id == path[1]), None)
        if task is None:
            raise not_found(call, arn)
        if task.source.get("kind") == tasks.KIND:
            return task.source, task.source.get("spec", {}).get("tags") or [], None
        return None, [], "a service's tasks take their tags from the service or task definition (propagateTags)"
    if kind == "container-instance":
        return None, [], "container instances are Kubernetes nodes: label them with kubectl"
    if kind == "capacity-provider":
        return None, [], "capacity providers are node pools: label the nodes with kubectl"
    raise not_found(call, arn)


async def list_tags_for_resource(call: Call, params: JsonDict) -> JsonDict:
    _, found, _ = await tagged(call, params["resourceArn"])
    return {"tags": found}


async def tag_resource(call: Call, params: JsonDict) -> JsonDict:
    body, current, refusal = await tagged(call, params["resourceArn"])
    if refusal is not None or body is None:
        raise invalid_parameter(f"{params['resourceArn']}: {refusal}")
    merged = {tag["key"]: tag for tag in current}
    merged.update({tag["key"]: tag for tag in params["tags"]})
    if len(merged) > MAX_TAGS:
        raise EcsError("LimitExceededException", f"at most {MAX_TAGS} tags per resource")
    await _write(call, body, list(merged.values()))
    return {}


async def untag_resource(call: Call, params: JsonDict) -> JsonDict:
    body, current, refusal = await tagged(call, params["resourceArn"])
    if refusal is not None or body is None:
        raise invalid_parameter(f"{params['resourceArn']}: {refusal}")
    kept = [tag for tag in current if tag["key"] not in set(params["tagKeys"])]
    await _write(call, body, kept)
    return {}


async def _write(call: Call, body: JsonDict, tags: list[JsonDict]) -> None:
    spec = {key: value for key, value in (body.get("spec") or {}).items() if key != "tags"}
    if tags:
        spec["tags"] = tags
    resources.checked_spec(body["kind"], spec)
    await resources.replace_spec(call, body, spec)
