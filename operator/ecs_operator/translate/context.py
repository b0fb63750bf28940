"""What translation works on and returns: resolved inputs in, Kubernetes objects and warnings out.

Everything here is plain data. Handlers and the CLI build these from custom resources or files; the
translators never read the cluster.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ecs_operator.models.cluster import ECSClusterSpec
from ecs_operator.models.crds import GROUP as GROUP  # re-exported for the translators and handlers
from ecs_operator.models.crds import VERSION as VERSION
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec

API_VERSION = f"{GROUP}/{VERSION}"
MANAGED_BY = {"app.kubernetes.io/managed-by": "ecs-operator"}
LABEL_CLUSTER = f"{GROUP}/cluster"
LABEL_SERVICE = f"{GROUP}/service"
LABEL_TASK = f"{GROUP}/task"
LABEL_TASK_DEFINITION = f"{GROUP}/task-definition"
LABEL_TASK_ROLE = f"{GROUP}/task-role"
# Annotation with the ECS container names, which Kubernetes names cannot always carry (upper case, "_").
ANNOTATION_CONTAINER_NAMES = f"{GROUP}/container-names"
DEFAULT_CLUSTER = "default"

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class FieldWarning:
    """An ECS field that was accepted but has no (or only partial) effect on Kubernetes."""

    resource: str  # "TaskDefinition/web"
    field: str  # "containerDefinitions[0].dockerSecurityOptions"
    message: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.field}: {self.message}"


@dataclass
class Rendered:
    """Kubernetes objects (plain dicts, ready to apply) and the warnings met while making them.

    ``missing``: references to objects that are not there, rendered around (``Target.unknown_security_groups``
    "warn"): a handler reports them on the resource's conditions while the rest runs.
    """

    objects: list[JsonDict] = field(default_factory=list)
    warnings: list[FieldWarning] = field(default_factory=list)
    missing: list[MissingReference] = field(default_factory=list)

    def extend(self, other: Rendered) -> None:
        self.objects.extend(other.objects)
        self.warnings.extend(other.warnings)
        self.missing.extend(other.missing)


# The oldest Kubernetes release the output must work on (native sidecars, README); see Target.
MINIMUM_KUBERNETES = (1, 29)
# Where an ingress controller runs by default (ingress-nginx's chart): traffic from a load balancer's
# security group comes from there (securitygroup.py).
DEFAULT_INGRESS_NAMESPACES = ("ingress-nginx",)


@dataclass(frozen=True)
class Target:
    """What the translation may assume of the cluster it renders for, and how it treats what is missing.

    - ``kubernetes_version``: features newer than the minimum are used from the release that turns them on by
      default: pod-level ``spec.resources`` (1.34) for task sizes. docs/mapping-taskdefinition.md.
    - ``unknown_security_groups``: "wait" raises ``MissingReference`` (the operator's default: the group may be
      applied next); "warn" renders without the group and lists it in ``Rendered.missing`` (offline render).
    - ``ingress_namespaces``: where traffic from a load balancer's security group comes from.
    """

    kubernetes_version: tuple[int, int] = MINIMUM_KUBERNETES
    unknown_security_groups: Literal["wait", "warn"] = "wait"
    ingress_namespaces: tuple[str, ...] = DEFAULT_INGRESS_NAMESPACES

    def supports(self, release: tuple[int, int]) -> bool:
        return self.kubernetes_version >= release


DEFAULT_TARGET = Target()


def parse_kubernetes_version(text: str) -> tuple[int, int]:
    """ "1.34", "v1.34.1" -> (1, 34); ValueError for anything else."""
    match = re.match(r"^v?(\d+)\.(\d+)(?:\.\d+)?$", text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a Kubernetes version (1.34, v1.34.1)")
    return int(match[1]), int(match[2])


class TranslationError(ValueError):
    """ECS input that passes the schema but cannot be translated; ``field`` names where it is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class MissingReference(TranslationError):
    """The input names another resource (a security group, ...) that is not there (yet).

    Offline this is an error like any other; the operator waits for the resource instead of calling the
    spec invalid, since GitOps tools apply related resources in no particular order.
    """


