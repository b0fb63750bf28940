"""The local control plane's pure parts: where its programs come from, what is built and when, the nodes it
makes of kind-config.yaml, and the kwok stages it gives kwok."""

from __future__ import annotations

import dataclasses
import fcntl
import shutil
import threading
import time
from pathlib import Path

import pytest
import yaml

from ecs_operator.localcluster import binaries
from ecs_operator.localcluster.binaries import MODULES, PROGRAMS, Module
from ecs_operator.localcluster.controlplane import join_taints, kind_workers
from ecs_operator.localcluster.install import ca_inlined


def programs_in(folder: Path, names: tuple[str, ...] | list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        program = folder / name
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
    return folder


def environ(tmp_path: Path, path: list[Path], **extra: str) -> dict[str, str]:
    return {"PATH": ":".join(str(p) for p in path), "ECS_OPERATOR_CACHE": str(tmp_path / "cache"), **extra}


def copied_modules(tmp_path: Path) -> tuple[Module, ...]:
    """The repository's modules, copied, so a test may change their files."""
    root = tmp_path / "modules"
    shutil.copytree(binaries.MODULES_DIR, root, ignore=shutil.ignore_patterns("README.md"))
    return tuple(dataclasses.replace(module, root=root) for module in MODULES)


@pytest.mark.parametrize(
    ("on_path", "in_assets", "built"),
    [
        (list(PROGRAMS), [], set()),  # everything on PATH: no Go needed
        (
            ["kube-controller-manager", "kube-scheduler", "kwok", "kwokctl"],
            ["kube-apiserver", "etcd", "kubectl"],
            set(),
        ),
        ([], ["kube-apiserver", "etcd", "kubectl"], {"kubernetes", "kwok"}),  # envtest lacks controllers, kwok
        (["kwok", "kwokctl"], [], {"kubernetes", "etcd"}),
        ([], [], {"kubernetes", "etcd", "kwok"}),
    ],
)
def test_a_module_is_built_only_for_programs_found_nowhere(
    tmp_path: Path, on_path: list[str], in_assets: list[str], built: set[str]
) -> None:
    path = programs_in(tmp_path / "bin", on_path)
    assets = programs_in(tmp_path / "assets", in_assets)
    found, to_build = binaries.locate(environ(tmp_path, [path], KUBEBUILDER_ASSETS=str(assets)))
    assert {module.name for module in to_build} == built
    for program, where in found.items():
        assert where.parent in (path, assets), program
    assert set(found) == {program for module in MODULES if module.name not in built for program in module.programs}


def test_a_complete_build_in_the_cache_is_used_and_a_partial_one_is_not(tmp_path: Path) -> None:
    env = environ(tmp_path, [])
    kwok = next(module for module in MODULES if module.name == "kwok")
    folder = programs_in(binaries.build_dir(kwok, env), list(kwok.programs))
    assert "kwok" in {module.name for module in binaries.locate(env)[1]}  # no .complete yet
    (folder / ".complete").write_text("go build ...\n")
    found, to_build = binaries.locate(env)
    assert "kwok" not in {module.name for module in to_build}
    assert found["kwokctl"] == folder / "kwokctl"


def test_the_cache_folder_changes_with_the_pins(tmp_path: Path) -> None:
    modules = copied_modules(tmp_path)
    env = environ(tmp_path, [])
    etcd = next(module for module in modules if module.name == "etcd")
    before = binaries.build_dir(etcd, env)
    assert binaries.build_dir(etcd, env) == before  # stable
    go_sum = etcd.path / "go.sum"
    go_sum.write_text(go_sum.read_text() + "example.com/x v1.0.0 h1:AAAA=\n")
    assert binaries.build_dir(etcd, env) != before


def test_kubernetes_is_stamped_with_its_version() -> None:
    kubernetes = next(module for module in MODULES if module.name == "kubernetes")
    version = binaries.required_version(kubernetes, "k8s.io/kubernetes")
    assert version.startswith("v1.34.")
    flags = binaries.build_flags(kubernetes)
    assert f"-X k8s.io/component-base/version.gitVersion={version}" in flags[flags.index("-ldflags") + 1]


def test_without_go_or_programs_the_reason_says_what_to_do(tmp_path: Path) -> None:
    reason = binaries.why_unavailable(environ(tmp_path, [programs_in(tmp_path / "bin", ["kwok", "kwokctl"])]))
    assert reason is not None
    assert "kube-apiserver" in reason and "no Go" in reason and "kwokctl" not in reason
    with_go = programs_in(tmp_path / "go", ["go"])
    assert binaries.why_unavailable(environ(tmp_path, [with_go])) is None


def test_go_builds_progress_is_reported_and_compiler_errors_kept() -> None:
    lines = ["k8s.io/api/core/v1\n", "# example.com/broken\n", "broken.go:3:1: syntax error\n", "sigs.k8s.io/yaml\n"]
    reported: list[str] = []
    errors = binaries.report_packages(iter(lines), total=4, name="kubernetes", started=-100.0, progress=reported.append)
    assert errors == ["# example.com/broken\n", "broken.go:3:1: syntax error\n"]
    assert reported and "compiled 1/4 packages" in reported[0]


def test_waiting_for_another_build_reports_until_it_is_done(tmp_path: Path) -> None:
    """While another process builds a module (holds its lock), the wait says so again and again, then goes on."""
    module = MODULES[0]
    env = {"ECS_OPERATOR_CACHE": str(tmp_path)}
    lock = tmp_path / "cluster-bin" / f"{module.name}.lock"
    lock.parent.mkdir(parents=True)
    reported: list[str] = []
    entered = threading.Event()

    def wait() -> None:
        with binaries.build_lock(module, env, reported.append, every=0.01):
            entered.set()

    with lock.open("w") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        waiter = threading.Thread(target=wait)
        waiter.start()
        deadline = time.monotonic() + 30  # a hang guard, not what is checked
        while len(reported) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not entered.is_set()
        fcntl.flock(other, fcntl.LOCK_UN)
    waiter.join(30)
    assert entered.is_set()
    assert reported[0] == f"waiting for another build of tools/cluster/{module.name} to finish"
    assert all("still waiting for the other build" in line for line in reported[1:3])


def test_the_nodes_are_kind_configs_workers_with_arm64_twins(tmp_path: Path) -> None:
    config = tmp_path / "kind.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "name": "ecs",
                "nodes": [
                    {"role": "control-plane"},
                    {"role": "worker", "labels": {"zone": "a", "node.kubernetes.io/instance-type": "m5.large"}},
                    {
                        "role": "worker",
                        "kubeadmConfigPatches": [
                            "kind: JoinConfiguration\nnodeRegistration:\n  taints:\n"
                            "    - {key: spot, value: 'true', effect: NoSchedule}\n"
                        ],
                    },
                ],
            }
        )
    )
    nodes = {node["metadata"]["name"]: node for node in kind_workers(config)}
    assert sorted(nodes) == ["ecs-worker", "ecs-worker-arm64", "ecs-worker2", "ecs-worker2-arm64"]
    assert nodes["ecs-worker"]["metadata"]["labels"]["node.kubernetes.io/instance-type"] == "m5.large"
    assert nodes["ecs-worker-arm64"]["metadata"]["labels"]["node.kubernetes.io/instance-type"] == "m6g.large"
    assert nodes["ecs-worker-arm64"]["metadata"]["labels"]["kubernetes.io/arch"] == "arm64"
    assert nodes["ecs-worker2"]["spec"]["taints"] == [{"key": "spot", "value": "true", "effect": "NoSchedule"}]
    assert all(node["metadata"]["annotations"] == {"kwok.x-k8s.io/node": "fake"} for node in nodes.values())


def test_join_taints_ignore_other_kubeadm_patches() -> None:
    assert (
        join_taints({"kubeadmConfigPatches": ["kind: InitConfiguration\nnodeRegistration: {taints: [{key: x}]}"]}) == []
    )


def test_the_kwok_stages_cover_nodes_pods_and_task_exits() -> None:
    stages = list(yaml.safe_load_all((Path(binaries.__file__).parent / "stages.yaml").read_text()))
    assert [stage["metadata"]["name"] for stage in stages] == [
        "node-ready",
        "node-heartbeat",
        "pod-start",
        "pod-exit",
        "pod-delete",
    ]
    exit_stage = stages[3]
    keys = " ".join(expression["key"] for expression in exit_stage["spec"]["selector"]["matchExpressions"])
    assert "KWOK_EXIT_CODE" in keys and ".spec.restartPolicy" in keys


def test_a_service_account_kubeconfig_inlines_the_ca(tmp_path: Path) -> None:
    (tmp_path / "ca.crt").write_bytes(b"CERT")
    entry = ca_inlined({"server": "https://127.0.0.1:1", "certificate-authority": "ca.crt"}, tmp_path)
    assert entry == {"server": "https://127.0.0.1:1", "certificate-authority-data": "Q0VSVA=="}
