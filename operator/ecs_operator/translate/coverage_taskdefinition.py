"""What becomes of every member of RegisterTaskDefinition's shape tree (see coverage.py).

Shapes RegisterTaskDefinition shares with RunTask and CreateService (KeyValuePair, Tag, EnvironmentFile,
ResourceRequirement, EphemeralStorage, LogConfiguration, Secret) are classified here, once.
Value-dependent outcomes (a boolean that is only refused when true, a mode only some values of which
translate) are classified Translated and checked by the translators, so ``false`` never warns.
"""

from __future__ import annotations

from ecs_operator.translate.coverage import Classification, Ignored, Partial, Rejected, Translated

_SPREAD = (
    "Kubernetes has no pod-wide limit here: each container is limited to the whole task size, and what the "
    "containers do not reserve themselves is requested evenly by those that reserve nothing"
)
_NO_LOG_ROUTER = "no log router is set up on Kubernetes"

_TASK: dict[str, Classification] = {
    "RegisterTaskDefinitionRequest.family": Translated("PodTemplate name, ecs.compat.dev/task-definition label"),
    "RegisterTaskDefinitionRequest.taskRoleArn": Translated(
        "ServiceAccount ecs-task-<role>-<digest> annotated eks.amazonaws.com/role-arn; the pod's serviceAccountName"
    ),
    "RegisterTaskDefinitionRequest.executionRoleArn": Partial(
        "imagePullSecrets ecr-<account>-<region> for private ECR images",
        "Kubernetes does not assume the execution role: private ECR images are pulled with the imagePullSecret "
        "ecr-<account>-<region>, which must exist and be kept fresh (ECR tokens last 12 hours); secrets and "
        "environment files come from Kubernetes Secrets and ConfigMaps",
    ),
    "RegisterTaskDefinitionRequest.networkMode": Translated(
        "awsvpc: pod network; bridge: hostPort where set; host: hostNetwork; none: no ports (deny-all policy)"
    ),
    "RegisterTaskDefinitionRequest.containerDefinitions": Translated("containers, init containers, native sidecars"),
    "RegisterTaskDefinitionRequest.volumes": Translated("pod volumes"),
    "RegisterTaskDefinitionRequest.placementConstraints": Translated(
        "node affinity, with the service's or task's own constraints (placement.py)"
    ),
    "RegisterTaskDefinitionRequest.requiresCompatibilities": Ignored(
        "checked as ECS checks it (FARGATE sizes, networkMode awsvpc); where tasks run is chosen by the service's "
        "or task's launch type and capacity providers"
    ),
    "RegisterTaskDefinitionRequest.cpu": Translated(
        "Kubernetes 1.34 and later: the pod's spec.resources; before: containers' cpu requests and limits (warned)"
    ),
    "RegisterTaskDefinitionRequest.memory": Translated(
        "Kubernetes 1.34 and later: the pod's spec.resources; before: containers' memory requests and limits (warned)"
    ),
    "RegisterTaskDefinitionRequest.tags": Translated("ecs.compat.dev/tags annotation (pods too, by propagateTags)"),
    "RegisterTaskDefinitionRequest.pidMode": Translated("host: hostPID; task: shareProcessNamespace"),
    "RegisterTaskDefinitionRequest.ipcMode": Translated(
        "host: hostIPC; task: what a pod does anyway; none: warned (a pod's containers always share IPC)"
    ),
    "RegisterTaskDefinitionRequest.proxyConfiguration": Ignored(
        "App Mesh redirects the task's traffic through its proxy; no mesh is set up on Kubernetes, so the proxy "
        "container runs but traffic goes straight to the application. Use your service mesh's own injection"
    ),
    "RegisterTaskDefinitionRequest.inferenceAccelerators": Ignored("Elastic Inference has ended and has no equivalent"),
    "RegisterTaskDefinitionRequest.ephemeralStorage": Partial(
        "containers' ephemeral-storage requests and limits", _SPREAD
    ),
    "RegisterTaskDefinitionRequest.runtimePlatform": Translated("nodeSelector kubernetes.io/os, kubernetes.io/arch"),
    "RegisterTaskDefinitionRequest.enableFaultInjection": Ignored(
        "ECS's fault injection endpoints do not exist on Kubernetes; use a chaos tool such as Chaos Mesh"
    ),
    "RegisterTaskDefinitionRequest.trustedExecutionConfiguration": Translated(
        "checked: pods get SHARED isolation; sandbox modes are refused"
    ),
    "TrustedExecutionConfiguration.isolationMode": Translated("SHARED only; others are refused (use a RuntimeClass)"),
    "TrustedExecutionConfiguration.attestationPolicy": Rejected(
        "attestation needs a confidential sandbox, which pods do not run in"
    ),
    "TaskDefinitionPlacementConstraint.type": Translated("memberOf: node affinity (placement.py)"),
    "TaskDefinitionPlacementConstraint.expression": Translated("node affinity terms (placement.py)"),
    "Tag.key": Translated("key in the ecs.compat.dev/tags annotation"),
    "Tag.value": Translated("value in the ecs.compat.dev/tags annotation"),
    "EphemeralStorage.sizeInGiB": Translated("ephemeral-storage limit per container, spread as requests"),
    "RuntimePlatform.cpuArchitecture": Translated("nodeSelector kubernetes.io/arch (amd64, arm64)"),
    "RuntimePlatform.operatingSystemFamily": Translated(
        "nodeSelector kubernetes.io/os, and node.kubernetes.io/windows-build for Windows releases"
    ),
}

