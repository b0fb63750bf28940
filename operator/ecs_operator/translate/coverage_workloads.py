"""What becomes of every field of CreateService, RunTask and CreateCluster (the members not shared with
RegisterTaskDefinition, which ``coverage_taskdefinition.py`` classifies), of Application Auto Scaling's
RegisterScalableTarget / PutScalingPolicy and of EC2's SecurityGroup.

Keys are ``<botocore shape>.<member>``. Members below an Ignored or Rejected member are covered by it and
not listed. tests/translate/test_coverage.py holds the table to botocore's models.
"""

from __future__ import annotations

from ecs_operator.translate.coverage import Classification, Ignored, Partial, Rejected, Translated

_BLUE_GREEN = "only for BLUE_GREEN, LINEAR and CANARY deployments, which are not translated"
_NO_PROXY = "there is no Service Connect proxy: clients reach the pods through Kubernetes Services"


def _on_storage_class(parameter: str) -> Ignored:
    return Ignored(f"a setting of the claims' StorageClass: give it the EBS CSI driver parameter {parameter}")


_SERVICE: dict[str, Classification] = {
    "CreateServiceRequest.cluster": Translated("the ECSCluster: ecs.compat.dev/cluster label, capacity providers"),
    "CreateServiceRequest.serviceName": Translated("workload names and the ecs.compat.dev/service label"),
    "CreateServiceRequest.taskDefinition": Translated("the revision whose pod spec the workloads run"),
    "CreateServiceRequest.availabilityZoneRebalancing": Ignored(
        "Kubernetes does not move running pods between zones; the descheduler can rebalance them"
    ),
    "CreateServiceRequest.loadBalancers": Translated("a Service per entry, and an Ingress for a target group"),
    "CreateServiceRequest.serviceRegistries": Translated("a headless Service named after the ECS service"),
    "CreateServiceRequest.desiredCount": Translated("Deployment replicas, split among capacity providers"),
    "CreateServiceRequest.clientToken": Ignored("the custom resource's name already makes creation idempotent"),
    "CreateServiceRequest.launchType": Translated("FARGATE: the FARGATE node pool; EC2: any node"),
    "CreateServiceRequest.capacityProviderStrategy": Translated("one Deployment per provider's node pool"),
    "CreateServiceRequest.platformVersion": Ignored("Fargate platform versions do not exist on Kubernetes nodes"),
    "CreateServiceRequest.role": Ignored("the operator makes no Elastic Load Balancing calls"),
    "CreateServiceRequest.deploymentConfiguration": Translated("rolling update, PodDisruptionBudget, deadline"),
    "CreateServiceRequest.placementConstraints": Translated("pod anti-affinity and node affinity"),
    "CreateServiceRequest.placementStrategy": Translated("topology spread constraints and pod affinity"),
    "CreateServiceRequest.networkConfiguration": Translated("security group membership labels"),
    "CreateServiceRequest.healthCheckGracePeriodSeconds": Translated("liveness probes' initialDelaySeconds"),
    "CreateServiceRequest.schedulingStrategy": Translated("REPLICA: Deployment; DAEMON: DaemonSet"),
    "CreateServiceRequest.deploymentController": Translated(
        "a rolling Deployment; CODE_DEPLOY and EXTERNAL deploy by task sets, warned"
    ),
    "CreateServiceRequest.tags": Translated("the ecs.compat.dev/tags annotation on the service's objects"),
    "CreateServiceRequest.enableECSManagedTags": Ignored(
        "children always carry the ecs.compat.dev/cluster and ecs.compat.dev/service labels instead"
    ),
    "CreateServiceRequest.propagateTags": Translated("the ecs.compat.dev/tags annotation on the pods"),
    "CreateServiceRequest.enableExecuteCommand": Ignored("use kubectl exec, which needs no agent"),
    "CreateServiceRequest.serviceConnectConfiguration": Translated("Services named after the client aliases"),
    "CreateServiceRequest.volumeConfigurations": Translated(
        "generic ephemeral volumes replacing the task definition's volumes configured at launch"
    ),
    "CreateServiceRequest.vpcLatticeConfigurations": Ignored(
        "VPC Lattice does not reach Kubernetes pods; use the loadBalancers Services or an Ingress"
    ),
    "CreateServiceRequest.gatewayConnectors": Ignored("use an Ingress or Gateway API route to the service's Service"),
    "CreateServiceRequest.monitoring": Ignored(
        "CloudWatch metric resolution; Kubernetes metrics come from the cluster"
    ),
    "LoadBalancer.targetGroupArn": Translated(
        "a ClusterIP Service and a catch-all Ingress, warned (UDP: a LoadBalancer Service)"
    ),
    "LoadBalancer.loadBalancerName": Translated("a LoadBalancer Service (a Classic Load Balancer)"),
    "LoadBalancer.containerName": Translated("checked against the task definition; the Service's target port"),
    "LoadBalancer.containerPort": Translated("the Service port and target port"),
    "LoadBalancer.advancedConfiguration": Ignored(_BLUE_GREEN),
    "ServiceRegistry.registryArn": Partial(
        "a headless Service",
        "the Cloud Map service name is not in the ARN: the tasks are found as <service name>.<namespace>.svc",
    ),
    "ServiceRegistry.port": Translated("the headless Service's port (SRV record)"),
    "ServiceRegistry.containerName": Translated("checked against the task definition; the target port"),
    "ServiceRegistry.containerPort": Translated("the headless Service's port (SRV record)"),
    "DeploymentConfiguration.deploymentCircuitBreaker": Translated("a progress deadline; rollback by the operator"),
    "DeploymentConfiguration.maximumPercent": Translated(
        "rollingUpdate.maxSurge = maximumPercent - 100 % (DAEMON: must be 100, no surge)"
    ),
    "DeploymentConfiguration.minimumHealthyPercent": Translated(
        "rollingUpdate.maxUnavailable = 100 % - minimumHealthyPercent, and a PodDisruptionBudget"
    ),
    "DeploymentConfiguration.alarms": Ignored("there are no CloudWatch alarms; the circuit breaker still applies"),
    "DeploymentConfiguration.strategy": Translated(
        "ROLLING: a rolling update; BLUE_GREEN, LINEAR and CANARY roll the pods too, warned"
    ),
    "DeploymentConfiguration.bakeTimeInMinutes": Ignored(_BLUE_GREEN),
    "DeploymentConfiguration.lifecycleHooks": Rejected(
        "a Deployment cannot pause or call a Lambda function between rollout stages; remove the hooks"
    ),
    "DeploymentConfiguration.linearConfiguration": Ignored(_BLUE_GREEN),
    "DeploymentConfiguration.canaryConfiguration": Ignored(_BLUE_GREEN),
    "DeploymentConfiguration.earlySuccessCriteria": Ignored("the rollout completes when the Deployment says so"),
    "DeploymentCircuitBreaker.enable": Translated("progressDeadlineSeconds; a stalled rollout is FAILED"),
    "DeploymentCircuitBreaker.rollback": Translated("ecs.compat.dev/circuit-breaker-rollback: the operator rolls back"),
    "DeploymentCircuitBreaker.resetOnHealthyTask": Ignored("the progress deadline, not a failure count, decides"),
    "DeploymentCircuitBreaker.thresholdConfiguration": Ignored("the progress deadline, not a failure count, decides"),
    "DeploymentController.type": Translated(
        "ECS: a rolling Deployment; CODE_DEPLOY and EXTERNAL: a rolling Deployment too, warned"
    ),
    "PlacementConstraint.type": Translated("distinctInstance: pod anti-affinity; memberOf: node affinity"),
    "PlacementConstraint.expression": Translated("node affinity terms; unsupported expressions are rejected"),
    "PlacementStrategy.type": Translated("spread: topology spread; binpack: pod affinity; random: nothing"),
    "PlacementStrategy.field": Translated("the topology key (zone, hostname or a node label)"),
    "NetworkConfiguration.awsvpcConfiguration": Translated("security group membership"),
    "AwsVpcConfiguration.subnets": Ignored("pods get addresses from the cluster's pod network, not from subnets"),
    "AwsVpcConfiguration.securityGroups": Translated("securitygroup.ecs.compat.dev/<group> labels on the pods"),
    "AwsVpcConfiguration.assignPublicIp": Ignored("pods have cluster addresses; expose them with a LoadBalancer"),
    "CapacityProviderStrategyItem.capacityProvider": Translated("the provider's node pool (nodeSelector, tolerations)"),
    "CapacityProviderStrategyItem.weight": Translated("the share of the tasks after the base"),
    "CapacityProviderStrategyItem.base": Translated("the tasks placed on this provider first"),
    "ServiceConnectConfiguration.enabled": Translated("whether the client alias Services are made"),
    "ServiceConnectConfiguration.namespace": Translated(
        "the domain of client aliases without dnsName (discoveryName.namespace), resolved by a DNS rewrite (warned)"
    ),
    "ServiceConnectConfiguration.services": Translated("a Service per client alias DNS name"),
    "ServiceConnectConfiguration.logConfiguration": Ignored(_NO_PROXY),
    "ServiceConnectConfiguration.accessLogConfiguration": Ignored(_NO_PROXY),
    "ServiceConnectConfiguration.containerConfigurations": Ignored(_NO_PROXY),
    "ServiceConnectService.portName": Translated("the named port mapping the Services forward to"),
    "ServiceConnectService.discoveryName": Translated(
        "the Service name without client aliases; discoveryName.namespace for an alias without dnsName"
    ),
    "ServiceConnectService.clientAliases": Translated(
        "Services named after the first label of dnsName, with the aliases' ports (a domain is warned: DNS rewrite)"
    ),
    "ServiceConnectService.ingressPortOverride": Ignored(_NO_PROXY),
    "ServiceConnectService.timeout": Ignored(_NO_PROXY),
    "ServiceConnectService.tls": Ignored(f"{_NO_PROXY}; traffic is not encrypted for you (use a service mesh)"),
    "ServiceConnectClientAlias.port": Translated("the Service port"),
    "ServiceConnectClientAlias.dnsName": Translated(
        "the Service name: its first label (made DNS-safe); the domain needs a DNS rewrite, warned"
    ),
    "ServiceConnectClientAlias.testTrafficRules": Ignored(_BLUE_GREEN),
}

