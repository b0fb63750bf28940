"""The field sets server-side apply records (k8s/fields.py), from the schema table (k8s/fieldtypes.py), and the
decision "does this child need a write?" they give (handlers/applied.py): never a comparison of values."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from ecs_operator.handlers.applied import ChildState, as_applied, expected_fields, with_digest
from ecs_operator.handlers.indices import child_record
from ecs_operator.k8s.fields import applied_field_set, duplicate_keys, without_nulls
from ecs_operator.k8s.fieldtypes import FIELD_TYPES
from tests.golden_update import EXPECTED, case_directories
from tests.operator import apiserver, fieldtypes_update

JsonDict = dict[str, Any]
CONTAINER = {
    "name": "app",
    "image": "nginx",
    "env": [{"name": "EMPTY", "value": ""}, {"name": "A", "value": "1"}],
    "ports": [{"containerPort": 80}],
    "stdin": False,
    "command": ["nginx", "-g", "daemon off;"],
}
DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "namespace": "default",
        "labels": {"app.kubernetes.io/managed-by": "ecs-operator"},
        "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "x", "uid": "u1", "controller": True}],
    },
    "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [CONTAINER],
                "tolerations": [{"key": "spot", "operator": "Exists"}],
                "volumes": [{"name": "tmp", "emptyDir": {}}],
            },
        },
    },
}


def test_the_field_set_spells_lists_by_their_type() -> None:
    fields = applied_field_set(DEPLOYMENT)
    metadata = fields["f:metadata"]
    assert "f:name" not in metadata and "f:namespace" not in metadata  # not owned by anyone
    assert metadata["f:ownerReferences"] == {'k:{"uid":"u1"}': {}}  # an OwnerReference is an atomic struct
    spec = fields["f:spec"]
    assert spec["f:selector"] == {}  # an atomic struct: one field
    pod = spec["f:template"]["f:spec"]
    container = pod["f:containers"]['k:{"name":"app"}']
    assert container["."] == {}
    assert set(container["f:env"]) == {'k:{"name":"EMPTY"}', 'k:{"name":"A"}'}
    assert container["f:env"]['k:{"name":"EMPTY"}'] == {".": {}, "f:name": {}, "f:value": {}}  # "" is applied too
    # The key of a port defaults its protocol, as the API server does.
    assert container["f:ports"] == {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}
    assert container["f:command"] == {} and container["f:stdin"] == {}  # an atomic list; a false value is applied
    assert pod["f:tolerations"] == {}  # atomic
    assert pod["f:volumes"] == {'k:{"name":"tmp"}': {".": {}, "f:emptyDir": {}, "f:name": {}}}


def test_sets_and_nulls() -> None:
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a", "finalizers": ["x", "y"]}}
    assert applied_field_set(account) == {"f:metadata": {"f:finalizers": {'v:"x"': {}, 'v:"y"': {}}}}
    assert without_nulls({"a": None, "b": {"c": None, "d": [{"e": None}]}}) == {"b": {"d": [{}]}}


def test_duplicate_list_keys_are_found_as_the_api_server_refuses_them() -> None:
    repeated = {**CONTAINER, "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}
    obj = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "template": {"spec": {"containers": [repeated]}}}}
    assert duplicate_keys(obj) == ['Deployment.spec.template.spec.containers[{"name":"app"}].env[{"name":"A"}]']
    assert duplicate_keys(DEPLOYMENT) == []


def _stored(obj: JsonDict, fields: JsonDict | None = None, manager: str = "ecs-operator") -> JsonDict:
    """``obj`` as the API server stores it after the operator applied it: defaults, dropped empties, managedFields."""
    stored = apiserver.merged({}, obj)
    apiserver.normalise(stored)
    stored["metadata"]["resourceVersion"] = "7"
    entry = {"manager": manager, "operation": "Apply", "fieldsV1": fields or applied_field_set(obj)}
    stored["metadata"]["managedFields"] = [entry]
    return stored


def test_a_child_the_api_server_normalised_is_in_sync() -> None:
    """Defaults added and empty values dropped by the API server are not differences (#4): the decision reads the
    digest and the field set the operator owns, never the values."""
    desired = with_digest(DEPLOYMENT)
    stored = _stored(desired)
    container = stored["spec"]["template"]["spec"]["containers"][0]
    assert "value" not in container["env"][0] and "stdin" not in container  # what a value comparison would trip on
    assert container["imagePullPolicy"] == "Always"
    assert ChildState().in_sync(desired, child_record("Deployment", stored))


@pytest.mark.parametrize(
    ("edit", "in_sync"),
    [
        ({}, True),
        ({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "evil"}]}}}}, False),  # kubectl edit
        ({"spec": {"replicas": 5}}, True),  # a field the operator does not set (an HPA's, kubectl scale's)
        ({"metadata": {"labels": {"team": "a"}}}, True),  # another manager's label: kept, as server-side apply does
        ({"metadata": {"labels": {"app.kubernetes.io/managed-by": None}}}, False),  # one of the operator's removed
    ],
)
def test_an_edit_of_a_field_the_operator_owns_needs_a_write(edit: JsonDict, in_sync: bool) -> None:
    desired = with_digest(DEPLOYMENT)
    stored = _stored(desired)
    if edit:
        patch = apiserver.merged({}, edit)
        apiserver.other_writer(patch, "Deployment", stored)
        stored = apiserver.merged(stored, {k: v for k, v in edit.items()})
        stored["metadata"]["managedFields"] = patch["metadata"]["managedFields"]
    assert ChildState().in_sync(desired, child_record("Deployment", stored)) is in_sync


def test_a_changed_rendering_needs_a_write_even_when_it_only_removes_fields() -> None:
    desired = with_digest(DEPLOYMENT)
    fewer = with_digest({**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "selector": None}})
    assert not ChildState().in_sync(fewer, child_record("Deployment", _stored(desired)))


def test_a_field_set_the_api_server_spells_otherwise_is_learned_after_one_apply() -> None:
    """Should the schema table differ from the API server's, the operator writes a child once, then takes the
    recorded field set: never a write on every reconcile."""
    desired = with_digest(DEPLOYMENT)
    other = {"f:metadata": {"f:labels": {}}}  # not what the table gives
    stored = _stored(desired, fields=other)
    state = ChildState()
    record = child_record("Deployment", stored)
    assert not state.in_sync(desired, record)
    state.record(desired, stored, record)  # the operator applied; the API server answered with its field set
    later = {**stored, "metadata": {**stored["metadata"], "resourceVersion": "8"}}  # seen again, after the apply
    assert state.in_sync(desired, child_record("Deployment", later))
    assert expected_fields(desired) != record.fields


STATUS_ENTRY = {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status", "fieldsV1": {}}


@pytest.mark.parametrize(
    ("rendering", "fields"),
    [
        ("same", "computed"),  # the live object is this rendering: the set an apply of it records
        ("changed", "created"),  # rendered otherwise since: the create's own set, which the next apply trims
    ],
)
def test_a_workload_the_operator_created_is_owned_as_if_applied(rendering: str, fields: str) -> None:
    """A create (POST) leaves the operator's fields as an Update, which no later apply would drop: it needs a write
    (``in_sync`` is False) that turns that entry into an Apply, keeping every other manager's entry."""
    desired = with_digest(DEPLOYMENT)
    created_set = {"f:spec": {"f:replicas": {}, "f:template": {}}, "f:metadata": {"f:labels": {}}}
    live = _stored(desired)
    live["metadata"]["managedFields"] = [
        {"manager": "ecs-operator", "operation": "Update", "apiVersion": "apps/v1", "fieldsV1": created_set},
        STATUS_ENTRY,
    ]
    record = child_record("Deployment", live)
    assert record.created and not ChildState().in_sync(desired, record)
    wanted = (
        desired if rendering == "same" else with_digest({**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": 3}})
    )
    entries = as_applied(live, wanted)
    assert entries[0] == STATUS_ENTRY and len(entries) == 2
    assert {k: entries[1][k] for k in ("manager", "operation", "apiVersion")} == {
        "manager": "ecs-operator",
        "operation": "Apply",
        "apiVersion": "apps/v1",
    }
    assert entries[1]["fieldsV1"] == (applied_field_set(desired) if fields == "computed" else created_set)
    adopted = child_record("Deployment", {**live, "metadata": {**live["metadata"], "managedFields": entries}})
    assert not adopted.created
    assert ChildState().in_sync(desired, adopted) is (rendering == "same")
    assert as_applied({"metadata": {"managedFields": entries}}, desired) == entries  # nothing left to turn


def test_the_schema_table_is_current() -> None:
    """k8s/fieldtypes.py is generated (python -m tests.operator.fieldtypes_update)."""
    assert fieldtypes_update.TARGET.read_text() == fieldtypes_update.formatted(fieldtypes_update.render())


def test_every_list_the_golden_outputs_hold_is_known_to_the_table() -> None:
    """Every list in what the operator applies is typed by the table (a list it does not know is taken as atomic,
    which the API server may spell otherwise): the golden cases cover the translations."""
    unknown: set[str] = set()
    for case in case_directories():
        for obj in yaml.safe_load_all((case / EXPECTED).read_text()):
            if obj["kind"] in fieldtypes_update.ROOTS:
                _lists_of(obj, fieldtypes_update.ROOTS[obj["kind"]], obj["kind"], unknown)
    assert not unknown, sorted(unknown)
    assert FIELD_TYPES


def _lists_of(value: Any, type_name: str | None, path: str, unknown: set[str]) -> None:
    if not isinstance(value, dict):
        return
    fields = FIELD_TYPES.get(type_name or "", {})
    for key, item in value.items():
        spec = fields.get(key)
        here = f"{path}.{key}"
        if isinstance(item, list) and spec is None:
            unknown.add(here)
        elif isinstance(item, dict) and spec is not None and spec[0] == "type":
            _lists_of(item, spec[1], here, unknown)
        elif isinstance(item, list) and spec is not None and spec[0] == "list-map" and spec[2] not in (None, "atomic"):
            for entry in item:
                _lists_of(entry, spec[2], f"{here}[]", unknown)
