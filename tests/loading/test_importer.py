"""Import of AWS CLI JSON: which shape is which, what is dropped or rewritten, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_operator.loading.importer import Imported, import_sources
from ecs_operator.loading.sources import LoadError, Source
from ecs_operator.translate.context import k8s_name

ARN = "arn:aws:ecs:eu-west-1:123456789012"
CONTAINERS = [{"name": "app", "image": "nginx:1.27", "memory": 256}]
TASK_DEFINITION = {"family": "web", "containerDefinitions": CONTAINERS}
SERVICE = {"serviceName": "web", "taskDefinition": "web", "desiredCount": 2}


def run(*documents: Any, namespace: str | None = None) -> Imported:
    return import_sources([Source(f"doc{index}.json", data) for index, data in enumerate(documents)], namespace)


def kinds_and_names(imported: Imported) -> list[tuple[str, str]]:
    return [(r["kind"], r["metadata"]["name"]) for r in imported.resources]


def notes(imported: Imported) -> list[str]:
    return [str(note) for note in imported.notes]


def spec_of(imported: Imported, kind: str) -> dict[str, Any]:
    """The spec of the only resource of ``kind``."""
    [spec] = [r["spec"] for r in imported.resources if r["kind"] == kind]
    return spec


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"taskDefinition": {**TASK_DEFINITION, "revision": 3}, "tags": []}, [("TaskDefinition", "web")]),
        (TASK_DEFINITION, [("TaskDefinition", "web")]),
        ({"taskDefinition": TASK_DEFINITION}, [("TaskDefinition", "web")]),
        (
            {"services": [SERVICE, {**SERVICE, "serviceName": "api"}], "failures": []},
            [("ECSService", "web"), ("ECSService", "api")],
        ),
        ({"service": SERVICE}, [("ECSService", "web")]),
        (SERVICE, [("ECSService", "web")]),
        ({"clusters": [{"clusterName": "prod", "status": "ACTIVE"}], "failures": []}, [("ECSCluster", "prod")]),
        ({"cluster": {"clusterName": "Prod_EU"}}, [("ECSCluster", k8s_name("Prod_EU"))]),
        ({"clusterName": "prod"}, [("ECSCluster", "prod")]),
        ({"taskDefinition": "batch:3", "count": 2}, [("ECSTask", "batch")]),
        (
            {
                "tasks": [
                    {"taskArn": f"{ARN}:task/c/0123456789abcdef", "taskDefinitionArn": f"{ARN}:task-definition/batch:3"}
                ]
            },
            [("ECSTask", "batch-01234567")],
        ),
        (
            {"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web"}, {"GroupId": "sg-2"}]},
            [("SecurityGroup", "web"), ("SecurityGroup", "sg-2")],
        ),
        ({"GroupId": "sg-1", "GroupName": "db", "IpPermissions": []}, [("SecurityGroup", "db")]),
        ({"services": [], "failures": [], "nextToken": None}, []),
    ],
)
def test_documents_are_recognised_by_shape(document: Any, expected: list[tuple[str, str]]) -> None:
    assert kinds_and_names(run(document)) == expected


def test_describe_task_definition_drops_read_only_fields_and_keeps_tags() -> None:
    described = {
        "taskDefinition": {
            "taskDefinitionArn": f"{ARN}:task-definition/web:14",
            **TASK_DEFINITION,
            "revision": 14,
            "status": "ACTIVE",
            "requiresAttributes": [{"name": "ecs.capability.task-eni"}],
            "compatibilities": ["EC2", "FARGATE"],
            "registeredAt": "2025-03-11T09:42:17.311000+01:00",
            "registeredBy": "arn:aws:sts::123456789012:assumed-role/deploy/ci",
            "networkMode": "awsvpc",
        },
        "tags": [{"key": "team", "value": "web"}],
    }
    imported = run(described)
    assert imported.resources[0]["spec"] == {
        **TASK_DEFINITION,
        "networkMode": "awsvpc",
        "tags": [{"key": "team", "value": "web"}],
    }
    dropped = [
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
    ]
    assert notes(imported) == [f"doc0.json: TaskDefinition/web: dropped {f} (read-only)" for f in dropped]


def test_described_services_name_their_cluster_and_family_and_role() -> None:
    service = {
        "serviceArn": f"{ARN}:service/prod/web",
        "serviceName": "web",
        "clusterArn": f"{ARN}:cluster/prod",
        "taskDefinition": f"{ARN}:task-definition/web:14",
        "roleArn": "arn:aws:iam::123456789012:role/ecsServiceRole",
        "runningCount": 3,
        "desiredCount": 3,
    }
    imported = run({"services": [service], "failures": []})
    assert spec_of(imported, "ECSService") == {
        "serviceName": "web",
        "cluster": "prod",
        "taskDefinition": "web",
        "desiredCount": 3,
        "role": "arn:aws:iam::123456789012:role/ecsServiceRole",
    }
    assert notes(imported)[:5] == [
        f"doc0.json: ECSService/web: rewrote clusterArn ({ARN}:cluster/prod -> cluster: prod)",
        "doc0.json: ECSService/web: rewrote roleArn (as role, its name in CreateService)",
        f"doc0.json: ECSService/web: rewrote taskDefinition ({ARN}:task-definition/web:14 -> web: revisions start "
        "anew on the cluster, and here it runs the newest revision of web, not revision 14; pin web:N once the "
        "revision you want is registered)",
        "doc0.json: ECSService/web: dropped serviceArn (read-only)",
        "doc0.json: ECSService/web: dropped runningCount (read-only)",
    ]


def test_a_daemon_service_loses_the_count_ecs_computed() -> None:
    imported = run({"services": [{**SERVICE, "schedulingStrategy": "DAEMON", "desiredCount": 6}]})
    assert "desiredCount" not in imported.resources[0]["spec"]
    assert notes(imported) == [
        "doc0.json: ECSService/web: dropped desiredCount (ECS counts it for DAEMON: one task per node)"
    ]


EBS = [{"name": "data", "managedEBSVolume": {"roleArn": f"{ARN}:role/ebs", "sizeInGiB": 20}}]


@pytest.mark.parametrize(
    ("deployments", "expected"),
    [
        ([{"status": "PRIMARY", "volumeConfigurations": EBS}, {"status": "ACTIVE"}], EBS),
        ([{"status": "ACTIVE", "volumeConfigurations": EBS}, {"status": "PRIMARY"}], None),
        ([], None),
    ],
    ids=["primary carries them", "only an older deployment does", "no deployments"],
)
def test_a_described_service_keeps_the_primary_deployments_volume_configurations(
    deployments: list[dict[str, Any]], expected: list[dict[str, Any]] | None
) -> None:
    # describe-services prints CreateService's volumeConfigurations only on the deployments, which are read-only.
    imported = run({"services": [{**SERVICE, "deployments": deployments}]})
    assert imported.resources[0]["spec"].get("volumeConfigurations") == expected
    rewrote = "doc0.json: ECSService/web: rewrote deployments[PRIMARY].volumeConfigurations (as volumeConfigurations)"
    assert (rewrote in notes(imported)) is (expected is not None)


def test_request_forms_pass_through_unchanged() -> None:
    request = {"serviceName": "web", "cluster": "default", "taskDefinition": "web", "clientToken": "abc"}
    imported = run(request)
    assert imported.resources[0]["spec"] == request
    assert imported.notes == []


def test_described_tasks_become_one_ecstask_each() -> None:
    task = {
        "taskArn": f"{ARN}:task/batch/5f1e3c9a7b2d4e6f",
        "taskDefinitionArn": f"{ARN}:task-definition/report:7",
        "clusterArn": f"{ARN}:cluster/batch",
        "lastStatus": "RUNNING",
        "group": "family:report",
        "overrides": {"containerOverrides": [{"name": "report", "command": ["run"]}]},
    }
    imported = run({"tasks": [task], "failures": []})
    assert [r["metadata"] for r in imported.resources if r["kind"] == "ECSTask"] == [{"name": "report-5f1e3c9a"}]
    assert spec_of(imported, "ECSTask") == {
        "cluster": "batch",
        "taskDefinition": "report",
        "group": "family:report",
        "overrides": {"containerOverrides": [{"name": "report", "command": ["run"]}]},
    }
    assert {(note.action, note.field) for note in imported.notes} == {
        ("rewrote", "taskDefinition"),
        ("rewrote", "clusterArn"),
        ("dropped", "taskArn"),
        ("dropped", "lastStatus"),
        ("added", "spec"),  # the ECSCluster batch
    }


TARGET = {
    "ServiceNamespace": "ecs",
    "ResourceId": "service/prod/web",
    "ScalableDimension": "ecs:service:DesiredCount",
    "MinCapacity": 2,
    "MaxCapacity": 10,
    "CreationTime": "2024-06-03T14:25:08.021000+02:00",
}
POLICY = {
    "PolicyName": "cpu",
    "PolicyARN": "arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:x",
    "ServiceNamespace": "ecs",
    "ResourceId": "service/prod/web",
    "ScalableDimension": "ecs:service:DesiredCount",
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50.0},
}


def test_scaling_attaches_to_the_service_named_by_resource_id() -> None:
    imported = run({"ScalingPolicies": [POLICY]}, {"ScalableTargets": [TARGET]}, {**SERVICE, "cluster": "prod"})
    assert spec_of(imported, "ECSService")["autoScaling"] == {
        "scalableTarget": {"MinCapacity": 2, "MaxCapacity": 10},
        "scalingPolicies": [
            {
                "PolicyName": "cpu",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50.0},
            }
        ],
    }
    assert "doc1.json: ECSService/web: dropped autoScaling.scalableTarget.CreationTime (read-only)" in notes(imported)
    assert (
        "doc0.json: ECSService/web: dropped autoScaling.scalingPolicies[0].ResourceId "
        "(implied by the ECSService it is attached to)"
    ) in notes(imported)


def test_scaling_of_other_services_and_resources_is_skipped_and_said() -> None:
    other = {**TARGET, "ResourceId": "service/prod/api"}
    table = {**TARGET, "ServiceNamespace": "dynamodb", "ScalableDimension": "dynamodb:table:ReadCapacityUnits"}
    imported = run({"ScalableTargets": [other, table]}, SERVICE)
    assert "autoScaling" not in imported.resources[0]["spec"]
    assert notes(imported) == [
        "doc0.json: service/prod/web: skipped scalableTarget (not an ECS service's ecs:service:DesiredCount)",
        "doc0.json: service/prod/api: skipped scalableTarget (no such ECS service in the input)",
    ]


def test_the_default_cluster_matches_services_that_name_none() -> None:
    target = {**TARGET, "ResourceId": "service/default/web"}
    imported = run({"ScalableTargets": [target]}, SERVICE)
    assert imported.resources[0]["spec"]["autoScaling"]["scalableTarget"] == {"MinCapacity": 2, "MaxCapacity": 10}


DESCRIBED_GROUP = {
    "GroupId": "sg-1",
    "GroupName": "web",
    "Description": "web tasks",
    "VpcId": "vpc-1",
    "OwnerId": "123456789012",
    "SecurityGroupArn": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1",
    "IpPermissions": [
        {
            "IpProtocol": "tcp",
            "FromPort": 80,
            "ToPort": 80,
            "UserIdGroupPairs": [
                {"GroupId": "sg-2", "UserId": "123456789012", "VpcId": "vpc-1", "Description": "alb"},
                {"GroupId": "sg-3", "VpcPeeringConnectionId": "pcx-1", "PeeringStatus": "active"},
            ],
        }
    ],
    "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "UserIdGroupPairs": []}],
}


def test_what_describe_security_groups_says_about_aws_is_dropped_as_read_only() -> None:
    imported = run({"SecurityGroups": [DESCRIBED_GROUP]})
    [group] = imported.resources
    assert group["spec"] == {
        "GroupName": "web",
        "GroupId": "sg-1",
        "Description": "web tasks",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "UserIdGroupPairs": [{"GroupId": "sg-2", "Description": "alb"}, {"GroupId": "sg-3"}],
            }
        ],
        "IpPermissionsEgress": DESCRIBED_GROUP["IpPermissionsEgress"],
    }
    pair = "IpPermissions[0].UserIdGroupPairs"
    assert notes(imported) == [
        f"doc0.json: SecurityGroup/web: dropped {field} (read-only)"
        for field in ("VpcId", "OwnerId", "SecurityGroupArn", f"{pair}[0].UserId", f"{pair}[0].VpcId",
                      f"{pair}[1].VpcPeeringConnectionId", f"{pair}[1].PeeringStatus")
    ]  # fmt: skip


def test_resources_come_out_in_dependency_order_with_the_namespace() -> None:
    imported = run(SERVICE, {"GroupId": "sg-1"}, TASK_DEFINITION, {"clusterName": "prod"}, namespace="shop")
    assert [r["kind"] for r in imported.resources] == ["ECSCluster", "SecurityGroup", "TaskDefinition", "ECSService"]
    assert {r["metadata"]["namespace"] for r in imported.resources} == {"shop"}
    assert imported.origins == ["doc3.json", "doc1.json", "doc2.json", "doc0.json"]


@pytest.mark.parametrize(
    ("documents", "origin", "message"),
    [
        ([["not", "an", "object"]], "doc0.json", "expected a JSON object"),
        ([{"hello": "world"}], "doc0.json", "not a custom resource (apiVersion/kind) nor ECS JSON"),
        (
            [{"services": [], "failures": [{"arn": f"{ARN}:service/prod/x", "reason": "MISSING"}]}],
            "doc0.json",
            "MISSING",
        ),
        (
            [{"services": [SERVICE], "ResponseMetadata": {}}],
            "doc0.json",
            "unexpected top-level members ['ResponseMetadata']",
        ),
        ([{"taskDefinition": {"containerDefinitions": CONTAINERS}}], "doc0.json", "missing: it names the resource"),
        ([{**SERVICE, "taskDefinition": "web:latest"}], "doc0.json", "is not a task definition family"),
        ([{**SERVICE, "cluster": "arn:aws:ecs:x:1:cluster/"}], "doc0.json", "is not a cluster name or cluster ARN"),
        ([TASK_DEFINITION, {"taskDefinition": TASK_DEFINITION}], "doc1.json", "also imported from doc0.json"),
        (
            [{"ScalingPolicies": [POLICY]}, {**SERVICE, "cluster": "prod"}],
            "doc1.json",
            "scaling policies but no scalable target",
        ),
    ],
)
def test_unusable_documents_are_refused_naming_the_file(documents: list[Any], origin: str, message: str) -> None:
    with pytest.raises(LoadError) as caught:
        run(*documents)
    assert [d.origin for d in caught.value.diagnostics] == [origin]
    assert message in caught.value.diagnostics[0].message


def test_every_bad_document_is_reported_at_once() -> None:
    with pytest.raises(LoadError) as caught:
        run({"x": 1}, SERVICE, {"y": 2})
    assert [d.origin for d in caught.value.diagnostics] == ["doc0.json", "doc2.json"]