_TASK: dict[str, Classification] = {
    "RunTaskRequest.capacityProviderStrategy": Translated("the Pods' node pools, split as for services"),
    "RunTaskRequest.cluster": Translated("the ECSCluster: ecs.compat.dev/cluster label, capacity providers"),
    "RunTaskRequest.count": Translated("that many Pods, <task>-0 .. <task>-<count-1>"),
    "RunTaskRequest.enableECSManagedTags": Ignored(
        "Pods always carry the ecs.compat.dev/cluster and ecs.compat.dev/task labels instead"
    ),
    "RunTaskRequest.enableExecuteCommand": Ignored("use kubectl exec, which needs no agent"),
    "RunTaskRequest.group": Translated("the ecs.compat.dev/group label and annotation"),
    "RunTaskRequest.launchType": Translated("FARGATE: the FARGATE node pool; EC2: any node"),
    "RunTaskRequest.networkConfiguration": Translated("security group membership labels"),
    "RunTaskRequest.overrides": Translated("applied to the Pods' spec"),
    "RunTaskRequest.placementConstraints": Translated("pod anti-affinity and node affinity"),
    "RunTaskRequest.placementStrategy": Translated("topology spread constraints and pod affinity"),
    "RunTaskRequest.platformVersion": Ignored("Fargate platform versions do not exist on Kubernetes nodes"),
    "RunTaskRequest.propagateTags": Translated("the ecs.compat.dev/tags annotation on the Pods"),
    "RunTaskRequest.referenceId": Ignored("only used by Amazon ECS itself"),
    "RunTaskRequest.startedBy": Translated("the ecs.compat.dev/started-by annotation"),
    "RunTaskRequest.tags": Translated("the ecs.compat.dev/tags annotation with propagateTags"),
    "RunTaskRequest.taskDefinition": Translated("the revision whose pod spec the Pods run"),
    "RunTaskRequest.clientToken": Ignored("the custom resource's name already makes creation idempotent"),
    "RunTaskRequest.volumeConfigurations": Translated(
        "generic ephemeral volumes replacing the task definition's volumes configured at launch"
    ),
    "TaskOverride.containerOverrides": Translated("the containers' command, env and resources"),
    "TaskOverride.cpu": Translated("the task-level CPU the containers' resources are computed from"),
    "TaskOverride.inferenceAcceleratorOverrides": Rejected(
        "Elastic Inference is retired; use GPU resourceRequirements"
    ),
    "TaskOverride.executionRoleArn": Translated("imagePullSecrets, as the task definition's executionRoleArn"),
    "TaskOverride.memory": Translated("the task-level memory the containers' resources are computed from"),
    "TaskOverride.taskRoleArn": Translated("the role's ServiceAccount"),
    "TaskOverride.ephemeralStorage": Translated("ephemeral-storage requests, as the task definition's"),
    "ContainerOverride.name": Translated("the container the override applies to"),
    "ContainerOverride.command": Translated("the container's args"),
    "ContainerOverride.environment": Translated("added to / replacing the container's env"),
    "ContainerOverride.environmentFiles": Translated("the container's envFrom ConfigMaps"),
    "ContainerOverride.cpu": Translated("the container's CPU request"),
    "ContainerOverride.memory": Translated("the container's memory limit"),
    "ContainerOverride.memoryReservation": Translated("the container's memory request"),
    "ContainerOverride.resourceRequirements": Translated("the container's GPU resources"),
}