_CONTAINER: dict[str, Classification] = {
    "ContainerDefinition.name": Translated("container name (k8s_name; ECS names in the container-names annotation)"),
    "ContainerDefinition.image": Translated("image"),
    "ContainerDefinition.repositoryCredentials": Translated("imagePullSecrets"),
    "ContainerDefinition.cpu": Translated("requests.cpu (1024 units = 1000m, rounded up; 0 reserves nothing)"),
    "ContainerDefinition.memory": Translated("limits.memory (and requests.memory without a reservation)"),
    "ContainerDefinition.memoryReservation": Translated("requests.memory"),
    "ContainerDefinition.links": Translated("hostAliases 127.0.0.1: a pod's containers share localhost"),
    "ContainerDefinition.portMappings": Translated("ports"),
    "ContainerDefinition.essential": Translated(
        "ecs.compat.dev/essential-containers annotation (the operator stops the task when one exits); "
        "readiness and liveness probes only for essential containers"
    ),
    "ContainerDefinition.restartPolicy": Ignored(
        "Kubernetes restarts containers per pod, not per container: a service's pods restart every container in "
        "place (restartPolicy Always), a RunTask pod restarts none (Never)"
    ),
    "ContainerDefinition.entryPoint": Translated("command"),
    "ContainerDefinition.command": Translated("args (each string one argument, never split)"),
    "ContainerDefinition.environment": Translated("env"),
    "ContainerDefinition.environmentFiles": Translated("envFrom configMapRef"),
    "ContainerDefinition.mountPoints": Translated("volumeMounts"),
    "ContainerDefinition.volumesFrom": Translated("the source container's volumeMounts"),
    "ContainerDefinition.linuxParameters": Translated("securityContext, memory-backed emptyDirs"),
    "ContainerDefinition.secrets": Translated("env valueFrom.secretKeyRef"),
    "ContainerDefinition.dependsOn": Translated("init containers and native sidecars, in dependency order"),
    "ContainerDefinition.startTimeout": Ignored(
        "Kubernetes waits for init containers and sidecars without a deadline (a HEALTHY wait is bounded by the "
        "startup probe)"
    ),
    "ContainerDefinition.stopTimeout": Translated("terminationGracePeriodSeconds: the longest of the task"),
    "ContainerDefinition.versionConsistency": Ignored(
        "the image is pulled by the reference given; put a digest in image to pin it"
    ),
    "ContainerDefinition.hostname": Translated("pod hostname (bridge and none modes; warned otherwise)"),
    "ContainerDefinition.user": Translated("securityContext runAsUser / runAsGroup (numeric ids and root)"),
    "ContainerDefinition.workingDirectory": Translated("workingDir"),
    "ContainerDefinition.disableNetworking": Translated(
        "checked: true is refused (a pod's containers share its network; use networkMode none)"
    ),
    "ContainerDefinition.privileged": Translated("securityContext.privileged"),
    "ContainerDefinition.readonlyRootFilesystem": Translated("securityContext.readOnlyRootFilesystem"),
    "ContainerDefinition.dnsServers": Translated("pod dnsConfig.nameservers with dnsPolicy None"),
    "ContainerDefinition.dnsSearchDomains": Translated("pod dnsConfig.searches"),
    "ContainerDefinition.extraHosts": Translated("pod hostAliases"),
    "ContainerDefinition.dockerSecurityOptions": Translated(
        "securityContext: no-new-privileges, apparmor:<profile>, label:<kind>:<value>, credentialspec:<location> "
        "(windowsOptions.gmsaCredentialSpecName); others refused"
    ),
    "ContainerDefinition.interactive": Translated("stdin"),
    "ContainerDefinition.pseudoTerminal": Translated("tty"),
    "ContainerDefinition.dockerLabels": Translated("pod annotation docker-labels.ecs.compat.dev/<container> (JSON)"),
    "ContainerDefinition.ulimits": Ignored(
        "Kubernetes sets no per-container ulimits: the node's container runtime defaults apply (ECS on Fargate sets "
        "nofile to 65535)"
    ),
    "ContainerDefinition.logConfiguration": Translated("pod annotations log-driver / log-options.ecs.compat.dev"),
    "ContainerDefinition.healthCheck": Translated("startup, readiness and liveness exec probes"),
    "ContainerDefinition.systemControls": Translated("pod securityContext.sysctls (namespaced sysctls only)"),
    "ContainerDefinition.resourceRequirements": Translated("limits nvidia.com/gpu, aws.amazon.com/neurondevice"),
    "ContainerDefinition.firelensConfiguration": Ignored(
        f"{_NO_LOG_ROUTER}: the router runs as an ordinary container and receives no logs; the node's log agent "
        "routes them by the pods' log annotations (examples/log-routing)"
    ),
    "ContainerDefinition.credentialSpecs": Translated(
        "securityContext.windowsOptions.gmsaCredentialSpecName: the GMSACredentialSpec named after the spec "
        "(warned: it and the gMSA webhook must exist)"
    ),
    "RepositoryCredentials.credentialsParameter": Partial(
        "imagePullSecrets: the Secret named after the Secrets Manager secret",
        "the Secret named after the Secrets Manager secret (as for secrets) must exist, of type "
        "kubernetes.io/dockerconfigjson",
    ),
    "PortMapping.containerPort": Translated("containerPort"),
    "PortMapping.hostPort": Translated("hostPort in bridge mode when not 0; otherwise none"),
    "PortMapping.protocol": Translated("protocol, upper-cased"),
    "PortMapping.name": Translated("port name (port_name: an IANA service name)"),
    "PortMapping.appProtocol": Translated(
        "appProtocol of the Service ports that expose the mapping (http; http2 -> kubernetes.io/h2c; grpc)"
    ),
    "PortMapping.containerPortRange": Translated("one container port per port of the range"),
    "KeyValuePair.name": Translated("env name"),
    "KeyValuePair.value": Translated("env value"),
    "EnvironmentFile.value": Partial(
        "envFrom configMapRef envfile-<bucket>-<key> ('/' as '-')",
        "the operator does not read S3: the ConfigMap envfile-<bucket>-<key> ('/' as '-', see docs for other "
        "characters) must hold the file's variables (kubectl create configmap --from-env-file)",
    ),
    "EnvironmentFile.type": Translated("s3, the only type"),
    "MountPoint.sourceVolume": Translated("volumeMounts name"),
    "MountPoint.containerPath": Translated("volumeMounts mountPath"),
    "MountPoint.readOnly": Translated("volumeMounts readOnly"),
    "VolumeFrom.sourceContainer": Translated("the source container's volumeMounts"),
    "VolumeFrom.readOnly": Translated("readOnly on the copied volumeMounts"),
    "KernelCapabilities.add": Translated("securityContext.capabilities.add"),
    "KernelCapabilities.drop": Translated("securityContext.capabilities.drop"),
    "LinuxParameters.capabilities": Translated("securityContext.capabilities"),
    "LinuxParameters.devices": Translated(
        "hostPath volumes of the node's device files, mounted at containerPath (warned unless privileged: Kubernetes "
        "grants no access to one device)"
    ),
    "Device.hostPath": Translated("hostPath path (no type check: character or block device)"),
    "Device.containerPath": Translated("volumeMounts mountPath (the hostPath when not given)"),
    "Device.permissions": Translated("readOnly without write; read and mknod are not enforced"),
    "LinuxParameters.initProcessEnabled": Translated(
        "shareProcessNamespace: the pause container is PID 1 and reaps zombies (warned: containers see each "
        "other's processes)"
    ),
    "LinuxParameters.sharedMemorySize": Translated("emptyDir medium Memory at /dev/shm with sizeLimit"),
    "LinuxParameters.tmpfs": Translated("emptyDir medium Memory volumes"),
    "LinuxParameters.maxSwap": Ignored("Kubernetes configures swap per node (NodeSwap), not per container"),
    "LinuxParameters.swappiness": Ignored("Kubernetes configures swap per node (NodeSwap), not per container"),
    "Tmpfs.containerPath": Translated("volumeMounts mountPath"),
    "Tmpfs.size": Translated("emptyDir sizeLimit"),
    "Tmpfs.mountOptions": Ignored("emptyDir volumes take no mount options"),
    "Secret.name": Translated("env name"),
    "Secret.valueFrom": Translated(
        "secretKeyRef: the Secret named after the secret (without a full ARN's random suffix) or parameter, "
        "'/' as '-'; key json-key or value"
    ),
    "ContainerDependency.containerName": Translated("which container starts first"),
    "ContainerDependency.condition": Translated(
        "START / HEALTHY: native sidecar (HEALTHY with a startup probe); COMPLETE / SUCCESS: init container"
    ),
    "HostEntry.hostname": Translated("hostAliases hostnames"),
    "HostEntry.ipAddress": Translated("hostAliases ip"),
    "LogConfiguration.logDriver": Translated(
        "log-driver.ecs.compat.dev/<container> annotation for a node log agent (warned once per task: no log router)"
    ),
    "LogConfiguration.options": Translated("log-options.ecs.compat.dev/<container> annotation (JSON)"),
    "LogConfiguration.secretOptions": Ignored(f"{_NO_LOG_ROUTER} to use them"),
    "HealthCheck.command": Translated(
        "exec probe command (CMD-SHELL via /bin/sh -c, on Windows cmd /S /C; NONE: no probes)"
    ),
    "HealthCheck.interval": Translated("periodSeconds"),
    "HealthCheck.timeout": Translated("timeoutSeconds"),
    "HealthCheck.retries": Translated("failureThreshold"),
    "HealthCheck.startPeriod": Translated("startupProbe failureThreshold (startPeriod / interval more failures)"),
    "SystemControl.namespace": Translated("sysctl name"),
    "SystemControl.value": Translated("sysctl value"),
    "ResourceRequirement.value": Translated("number of devices"),
    "ResourceRequirement.type": Translated(
        "GPU: nvidia.com/gpu; NeuronDevice: aws.amazon.com/neurondevice; InferenceAccelerator: warned, ignored"
    ),
    "ResourceRequirement.sharingStrategy": Ignored(
        "whole devices are allocated; GPU sharing (MPS, time-slicing) is configured in the NVIDIA device plugin"
    ),
}

