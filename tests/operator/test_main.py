"""`ecs-operator run` without a cluster says so in one line and exits 1, instead of a Kopf traceback."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path
from typing import Any, cast

import kopf
import pytest
from kopf._core.actions.invocation import is_async_fn

from ecs_operator.cli import main
from ecs_operator.handlers.common import OperatorConfig, Runtime
from ecs_operator.handlers.main import (
    Waiting,
    build_registry,
    cluster_config_found,
    configure,
    lease_timing,
    missing_kinds,
    readiness,
    wait_for_kinds,
)
from ecs_operator.k8s.lease import Election, LeaseConflict, LeaseRecord, LeaseUnavailable
from ecs_operator.k8s.rest import KubeClient, KubeError, NotFound
from ecs_operator.translate.context import API_VERSION

JsonDict = dict[str, Any]


@pytest.mark.parametrize(
    ("environ", "kubeconfig_exists", "found"),
    [
        ({"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, False, True),
        ({"KUBECONFIG": "{kubeconfig}"}, True, True),
        ({"KUBECONFIG": "{kubeconfig}"}, False, False),
        ({"KUBECONFIG": "/nowhere:{kubeconfig}"}, True, True),
        ({"HOME": "{home}"}, False, False),
    ],
    ids=["in cluster", "kubeconfig", "kubeconfig missing", "second of two paths", "nothing"],
)
def test_cluster_config_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], kubeconfig_exists: bool, found: bool
) -> None:
    kubeconfig = tmp_path / "config"
    if kubeconfig_exists:
        kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    monkeypatch.setenv("HOME", str(tmp_path))  # ~/.kube/config must not be the developer's real one
    values = {key: value.format(kubeconfig=kubeconfig, home=tmp_path) for key, value in environ.items()}
    assert cluster_config_found(values) is found


def test_run_without_a_cluster_starts_the_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No kubeconfig and not in a cluster (``cluster_config_found``, above): `make run` starts the sandbox
    (tests/apiserver/test_sandbox.py runs it for real)."""
    import ecs_operator.sandbox

    started: list[bool] = []

    def sandbox() -> int:
        started.append(True)
        return 0

    monkeypatch.setattr(ecs_operator.sandbox, "run_sandbox", sandbox)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert main(["run", "--standalone"]) == 0
    assert started == [True]


class MemoryLeases:
    """One Lease in memory, with the API server's optimistic concurrency (a stale version is a conflict)."""

    def __init__(self, refuse: str = "") -> None:
        self.record: LeaseRecord | None = None
        self.version = 0
        self.refuse = refuse

    def _check(self) -> None:
        if self.refuse:
            raise LeaseUnavailable(self.refuse)

    async def read(self) -> LeaseRecord | None:
        self._check()
        return self.record

    async def create(self, record: LeaseRecord) -> LeaseRecord:
        self._check()
        if self.record is not None:
            raise LeaseConflict("exists")
        return self._store(record)

    async def update(self, record: LeaseRecord) -> LeaseRecord:
        self._check()
        if self.record is None or record.version != self.record.version:
            raise LeaseConflict("stale")
        return self._store(record)

    def _store(self, record: LeaseRecord) -> LeaseRecord:
        self.version += 1
        self.record = dataclasses.replace(record, version=str(self.version))
        return self.record


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_one_copy_leads_and_another_takes_over_only_when_the_lease_expires() -> None:
    leases, clock = MemoryLeases(), Clock()
    first = Election(leases, "first", duration_seconds=60, clock=clock)
    second = Election(leases, "second", duration_seconds=60, clock=clock)
    assert await first.try_acquire_or_renew()
    assert not await second.try_acquire_or_renew()  # held, and renewed recently as far as second has seen
    assert second.holder == "first"
    clock.now += 30
    assert await first.try_acquire_or_renew()  # renewed: second's view of it changes, so its timer restarts
    assert not await second.try_acquire_or_renew()
    clock.now += 61  # first stopped renewing (crashed): 60 s after second last saw it change, it is free
    assert await second.try_acquire_or_renew()
    assert leases.record is not None and (leases.record.holder, leases.record.transitions) == ("second", 1)


