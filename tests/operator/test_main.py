"""`ecs-operator run` without a cluster says so in one line and exits 1, instead of a Kopf traceback."""

from __future__ import annotations

from pathlib import Path

import kopf
import pytest

from ecs_operator.cli import main
from ecs_operator.handlers.main import PRIORITY_RANGE, cluster_config_found, configure


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


def test_run_without_a_cluster_exits_1_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert main(["run", "--standalone"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no Kubernetes cluster to run against.")
    assert "KUBECONFIG" in err


def test_each_copy_of_the_operator_draws_its_own_peering_priority() -> None:
    """Kopf pauses every copy sharing a priority with a live peer: two copies must not both have the default."""
    priorities = []
    for _ in range(2):
        settings = kopf.OperatorSettings()
        configure(settings, standalone=False, peering=None, verbose=False)
        assert PRIORITY_RANGE[0] <= settings.peering.priority <= PRIORITY_RANGE[1]
        assert settings.peering.name == "ecs-operator"
        priorities.append(settings.peering.priority)
    assert priorities[0] != priorities[1]  # a collision is ~1 in 2 billion
    standalone = kopf.OperatorSettings()
    configure(standalone, standalone=True, peering=None, verbose=False)
    assert standalone.peering.standalone is True