def _managed_ebs_volume(shape: str) -> dict[str, Classification]:
    """ServiceManagedEBSVolumeConfiguration and TaskManagedEBSVolumeConfiguration share these members."""
    return {
        f"{shape}.sizeInGiB": Translated("the claim's resources.requests.storage, <size>Gi (required)"),
        f"{shape}.volumeType": Translated(
            "storageClassName: the StorageClass named like the EBS volume type, which must exist (warned); "
            "absent: the cluster's default StorageClass"
        ),
        f"{shape}.snapshotId": Translated(
            "dataSource: the VolumeSnapshot named like the snapshot, which must exist (warned)"
        ),
        f"{shape}.filesystemType": _on_storage_class("csi.storage.k8s.io/fstype"),
        f"{shape}.encrypted": _on_storage_class("encrypted"),
        f"{shape}.kmsKeyId": _on_storage_class("kmsKeyId"),
        f"{shape}.iops": _on_storage_class("iops"),
        f"{shape}.throughput": _on_storage_class("throughput"),
        f"{shape}.volumeInitializationRate": Ignored("Kubernetes restores a snapshot at the CSI driver's own rate"),
        f"{shape}.tagSpecifications": _on_storage_class("tagSpecification_<n>"),
        f"{shape}.roleArn": Ignored(
            "there is no IAM on Kubernetes: the CSI driver creates and attaches volumes with its own identity"
        ),
    }