async def test_a_stopping_leader_releases_the_lease_for_the_next_at_once() -> None:
    leases, clock = MemoryLeases(), Clock()
    first = Election(leases, "first", clock=clock)
    second = Election(leases, "second", clock=clock)
    await first.acquire()
    assert first.leading and not await second.try_acquire_or_renew()
    await first.release()
    assert await second.try_acquire_or_renew()  # no waiting for the lease to expire


async def test_a_copy_that_cannot_use_its_lease_is_not_ready_and_says_why() -> None:
    """#34: never silently paused: the reason is in the log (an error) and in the readiness probe."""
    refused = "the operator may not read or write Lease ecs-system/ecs-operator (Forbidden): grant get, ..."
    election = Election(MemoryLeases(refuse=refused), "me", retry_seconds=0.01)
    waiting = asyncio.create_task(election.acquire())
    await asyncio.sleep(0.05)
    assert not waiting.done()  # it keeps trying: an administrator can grant it
    assert readiness(election, asyncio.Event()) == f"leader election: {refused}"
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)


async def test_readiness() -> None:
    started = asyncio.Event()
    leases = MemoryLeases()
    leader = Election(leases, "leader")
    standby = Election(leases, "standby", retry_seconds=0.01)
    assert readiness(None, started) == "starting: the watches are being listed"
    started.set()
    assert readiness(None, started) == ""  # standalone, started
    await leader.acquire()
    assert readiness(leader, started) == ""
    waiting = asyncio.create_task(standby.acquire())
    await asyncio.sleep(0.05)
    assert standby.state == "waiting" and readiness(standby, asyncio.Event()) == ""  # standing by is healthy
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)


def test_kopfs_own_peering_is_off_only_the_leader_runs_kopf() -> None:
    settings = kopf.OperatorSettings()
    configure(settings, verbose=False)
    assert settings.peering.standalone is True
    assert settings.posting.level > logging.ERROR  # the operator posts its own Events, none of Kopf's log lines
    assert settings.scanning.disabled is True  # no cluster-wide list/watch of namespaces or CRDs


def test_kopf_keeps_no_last_handled_state_the_operator_has_no_change_handlers() -> None:
    settings = kopf.OperatorSettings()
    configure(settings, verbose=False)
    body = kopf.Body({"metadata": {"name": "web", "annotations": {"a": "b"}}, "spec": {"desiredCount": 2}})
    assert settings.persistence.diffbase_storage.build(body=body) == {}  # no copy of the object per event
    assert settings.persistence.diffbase_storage.fetch(body=body) is None
    registry = build_registry(Runtime(OperatorConfig()), kopf.OperatorRegistry())
    assert not registry._changing.get_all_handlers() and not registry._spawning.get_all_handlers()


def test_the_index_functions_run_on_the_event_loop_not_in_kopfs_threads() -> None:
    registry = build_registry(Runtime(OperatorConfig()), kopf.OperatorRegistry())
    handlers = registry._indexing.get_all_handlers()
    assert len(handlers) >= 10
    assert all(is_async_fn(handler.fn) for handler in handlers), [h.id for h in handlers if not is_async_fn(h.fn)]


def watched_plurals(registry: kopf.OperatorRegistry) -> set[str]:
    selectors = registry._indexing.get_all_selectors() | registry._watching.get_all_selectors()
    return {str(selector.plural or selector.any_name) for selector in selectors}


@pytest.mark.parametrize(
    ("namespaces", "reads_nodes"), [([], True), (["a"], False), (["a", "b"], False)], ids=["all", "one", "two"]
)
def test_an_operator_limited_to_namespaces_reads_no_node(namespaces: list[str], reads_nodes: bool) -> None:
    """Nodes are cluster-scoped: limited to namespaces, the operator watches none (docs/operator.md)."""
    registry = build_registry(Runtime(OperatorConfig(), namespaces=namespaces), kopf.OperatorRegistry())
    plurals = watched_plurals(registry)
    assert {"ecsservices", "pods", "deployments"} <= plurals
    assert ("nodes" in plurals) is reads_nodes


