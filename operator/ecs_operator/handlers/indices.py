"""The operator's read model: Kopf indices over everything it watches, so that a reconcile lists nothing.

Kopf fills each index from its watch before any handler runs, and keeps it current from the watch events (the
index of a kind is updated before that event's handlers run). The values are records (``resolve/records.py``,
``ChildRecord``, ``PodRecord``): what reconciles need and nothing else, so memory grows with the operator's own
objects only (the children and Pods are watched with the managed-by label selector). Records compare by all their
fields: Kopf's stores keep a new value only when it differs from the stored one.

| index | key | value |
|---|---|---|
| clusters | namespace | ``ClusterRecord`` |
| task definitions | (namespace, family) | ``TaskDefinitionRecord`` |
| revisions | (namespace, family) | ``RevisionRecord`` (ControllerRevisions with the family label) |
| security groups | namespace | ``SecurityGroupRecord`` |
| references | (namespace, "family" / "cluster" / "groups", value) | (kind, name) of the services and not yet started
  tasks that refer to it: who to reconcile when it changes |
| services by label | (namespace, service label value) | the ECSService's name (Pods carry the label) |
| children | owner uid | ``ChildRecord`` of each applied child kind (one index per kind) |
| pods | ("task", task uid), ("service", ns, service, cluster), ("cluster", ns, cluster), ("member", ns, label) |
  ``PodRecord`` |
| nodes | None | the node's labels (not kept by an operator limited to namespaces: it reads no node) |
| role users | (namespace, ServiceAccount name) | the ownerReference of each user of a task role's ServiceAccount:
  the TaskDefinitions with a revision of that role, the ECSTasks with a Pod that runs as it |
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import kopf

from ecs_operator.k8s import FIELD_MANAGER
from ecs_operator.models.references import parse_task_definition
from ecs_operator.resolve.records import (
    ClusterRecord,
    RevisionRecord,
    SecurityGroupRecord,
    TaskDefinitionRecord,
    cluster_record,
    controller_uid,
    revision_record,
    security_group_record,
    task_definition_record,
)
from ecs_operator.resolve.references import cluster_name
from ecs_operator.status import failures
from ecs_operator.status.task import stopped
from ecs_operator.translate.context import (
    GROUP,
    LABEL_CLUSTER,
    LABEL_SERVICE,
    LABEL_TASK_DEFINITION,
    MANAGED_BY,
    TranslationError,
    label_value,
)
from ecs_operator.translate.iam import service_account_name
from ecs_operator.translate.securitygroup import MEMBER, MEMBER_LABEL_PREFIX

JsonDict = dict[str, Any]
ANNOTATION_APPLIED_DIGEST = f"{GROUP}/applied-digest"
# Children by kind: (group, version, plural). The operator applies them, prunes them and repairs their drift.
APPLIED_KINDS = {
    "Deployment": ("apps", "v1", "deployments"),
    "DaemonSet": ("apps", "v1", "daemonsets"),
    "Service": ("", "v1", "services"),
    "Ingress": ("networking.k8s.io", "v1", "ingresses"),
    "HorizontalPodAutoscaler": ("autoscaling", "v2", "horizontalpodautoscalers"),
    "PodDisruptionBudget": ("policy", "v1", "poddisruptionbudgets"),
    "NetworkPolicy": ("networking.k8s.io", "v1", "networkpolicies"),
    "ServiceAccount": ("", "v1", "serviceaccounts"),
    "PodTemplate": ("", "v1", "podtemplates"),
    "PersistentVolumeClaim": ("", "v1", "persistentvolumeclaims"),
}
WORKLOAD_KINDS = ("Deployment", "DaemonSet")
CLUSTERS = "ecs_clusters"
TASK_DEFINITIONS = "ecs_task_definitions"
REVISIONS = "ecs_revisions"
SECURITY_GROUPS = "ecs_security_groups"
REFERENCES_SERVICES = "ecs_references_services"
REFERENCES_TASKS = "ecs_references_tasks"
SERVICE_LABELS = "ecs_service_labels"
PODS = "ecs_pods"
NODES = "ecs_nodes"
ROLE_USERS_REVISIONS = "ecs_role_users_revisions"
ROLE_USERS_PODS = "ecs_role_users_pods"


def children_index(kind: str) -> str:
    return f"ecs_children_{kind.lower()}"


INDEX_NAMES = (
    CLUSTERS,
    TASK_DEFINITIONS,
    REVISIONS,
    SECURITY_GROUPS,
    REFERENCES_SERVICES,
    REFERENCES_TASKS,
    SERVICE_LABELS,
    PODS,
    NODES,
    ROLE_USERS_REVISIONS,
    ROLE_USERS_PODS,
    *(children_index(kind) for kind in APPLIED_KINDS),
)


@dataclass(frozen=True)
class ChildRecord:
    """A child as the operator last saw it: identity, ownership, what was applied, and a workload's status."""

    kind: str
    namespace: str
    name: str
    uid: str
    resource_version: str
    controller: str  # the controlling owner's uid ("" without one)
    managed: bool  # carries the managed-by label
    digest: str  # the applied-digest annotation ("" without one)
    fields: str | None  # digest of the field set ecs-operator applied (managedFields); None where none are kept
    owns_replicas: bool | None  # whether ecs-operator owns spec.replicas; None where no managedFields are kept
    deleting: bool = False
    owners: tuple[tuple[str, str], ...] = ()  # (kind, name) of each custom resource that owns it
    created: bool = False  # made by the operator's create: its fields recorded as an Update, not yet as an apply
    revision: str = ""  # a workload's: its Pod template's task-definition label (the revision it runs)
    workload: JsonDict = field(default_factory=dict, hash=False)  # kind, metadata, spec, status


