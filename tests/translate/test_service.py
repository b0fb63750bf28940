"""ECSService -> Deployments / DaemonSet and everything around them."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.models.cluster import ECSClusterSpec
from ecs_operator.models.ecs_api import DeploymentConfiguration
from ecs_operator.models.securitygroup import SecurityGroupSpec
from ecs_operator.models.service import ECSServiceSpec
from ecs_operator.models.taskdefinition import TaskDefinitionSpec
from ecs_operator.translate.context import (
    ClusterContext,
    Meta,
    MissingReference,
    Rendered,
    SecurityGroupRef,
    TaskDefinitionRevision,
    TranslationError,
)
from ecs_operator.translate.iam import service_account_name
from ecs_operator.translate.service import render_service, rolling_percentages
from tests.k8s_schema import validate_objects

META = Meta("ECSService", "web", "shop", "uid-1")
GROUPS = [SecurityGroupRef("web-sg", SecurityGroupSpec(GroupId="sg-1"))]
SELECTOR = {"ecs.compat.dev/cluster": "default", "ecs.compat.dev/service": "web"}


def _td(**extra: Any) -> TaskDefinitionRevision:
    container = {
        "name": "web",
        "image": "nginx",
        "portMappings": [{"containerPort": 80, "name": "http"}],
        "healthCheck": {"command": ["CMD", "true"]},
    }
    spec = {
        "family": "web",
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [container],
    }
    return TaskDefinitionRevision("web", 4, TaskDefinitionSpec.model_validate({**spec, **extra}), namespace="default")


def _render(cluster: ClusterContext | None = None, td: TaskDefinitionRevision | None = None, **spec: Any) -> Rendered:
    service = ECSServiceSpec.model_validate({"serviceName": "web", **spec})
    rendered = render_service(service, META, td or _td(), cluster or ClusterContext(), GROUPS)
    assert validate_objects(rendered.objects) == len(rendered.objects)
    return rendered


def _kinds(rendered: Rendered) -> list[tuple[str, str]]:
    return [(o["kind"], o["metadata"]["name"]) for o in rendered.objects]


def _one(rendered: Rendered, kind: str) -> dict[str, Any]:
    (found,) = [o for o in rendered.objects if o["kind"] == kind]
    return found


def test_a_plain_replica_service_is_a_deployment_with_a_budget() -> None:
    rendered = _render(desiredCount=3)
    assert _kinds(rendered) == [("Deployment", "web"), ("PodDisruptionBudget", "web")]
    deployment = _one(rendered, "Deployment")
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["selector"] == {"matchLabels": SELECTOR}
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert labels["ecs.compat.dev/task-definition"] == "web-4"
    assert deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "ecs-operator"
    assert deployment["spec"]["template"]["spec"]["restartPolicy"] == "Always"
    # ECS defaults: 200 % maximum, 100 % minimum healthy.
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "100%", "maxUnavailable": "0%"}
    # At 100 % healthy, evictions go one at a time: minAvailable 100 % would block every node drain.
    assert _one(rendered, "PodDisruptionBudget")["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": SELECTOR},
    }


def test_desired_count_defaults_to_one() -> None:
    assert _one(_render(), "Deployment")["spec"]["replicas"] == 1


@pytest.mark.parametrize(
    ("config", "expected", "warned"),
    [
        ({"maximumPercent": 150, "minimumHealthyPercent": 50}, {"maxSurge": "50%", "maxUnavailable": "50%"}, False),
        ({"maximumPercent": 100, "minimumHealthyPercent": 0}, {"maxSurge": "0%", "maxUnavailable": "100%"}, False),
        ({"maximumPercent": 100, "minimumHealthyPercent": 100}, {"maxSurge": 1, "maxUnavailable": "0%"}, True),
    ],
)
def test_rolling_percentages(config: dict[str, int], expected: dict[str, Any], warned: bool) -> None:
    strategy, warnings = rolling_percentages(DeploymentConfiguration.model_validate(config), "r")
    assert strategy == expected
    assert bool(warnings) == warned


@pytest.mark.parametrize(
    ("config", "expected", "warned"),
    [
        ({}, {"maxUnavailable": "100%"}, False),
        ({"minimumHealthyPercent": 50}, {"maxUnavailable": "50%"}, False),
        ({"minimumHealthyPercent": 50, "maximumPercent": 100}, {"maxUnavailable": "50%"}, False),
        ({"minimumHealthyPercent": 100}, {"maxUnavailable": 1}, True),
    ],
)
def test_daemon_set_only_ever_sets_max_unavailable(
    config: dict[str, int], expected: dict[str, Any], warned: bool
) -> None:
    # Kubernetes refuses a DaemonSet whose maxSurge and maxUnavailable are both non-zero (or both zero).
    rendered = _render(schedulingStrategy="DAEMON", deploymentConfiguration=config)
    assert _one(rendered, "DaemonSet")["spec"]["updateStrategy"]["rollingUpdate"] == expected
    fields = [w.field for w in rendered.warnings]
    assert ("deploymentConfiguration.minimumHealthyPercent" in fields) == warned


def test_minimum_healthy_zero_makes_no_budget() -> None:
    rendered = _render(deploymentConfiguration={"minimumHealthyPercent": 0, "maximumPercent": 100})
    assert [kind for kind, _ in _kinds(rendered)] == ["Deployment"]


def test_circuit_breaker_sets_a_deadline_and_records_rollback() -> None:
    rendered = _render(
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        healthCheckGracePeriodSeconds=90,
    )
    deployment = _one(rendered, "Deployment")
    assert deployment["spec"]["progressDeadlineSeconds"] == 690
    assert deployment["metadata"]["annotations"]["ecs.compat.dev/circuit-breaker-rollback"] == "true"
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["initialDelaySeconds"] == 90


def test_grace_period_without_health_check_is_warned() -> None:
    td = _td(containerDefinitions=[{"name": "web", "image": "nginx"}])
    rendered = _render(td=td, healthCheckGracePeriodSeconds=30)
    assert "healthCheckGracePeriodSeconds" in [w.field for w in rendered.warnings]


def test_capacity_provider_strategy_makes_one_deployment_per_provider_behind_one_selector() -> None:
    rendered = _render(
        desiredCount=10,
        capacityProviderStrategy=[
            {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
            {"capacityProvider": "FARGATE_SPOT", "weight": 3},
        ],
        loadBalancers=[
            {
                "targetGroupArn": "arn:aws:elasticloadbalancing:r:1:targetgroup/web/1",
                "containerName": "web",
                "containerPort": 80,
            }
        ],
    )
    deployments = [o for o in rendered.objects if o["kind"] == "Deployment"]
    assert [(d["metadata"]["name"], d["spec"]["replicas"]) for d in deployments] == [
        ("web-fargate", 4),
        ("web-fargate-spot", 6),
    ]
    spot = deployments[1]["spec"]
    assert spot["selector"]["matchLabels"]["ecs.compat.dev/capacity-provider"] == "FARGATE_SPOT"
    assert spot["template"]["spec"]["nodeSelector"] == {"ecs.compat.dev/capacity-provider": "FARGATE_SPOT"}
    assert spot["template"]["spec"]["tolerations"][0]["key"] == "ecs.compat.dev/spot"
    assert _one(rendered, "Service")["spec"]["selector"] == SELECTOR


def test_autoscaling_makes_an_hpa_per_workload_with_split_bounds_and_no_replicas() -> None:
    rendered = _render(
        desiredCount=4,
        capacityProviderStrategy=[
            {"capacityProvider": "FARGATE", "weight": 1},
            {"capacityProvider": "FARGATE_SPOT", "weight": 1},
        ],
        autoScaling={
            "scalableTarget": {"MinCapacity": 2, "MaxCapacity": 10},
            "scalingPolicies": [
                {
                    "PolicyName": "cpu",
                    "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": {
                        "TargetValue": 60,
                        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                    },
                }
            ],
        },
    )
    hpas = [o["spec"] for o in rendered.objects if o["kind"] == "HorizontalPodAutoscaler"]
    assert [(h["scaleTargetRef"]["name"], h["minReplicas"], h["maxReplicas"]) for h in hpas] == [
        ("web-fargate", 1, 5),
        ("web-fargate-spot", 1, 5),
    ]
    assert all("replicas" not in o["spec"] for o in rendered.objects if o["kind"] == "Deployment")


def test_autoscaling_without_policies_keeps_the_count_within_bounds() -> None:
    rendered = _render(desiredCount=1, autoScaling={"scalableTarget": {"MinCapacity": 3, "MaxCapacity": 5}})
    assert _one(rendered, "Deployment")["spec"]["replicas"] == 3
    assert "HorizontalPodAutoscaler" not in [kind for kind, _ in _kinds(rendered)]


def test_daemon_is_a_daemon_set() -> None:
    rendered = _render(schedulingStrategy="DAEMON", deploymentConfiguration={"minimumHealthyPercent": 50})
    daemon = _one(rendered, "DaemonSet")
    assert "replicas" not in daemon["spec"]
    assert daemon["spec"]["updateStrategy"]["rollingUpdate"] == {"maxUnavailable": "50%"}
    assert _one(rendered, "PodDisruptionBudget")["spec"]["minAvailable"] == "50%"


def test_daemon_takes_no_capacity_provider_strategy() -> None:
    with pytest.raises(TranslationError) as error:
        _render(schedulingStrategy="DAEMON", capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}])
    assert error.value.field == "capacityProviderStrategy"


def test_networking_security_groups_placement_and_service_account() -> None:
    td = _td(taskRoleArn="arn:aws:iam::123456789012:role/web-role")
    rendered = _render(
        td=td,
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["s-1"], "securityGroups": ["sg-1"]}},
        placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        placementConstraints=[{"type": "distinctInstance"}],
        serviceRegistries=[{"registryArn": "arn:aws:servicediscovery:r:1:service/srv-1"}],
        tags=[{"key": "team", "value": "shop"}],
        propagateTags="SERVICE",
        enableExecuteCommand=True,
    )
    deployment = _one(rendered, "Deployment")
    template = deployment["spec"]["template"]
    assert template["metadata"]["labels"]["securitygroup.ecs.compat.dev/web-sg"] == "member"
    assert template["metadata"]["annotations"]["ecs.compat.dev/tags"] == '{"team": "shop"}'
    assert template["spec"]["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
    assert "podAntiAffinity" in template["spec"]["affinity"]
    account = service_account_name("arn:aws:iam::123456789012:role/web-role")
    assert template["spec"]["serviceAccountName"] == account
    assert ("ServiceAccount", account) in _kinds(rendered)
    assert _one(rendered, "Service")["spec"]["clusterIP"] == "None"
    fields = [w.field for w in rendered.warnings]
    assert "enableExecuteCommand" in fields
    assert "networkConfiguration.awsvpcConfiguration.subnets" in fields
    assert "serviceRegistries[0].registryArn" in fields


def test_network_mode_none_gets_a_deny_all_policy() -> None:
    td = _td(networkMode="none", containerDefinitions=[{"name": "web", "image": "busybox"}])
    assert ("NetworkPolicy", "web-no-network") in _kinds(_render(td=td))


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (
            {
                "loadBalancers": [
                    {"targetGroupArn": "arn:x:targetgroup/a/b", "containerName": "api", "containerPort": 80}
                ]
            },
            "loadBalancers[0].containerName",
        ),
        (
            {"volumeConfigurations": [{"name": "data", "managedEBSVolume": {"roleArn": "arn:r", "sizeInGiB": 1}}]},
            "volumeConfigurations[0].name",
        ),
        (
            {"deploymentConfiguration": {"lifecycleHooks": [{"targetType": "PAUSE"}]}},
            "deploymentConfiguration.lifecycleHooks",
        ),
        (
            {"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s"], "securityGroups": ["sg-9"]}}},
            "networkConfiguration.awsvpcConfiguration.securityGroups[0]",
        ),
        (
            {"placementConstraints": [{"type": "memberOf", "expression": "attribute:cores > x"}]},
            "placementConstraints[0].expression",
        ),
    ],
)
def test_untranslatable_services_are_errors_naming_the_field(spec: dict[str, Any], field: str) -> None:
    with pytest.raises(TranslationError) as error:
        _render(**spec)
    assert error.value.field == field


def test_cluster_node_pools_and_name_label() -> None:
    cluster = ClusterContext(
        "prod",
        ECSClusterSpec.model_validate(
            {
                "capacityProviders": ["gpu"],
                "defaultCapacityProviderStrategy": [{"capacityProvider": "gpu", "weight": 1}],
                "nodePools": [{"capacityProvider": "gpu", "nodeSelector": {"pool": "gpu"}}],
            }
        ),
    )
    deployment = _one(_render(cluster=cluster), "Deployment")
    assert deployment["metadata"]["name"] == "web"
    assert deployment["spec"]["template"]["spec"]["nodeSelector"] == {"pool": "gpu"}
    assert deployment["spec"]["selector"]["matchLabels"]["ecs.compat.dev/cluster"] == "prod"


@pytest.mark.parametrize(
    "spec",
    [
        {"desiredCount": 2},
        {"schedulingStrategy": "DAEMON"},
        {
            "capacityProviderStrategy": [
                {"capacityProvider": "FARGATE", "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "weight": 1},
            ]
        },
    ],
    ids=["deployment", "daemon set", "one deployment per provider"],
)
def test_pods_carry_managed_by_but_selectors_do_not(spec: dict[str, Any]) -> None:
    # The ECSCluster counts pods by managed-by + cluster; selectors are immutable, so managed-by stays out.
    workloads = [o for o in _render(**spec).objects if o["kind"] in ("Deployment", "DaemonSet")]
    assert workloads
    for workload in workloads:
        assert workload["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "ecs-operator"
        assert "app.kubernetes.io/managed-by" not in workload["spec"]["selector"]["matchLabels"]


CPU_POLICY = {
    "PolicyName": "cpu",
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 60,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
    },
}
# No task-level size: containers reserve cpu only where they say so. proxy is a native sidecar (START),
# migrate an init container that runs to completion (SUCCESS), Log_Router a plain container.
UNRESERVED = [
    {
        "name": "web",
        "image": "nginx",
        "cpu": 256,
        "memory": 512,
        "dependsOn": [
            {"containerName": "proxy", "condition": "START"},
            {"containerName": "migrate", "condition": "SUCCESS"},
        ],
    },
    {"name": "proxy", "image": "envoy", "memory": 64},
    {"name": "migrate", "image": "migrate", "essential": False, "memory": 64},
    {"name": "Log_Router", "image": "fluent-bit", "memoryReservation": 64},
]


def _cpu_requests(rendered: Rendered) -> dict[str, str | None]:
    pod = _one(rendered, "Deployment")["spec"]["template"]["spec"]
    containers = [*pod["containers"], *pod.get("initContainers", [])]
    return {c["name"]: c.get("resources", {}).get("requests", {}).get("cpu") for c in containers}


@pytest.mark.parametrize(
    ("policies", "requests", "warned"),
    [
        (
            [CPU_POLICY],
            {"web": "250m", "log-router-ceae2f": "1m", "proxy": "1m", "migrate": None},
            [("containerDefinitions[3].cpu", "Log_Router"), ("containerDefinitions[1].cpu", "proxy")],
        ),
        # Without a policy there is no HPA, and nothing to measure against.
        ([], {"web": "250m", "log-router-ceae2f": None, "proxy": None, "migrate": None}, []),
    ],
    ids=["cpu target tracking", "no policy"],
)
def test_hpa_gets_a_request_on_every_container_it_measures(
    policies: list[dict[str, Any]], requests: dict[str, str | None], warned: list[tuple[str, str]]
) -> None:
    td = TaskDefinitionRevision(
        "web",
        4,
        TaskDefinitionSpec.model_validate({"family": "web", "containerDefinitions": UNRESERVED}),
        namespace="default",
    )
    auto = {"scalableTarget": {"MinCapacity": 1, "MaxCapacity": 4}, "scalingPolicies": policies}
    rendered = _render(td=td, autoScaling=auto)
    assert _cpu_requests(rendered) == requests
    warnings = [w for w in rendered.warnings if w.field.startswith("containerDefinitions")]
    assert [(w.field, w.message.split()[1]) for w in warnings] == warned  # "container <ECS name> reserves ..."
    assert all(w.resource == "TaskDefinition/web" for w in warnings)


def test_a_security_group_not_there_yet_is_a_missing_reference() -> None:
    # Not an invalid spec: the operator waits for the group (GitOps applies resources in any order).
    with pytest.raises(MissingReference) as error:
        _render(networkConfiguration={"awsvpcConfiguration": {"subnets": ["s"], "securityGroups": ["sg-1", "sg-9"]}})
    assert error.value.field == "networkConfiguration.awsvpcConfiguration.securityGroups[1]"


def test_volume_configurations_give_each_task_its_own_claim() -> None:
    td = _td(volumes=[{"name": "data", "configuredAtLaunch": True}])
    configuration = {
        "name": "data",
        "managedEBSVolume": {"roleArn": "arn:aws:iam::1:role/ebs", "sizeInGiB": 10, "volumeType": "gp3", "iops": 3000},
    }
    rendered = _render(td=td, volumeConfigurations=[configuration])
    [volume] = _one(rendered, "Deployment")["spec"]["template"]["spec"]["volumes"]
    template = volume["ephemeral"]["volumeClaimTemplate"]
    assert template["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "ecs-operator",
        **SELECTOR,
        "ecs.compat.dev/task-definition": "web-4",
        "ecs.compat.dev/volume": "data",
    }
    assert template["spec"]["storageClassName"] == "gp3"
    assert template["spec"]["resources"] == {"requests": {"storage": "10Gi"}}
    fields = {w.field for w in rendered.warnings}
    assert {
        "volumeConfigurations[0].managedEBSVolume.roleArn",
        "volumeConfigurations[0].managedEBSVolume.iops",
        "volumeConfigurations[0].managedEBSVolume.volumeType",
    } <= fields
    # The placeholder's warning is gone: the volume is configured.
    assert "volumes[0].configuredAtLaunch" not in fields
