"""The operator's memory of its own applies, and the test of whether a child needs a write (``ChildState``).

See ``handlers/children.py`` for when a child is written; this module holds the part the runtime keeps between
reconciles: per child, the digest the operator last applied, the field set the API server recorded for it, and
the resourceVersion its cache showed at that moment (the cache lags the operator's own writes by a watch event).
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecs_operator.handlers.indices import (
    ANNOTATION_APPLIED_DIGEST,
    ChildRecord,
    applied_fields,
    child_record,
    created_entry,
    fields_digest,
)
from ecs_operator.k8s import FIELD_MANAGER
from ecs_operator.k8s.fields import applied_field_set, without_nulls

JsonDict = dict[str, Any]
ChildKey = tuple[str, str, str]  # kind, namespace, name
logger = logging.getLogger("ecs_operator.children")


def digest_of(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def with_digest(obj: Mapping[str, Any]) -> JsonDict:
    """``obj`` without nulls, stamped with the digest of its rendered form."""
    stamped: JsonDict = without_nulls(copy.deepcopy(dict(obj)))
    stamped["metadata"].setdefault("annotations", {})[ANNOTATION_APPLIED_DIGEST] = digest_of(stamped)
    return stamped


def expected_fields(desired: Mapping[str, Any]) -> str:
    """The digest of the field set an apply of ``desired`` gives the operator (as ``applied_fields`` reads it)."""
    return fields_digest([applied_field_set(desired)])


def as_applied(live: Mapping[str, Any], desired: Mapping[str, Any]) -> list[JsonDict]:
    """``live``'s managedFields with the entry the operator's create left (an Update) turned into the one an apply
    would have left: the computed field set of ``desired`` when ``live`` is that rendering, else the fields the
    create recorded (as client-go's csaupgrade does; the next apply then drops what it no longer sets). Other
    managers' entries stay as they are."""
    entries = list((live.get("metadata") or {}).get("managedFields") or [])
    created = created_entry(entries)
    if created is None:
        return entries
    rendered = desired["metadata"]["annotations"][ANNOTATION_APPLIED_DIGEST]
    same = ((live.get("metadata") or {}).get("annotations") or {}).get(ANNOTATION_APPLIED_DIGEST) == rendered
    applied = {
        "manager": FIELD_MANAGER,
        "operation": "Apply",
        "apiVersion": created.get("apiVersion") or desired["apiVersion"],
        "time": created.get("time"),
        "fieldsType": "FieldsV1",
        "fieldsV1": applied_field_set(desired) if same else created.get("fieldsV1") or {},
    }
    return [entry for entry in entries if entry is not created] + [{k: v for k, v in applied.items() if v is not None}]


def key_of(obj: Mapping[str, Any]) -> ChildKey:
    meta = obj["metadata"]
    return str(obj["kind"]), str(meta.get("namespace") or ""), str(meta["name"])


@dataclass
class Applied:
    """What the operator knows of its own last apply of a child (its caches may not show it yet)."""

    digest: str
    fields: str | None  # the field set the API server recorded for it
    seen_before: str  # the resourceVersion the cache showed when it applied ("" for none)
    result: ChildRecord | None = None  # the child as the API server answered the apply


@dataclass
class ChildState:
    """The operator's memory of its applies, per child: bounded by the children that exist."""

    applied: dict[ChildKey, Applied] = field(default_factory=dict)
    warned: set[ChildKey] = field(default_factory=set)

    def in_sync(self, desired: Mapping[str, Any], record: ChildRecord) -> bool:
        """Whether the live child is what ``desired`` renders and holds every field the operator applies."""
        digest = desired["metadata"]["annotations"][ANNOTATION_APPLIED_DIGEST]
        mine = self.applied.get(key_of(desired))
        if mine is not None and mine.digest == digest and record.resource_version == mine.seen_before:
            return True  # the cache has not caught up with the operator's own apply yet
        if record.digest != digest:
            return False
        if record.fields is None:  # an API server that keeps no managedFields: the digest is all there is
            return True
        learned = mine.fields if mine is not None and mine.digest == digest and mine.fields else None
        return record.fields in {expected_fields(desired), learned}

    def record(self, desired: Mapping[str, Any], result: Mapping[str, Any], before: ChildRecord | None) -> None:
        """Remember an apply; warn once if the API server recorded other fields than the computed ones."""
        key = key_of(desired)
        recorded = applied_fields((result.get("metadata") or {}).get("managedFields"))
        digest = desired["metadata"]["annotations"][ANNOTATION_APPLIED_DIGEST]
        answered = child_record(str(desired["kind"]), result) if result.get("metadata") else None
        self.applied[key] = Applied(digest, recorded, before.resource_version if before else "", answered)
        if recorded is not None and recorded != expected_fields(desired) and key not in self.warned:
            self.warned.add(key)
            logger.warning(
                "%s/%s: the API server records other fields for the operator than it computes (k8s/fieldtypes.py "
                "may not match this Kubernetes version); taking the recorded ones from now on",
                *key[::2],
            )

    def made(self, desired: Mapping[str, Any], result: Mapping[str, Any]) -> None:
        """Remember a child the operator created (POST): as the API server answered, its fields not yet an apply's."""
        digest = desired["metadata"]["annotations"][ANNOTATION_APPLIED_DIGEST]
        self.applied[key_of(desired)] = Applied(digest, None, "", child_record(str(desired["kind"]), result))

    def written_for(self, owner_uid: str) -> list[ChildRecord]:
        """The children of ``owner_uid`` as the API server answered the operator's writes of them."""
        return [mine.result for mine in self.applied.values() if mine.result and mine.result.controller == owner_uid]

    def latest(self, key: ChildKey, cached: ChildRecord | None) -> ChildRecord | None:
        """The child as last known: the cache's, unless it still shows the child from before the operator's own
        apply (a workload's status from before its template changed must not count for the new one)."""
        mine = self.applied.get(key)
        if (
            mine is not None
            and mine.result is not None
            and (cached is None or cached.resource_version == mine.seen_before)
        ):
            return mine.result
        return cached

    def forget(self, keys: Iterable[ChildKey]) -> None:
        for key in keys:
            self.applied.pop(key, None)
            self.warned.discard(key)