class Discovery:
    """The API server's discovery of the operator's group version, as a list of answers, one per request; the
    requests after the ``hold``-th wait for ``proceed``."""

    def __init__(self, *answers: JsonDict | KubeError, hold: int = 0) -> None:
        self.answers = list(answers)
        self.requests = 0
        self.hold = hold
        self.held = asyncio.Event()
        self.proceed = asyncio.Event()

    async def request(self, method: str, path: str) -> JsonDict:
        assert (method, path) == ("GET", f"/apis/{API_VERSION}")
        if self.hold and self.requests >= self.hold:
            self.held.set()
            await self.proceed.wait()
        self.requests += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, KubeError):
            raise answer
        return answer


def served(*plurals: str) -> JsonDict:
    return {"resources": [{"name": plural} for plural in plurals] + [{"name": "ecsservices/status"}]}


EVERY_KIND = ("ecsclusters", "taskdefinitions", "ecsservices", "ecstasks", "securitygroups")


async def test_the_operator_starts_once_its_kinds_are_served_and_says_what_is_missing_until_then(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Kopf does not watch CRDs (no cluster-wide read): the operator waits for its kinds by API discovery, with
    the missing ones in the log (an error, once) and in the readiness probe."""
    discovery = Discovery(
        NotFound(404, "the server could not find the requested resource"),
        served("ecsclusters", "ecsservices"),
        served("ecsclusters", "ecsservices"),
        served(*EVERY_KIND),
        hold=2,
    )
    waiting = Waiting()
    task = asyncio.create_task(wait_for_kinds(cast(KubeClient, discovery), waiting, retry_seconds=0.01))
    await asyncio.wait_for(discovery.held.wait(), 10)  # two answers given, the third held back
    assert "taskdefinitions.ecs.compat.dev" in waiting.reason and "kubectl apply -f crds/" in waiting.reason
    assert "ecsservices.ecs.compat.dev" not in waiting.reason  # served by the second answer
    assert readiness(None, asyncio.Event(), waiting) == waiting.reason
    discovery.proceed.set()
    await asyncio.wait_for(task, 10)
    assert waiting.reason == "" and discovery.requests == 4
    errors = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 2, errors  # every kind missing, then three of them: each said once
    assert "ecsclusters.ecs.compat.dev" in errors[0] and "ecsclusters.ecs.compat.dev" not in errors[1]


async def test_a_refused_discovery_is_a_reason_too() -> None:
    waiting = Waiting()
    discovery = Discovery(KubeError(0, "the Kubernetes API server did not answer: refused"), served(*EVERY_KIND))
    await asyncio.wait_for(wait_for_kinds(cast(KubeClient, discovery), waiting, retry_seconds=0.01), 10)
    assert discovery.requests == 2 and waiting.reason == ""
    assert await missing_kinds(cast(KubeClient, Discovery(served("ecstasks")))) == [
        f"{plural}.ecs.compat.dev" for plural in EVERY_KIND if plural != "ecstasks"
    ]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, (60, 20.0, 10.0)),
        ({"ECS_OPERATOR_LEASE_SECONDS": "15"}, (15, 5.0, 2.5)),
        ({"ECS_OPERATOR_LEASE_SECONDS": "120"}, (120, 40.0, 10.0)),
    ],
)
def test_the_lease_is_timed_from_its_duration(environ: dict[str, str], expected: tuple[int, float, float]) -> None:
    assert lease_timing(environ) == expected


@pytest.mark.parametrize("text", ["5", "0", "-1", "ten", "1.5"])
def test_a_lease_duration_that_cannot_hold_a_renewal_is_refused_naming_the_variable(text: str) -> None:
    with pytest.raises(ValueError, match="ECS_OPERATOR_LEASE_SECONDS"):
        lease_timing({"ECS_OPERATOR_LEASE_SECONDS": text})