@dataclass(frozen=True)
class PodRecord:
    """A Pod of the operator's: its name and phase, and (for a task's Pod) the body task status is read from."""

    name: str
    namespace: str
    phase: str
    deleting: bool
    uid: str = ""
    owners: tuple[tuple[str, str], ...] = ()
    revision: str = ""  # the task-definition label: which deployment of a service it belongs to
    essential_exits: int = 0  # status/failures.py
    start_failure: str = ""
    established_exit: bool = False
    body: JsonDict = field(default_factory=dict, hash=False)

    @property
    def live(self) -> bool:
        """A task whose desiredStatus is RUNNING: PENDING or RUNNING, not stopped, not being stopped."""
        return not self.deleting and self.phase not in ("Succeeded", "Failed")


def fields_digest(field_sets: Iterable[Mapping[str, Any]]) -> str:
    """A digest of FieldsV1 sets (key order does not matter)."""
    text = json.dumps(list(field_sets), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def applied_fields(managed_fields: Iterable[Mapping[str, Any]] | None) -> str | None:
    """A digest of the field set the operator's own field manager applied; None where none are kept."""
    if managed_fields is None:
        return None
    return fields_digest(
        entry.get("fieldsV1") or {}
        for entry in managed_fields
        if entry.get("manager") == FIELD_MANAGER and entry.get("operation") == "Apply"
    )


def owns_replicas(managed_fields: Iterable[Mapping[str, Any]] | None) -> bool | None:
    if managed_fields is None:
        return None
    return any(
        entry.get("manager") == FIELD_MANAGER and "f:replicas" in ((entry.get("fieldsV1") or {}).get("f:spec") or {})
        for entry in managed_fields
    )


def child_record(kind: str, body: Mapping[str, Any]) -> ChildRecord:
    meta = body.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    labels = meta.get("labels") or {}
    managed = meta.get("managedFields")
    workload: JsonDict = {}
    if kind in WORKLOAD_KINDS:
        spec = body.get("spec") or {}
        workload = {
            "kind": kind,
            "metadata": {"name": meta.get("name"), "generation": meta.get("generation")},
            "spec": {
                key: copy.deepcopy(spec[key])
                for key in ("replicas", "progressDeadlineSeconds", "selector")
                if key in spec
            },
            "status": copy.deepcopy(body.get("status") or {}),
        }
    return ChildRecord(
        kind=kind,
        namespace=str(meta.get("namespace") or ""),
        name=str(meta.get("name")),
        uid=str(meta.get("uid") or ""),
        resource_version=str(meta.get("resourceVersion") or ""),
        controller=controller_uid(body),
        managed=all(labels.get(key) == value for key, value in MANAGED_BY.items()),
        digest=next((str(v) for k, v in annotations.items() if k.startswith(ANNOTATION_APPLIED_DIGEST)), ""),
        fields=applied_fields(managed),
        owns_replicas=owns_replicas(managed),
        deleting=bool(meta.get("deletionTimestamp")),
        owners=owners_of(body),
        created=created_entry(managed) is not None,
        revision=str(template_labels(body).get(LABEL_TASK_DEFINITION) or "") if workload else "",
        workload=workload,
    )


def template_labels(body: Mapping[str, Any]) -> Mapping[str, Any]:
    return (((body.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def created_entry(managed_fields: Iterable[Mapping[str, Any]] | None) -> Mapping[str, Any] | None:
    """The ``managedFields`` entry the operator's create (POST) left: its field manager, as an Update."""
    for entry in managed_fields or ():
        made = entry.get("manager") == FIELD_MANAGER and entry.get("operation") == "Update"
        if made and not entry.get("subresource"):
            return entry
    return None


def owners_of(body: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(kind, name) of the operator's custom resources that own ``body``."""
    refs = (body.get("metadata") or {}).get("ownerReferences") or []
    return tuple(
        (str(ref["kind"]), str(ref["name"])) for ref in refs if str(ref.get("apiVersion", "")).startswith(GROUP)
    )


def pod_record(body: Mapping[str, Any], keep_body: bool) -> PodRecord:
    meta = body.get("metadata") or {}
    return PodRecord(
        name=str(meta.get("name")),
        namespace=str(meta.get("namespace") or ""),
        phase=str((body.get("status") or {}).get("phase") or ""),
        deleting=bool(meta.get("deletionTimestamp")),
        uid=str(meta.get("uid") or ""),
        owners=owners_of(body),
        revision=str((meta.get("labels") or {}).get(LABEL_TASK_DEFINITION) or ""),
        essential_exits=failures.essential_exits(body),
        start_failure=failures.start_failure(body),
        established_exit=failures.established_exit(body),
        body=copy.deepcopy(dict(body)) if keep_body else {},
    )


# --- The index functions (Kopf calls them with the object's body on every event of it) ---------------------------


def _namespace(body: Mapping[str, Any]) -> str:
    return str((body.get("metadata") or {}).get("namespace") or "default")


def index_cluster(body: kopf.Body, **_: Any) -> dict[str, ClusterRecord]:
    return {_namespace(body): cluster_record(body)}


def index_task_definition(body: kopf.Body, **_: Any) -> dict[tuple[str, str], TaskDefinitionRecord]:
    record = task_definition_record(body)
    return {(_namespace(body), record.family): record}


def index_revision(body: kopf.Body, **_: Any) -> dict[tuple[str, str], RevisionRecord] | None:
    record = revision_record(body)
    return {(_namespace(body), record.family): record} if record is not None else None


def index_security_group(body: kopf.Body, **_: Any) -> dict[str, SecurityGroupRecord]:
    return {_namespace(body): security_group_record(body)}


def references(kind: str, body: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """What a service or a task not yet started refers to: ("family", f), ("cluster", c), ("groups", "")."""
    spec = body.get("spec") or {}
    if kind == "ECSTask" and (body.get("status") or {}).get("tasks"):
        return []  # started: it keeps the revision and cluster it started with
    found: list[tuple[str, str, str]] = []
    namespace = _namespace(body)
    with contextlib.suppress(ValueError):
        found.append((namespace, "family", parse_task_definition(str(spec.get("taskDefinition") or "")).family))
    with contextlib.suppress(TranslationError):
        found.append((namespace, "cluster", cluster_name(spec.get("cluster"))))
    network = (spec.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    if network.get("securityGroups"):
        found.append((namespace, "groups", ""))
    return found


def index_references(kind: str) -> Any:
    def index(body: kopf.Body, **_: Any) -> dict[tuple[str, str, str], tuple[str, str]] | None:
        name = str(body.metadata.name)
        found = references(kind, body)
        if kind == "ECSTask" and stopped(body.get("status") or {}):
            return None
        return {key: (kind, name) for key in found} or None

    return index


def index_service_label(body: kopf.Body, **_: Any) -> dict[tuple[str, str], str]:
    name = str(body.metadata.name)
    service = str((body.get("spec") or {}).get("serviceName") or name)
    return {(_namespace(body), label_value(service)): name}


def index_child(kind: str) -> Any:
    def index(body: kopf.Body, **_: Any) -> dict[str, ChildRecord] | None:
        record = child_record(kind, body)
        owners = [str(ref.get("uid")) for ref in body.get("metadata", {}).get("ownerReferences") or []]
        return {uid: record for uid in owners if uid} or None

    return index


def index_pod(body: kopf.Body, **_: Any) -> dict[tuple[str, ...], PodRecord] | None:
    """A task's Pod under its task's uid (with its body); every Pod under its service, cluster and groups."""
    meta = body.get("metadata") or {}
    labels = meta.get("labels") or {}
    namespace = _namespace(body)
    keys: dict[tuple[str, ...], PodRecord] = {}
    task = next(
        (ref for ref in meta.get("ownerReferences") or [] if ref.get("kind") == "ECSTask" and ref.get("controller")),
        None,
    )
    summary = pod_record(body, keep_body=False)
    if task is not None:
        keys[("task", str(task.get("uid")))] = pod_record(body, keep_body=True)
    if LABEL_SERVICE in labels:
        keys[("service", namespace, labels[LABEL_SERVICE], labels.get(LABEL_CLUSTER, ""))] = summary
    if LABEL_CLUSTER in labels:
        keys[("cluster", namespace, labels[LABEL_CLUSTER])] = summary
    for key, value in labels.items():
        if key.startswith(MEMBER_LABEL_PREFIX) and value == MEMBER:
            keys[("member", namespace, key)] = summary
    return keys or None


def index_node(body: kopf.Body, **_: Any) -> dict[None, dict[str, str]]:
    return {None: dict((body.get("metadata") or {}).get("labels") or {})}


def owner_reference(ref: Mapping[str, Any]) -> JsonDict:
    """A user's ownerReference on a shared ServiceAccount: never the controller (it has several owners)."""
    return {
        "apiVersion": str(ref.get("apiVersion")),
        "kind": str(ref.get("kind")),
        "name": str(ref.get("name")),
        "uid": str(ref.get("uid")),
        "controller": False,
        "blockOwnerDeletion": True,
    }


def index_role_users_revision(body: kopf.Body, **_: Any) -> dict[tuple[str, str], JsonDict] | None:
    """A TaskDefinition revision with a task role: its TaskDefinition uses the role's ServiceAccount."""
    role = (body.get("data") or {}).get("taskRoleArn")
    refs = [ref for ref in body.get("metadata", {}).get("ownerReferences") or [] if ref.get("controller")]
    if not role or not refs or not (body.get("metadata", {}).get("labels") or {}).get(f"{GROUP}/family"):
        return None
    try:
        name = service_account_name(str(role))
    except TranslationError:
        return None
    return {(_namespace(body), name): owner_reference(refs[0])}


def index_role_users_pod(body: kopf.Body, **_: Any) -> dict[tuple[str, str], JsonDict] | None:
    """A task's live Pod that runs as a role's ServiceAccount: its ECSTask uses it."""
    account = (body.get("spec") or {}).get("serviceAccountName")
    meta = body.get("metadata") or {}
    task = next(
        (r for r in meta.get("ownerReferences") or [] if r.get("kind") == "ECSTask" and r.get("controller")), None
    )
    if not account or task is None or pod_record(body, keep_body=False).live is False:
        return None
    return {(_namespace(body), str(account)): owner_reference(task)}


def register(registry: kopf.OperatorRegistry, *, nodes: bool = True) -> None:
    """Every index, on the kind it is built from (Kopf then watches that kind); the nodes' only if ``nodes``
    (an operator limited to namespaces reads no node: ``handlers/main.py``).

    Each function is registered as a coroutine function: Kopf runs plain functions in its thread pool, a hop
    there and back (and a contended GIL) on every watch event, for functions that take microseconds."""

    def index(*selector: str, id: str) -> Callable[[IndexFunction], object]:
        return lambda fn: kopf.index(*selector, id=id, registry=registry)(on_loop(fn))

    index(GROUP, "ecsclusters", id=CLUSTERS)(index_cluster)
    index(GROUP, "taskdefinitions", id=TASK_DEFINITIONS)(index_task_definition)
    index("apps", "v1", "controllerrevisions", id=REVISIONS)(index_revision)
    index(GROUP, "securitygroups", id=SECURITY_GROUPS)(index_security_group)
    index(GROUP, "ecsservices", id=REFERENCES_SERVICES)(index_references("ECSService"))
    index(GROUP, "ecstasks", id=REFERENCES_TASKS)(index_references("ECSTask"))
    index(GROUP, "ecsservices", id=SERVICE_LABELS)(index_service_label)
    for kind, (group, version, plural) in APPLIED_KINDS.items():
        selector = (group, version, plural) if group else (version, plural)
        index(*selector, id=children_index(kind))(index_child(kind))
    index("v1", "pods", id=PODS)(index_pod)
    if nodes:
        index("v1", "nodes", id=NODES)(index_node)
    index("apps", "v1", "controllerrevisions", id=ROLE_USERS_REVISIONS)(index_role_users_revision)
    index("v1", "pods", id=ROLE_USERS_PODS)(index_role_users_pod)


IndexFunction = Callable[..., Any]


def on_loop(fn: IndexFunction) -> Callable[..., Awaitable[Any]]:
    """``fn`` as a coroutine function (see ``register``). Not ``functools.wraps``: Kopf follows ``__wrapped__``
    and would find the plain function again."""

    async def run(**kwargs: Any) -> Any:
        return fn(**kwargs)

    run.__name__ = run.__qualname__ = getattr(fn, "__qualname__", "index")
    return run


class Indices:
    """The read model over Kopf's indices (a ``resolve.readmodel.ReadModel``, and the children and Pods)."""

    def __init__(self, indices: Mapping[str, Any]) -> None:
        self._indices = indices
        self.ghosts: set[str] = set()  # uids of objects the audit found gone (``handlers/audit.py``)

    def _store(self, index: str, key: Any) -> list[Any]:
        found = self._indices[index]
        values = list(found[key]) if key in found else []
        return [value for value in values if getattr(value, "uid", "") not in self.ghosts] if self.ghosts else values

    def cached(self, kind: str) -> list[ChildRecord | PodRecord]:
        """Every record of one watched kind (a child kind, or Pod), each once: what the audit checks."""
        index = PODS if kind == "Pod" else children_index(kind)
        found: dict[str, ChildRecord | PodRecord] = {}
        for key in self._indices[index]:
            for record in self._store(index, key):
                if record.uid:
                    found[record.uid] = record
        return list(found.values())

    # ReadModel
    def clusters(self, namespace: str) -> Collection[ClusterRecord]:
        return self._store(CLUSTERS, namespace)

    def cluster_namespaces(self) -> list[str]:
        return list(self._indices[CLUSTERS])

    def task_definitions(self, namespace: str, family: str) -> Collection[TaskDefinitionRecord]:
        return self._store(TASK_DEFINITIONS, (namespace, family))

    def revisions(self, namespace: str, family: str) -> Collection[RevisionRecord]:
        return self._store(REVISIONS, (namespace, family))

    def security_groups(self, namespace: str) -> Collection[SecurityGroupRecord]:
        return self._store(SECURITY_GROUPS, namespace)

    # Children, Pods, nodes, dependents
    def children(self, owner_uid: str, kinds: Iterable[str] = APPLIED_KINDS) -> list[ChildRecord]:
        return [record for kind in kinds for record in self._store(children_index(kind), owner_uid)]

    def child(self, owner_uid: str, kind: str, name: str) -> ChildRecord | None:
        return next((record for record in self.children(owner_uid, [kind]) if record.name == name), None)

    def task_pods(self, task_uid: str) -> list[PodRecord]:
        return self._store(PODS, ("task", task_uid))

    def service_pods(self, namespace: str, service_label: str, cluster_label: str) -> list[PodRecord]:
        return self._store(PODS, ("service", namespace, service_label, cluster_label))

    def cluster_pods(self, namespace: str, cluster_label: str) -> list[PodRecord]:
        return self._store(PODS, ("cluster", namespace, cluster_label))

    def members(self, namespace: str, label: str) -> list[PodRecord]:
        return self._store(PODS, ("member", namespace, label))

    def nodes(self) -> list[dict[str, str]] | None:
        """The nodes' labels; None when the operator does not watch nodes (limited to namespaces)."""
        if NODES not in self._indices:
            return None
        return self._store(NODES, None)

    def referring(self, namespace: str, what: str, value: str) -> list[tuple[str, str]]:
        """(kind, name) of the services and pending tasks that refer to a family, a cluster or ("groups", "")."""
        key = (namespace, what, value)
        return [*self._store(REFERENCES_SERVICES, key), *self._store(REFERENCES_TASKS, key)]

    def services_in(self, namespace: str, cluster: str) -> list[str]:
        return [name for kind, name in self._store(REFERENCES_SERVICES, (namespace, "cluster", cluster))]

    def service_named(self, namespace: str, label: str) -> list[str]:
        return self._store(SERVICE_LABELS, (namespace, label))

    def role_users(self, namespace: str, account: str) -> list[JsonDict]:
        """The ownerReferences of the users of a role's ServiceAccount (each once, by uid)."""
        key = (namespace, account)
        found = {
            ref["uid"]: ref for ref in [*self._store(ROLE_USERS_REVISIONS, key), *self._store(ROLE_USERS_PODS, key)]
        }
        return [found[uid] for uid in sorted(found)]