_VOLUMES: dict[str, Classification] = {
    "Volume.name": Translated("pod volume name"),
    "Volume.host": Translated("hostPath (or emptyDir without sourcePath)"),
    "Volume.dockerVolumeConfiguration": Translated(
        "emptyDir (task scope); shared scope: node directory (hostPath) or PersistentVolumeClaim (other drivers)"
    ),
    "Volume.efsVolumeConfiguration": Translated("PersistentVolumeClaim efs-<fileSystemId>[-<accessPointId>] (warned)"),
    "Volume.s3filesVolumeConfiguration": Rejected(
        "Kubernetes has no S3 Files volume; mount a PersistentVolumeClaim of a CSI driver in a pod template of your own"
    ),
    "Volume.fsxWindowsFileServerVolumeConfiguration": Rejected(
        "Kubernetes has no FSx for Windows File Server volume; use the SMB CSI driver with a PersistentVolumeClaim"
    ),
    "Volume.configuredAtLaunch": Translated(
        "the generic ephemeral volume of the service's or task's volumeConfigurations; none: an emptyDir (warned)"
    ),
    "HostVolumeProperties.sourcePath": Translated(
        'hostPath path, type "" (no check: a directory, file or socket mounts as it is, as with Docker)'
    ),
    "DockerVolumeConfiguration.scope": Translated(
        "task: emptyDir; shared: hostPath /var/lib/ecs-operator/volumes/<namespace>/<name> (local driver) or "
        "PersistentVolumeClaim ecs-volume-<name> (other drivers)"
    ),
    "DockerVolumeConfiguration.autoprovision": Translated(
        "other drivers: the operator creates the PersistentVolumeClaim (the local driver's directory is always created)"
    ),
    "DockerVolumeConfiguration.driver": Translated(
        "local (or none): emptyDir / node directory; other drivers do not exist on Kubernetes: warned, an emptyDir "
        "or a claim on the default StorageClass stands for the volume"
    ),
    "DockerVolumeConfiguration.driverOpts": Ignored("Docker volume drivers do not exist on Kubernetes"),
    "DockerVolumeConfiguration.labels": Ignored("Docker volume labels have no Kubernetes equivalent"),
    "EFSVolumeConfiguration.fileSystemId": Translated("PersistentVolumeClaim name"),
    "EFSVolumeConfiguration.rootDirectory": Translated("subPath of every mount"),
    "EFSVolumeConfiguration.transitEncryption": Ignored(
        "set on the PersistentVolume (EFS CSI driver mount options), which the user provides"
    ),
    "EFSVolumeConfiguration.transitEncryptionPort": Ignored(
        "set on the PersistentVolume (EFS CSI driver mount options), which the user provides"
    ),
    "EFSVolumeConfiguration.authorizationConfig": Translated("accessPointId: PersistentVolumeClaim name"),
    "EFSAuthorizationConfig.accessPointId": Translated("PersistentVolumeClaim name"),
    "EFSAuthorizationConfig.iam": Ignored("the EFS CSI driver mounts with its own IAM identity; set it on the volume"),
}

TASK_DEFINITION_FIELDS: dict[str, Classification] = {**_TASK, **_CONTAINER, **_VOLUMES}
