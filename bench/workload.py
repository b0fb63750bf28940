"""The inputs the figures are measured on: a realistic 5-container Fargate task definition and its service."""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]
ACCOUNT = "123456789012"
REGISTRY = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com"
TARGET_GROUP = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:targetgroup/checkout/0123456789abcdef"


def _logs(prefix: str) -> JsonDict:
    return {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/checkout", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": prefix},
    }


def _secret(name: str) -> JsonDict:
    return {"name": name, "valueFrom": f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:checkout/{name.lower()}"}


def task_definition_spec() -> JsonDict:
    """A checkout service as teams run it on Fargate: proxy, app, worker, migration and log router."""
    return {
        "family": "checkout",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "2048",
        "memory": "4096",
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/checkout-task",
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        "volumes": [{"name": "tmp"}, {"name": "shared-cache"}],
        "tags": [{"key": "team", "value": "payments"}, {"key": "cost-center", "value": "cc-1234"}],
        "containerDefinitions": [
            {
                "name": "envoy",
                "image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
                "cpu": 256,
                "memory": 512,
                "user": "1337",
                "essential": True,
                "portMappings": [
                    {"name": "proxy", "containerPort": 15000, "protocol": "tcp", "appProtocol": "http"},
                    {"name": "admin", "containerPort": 9901, "protocol": "tcp"},
                ],
                "healthCheck": {
                    "command": ["CMD-SHELL", "curl -s http://localhost:9901/ready | grep -q LIVE"],
                    "interval": 5,
                    "timeout": 2,
                    "retries": 3,
                    "startPeriod": 10,
                },
                "logConfiguration": _logs("envoy"),
            },
            {
                "name": "app",
                "image": f"{REGISTRY}/checkout:4.2.0",
                "cpu": 1024,
                "memory": 2048,
                "memoryReservation": 1536,
                "essential": True,
                "portMappings": [{"name": "http", "containerPort": 8080, "protocol": "tcp", "appProtocol": "http"}],
                "environment": [
                    {"name": "HTTP_PROXY", "value": "http://localhost:15000"},
                    {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
                    {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75"},
                ],
                "secrets": [_secret("DATABASE_URL"), _secret("STRIPE_KEY")],
                "dependsOn": [
                    {"containerName": "envoy", "condition": "HEALTHY"},
                    {"containerName": "migrate", "condition": "SUCCESS"},
                ],
                "healthCheck": {
                    "command": ["CMD", "/app/bin/healthcheck"],
                    "interval": 10,
                    "timeout": 3,
                    "retries": 5,
                    "startPeriod": 60,
                },
                "mountPoints": [
                    {"sourceVolume": "tmp", "containerPath": "/tmp"},
                    {"sourceVolume": "shared-cache", "containerPath": "/cache"},
                ],
                "readonlyRootFilesystem": True,
                "stopTimeout": 60,
                "ulimits": [{"name": "nofile", "softLimit": 65536, "hardLimit": 65536}],
                "dockerLabels": {"com.example.service": "checkout"},
                "logConfiguration": _logs("app"),
            },
            {
                "name": "worker",
                "image": f"{REGISTRY}/checkout:4.2.0",
                "cpu": 512,
                "memory": 1024,
                "essential": True,
                "entryPoint": ["/app/bin/run"],
                "command": ["worker", "--queue", "checkout-events"],
                "environment": [{"name": "WORKER_CONCURRENCY", "value": "8"}],
                "secrets": [_secret("DATABASE_URL")],
                "dependsOn": [{"containerName": "migrate", "condition": "SUCCESS"}],
                "mountPoints": [{"sourceVolume": "shared-cache", "containerPath": "/cache", "readOnly": True}],
                "logConfiguration": _logs("worker"),
            },
            {
                "name": "migrate",
                "image": f"{REGISTRY}/checkout:4.2.0",
                "cpu": 0,
                "memory": 256,
                "essential": False,
                "command": ["/app/bin/migrate", "up"],
                "secrets": [_secret("DATABASE_URL")],
                "logConfiguration": _logs("migrate"),
            },
            {
                "name": "log-router",
                "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2",
                "cpu": 64,
                "memory": 128,
                "essential": False,
                "firelensConfiguration": {"type": "fluentbit"},
                "user": "0",
                "environment": [{"name": "FLB_LOG_LEVEL", "value": "warn"}],
                "logConfiguration": _logs("firelens"),
            },
        ],
    }


def service_spec() -> JsonDict:
    """A REPLICA service of the task definition behind an ALB, spread over zones, with a circuit breaker."""
    return {
        "serviceName": "checkout",
        "cluster": "default",
        "taskDefinition": "checkout",
        "desiredCount": 6,
        "launchType": "FARGATE",
        "deploymentConfiguration": {
            "maximumPercent": 200,
            "minimumHealthyPercent": 50,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
        "healthCheckGracePeriodSeconds": 90,
        "loadBalancers": [{"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 8080}],
        "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-0a", "subnet-0b"],
                "securityGroups": [],
                "assignPublicIp": "DISABLED",
            }
        },
        "propagateTags": "TASK_DEFINITION",
        "enableExecuteCommand": False,
    }
