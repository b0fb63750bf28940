"""What import adds once every document is read, so that its output applies as it is.

- A service document that names no task definition (an ecspresso service definition) runs the input's only
  task definition; one named after its file takes that family's name.
- A service or task in a named cluster gets that ECSCluster, with ECS's defaults, when the input has none:
  the operator waits for the cluster of a service, and `kubectl apply` of import's output should just work.
- A service or task that named a revision (``web:13``) runs the family's newest revision here: said once
  by the rewrite, and again when the input's task definition is another revision than the one named.
"""

from __future__ import annotations

from ecs_operator.loading.importer import Imported, InputOptions
from ecs_operator.loading.sources import Diagnostic
from ecs_operator.translate.context import DEFAULT_CLUSTER, JsonDict

_USERS = ("ECSService", "ECSTask")


def complete(imported: Imported, options: InputOptions) -> list[Diagnostic]:
    """Fill in what the documents leave to each other (see the module's docstring); no errors of its own."""
    families = _families(imported)
    for index in range(len(imported.resources)):
        resource = imported.resources[index]
        if resource["kind"] == "ECSService":
            _task_definition(imported, index, families)
        if resource["kind"] in _USERS:
            _revision(imported, index)
    for index in range(len(imported.resources)):
        if imported.resources[index]["kind"] in _USERS:
            _cluster(imported, index)
    return []


def _families(imported: Imported) -> dict[str, int]:
    """The task definition families in the input, and the index of each."""
    return {
        str(resource["spec"].get("family") or resource["metadata"]["name"]): index
        for index, resource in enumerate(imported.resources)
        if resource["kind"] == "TaskDefinition"
    }


def _ref(resource: JsonDict) -> str:
    return f"{resource['kind']}/{resource['metadata']['name']}"


def _task_definition(imported: Imported, index: int, families: dict[str, int]) -> None:
    resource, origin = imported.resources[index], imported.origins[index]
    spec = resource["spec"]
    only = next(iter(families)) if len(families) == 1 else None
    if "taskDefinition" not in spec:
        if only is None:
            reason = (
                "the document names no task definition and the input has "
                f"{'none' if not families else 'several'}: give the family in spec.taskDefinition"
            )
            imported.note(origin, _ref(resource), "taskDefinition", "skipped", reason, group="no task definition")
            return
        spec["taskDefinition"] = only
        reason = f"the document names none: {only!r}, the input's only task definition"
        imported.note(origin, _ref(resource), "taskDefinition", "added", reason, group="service task definition")
    if index in imported.named_by_file and only is not None and spec["taskDefinition"] == only:
        imported.rename(index, only, "serviceName")
        reason = f"named {only!r} after its task definition, the input's only one; give --service-name to choose"
        imported.note(origin, _ref(resource), "serviceName", "rewrote", reason, group="service name")


def _revision(imported: Imported, index: int) -> None:
    """A revision named, and the input's task definition of that family is another one: say which runs."""
    pinned = imported.pinned_revisions.get(index)
    if pinned is None:
        return
    family, wanted = pinned
    given = imported.revisions.get(family)
    if given is None or given == wanted:
        return
    resource = imported.resources[index]
    reason = (
        f"named revision {wanted} of {family}, but the input's TaskDefinition {family} is revision {given}: "
        f"it runs revision {given}'s containers"
    )
    imported.note(imported.origins[index], _ref(resource), "taskDefinition", "rewrote", reason, group="revision")


def _cluster(imported: Imported, index: int) -> None:
    resource, origin = imported.resources[index], imported.origins[index]
    name = resource["spec"].get("cluster")
    if not isinstance(name, str) or name == DEFAULT_CLUSTER:
        return
    known = {
        str(other["spec"].get("clusterName") or other["metadata"]["name"])
        for other in imported.resources
        if other["kind"] == "ECSCluster"
    }
    if name in known:
        return
    imported.add(origin, "ECSCluster", name, {"clusterName": name}, [])
    reason = (
        f"{_ref(resource)} runs in cluster {name!r}, which the input does not define: an ECSCluster with ECS's "
        "defaults (add `aws ecs describe-clusters` output for its capacity providers; leave it out where the "
        "cluster exists)"
    )
    imported.note(
        origin,
        f"ECSCluster/{imported.resources[-1]['metadata']['name']}",
        "spec",
        "added",
        reason,
        group="cluster added",
        strict=False,
    )
