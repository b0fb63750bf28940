"""What the real API server does to a write that kmock does not, played by the harness's emulator
(``conftest.Emulator``), so that no behaviour of the operator passes only because kmock is lenient:

- bookkeeping: a uid, creationTimestamp and generation 1 on every create; a resourceVersion that changes with
  every write; generation + 1 when a write changes the spec;
- server-side apply: the applier's field set in ``managedFields`` (what it applied, as FieldsV1), taken from other
  managers where it forces; an apply whose associative lists repeat a key is refused (422), as the API server
  refuses it ("duplicate entries for key");
- another writer's change (a merge patch: ``kubectl edit`` or ``kubectl patch``) takes the fields it changes from
  the managers that owned them, as an Update operation does;
- defaulting and ``omitempty`` on what is stored: empty strings, ``false`` and empty lists and maps the Go types
  drop are dropped, defaults are added (``imagePullPolicy``, ``protocol: TCP``, ...), so a comparison of values
  would see a difference on every read, as it would on a real cluster.

kmock still merges every write (an apply does not remove fields the applier stopped setting): the tests check the
requests where that matters.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import uuid
from collections.abc import Mapping
from typing import Any

from ecs_operator.k8s.fields import applied_field_set, duplicate_keys
from ecs_operator.k8s.fieldtypes import ROOTS
from ecs_operator.sandbox.emulated import merged  # the sandbox's emulator and this harness merge alike

JsonDict = dict[str, Any]
_versions = itertools.count(1000)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def is_apply(headers: Mapping[str, str]) -> bool:
    return "apply-patch" in str(headers.get("Content-Type") or headers.get("content-type") or "")


def on_create(data: JsonDict) -> None:
    meta = data.setdefault("metadata", {})
    meta.setdefault("uid", str(uuid.uuid4()))
    meta.setdefault("creationTimestamp", now())
    meta.setdefault("generation", 1)
    meta["resourceVersion"] = str(next(_versions))


def on_write(data: JsonDict, current: Mapping[str, Any] | None, subresource: str | None) -> None:
    """A new resourceVersion; generation + 1 when the write changes the spec (not for a status write)."""
    meta = data.setdefault("metadata", {})
    meta["resourceVersion"] = str(next(_versions))
    if current is None or subresource or "generation" in meta or "spec" not in data:
        return
    if merged(current.get("spec"), data["spec"]) != current.get("spec"):
        meta["generation"] = int((current.get("metadata") or {}).get("generation") or 1) + 1


def subtract(fields: JsonDict, taken: Mapping[str, Any]) -> JsonDict:
    """A FieldsV1 set without the fields in ``taken`` (a field taken whole takes what is below it)."""
    result: JsonDict = {}
    for key, below in fields.items():
        if key not in taken:
            result[key] = below
        elif taken[key] and below:
            rest = subtract(below, taken[key])
            if rest and set(rest) != {"."}:
                result[key] = rest
    return result


def managed_fields(current: Mapping[str, Any] | None, manager: str, operation: str, fields: JsonDict) -> list[JsonDict]:
    """``managedFields`` after ``manager`` wrote ``fields``: its entry for them, the others without them."""
    entries = list(((current or {}).get("metadata") or {}).get("managedFields") or [])
    others = []
    for entry in entries:
        if (entry.get("manager"), entry.get("operation")) == (manager, operation):
            continue
        rest = subtract(entry.get("fieldsV1") or {}, fields)
        if rest:
            others.append({**entry, "fieldsV1": rest})
    mine = {
        "manager": manager,
        "operation": operation,
        "apiVersion": str((current or {}).get("apiVersion") or ""),
        "time": now(),
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
    }
    if operation == "Update":  # an updater keeps what it owned before and adds what it changed now
        before = next((e for e in entries if (e.get("manager"), e.get("operation")) == (manager, operation)), None)
        mine["fieldsV1"] = merged((before or {}).get("fieldsV1") or {}, fields)
    return [*others, mine]


def server_side_apply(data: JsonDict, kind: str, manager: str, current: Mapping[str, Any] | None) -> list[str]:
    """Record the apply in ``data``'s managedFields and store defaults; the duplicate keys that refuse it."""
    duplicates = duplicate_keys(data)
    if duplicates:
        return duplicates
    fields = applied_field_set(data)
    normalise(data)
    data["metadata"]["managedFields"] = managed_fields(current, manager, "Apply", fields)
    return []


def other_writer(data: JsonDict, kind: str, current: Mapping[str, Any]) -> None:
    """A merge patch by someone else (``kubectl edit``): the fields it sets or removes become its own."""
    changed = applied_field_set({"kind": kind, **{k: v for k, v in _with_nulls_as_set(data).items()}})
    data.setdefault("metadata", {})["managedFields"] = managed_fields(current, "kubectl-edit", "Update", changed)


def _with_nulls_as_set(value: Any) -> Any:
    """A merge patch with each null (a removal) as an empty value, so that the removed field counts as touched."""
    if isinstance(value, Mapping):
        return {key: ("" if item is None else _with_nulls_as_set(item)) for key, item in value.items()}
    return value


def managed(kind: str) -> bool:
    return kind in ROOTS


# --- Defaulting and omitempty, for what the operator writes ----------------------------------------------------

CONTAINER_DEFAULTS = {
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}
POD_DEFAULTS = {
    "dnsPolicy": "ClusterFirst",
    "schedulerName": "default-scheduler",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
}
OMITTED_FALSE = {"stdin", "stdinOnce", "tty", "readOnly", "hostNetwork", "hostPID", "hostIPC"}


def normalise(obj: JsonDict) -> None:
    """Store ``obj`` as the API server would: defaults added, empty values dropped (in place)."""
    kind = obj.get("kind")
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if kind in ("Deployment", "DaemonSet", "PodTemplate"):
        template = spec.get("template") if kind != "PodTemplate" else obj.get("template")
        if isinstance(template, dict) and isinstance(template.get("spec"), dict):
            _pod_spec(template["spec"])
    if kind == "Deployment":
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
    if kind == "Service":
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for port in spec.get("ports") or []:
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
    obj["spec"] = _without_empty(spec)


def _pod_spec(spec: JsonDict) -> None:
    for key, value in POD_DEFAULTS.items():
        spec.setdefault(key, copy.deepcopy(value))
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        for key, value in CONTAINER_DEFAULTS.items():
            container.setdefault(key, value)
        image = str(container.get("image") or "")
        container.setdefault(
            "imagePullPolicy", "Always" if image.endswith(":latest") or ":" not in image else "IfNotPresent"
        )
        for port in container.get("ports") or []:
            port.setdefault("protocol", "TCP")
        for env in container.get("env") or []:
            if env.get("value") == "":
                del env["value"]


def _without_empty(value: Any, key: str = "") -> Any:
    """Empty lists and maps dropped, and the booleans that are ``omitempty`` when false."""
    if isinstance(value, dict):
        kept = {}
        for name, item in value.items():
            item = _without_empty(item, name)
            if item in ([], {}) and name not in ("emptyDir", "securityContext", "podSelector"):
                continue
            if item is False and name in OMITTED_FALSE:
                continue
            kept[name] = item
        return kept
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value