@dataclass(frozen=True)
class Meta:
    """The custom resource a translation belongs to."""

    kind: str
    name: str
    namespace: str = "default"
    uid: str | None = None  # set by the operator; owner references are made only when known

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class TaskDefinitionRevision:
    """One registered revision of a family. ``revision`` is None when it cannot be known (offline render)."""

    family: str
    revision: int | None
    spec: TaskDefinitionSpec
    status: str = "ACTIVE"  # or INACTIVE (deregistered)
    # Of the TaskDefinition: node directories of shared Docker volumes are per namespace. Required, so that no
    # caller can fall back to another namespace's directory by leaving it out.
    namespace: str = field(kw_only=True)

    @property
    def ref(self) -> str:
        """The resource its warnings are reported against: the family's TaskDefinition."""
        return f"TaskDefinition/{self.family}"

    @property
    def label(self) -> str:
        """``<family>-<revision>``: the value of the task-definition label."""
        return f"{self.family}-{self.revision}" if self.revision is not None else self.family

    @property
    def family_revision(self) -> str:
        return f"{self.family}:{self.revision}" if self.revision is not None else self.family


@dataclass(frozen=True)
class ClusterContext:
    """The ECS cluster a service or task runs in; ``spec`` is None for the implicit default cluster."""

    name: str = DEFAULT_CLUSTER
    spec: ECSClusterSpec | None = None


@dataclass(frozen=True)
class SecurityGroupRef:
    """A SecurityGroup resource, found by its resource name or its GroupId (sg-...)."""

    name: str
    spec: SecurityGroupSpec


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def k8s_name(ecs_name: str, max_length: int = 63) -> str:
    """A DNS-1123 label for an ECS name (which may hold upper case and "_"): containers, pod volumes.

    Names that are already valid stay as they are; others are lower-cased with "_" turned into "-" and
    get a short hash of the original, so that "Web" and "web" do not collide.
    """
    if _DNS_LABEL.match(ecs_name) and len(ecs_name) <= max_length:
        return ecs_name
    cleaned = re.sub(r"[^a-z0-9-]", "-", ecs_name.lower()).strip("-") or "x"
    digest = hashlib.sha256(ecs_name.encode()).hexdigest()[:6]
    return f"{cleaned[: max_length - 7].rstrip('-')}-{digest}"


_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def k8s_subdomain_name(ecs_name: str, max_length: int = 253) -> str:
    """A DNS-1123 subdomain (dots allowed) for the name of a ConfigMap, Secret, PVC or ServiceAccount.

    As ``k8s_name``: a valid name stays as it is; any other is lower-cased, each character a subdomain
    cannot hold becomes "-", and a short hash of the original is added.
    """
    if _DNS_SUBDOMAIN.match(ecs_name) and len(ecs_name) <= max_length:
        return ecs_name
    replaced = re.sub(r"[^a-z0-9.-]", "-", ecs_name.lower())
    cleaned = ".".join(label.strip("-") for label in replaced.split(".") if label.strip("-")) or "x"
    digest = hashlib.sha256(ecs_name.encode()).hexdigest()[:6]
    return f"{cleaned[: max_length - 7].rstrip('-.')}-{digest}"


def label_value(value: str) -> str:
    """A valid label value (63 characters of [A-Za-z0-9_.-], alphanumeric at both ends)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "-", value)
    if len(cleaned) > 63:
        digest = hashlib.sha256(value.encode()).hexdigest()[:6]
        cleaned = f"{cleaned[:56]}-{digest}"
    return cleaned.strip("-_.")


def owner_reference(meta: Meta) -> list[JsonDict]:
    """Owner references to the custom resource, when its uid is known (never offline)."""
    if meta.uid is None:
        return []
    return [
        {
            "apiVersion": API_VERSION,
            "kind": meta.kind,
            "name": meta.name,
            "uid": meta.uid,
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]


def object_meta(name: str, meta: Meta, labels: dict[str, str], annotations: dict[str, str] | None = None) -> JsonDict:
    """metadata for a child of ``meta``: its namespace, the managed-by label, owner references."""
    result: JsonDict = {"name": name, "namespace": meta.namespace, "labels": {**MANAGED_BY, **labels}}
    if annotations:
        result["annotations"] = annotations
    owners = owner_reference(meta)
    if owners:
        result["ownerReferences"] = owners
    return result