_EBS_VOLUME: dict[str, Classification] = {
    "ServiceVolumeConfiguration.name": Translated("the task definition volume (configuredAtLaunch) it replaces"),
    "ServiceVolumeConfiguration.managedEBSVolume": Translated("volumes[].ephemeral.volumeClaimTemplate"),
    "TaskVolumeConfiguration.name": Translated("the task definition volume (configuredAtLaunch) it replaces"),
    "TaskVolumeConfiguration.managedEBSVolume": Translated("volumes[].ephemeral.volumeClaimTemplate"),
    "TaskManagedEBSVolumeConfiguration.terminationPolicy": Translated("see deleteOnTermination"),
    "TaskManagedEBSVolumeTerminationPolicy.deleteOnTermination": Translated(
        "true: the claim is deleted with the pod, as every ephemeral volume's is; false is refused (a StorageClass "
        "with reclaimPolicy Retain keeps the volumes)"
    ),
    **_managed_ebs_volume("ServiceManagedEBSVolumeConfiguration"),
    **_managed_ebs_volume("TaskManagedEBSVolumeConfiguration"),
}

_CLUSTER: dict[str, Classification] = {
    "CreateClusterRequest.clusterName": Translated("the ecs.compat.dev/cluster label of services and tasks"),
    "CreateClusterRequest.tags": Ignored("cluster tags are not copied onto services or tasks; tag those instead"),
    "CreateClusterRequest.settings": Ignored("Container Insights is CloudWatch's; use the cluster's own metrics"),
    "CreateClusterRequest.configuration": Ignored("ECS Exec and managed storage keys have no Kubernetes counterpart"),
    "CreateClusterRequest.capacityProviders": Translated("the node pools services and tasks may use"),
    "CreateClusterRequest.defaultCapacityProviderStrategy": Translated("the strategy when a service gives none"),
    "CreateClusterRequest.serviceConnectDefaults": Translated(
        "the Service Connect namespace of the cluster's services that name none"
    ),
    "ClusterServiceConnectDefaultsRequest.namespace": Translated(
        "the domain of client aliases without dnsName (discoveryName.namespace), resolved by a DNS rewrite (warned)"
    ),
}

_AUTOSCALING: dict[str, Classification] = {
    "RegisterScalableTargetRequest.ServiceNamespace": Translated("must be ecs (implied)"),
    "RegisterScalableTargetRequest.ResourceId": Ignored("the HPA always targets this service's workloads"),
    "RegisterScalableTargetRequest.ScalableDimension": Translated("must be ecs:service:DesiredCount (implied)"),
    "RegisterScalableTargetRequest.MinCapacity": Translated("HPA minReplicas (at least 1)"),
    "RegisterScalableTargetRequest.MaxCapacity": Translated("HPA maxReplicas"),
    "RegisterScalableTargetRequest.RoleARN": Ignored("the HPA needs no IAM role"),
    "RegisterScalableTargetRequest.SuspendedState": Translated("behavior selectPolicy Disabled"),
    "RegisterScalableTargetRequest.Tags": Ignored("scalable target tags have no Kubernetes counterpart"),
    "SuspendedState.DynamicScalingInSuspended": Translated("behavior.scaleDown.selectPolicy: Disabled"),
    "SuspendedState.DynamicScalingOutSuspended": Translated("behavior.scaleUp.selectPolicy: Disabled"),
    "SuspendedState.ScheduledScalingSuspended": Ignored("scheduled scaling actions are not translated"),
    "PutScalingPolicyRequest.PolicyName": Translated("the ecs.compat.dev/scaling-policies annotation of the HPA"),
    "PutScalingPolicyRequest.ServiceNamespace": Translated("must be ecs (implied)"),
    "PutScalingPolicyRequest.ResourceId": Ignored("the HPA always targets this service's workloads"),
    "PutScalingPolicyRequest.ScalableDimension": Translated("must be ecs:service:DesiredCount (implied)"),
    "PutScalingPolicyRequest.PolicyType": Translated("TargetTrackingScaling; the others are rejected"),
    "PutScalingPolicyRequest.StepScalingPolicyConfiguration": Rejected(
        "step scaling acts on CloudWatch alarms; use TargetTrackingScaling on CPU or memory utilisation"
    ),
    "PutScalingPolicyRequest.TargetTrackingScalingPolicyConfiguration": Translated("an HPA Resource metric"),
    "PutScalingPolicyRequest.PredictiveScalingPolicyConfiguration": Rejected(
        "predictive scaling forecasts from CloudWatch history; use TargetTrackingScaling"
    ),
    "TargetTrackingScalingPolicyConfiguration.TargetValue": Translated("target averageUtilization"),
    "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification": Translated("the cpu or memory metric"),
    "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification": Rejected(
        "CloudWatch metrics need a metrics adapter; track ECSServiceAverageCPUUtilization or "
        "ECSServiceAverageMemoryUtilization, or manage an HPA with an External metric yourself"
    ),
    "TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown": Partial(
        "behavior.scaleUp.stabilizationWindowSeconds",
        "a cooldown becomes a stabilization window: the HPA uses the lowest recommendation of that window "
        "rather than waiting after each scale-out",
    ),
    "TargetTrackingScalingPolicyConfiguration.ScaleInCooldown": Partial(
        "behavior.scaleDown.stabilizationWindowSeconds",
        "a cooldown becomes a stabilization window: the HPA uses the highest recommendation of that window "
        "rather than waiting after each scale-in",
    ),
    "TargetTrackingScalingPolicyConfiguration.DisableScaleIn": Translated("behavior.scaleDown.selectPolicy: Disabled"),
    "PredefinedMetricSpecification.PredefinedMetricType": Translated(
        "ECSServiceAverageCPUUtilization / MemoryUtilization (and HighResolution): cpu / memory; others rejected"
    ),
    "PredefinedMetricSpecification.ResourceLabel": Ignored("only ALBRequestCountPerTarget uses it, which is rejected"),
}

_SECURITY_GROUP: dict[str, Classification] = {
    "SecurityGroup.GroupId": Translated("how awsvpcConfiguration and other groups' rules find the group"),
    "SecurityGroup.GroupName": Translated("how awsvpcConfiguration and other groups' rules find the group"),
    "SecurityGroup.Description": Translated("the ecs.compat.dev/description annotation"),
    "SecurityGroup.IpPermissions": Translated("NetworkPolicy ingress rules"),
    "SecurityGroup.IpPermissionsEgress": Translated(
        "NetworkPolicy egress rules (left out: all egress, as EC2's default rule; []: none but DNS)"
    ),
    "SecurityGroup.Tags": Translated("the ecs.compat.dev/tags annotation"),
    "SecurityGroup.VpcId": Ignored("the cluster has one pod network"),
    "SecurityGroup.SecurityGroupArn": Ignored("read-only; the group is the SecurityGroup resource"),
    "SecurityGroup.OwnerId": Ignored("read-only; AWS accounts do not exist in the cluster"),
    "Tag.Key": Translated("a key of the ecs.compat.dev/tags annotation"),
    "Tag.Value": Translated("a value of the ecs.compat.dev/tags annotation"),
    "IpPermission.IpProtocol": Translated("the port protocol (TCP, UDP, SCTP, all); ICMP cannot be expressed"),
    "IpPermission.FromPort": Translated("port"),
    "IpPermission.ToPort": Translated("endPort"),
    "IpPermission.UserIdGroupPairs": Translated("podSelector on the other group's membership label"),
    "IpPermission.IpRanges": Translated("ipBlock (0.0.0.0/0: any peer); private (RFC 1918) ranges are warned"),
    "IpPermission.Ipv6Ranges": Translated("ipBlock (::/0: any peer)"),
    "IpPermission.PrefixListIds": Ignored("managed prefix lists are AWS's; list their CIDRs in IpRanges"),
    "IpRange.CidrIp": Translated("ipBlock.cidr"),
    "IpRange.Description": Ignored("a comment only"),
    "Ipv6Range.CidrIpv6": Translated("ipBlock.cidr"),
    "Ipv6Range.Description": Ignored("a comment only"),
    "UserIdGroupPair.GroupId": Translated("the peer group among the namespace's SecurityGroups; unknown: warned"),
    "UserIdGroupPair.GroupName": Translated("the peer group among the namespace's SecurityGroups; unknown: warned"),
    "UserIdGroupPair.Description": Ignored("a comment only"),
    "UserIdGroupPair.UserId": Ignored("AWS accounts do not exist in the cluster; the group is looked up by id or name"),
    "UserIdGroupPair.VpcId": Ignored("the cluster has one pod network"),
    "UserIdGroupPair.VpcPeeringConnectionId": Ignored("the cluster has one pod network"),
    "UserIdGroupPair.PeeringStatus": Ignored("read-only"),
}

WORKLOAD_FIELDS: dict[str, Classification] = {
    **_SERVICE,
    **_TASK,
    **_EBS_VOLUME,
    **_CLUSTER,
    **_AUTOSCALING,
    **_SECURITY_GROUP,
}
