"""ecs API shapes, generated from botocore 1.44.5's ecs service model.

Do not edit: run `make generate` (python -m ecs_operator.tools.codegen). Field names are the AWS API's
own, so JSON from the AWS CLI loads as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from ecs_operator.models.base import EcsModel

JsonObject = dict[str, Any]
BOTOCORE_VERSION = '1.44.5'


class RepositoryCredentials(EcsModel):
    """The repository credentials for private registry authentication."""
    credentialsParameter: str = Field(description='The Amazon Resource Name (ARN) of the secret containing the private repository credentials.')


class PortMapping(EcsModel):
    """Port mappings allow containers to access ports on the host container instance to send or receive traffic."""
    containerPort: int | None = Field(default=None, description="The port number on the container that's bound to the user-specified or automatically assigned host port.")
    hostPort: int | None = Field(default=None, description='The port number on the container instance to reserve for your container.')
    protocol: Literal['tcp', 'udp'] | None = Field(default=None, description="The protocol that's used for the port mapping.")
    name: str | None = Field(default=None, description="The name that's used for the port mapping.")
    appProtocol: Literal['http', 'http2', 'grpc'] | None = Field(default=None, description="The application protocol that's used for the port mapping.")
    containerPortRange: str | None = Field(default=None, description="The port number range on the container that's bound to the dynamically mapped host port range.")


class ContainerRestartPolicy(EcsModel):
    """You can enable a restart policy for each container defined in your task definition, to overcome transient failures faster and maintain task availability."""
    enabled: bool = Field(description='Specifies whether a restart policy is enabled for the container.')
    ignoredExitCodes: list[int] | None = Field(default=None, description='A list of exit codes that Amazon ECS will ignore and not attempt a restart on.')
    restartAttemptPeriod: int | None = Field(default=None, description='A period of time (in seconds) that the container must run for before a restart can be attempted.')


class KeyValuePair(EcsModel):
    """A key-value pair object."""
    name: str | None = Field(default=None, description='The name of the key-value pair.')
    value: str | None = Field(default=None, description='The value of the key-value pair.')


class EnvironmentFile(EcsModel):
    """A list of files containing the environment variables to pass to a container."""
    value: str = Field(description='The Amazon Resource Name (ARN) of the Amazon S3 object containing the environment variable file.')
    type: Literal['s3'] = Field(description='The file type to use.')


class MountPoint(EcsModel):
    """The details for a volume mount point that's used in a container definition."""
    sourceVolume: str | None = Field(default=None, description='The name of the volume to mount.')
    containerPath: str | None = Field(default=None, description='The path on the container to mount the host volume at.')
    readOnly: bool | None = Field(default=None, description='If this value is true, the container has read-only access to the volume.')


class VolumeFrom(EcsModel):
    """Details on a data volume from another container in the same task definition."""
    sourceContainer: str | None = Field(default=None, description='The name of another container within the same task definition to mount volumes from.')
    readOnly: bool | None = Field(default=None, description='If this value is true, the container has read-only access to the volume.')


class KernelCapabilities(EcsModel):
    """The Linux capabilities to add or remove from the default Docker configuration for a container defined in the task definition."""
    add: list[str] | None = Field(default=None, description='The Linux capabilities for the container that have been added to the default configuration provided by Docker.')
    drop: list[str] | None = Field(default=None, description='The Linux capabilities for the container that have been removed from the default configuration provided by Docker.')


class Device(EcsModel):
    """An object representing a container instance host device."""
    hostPath: str = Field(description='The path for the device on the host container instance.')
    containerPath: str | None = Field(default=None, description='The path inside the container at which to expose the host device.')
    permissions: list[Literal['read', 'write', 'mknod']] | None = Field(default=None, description='The explicit permissions to provide to the container for the device.')


class Tmpfs(EcsModel):
    """The container path, mount options, and size of the tmpfs mount."""
    containerPath: str = Field(description='The absolute file path where the tmpfs volume is to be mounted.')
    size: int = Field(description='The maximum size (in MiB) of the tmpfs volume.')
    mountOptions: list[str] | None = Field(default=None, description='The list of tmpfs volume mount options.')


class LinuxParameters(EcsModel):
    """The Linux-specific options that are applied to the container, such as Linux KernelCapabilities."""
    capabilities: KernelCapabilities | None = Field(default=None, description='The Linux capabilities for the container that are added to or dropped from the default configuration provided by Docker.')
    devices: list[Device] | None = Field(default=None, description='Any host devices to expose to the container.')
    initProcessEnabled: bool | None = Field(default=None, description='Run an init process inside the container that forwards signals and reaps processes.')
    sharedMemorySize: int | None = Field(default=None, description='The value for the size (in MiB) of the /dev/shm volume.')
    tmpfs: list[Tmpfs] | None = Field(default=None, description='The container path, mount options, and size (in MiB) of the tmpfs mount.')
    maxSwap: int | None = Field(default=None, description='The total amount of swap memory (in MiB) a container can use.')
    swappiness: int | None = Field(default=None, description="This allows you to tune a container's memory swappiness behavior.")


class Secret(EcsModel):
    """An object representing the secret to expose to your container."""
    name: str = Field(description='The name of the secret.')
    valueFrom: str = Field(description='The secret to expose to the container.')


class ContainerDependency(EcsModel):
    """The dependencies defined for container startup and shutdown."""
    containerName: str = Field(description='The name of a container.')
    condition: Literal['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'] = Field(description='The dependency condition of the container.')


class HostEntry(EcsModel):
    """Hostnames and IP address entries that are added to the /etc/hosts file of a container via the extraHosts parameter of its ContainerDefinition."""
    hostname: str = Field(description='The hostname to use in the /etc/hosts entry.')
    ipAddress: str = Field(description='The IP address to use in the /etc/hosts entry.')


class Ulimit(EcsModel):
    """The ulimit settings to pass to the container."""
    name: Literal['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'] = Field(description='The type of the ulimit.')
    softLimit: int = Field(description='The soft limit for the ulimit type.')
    hardLimit: int = Field(description='The hard limit for the ulimit type.')


class LogConfiguration(EcsModel):
    """The log configuration for the container."""
    logDriver: Literal['json-file', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'awsfirelens'] = Field(description='The log driver to use for the container.')
    options: dict[str, str] | None = Field(default=None, description='The configuration options to send to the log driver.')
    secretOptions: list[Secret] | None = Field(default=None, description='The secrets to pass to the log configuration.')


class HealthCheck(EcsModel):
    """An object representing a container health check."""
    command: list[str] = Field(description='A string array representing the command that the container runs to determine if it is healthy.')
    interval: int | None = Field(default=None, description='The time period in seconds between each health check execution.')
    timeout: int | None = Field(default=None, description='The time period in seconds to wait for a health check to succeed before it is considered a failure.')
    retries: int | None = Field(default=None, description='The number of times to retry a failed health check before the container is considered unhealthy.')
    startPeriod: int | None = Field(default=None, description='The optional grace period to provide containers time to bootstrap before failed health checks count towards the maximum number of retries.')


class SystemControl(EcsModel):
    """A list of namespaced kernel parameters to set in the container."""
    namespace: str | None = Field(default=None, description='The namespaced kernel parameter to set a value for.')
    value: str | None = Field(default=None, description='The namespaced kernel parameter to set a value for.')


class NvidiaMpsAllocation(EcsModel):
    """The GPU memory and compute limits for a container that shares a GPU by using NVIDIA Multi-Process Service (MPS)."""
    memory: Annotated[int, Field(ge=1)] = Field(description='The amount of GPU memory, in MiB, to allocate to the container.')
    maxComputePercent: Annotated[int, Field(ge=1, le=100)] | None = Field(default=None, description="The maximum percentage of the GPU's compute capacity that the container can use.")


class SharingStrategy(EcsModel):
    """The strategy that a container uses to share a GPU with other containers."""
    nvidiaMps: NvidiaMpsAllocation | None = Field(default=None, description='Shares a GPU between containers by using NVIDIA Multi-Process Service (MPS).')


class ResourceRequirement(EcsModel):
    """The type and amount of a resource to assign to a container."""
    value: str | None = Field(default=None, description='The value for the specified resource type.')
    type: Literal['GPU', 'InferenceAccelerator', 'NeuronDevice'] = Field(description='The type of resource to assign to a container.')
    sharingStrategy: SharingStrategy | None = Field(default=None, description='The strategy that the container uses to share a GPU with other containers.')


class FirelensConfiguration(EcsModel):
    """The FireLens configuration for the container."""
    type: Literal['fluentd', 'fluentbit'] = Field(description='The log router to use.')
    options: dict[str, str] | None = Field(default=None, description='The options to use when configuring the log router.')


class ContainerDefinition(EcsModel):
    """Container definitions are used in task definitions to describe the different containers that are launched as part of a task."""
    name: str | None = Field(default=None, description='The name of a container.')
    image: str | None = Field(default=None, description='The image used to start a container.')
    repositoryCredentials: RepositoryCredentials | None = Field(default=None, description='The private repository authentication credentials to use.')
    cpu: int | None = Field(default=None, description='The number of cpu units reserved for the container.')
    memory: int | None = Field(default=None, description='The amount (in MiB) of memory to present to the container.')
    memoryReservation: int | None = Field(default=None, description='The soft limit (in MiB) of memory to reserve for the container.')
    links: list[str] | None = Field(default=None, description='The links parameter allows containers to communicate with each other without the need for port mappings.')
    portMappings: list[PortMapping] | None = Field(default=None, description='The list of port mappings for the container.')
    essential: bool | None = Field(default=None, description='If the essential parameter of a container is marked as true, and that container fails or stops for any reason, all other containers that are part of the task are stopped.')
    restartPolicy: ContainerRestartPolicy | None = Field(default=None, description='The restart policy for a container.')
    entryPoint: list[str] | None = Field(default=None, description="Early versions of the Amazon ECS container agent don't properly handle entryPoint parameters.")
    command: list[str] | None = Field(default=None, description="The command that's passed to the container.")
    environment: list[KeyValuePair] | None = Field(default=None, description='The environment variables to pass to a container.')
    environmentFiles: list[EnvironmentFile] | None = Field(default=None, description='A list of files containing the environment variables to pass to a container.')
    mountPoints: list[MountPoint] | None = Field(default=None, description='The mount points for data volumes in your container.')
    volumesFrom: list[VolumeFrom] | None = Field(default=None, description='Data volumes to mount from another container.')
    linuxParameters: LinuxParameters | None = Field(default=None, description='Linux-specific modifications that are applied to the default Docker container configuration, such as Linux kernel capabilities.')
    secrets: list[Secret] | None = Field(default=None, description='The secrets to pass to the container.')
    dependsOn: list[ContainerDependency] | None = Field(default=None, description='The dependencies defined for container startup and shutdown.')
    startTimeout: int | None = Field(default=None, description='Time duration (in seconds) to wait before giving up on resolving dependencies for a container.')
    stopTimeout: int | None = Field(default=None, description="Time duration (in seconds) to wait before the container is forcefully killed if it doesn't exit normally on its own.")
    versionConsistency: Literal['enabled', 'disabled'] | None = Field(default=None, description='Specifies whether Amazon ECS will resolve the container image tag provided in the container definition to an image digest.')
    hostname: str | None = Field(default=None, description='The hostname to use for your container.')
    user: str | None = Field(default=None, description='The user to use inside the container.')
    workingDirectory: str | None = Field(default=None, description='The working directory to run commands inside the container in.')
    disableNetworking: bool | None = Field(default=None, description='When this parameter is true, networking is off within the container.')
    privileged: bool | None = Field(default=None, description='When this parameter is true, the container is given elevated privileges on the host container instance (similar to the root user).')
    readonlyRootFilesystem: bool | None = Field(default=None, description='When this parameter is true, the container is given read-only access to its root file system.')
    dnsServers: list[str] | None = Field(default=None, description='A list of DNS servers that are presented to the container.')
    dnsSearchDomains: list[str] | None = Field(default=None, description='A list of DNS search domains that are presented to the container.')
    extraHosts: list[HostEntry] | None = Field(default=None, description='A list of hostnames and IP address mappings to append to the /etc/hosts file on the container.')
    dockerSecurityOptions: list[str] | None = Field(default=None, description='A list of strings to provide custom configuration for multiple security systems.')
    interactive: bool | None = Field(default=None, description='When this parameter is true, you can deploy containerized applications that require stdin or a tty to be allocated.')
    pseudoTerminal: bool | None = Field(default=None, description='When this parameter is true, a TTY is allocated.')
    dockerLabels: dict[str, str] | None = Field(default=None, description='A key/value map of labels to add to the container.')
    ulimits: list[Ulimit] | None = Field(default=None, description='A list of ulimits to set in the container.')
    logConfiguration: LogConfiguration | None = Field(default=None, description='The log configuration specification for the container.')
    healthCheck: HealthCheck | None = Field(default=None, description='The container health check command and associated configuration parameters for the container.')
    systemControls: list[SystemControl] | None = Field(default=None, description='A list of namespaced kernel parameters to set in the container.')
    resourceRequirements: list[ResourceRequirement] | None = Field(default=None, description='The type and amount of a resource to assign to a container.')
    firelensConfiguration: FirelensConfiguration | None = Field(default=None, description='The FireLens configuration for the container.')
    credentialSpecs: list[str] | None = Field(default=None, description='A list of ARNs in SSM or Amazon S3 to a credential spec (CredSpec) file that configures the container for Active Directory authentication.')


class HostVolumeProperties(EcsModel):
    """Details on a container instance bind mount host volume."""
    sourcePath: str | None = Field(default=None, description="When the host parameter is used, specify a sourcePath to declare the path on the host container instance that's presented to the container.")


class DockerVolumeConfiguration(EcsModel):
    """This parameter is specified when you're using Docker volumes."""
    scope: Literal['task', 'shared'] | None = Field(default=None, description='The scope for the Docker volume that determines its lifecycle.')
    autoprovision: bool | None = Field(default=None, description="If this value is true, the Docker volume is created if it doesn't already exist.")
    driver: str | None = Field(default=None, description='The Docker volume driver to use.')
    driverOpts: dict[str, str] | None = Field(default=None, description='A map of Docker driver-specific options passed through.')
    labels: dict[str, str] | None = Field(default=None, description='Custom metadata to add to your Docker volume.')


class EFSAuthorizationConfig(EcsModel):
    """The authorization configuration details for the Amazon EFS file system."""
    accessPointId: str | None = Field(default=None, description='The Amazon EFS access point ID to use.')
    iam: Literal['ENABLED', 'DISABLED'] | None = Field(default=None, description='Determines whether to use the Amazon ECS task role defined in a task definition when mounting the Amazon EFS file system.')


class EFSVolumeConfiguration(EcsModel):
    """This parameter is specified when you're using an Amazon Elastic File System file system for task storage."""
    fileSystemId: str = Field(description='The Amazon EFS file system ID to use.')
    rootDirectory: str | None = Field(default=None, description='The directory within the Amazon EFS file system to mount as the root directory inside the host.')
    transitEncryption: Literal['ENABLED', 'DISABLED'] | None = Field(default=None, description='Determines whether to use encryption for Amazon EFS data in transit between the Amazon ECS host and the Amazon EFS server.')
    transitEncryptionPort: int | None = Field(default=None, description='The port to use when sending encrypted data between the Amazon ECS host and the Amazon EFS server.')
    authorizationConfig: EFSAuthorizationConfig | None = Field(default=None, description='The authorization configuration details for the Amazon EFS file system.')


class S3FilesVolumeConfiguration(EcsModel):
    """This parameter is specified when you're using an Amazon S3 Files file system for task storage."""
    fileSystemArn: str = Field(description='The full ARN of the S3 Files file system to mount.')
    rootDirectory: str | None = Field(default=None, description='The directory within the Amazon S3 Files file system to mount as the root directory.')
    transitEncryptionPort: int | None = Field(default=None, description='The port to use for sending encrypted data between the ECS host and the S3 Files file system.')
    accessPointArn: str | None = Field(default=None, description='The full ARN of the S3 Files access point to use.')


class FSxWindowsFileServerAuthorizationConfig(EcsModel):
    """The authorization configuration details for Amazon FSx for Windows File Server file system."""
    credentialsParameter: str = Field(description='The authorization credential option to use.')
    domain: str = Field(description='A fully qualified domain name hosted by an Directory Service Managed Microsoft AD (Active Directory) or self-hosted AD on Amazon EC2.')


class FSxWindowsFileServerVolumeConfiguration(EcsModel):
    """This parameter is specified when you're using Amazon FSx for Windows File Server file system for task storage."""
    fileSystemId: str = Field(description='The Amazon FSx for Windows File Server file system ID to use.')
    rootDirectory: str = Field(description='The directory within the Amazon FSx for Windows File Server file system to mount as the root directory inside the host.')
    authorizationConfig: FSxWindowsFileServerAuthorizationConfig = Field(description='The authorization configuration details for the Amazon FSx for Windows File Server file system.')


class Volume(EcsModel):
    """The data volume configuration for tasks launched using this task definition."""
    name: str | None = Field(default=None, description='The name of the volume.')
    host: HostVolumeProperties | None = Field(default=None, description='This parameter is specified when you use bind mount host volumes.')
    dockerVolumeConfiguration: DockerVolumeConfiguration | None = Field(default=None, description='This parameter is specified when you use Docker volumes.')
    efsVolumeConfiguration: EFSVolumeConfiguration | None = Field(default=None, description='This parameter is specified when you use an Amazon Elastic File System file system for task storage.')
    s3filesVolumeConfiguration: S3FilesVolumeConfiguration | None = Field(default=None, description='This parameter is specified when you use an Amazon S3 Files file system for task storage.')
    fsxWindowsFileServerVolumeConfiguration: FSxWindowsFileServerVolumeConfiguration | None = Field(default=None, description='This parameter is specified when you use Amazon FSx for Windows File Server file system for task storage.')
    configuredAtLaunch: bool | None = Field(default=None, description='Indicates whether the volume should be configured at launch time.')


class TaskDefinitionPlacementConstraint(EcsModel):
    """The constraint on task placement in the task definition."""
    type: Literal['memberOf'] | None = Field(default=None, description='The type of constraint.')
    expression: str | None = Field(default=None, description='A cluster query language expression to apply to the constraint.')


class Tag(EcsModel):
    """The metadata that you apply to a resource to help you categorize and organize them."""
    key: Annotated[str, Field(min_length=1, max_length=128)] | None = Field(default=None, description='One part of a key-value pair that make up a tag.')
    value: Annotated[str, Field(max_length=256)] | None = Field(default=None, description='The optional part of a key-value pair that make up a tag.')


class ProxyConfiguration(EcsModel):
    """The configuration details for the App Mesh proxy."""
    type: Literal['APPMESH'] | None = Field(default=None, description='The proxy type.')
    containerName: str = Field(description='The name of the container that will serve as the App Mesh proxy.')
    properties: list[KeyValuePair] | None = Field(default=None, description='The set of network configuration parameters to provide the Container Network Interface (CNI) plugin, specified as key-value pairs.')


class InferenceAccelerator(EcsModel):
    """Details on an Elastic Inference accelerator."""
    deviceName: str = Field(description='The Elastic Inference accelerator device name.')
    deviceType: str = Field(description='The Elastic Inference accelerator type to use.')


class EphemeralStorage(EcsModel):
    """The amount of ephemeral storage to allocate for the task."""
    sizeInGiB: int = Field(description='The total amount, in GiB, of ephemeral storage to set for the task.')


class RuntimePlatform(EcsModel):
    """Information about the platform for the Amazon ECS service or task."""
    cpuArchitecture: Literal['X86_64', 'ARM64'] | None = Field(default=None, description='The CPU architecture.')
    operatingSystemFamily: Literal['WINDOWS_SERVER_2019_FULL', 'WINDOWS_SERVER_2019_CORE', 'WINDOWS_SERVER_2016_FULL', 'WINDOWS_SERVER_2004_CORE', 'WINDOWS_SERVER_2022_CORE', 'WINDOWS_SERVER_2022_FULL', 'WINDOWS_SERVER_2025_CORE', 'WINDOWS_SERVER_2025_FULL', 'WINDOWS_SERVER_20H2_CORE', 'LINUX'] | None = Field(default=None, description='The operating system.')


class TrustedExecutionConfiguration(EcsModel):
    """The trusted execution configuration for a task."""
    isolationMode: Literal['SHARED', 'ISOLATED_SANDBOX', 'CONFIDENTIAL_SANDBOX'] = Field(description='The isolation mode for tasks that use this task definition.')
    attestationPolicy: str | None = Field(default=None, description='The base64-encoded attestation policy envelope for the task.')


class RegisterTaskDefinitionRequest(EcsModel):
    """RegisterTaskDefinitionRequest"""
    family: str = Field(description='You must specify a family for a task definition.')
    taskRoleArn: str | None = Field(default=None, description='The short name or full Amazon Resource Name (ARN) of the IAM role that containers in this task can assume.')
    executionRoleArn: str | None = Field(default=None, description='The Amazon Resource Name (ARN) of the task execution role that grants the Amazon ECS container agent permission to make Amazon Web Services API calls on your behalf.')
    networkMode: Literal['bridge', 'host', 'awsvpc', 'none'] | None = Field(default=None, description='The Docker networking mode to use for the containers in the task.')
    containerDefinitions: list[ContainerDefinition] = Field(description='A list of container definitions in JSON format that describe the different containers that make up your task.')
    volumes: list[Volume] | None = Field(default=None, description='A list of volume definitions in JSON format that containers in your task might use.')
    placementConstraints: list[TaskDefinitionPlacementConstraint] | None = Field(default=None, description='An array of placement constraint objects to use for the task.')
    requiresCompatibilities: list[Literal['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES']] | None = Field(default=None, description='The task launch type that Amazon ECS validates the task definition against.')
    cpu: str | None = Field(default=None, description='The number of CPU units used by the task.')
    memory: str | None = Field(default=None, description='The amount of memory (in MiB) used by the task.')
    tags: Annotated[list[Tag], Field(max_length=50)] | None = Field(default=None, description='The metadata that you apply to the task definition to help you categorize and organize them.')
    pidMode: Literal['host', 'task'] | None = Field(default=None, description='The process namespace to use for the containers in the task.')
    ipcMode: Literal['host', 'task', 'none'] | None = Field(default=None, description='The IPC resource namespace to use for the containers in the task.')
    proxyConfiguration: ProxyConfiguration | None = Field(default=None, description='The configuration details for the App Mesh proxy.')
    inferenceAccelerators: list[InferenceAccelerator] | None = Field(default=None, description='Deprecated in ECS. The Elastic Inference accelerators to use for the containers in the task.')
    ephemeralStorage: EphemeralStorage | None = Field(default=None, description='The amount of ephemeral storage to allocate for the task.')
    runtimePlatform: RuntimePlatform | None = Field(default=None, description='The operating system that your tasks definitions run on.')
    enableFaultInjection: bool | None = Field(default=None, description="Enables fault injection when you register your task definition and allows for fault injection requests to be accepted from the task's containers.")
    trustedExecutionConfiguration: TrustedExecutionConfiguration | None = Field(default=None, description='The trusted execution configuration for tasks that use this task definition, including the isolation mode and, if configured, an attestation policy.')


class AdvancedConfiguration(EcsModel):
    """The advanced settings for a load balancer used in blue/green deployments."""
    alternateTargetGroupArn: str | None = Field(default=None, description='The Amazon Resource Name (ARN) of the alternate target group for Amazon ECS blue/green deployments.')
    productionListenerRule: str | None = Field(default=None, description='The Amazon Resource Name (ARN) that that identifies the production listener rule (in the case of an Application Load Balancer) or listener (in the case for an Network Load Balancer) for routing production traffic.')
    testListenerRule: str | None = Field(default=None, description='The Amazon Resource Name (ARN) that identifies ) that identifies the test listener rule (in the case of an Application Load Balancer) or listener (in the case for an Network Load Balancer) for routing test traffic.')
    roleArn: str | None = Field(default=None, description='The Amazon Resource Name (ARN) of the IAM role that grants Amazon ECS permission to call the Elastic Load Balancing APIs for you.')


class LoadBalancer(EcsModel):
    """The load balancer configuration to use with a service or task set."""
    targetGroupArn: str | None = Field(default=None, description='The full Amazon Resource Name (ARN) of the Elastic Load Balancing target group or groups associated with a service or task set.')
    loadBalancerName: str | None = Field(default=None, description='The name of the load balancer to associate with the Amazon ECS service or task set.')
    containerName: str | None = Field(default=None, description='The name of the container (as it appears in a container definition) to associate with the load balancer.')
    containerPort: int | None = Field(default=None, description='The port on the container to associate with the load balancer.')
    advancedConfiguration: AdvancedConfiguration | None = Field(default=None, description='The advanced settings for the load balancer used in blue/green deployments.')


class ServiceRegistry(EcsModel):
    """The details for the service registry."""
    registryArn: str | None = Field(default=None, description='The Amazon Resource Name (ARN) of the service registry.')
    port: int | None = Field(default=None, description='The port value used if your service discovery service specified an SRV record.')
    containerName: str | None = Field(default=None, description='The container name value to be used for your service discovery service.')
    containerPort: int | None = Field(default=None, description='The port value to be used for your service discovery service.')


class CapacityProviderStrategyItem(EcsModel):
    """The details of a capacity provider strategy."""
    capacityProvider: str = Field(description='The short name of the capacity provider.')
    weight: Annotated[int, Field(le=1000)] | None = Field(default=None, description='The weight value designates the relative percentage of the total number of tasks launched that should use the specified capacity provider.')
    base: Annotated[int, Field(le=100000)] | None = Field(default=None, description='The base value designates how many tasks, at a minimum, to run on the specified capacity provider for each service.')


class ThresholdConfiguration(EcsModel):
    """Defines the failure threshold that the deployment circuit breaker uses to monitor a deployment."""
    type: Literal['COUNT', 'BOUNDED_PERCENT', 'UNBOUNDED_PERCENT'] = Field(description='Determines how Amazon ECS uses value to calculate the failure threshold.')
    value: int = Field(description='Specifies the integer that Amazon ECS uses to calculate the failure threshold.')


class DeploymentCircuitBreaker(EcsModel):
    """The deployment circuit breaker can only be used for services using the rolling update (ECS) deployment type."""
    enable: bool = Field(description='Determines whether to use the deployment circuit breaker logic for the service.')
    rollback: bool = Field(description='Determines whether to configure Amazon ECS to roll back the service if a service deployment fails.')
    resetOnHealthyTask: bool | None = Field(default=None, description='Specifies whether the deployment circuit breaker resets its failure count when a task reaches a healthy state.')
    thresholdConfiguration: ThresholdConfiguration | None = Field(default=None, description='The threshold configuration that controls when the deployment circuit breaker triggers.')


class DeploymentAlarms(EcsModel):
    """One of the methods which provide a way for you to quickly identify when a deployment has failed, and then to optionally roll back the failure to the last working deployment."""
    alarmNames: list[str] = Field(description='One or more CloudWatch alarm names.')
    rollback: bool = Field(description='Determines whether to configure Amazon ECS to roll back the service if a service deployment fails.')
    enable: bool = Field(description='Determines whether to use the CloudWatch alarm option in the service deployment process.')


class DeploymentLifecycleHookTimeoutConfiguration(EcsModel):
    """The timeout configuration for a deployment lifecycle hook."""
    timeoutInMinutes: Annotated[int, Field(ge=1, le=20160)] | None = Field(default=None, description='The number of minutes Amazon ECS waits for the lifecycle hook to complete before taking the timeout action.')
    action: Literal['ROLLBACK', 'CONTINUE'] | None = Field(default=None, description='The action Amazon ECS takes when the lifecycle hook times out.')


class DeploymentLifecycleHook(EcsModel):
    """A deployment lifecycle hook runs custom logic or pauses the deployment at specific stages of the deployment process."""
    targetType: Literal['AWS_LAMBDA', 'PAUSE'] | None = Field(default=None, description='The type of action the lifecycle hook performs.')
    hookTargetArn: str | None = Field(default=None, description='The Amazon Resource Name (ARN) of the hook target.')
    roleArn: str | None = Field(default=None, description='The Amazon Resource Name (ARN) of the IAM role that grants Amazon ECS permission to call Lambda functions on your behalf.')
    lifecycleStages: list[Literal['RECONCILE_SERVICE', 'PRE_SCALE_UP', 'POST_SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT']] | None = Field(default=None, description='The lifecycle stages at which to run the hook.')
    hookDetails: JsonObject | None = Field(default=None, description='Use this field to specify custom parameters that Amazon ECS passes to your Lambda function on each invocation.')
    timeoutConfiguration: DeploymentLifecycleHookTimeoutConfiguration | None = Field(default=None, description='The timeout configuration for the lifecycle hook.')


class LinearConfiguration(EcsModel):
    """Configuration for linear deployment strategy that shifts production traffic in equal percentage increments with configurable wait times between each step until 100% of traffic is shifted to the new service revision."""
    stepPercent: float | None = Field(default=None, description='The percentage of production traffic to shift in each step during a linear deployment.')
    stepBakeTimeInMinutes: int | None = Field(default=None, description='The amount of time in minutes to wait between each traffic shifting step during a linear deployment.')


class CanaryConfiguration(EcsModel):
    """Configuration for a canary deployment strategy that shifts a fixed percentage of traffic to the new service revision, waits for a specified bake time, then shifts the remaining traffic."""
    canaryPercent: float | None = Field(default=None, description='The percentage of production traffic to shift to the new service revision during the canary phase.')
    canaryBakeTimeInMinutes: int | None = Field(default=None, description='The amount of time in minutes to wait during the canary phase before shifting the remaining production traffic to the new service revision.')


class DeploymentEarlySuccessCriteria(EcsModel):
    """You can use early success criteria only with rolling deployment strategy."""
    enable: bool = Field(description='Specifies whether to use the early success criteria for the service deployment.')
    healthyPercent: Annotated[int, Field(le=100)] | None = Field(default=None, description='The percentage of healthy tasks that the target service revision must reach before Amazon ECS considers the deployment successful.')
    sourceServiceRevisionCleanup: Literal['BLOCKING', 'DEFERRED'] | None = Field(default=None, description="The time when Amazon ECS removes the source revisions' tasks relative to deployment completion.")


class DeploymentConfiguration(EcsModel):
    """Optional deployment parameters that control how many tasks run during a deployment and the ordering of stopping and starting tasks."""
    deploymentCircuitBreaker: DeploymentCircuitBreaker | None = Field(default=None, description='The deployment circuit breaker can only be used for services using the rolling update (ECS) deployment type.')
    maximumPercent: int | None = Field(default=None, description="If a service is using the rolling update (ECS) deployment type, the maximumPercent parameter represents an upper limit on the number of your service's tasks that are allowed in the RUNNING or PENDING state during a deployment, as a percentage of the desiredCount (rounded down to the nearest integ...")
    minimumHealthyPercent: int | None = Field(default=None, description="If a service is using the rolling update (ECS) deployment type, the minimumHealthyPercent represents a lower limit on the number of your service's tasks that must remain in the RUNNING state during a deployment, as a percentage of the desiredCount (rounded up to the nearest integer).")
    alarms: DeploymentAlarms | None = Field(default=None, description='Information about the CloudWatch alarms.')
    strategy: Literal['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'] | None = Field(default=None, description='The deployment strategy for the service.')
    bakeTimeInMinutes: int | None = Field(default=None, description='The time period when both blue and green service revisions are running simultaneously after the production traffic has shifted.')
    lifecycleHooks: list[DeploymentLifecycleHook] | None = Field(default=None, description='An array of deployment lifecycle hook objects to run custom logic or pause the deployment at specific stages of the deployment lifecycle.')
    linearConfiguration: LinearConfiguration | None = Field(default=None, description='Configuration for linear deployment strategy.')
    canaryConfiguration: CanaryConfiguration | None = Field(default=None, description='Configuration for canary deployment strategy.')
    earlySuccessCriteria: DeploymentEarlySuccessCriteria | None = Field(default=None, description='The early success criteria configuration for a rolling deployment.')


class PlacementConstraint(EcsModel):
    """An object representing a constraint on task placement."""
    type: Literal['distinctInstance', 'memberOf'] | None = Field(default=None, description='The type of constraint.')
    expression: str | None = Field(default=None, description='A cluster query language expression to apply to the constraint.')


class PlacementStrategy(EcsModel):
    """The task placement strategy for a task or service."""
    type: Literal['random', 'spread', 'binpack'] | None = Field(default=None, description='The type of placement strategy.')
    field: str | None = Field(default=None, description='The field to apply the placement strategy against.')


class AwsVpcConfiguration(EcsModel):
    """An object representing the networking details for a task or service."""
    subnets: list[str] = Field(description='The IDs of the subnets associated with the task or service.')
    securityGroups: list[str] | None = Field(default=None, description='The IDs of the security groups associated with the task or service.')
    assignPublicIp: Literal['ENABLED', 'DISABLED'] | None = Field(default=None, description="Whether the task's elastic network interface receives a public IP address.")


class NetworkConfiguration(EcsModel):
    """The network configuration for a task or service."""
    awsvpcConfiguration: AwsVpcConfiguration | None = Field(default=None, description='The VPC subnets and security groups that are associated with a task.')


class DeploymentController(EcsModel):
    """The deployment controller to use for the service."""
    type: Literal['ECS', 'CODE_DEPLOY', 'EXTERNAL'] = Field(description='The deployment controller type to use.')


class ServiceConnectTestTrafficHeaderMatchRules(EcsModel):
    """The header matching rules for test traffic routing in Amazon ECS blue/green deployments."""
    exact: str = Field(description='The exact value that the HTTP header must match for the test traffic routing rule to apply.')


class ServiceConnectTestTrafficHeaderRules(EcsModel):
    """The HTTP header rules used to identify and route test traffic during Amazon ECS blue/green deployments."""
    name: str = Field(description='The name of the HTTP header to examine for test traffic routing.')
    value: ServiceConnectTestTrafficHeaderMatchRules | None = Field(default=None, description='The header value matching configuration that determines how the HTTP header value is evaluated for test traffic routing decisions.')


class ServiceConnectTestTrafficRules(EcsModel):
    """The test traffic routing configuration for Amazon ECS blue/green deployments."""
    header: ServiceConnectTestTrafficHeaderRules = Field(description='The HTTP header-based routing rules that determine which requests should be routed to the new service version during blue/green deployment testing.')


class ServiceConnectClientAlias(EcsModel):
    """Each alias ("endpoint") is a fully-qualified name and port number that other tasks ("clients") can use to connect to this service."""
    port: Annotated[int, Field(le=65535)] = Field(description='The listening port number for the Service Connect proxy.')
    dnsName: str | None = Field(default=None, description='The dnsName is the name that you use in the applications of client tasks to connect to this service.')
    testTrafficRules: ServiceConnectTestTrafficRules | None = Field(default=None, description='The configuration for test traffic routing rules used during blue/green deployments with Amazon ECS Service Connect.')


class TimeoutConfiguration(EcsModel):
    """An object that represents the timeout configurations for Service Connect."""
    idleTimeoutSeconds: int | None = Field(default=None, description='The amount of time in seconds a connection will stay active while idle.')
    perRequestTimeoutSeconds: int | None = Field(default=None, description='The amount of time waiting for the upstream to respond with a complete response per request.')


class ServiceConnectTlsCertificateAuthority(EcsModel):
    """The certificate root authority that secures your service."""
    awsPcaAuthorityArn: str | None = Field(default=None, description='The ARN of the Amazon Web Services Private Certificate Authority certificate.')


class ServiceConnectTlsConfiguration(EcsModel):
    """The key that encrypts and decrypts your resources for Service Connect TLS."""
    issuerCertificateAuthority: ServiceConnectTlsCertificateAuthority = Field(description='The signer certificate authority.')
    kmsKey: str | None = Field(default=None, description='The Amazon Web Services Key Management Service key.')
    roleArn: str | None = Field(default=None, description="The Amazon Resource Name (ARN) of the IAM role that's associated with the Service Connect TLS.")


class ServiceConnectService(EcsModel):
    """The Service Connect service object configuration."""
    portName: str = Field(description='The portName must match the name of one of the portMappings from all the containers in the task definition of this Amazon ECS service.')
    discoveryName: str | None = Field(default=None, description='The discoveryName is the name of the new Cloud Map service that Amazon ECS creates for this Amazon ECS service.')
    clientAliases: list[ServiceConnectClientAlias] | None = Field(default=None, description='The list of client aliases for this Service Connect service.')
    ingressPortOverride: Annotated[int, Field(le=65535)] | None = Field(default=None, description='The port number for the Service Connect proxy to listen on.')
    timeout: TimeoutConfiguration | None = Field(default=None, description='A reference to an object that represents the configured timeouts for Service Connect.')
    tls: ServiceConnectTlsConfiguration | None = Field(default=None, description='A reference to an object that represents a Transport Layer Security (TLS) configuration.')


class ServiceConnectAccessLogConfiguration(EcsModel):
    """Configuration for Service Connect access logging."""
    format: Literal['TEXT', 'JSON'] = Field(description='The format for Service Connect access log output.')
    includeQueryParameters: Literal['DISABLED', 'ENABLED'] | None = Field(default=None, description='Specifies whether to include query parameters in Service Connect access logs.')


class ServiceConnectContainerConfiguration(EcsModel):
    """Contains a configuration setting for the Service Connect proxy container, such as the log level."""
    logLevel: Literal['debug', 'info'] | None = Field(default=None, description='The log level of the Service Connect proxy container.')


class ServiceConnectConfiguration(EcsModel):
    """The Service Connect configuration of your Amazon ECS service."""
    enabled: bool = Field(description='Specifies whether to use Service Connect with this service.')
    namespace: str | None = Field(default=None, description='The namespace name or full Amazon Resource Name (ARN) of the Cloud Map namespace for use with Service Connect.')
    services: list[ServiceConnectService] | None = Field(default=None, description='The list of Service Connect service objects.')
    logConfiguration: LogConfiguration | None = Field(default=None)
    accessLogConfiguration: ServiceConnectAccessLogConfiguration | None = Field(default=None, description='The configuration for Service Connect access logging.')
    containerConfigurations: Annotated[list[ServiceConnectContainerConfiguration], Field(max_length=10)] | None = Field(default=None, description='The settings for the Service Connect proxy container that Amazon ECS adds to each task in this service.')


class EBSTagSpecification(EcsModel):
    """The tag specifications of an Amazon EBS volume."""
    resourceType: Literal['volume'] = Field(description='The type of volume resource.')
    tags: Annotated[list[Tag], Field(max_length=50)] | None = Field(default=None, description='The tags applied to this Amazon EBS volume.')
    propagateTags: Literal['TASK_DEFINITION', 'SERVICE', 'NONE'] | None = Field(default=None, description='Determines whether to propagate the tags from the task definition to the Amazon EBS volume.')


class ServiceManagedEBSVolumeConfiguration(EcsModel):
    """The configuration for the Amazon EBS volume that Amazon ECS creates and manages on your behalf."""
    encrypted: bool | None = Field(default=None, description='Indicates whether the volume should be encrypted.')
    kmsKeyId: str | None = Field(default=None, description='The Amazon Resource Name (ARN) identifier of the Amazon Web Services Key Management Service key to use for Amazon EBS encryption.')
    volumeType: str | None = Field(default=None, description='The volume type.')
    sizeInGiB: int | None = Field(default=None, description='The size of the volume in GiB.')
    snapshotId: str | None = Field(default=None, description='The snapshot that Amazon ECS uses to create volumes for attachment to tasks maintained by the service.')
    volumeInitializationRate: int | None = Field(default=None, description='The rate, in MiB/s, at which data is fetched from a snapshot of an existing EBS volume to create new volumes for attachment to the tasks maintained by the service.')
    iops: int | None = Field(default=None, description='The number of I/O operations per second (IOPS).')
    throughput: int | None = Field(default=None, description='The throughput to provision for a volume, in MiB/s, with a maximum of 1,000 MiB/s.')
    tagSpecifications: list[EBSTagSpecification] | None = Field(default=None, description='The tags to apply to the volume.')
    roleArn: str = Field(description='The ARN of the IAM role to associate with this volume.')
    filesystemType: Literal['ext3', 'ext4', 'xfs', 'ntfs'] | None = Field(default=None, description='The filesystem type for the volume.')


class ServiceVolumeConfiguration(EcsModel):
    """The configuration for a volume specified in the task definition as a volume that is configured at launch time."""
    name: str = Field(description='The name of the volume.')
    managedEBSVolume: ServiceManagedEBSVolumeConfiguration | None = Field(default=None, description='The configuration for the Amazon EBS volume that Amazon ECS creates and manages on your behalf.')


class VpcLatticeAdvancedConfiguration(EcsModel):
    """The advanced settings for VPC Lattice used in blue/green deployments."""
    alternateTargetGroupArn: str | None = Field(default=None, description='The Amazon Resource Name (ARN) of the alternate target group associated with the VPC Lattice Configuration for Amazon ECS blue/green deployments.')
    productionListenerRule: str | None = Field(default=None, description='The Amazon Resource Name (ARN) that identifies the production listener rule or listener for routing production traffic.')
    testListenerRule: str | None = Field(default=None, description='The Amazon Resource Name (ARN) that identifies the test listener rule or listener for routing test traffic.')


class VpcLatticeConfiguration(EcsModel):
    """The VPC Lattice configuration for your service that holds the information for the target group(s) Amazon ECS tasks will be registered to."""
    roleArn: str = Field(description='The ARN of the IAM role to associate with this VPC Lattice configuration.')
    targetGroupArn: str = Field(description='The full Amazon Resource Name (ARN) of the target group or groups associated with the VPC Lattice configuration that the Amazon ECS tasks will be registered to.')
    portName: str = Field(description='The name of the port mapping to register in the VPC Lattice target group.')
    advancedConfiguration: VpcLatticeAdvancedConfiguration | None = Field(default=None)


class GatewayConnectorHealthCheckMatcher(EcsModel):
    """The codes that indicate a successful health check response from a target."""
    httpCode: str | None = Field(default=None, description='The HTTP codes that indicate a successful response from a target.')
    grpcCode: str | None = Field(default=None, description='The gRPC codes that indicate a successful response from a target.')


class GatewayConnectorHealthCheck(EcsModel):
    """The health check configuration that a gateway uses to evaluate the targets associated with a gateway connector."""
    healthCheckProtocol: Literal['HTTP', 'HTTPS'] | None = Field(default=None, description='The protocol that the gateway uses to perform health checks.')
    healthCheckPort: int | None = Field(default=None, description='The port that the gateway uses to perform health checks on the targets.')
    healthCheckPath: str | None = Field(default=None, description='The destination path for health check requests.')
    healthCheckTimeoutSeconds: int | None = Field(default=None, description='The amount of time, in seconds, during which no response from a target means a failed health check.')
    healthCheckIntervalSeconds: int | None = Field(default=None, description='The approximate amount of time, in seconds, between health checks of an individual target.')
    healthyThresholdCount: int | None = Field(default=None, description='The number of consecutive successful health checks that a target must pass before the gateway considers it healthy.')
    unhealthyThresholdCount: int | None = Field(default=None, description='The number of consecutive failed health checks that a target must fail before the gateway considers it unhealthy.')
    matcher: GatewayConnectorHealthCheckMatcher | None = Field(default=None, description='The HTTP or gRPC codes that indicate a successful health check response from a target.')


class GatewayConnectorFilters(EcsModel):
    """The filters that determine which gateway ingress paths a connector applies to."""
    accessTypes: Annotated[list[Literal['PUBLIC', 'PRIVATE']], Field(max_length=2)] | None = Field(default=None, description='The access types of the gateway ingress paths that the connector applies to.')


class GatewayConnectorDeregistrationDelay(EcsModel):
    """The amount of time to allow in-flight requests to complete before a deregistering target is removed."""
    timeoutSeconds: Annotated[int, Field(le=3600)] | None = Field(default=None, description='The amount of time, in seconds, to wait before a deregistering target is removed.')


class GatewayConnector(EcsModel):
    """A gateway connector that attaches an Amazon ECS service to a gateway ingress path."""
    portName: str = Field(description='The name of the service port that the gateway routes ingress traffic to.')
    healthCheck: GatewayConnectorHealthCheck | None = Field(default=None, description='The health check that the gateway uses to determine whether the targets for this connector are healthy.')
    filters: GatewayConnectorFilters | None = Field(default=None, description='The filters that control which gateway ingress paths the connector applies to.')
    deregistrationDelay: GatewayConnectorDeregistrationDelay | None = Field(default=None, description='The deregistration delay settings for the targets of this connector.')


class MetricConfiguration(EcsModel):
    """The configuration for a specific set of metrics to collect for a service."""
    metricNames: Annotated[list[Annotated[str, Field(min_length=1, max_length=255)]], Field(min_length=1, max_length=5)] = Field(description='The list of metric names to configure.')
    resolutionSeconds: Annotated[int, Field(ge=20, le=60)] = Field(description='The resolution, in seconds, at which to collect the metrics.')


class MonitoringConfiguration(EcsModel):
    """The optional monitoring configuration for a service, which defines the resolution for the service-level CPUUtilization and MemoryUtilization Amazon CloudWatch metrics."""
    metricConfigurations: Annotated[list[MetricConfiguration], Field(max_length=5)] | None = Field(default=None, description='The list of metric configurations for the service monitoring.')


class CreateServiceRequest(EcsModel):
    """CreateServiceRequest"""
    cluster: str | None = Field(default=None, description='The short name or full Amazon Resource Name (ARN) of the cluster that you run your service on.')
    serviceName: str = Field(description='The name of your service.')
    taskDefinition: str | None = Field(default=None, description='The family and revision (family:revision) or full ARN of the task definition to run in your service.')
    availabilityZoneRebalancing: Literal['ENABLED', 'DISABLED'] | None = Field(default=None, description='Indicates whether to use Availability Zone rebalancing for the service.')
    loadBalancers: list[LoadBalancer] | None = Field(default=None, description='A load balancer object representing the load balancers to use with your service.')
    serviceRegistries: list[ServiceRegistry] | None = Field(default=None, description='The details of the service discovery registry to associate with this service.')
    desiredCount: int | None = Field(default=None, description='The number of instantiations of the specified task definition to place and keep running in your service.')
    clientToken: str | None = Field(default=None, description='An identifier that you provide to ensure the idempotency of the request.')
    launchType: Literal['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] | None = Field(default=None, description='The infrastructure that you run your service on.')
    capacityProviderStrategy: list[CapacityProviderStrategyItem] | None = Field(default=None, description='The capacity provider strategy to use for the service.')
    platformVersion: str | None = Field(default=None, description='The platform version that your tasks in the service are running on.')
    role: str | None = Field(default=None, description='The name or full Amazon Resource Name (ARN) of the IAM role that allows Amazon ECS to make calls to your load balancer on your behalf.')
    deploymentConfiguration: DeploymentConfiguration | None = Field(default=None, description='Optional deployment parameters that control how many tasks run during the deployment and the ordering of stopping and starting tasks.')
    placementConstraints: list[PlacementConstraint] | None = Field(default=None, description='An array of placement constraint objects to use for tasks in your service.')
    placementStrategy: list[PlacementStrategy] | None = Field(default=None, description='The placement strategy objects to use for tasks in your service.')
    networkConfiguration: NetworkConfiguration | None = Field(default=None, description='The network configuration for the service.')
    healthCheckGracePeriodSeconds: int | None = Field(default=None, description='The period of time, in seconds, that the Amazon ECS service scheduler ignores unhealthy Elastic Load Balancing, VPC Lattice, and container health checks after a task has first started.')
    schedulingStrategy: Literal['REPLICA', 'DAEMON'] | None = Field(default=None, description='The scheduling strategy to use for the service.')
    deploymentController: DeploymentController | None = Field(default=None, description='The deployment controller to use for the service.')
    tags: Annotated[list[Tag], Field(max_length=50)] | None = Field(default=None, description='The metadata that you apply to the service to help you categorize and organize them.')
    enableECSManagedTags: bool | None = Field(default=None, description='Specifies whether to turn on Amazon ECS managed tags for the tasks within the service.')
    propagateTags: Literal['TASK_DEFINITION', 'SERVICE', 'NONE'] | None = Field(default=None, description='Specifies whether to propagate the tags from the task definition to the task.')
    enableExecuteCommand: bool | None = Field(default=None, description='Determines whether the execute command functionality is turned on for the service.')
    serviceConnectConfiguration: ServiceConnectConfiguration | None = Field(default=None, description='The configuration for this service to discover and connect to services, and be discovered by, and connected from, other services within a namespace.')
    volumeConfigurations: list[ServiceVolumeConfiguration] | None = Field(default=None, description='The configuration for a volume specified in the task definition as a volume that is configured at launch time.')
    vpcLatticeConfigurations: list[VpcLatticeConfiguration] | None = Field(default=None, description='The VPC Lattice configuration for the service being created.')
    gatewayConnectors: Annotated[list[GatewayConnector], Field(max_length=1)] | None = Field(default=None, description='The gateway connectors that attach the service to a gateway ingress path.')
    monitoring: MonitoringConfiguration | None = Field(default=None, description='The optional monitoring configuration for the service, which defines the resolution for the service-level CPUUtilization and MemoryUtilization Amazon CloudWatch metrics.')


class ContainerOverride(EcsModel):
    """The overrides that are sent to a container."""
    name: str | None = Field(default=None, description='The name of the container that receives the override.')
    command: list[str] | None = Field(default=None, description='The command to send to the container that overrides the default command from the Docker image or the task definition.')
    environment: list[KeyValuePair] | None = Field(default=None, description='The environment variables to send to the container.')
    environmentFiles: list[EnvironmentFile] | None = Field(default=None, description='A list of files containing the environment variables to pass to a container, instead of the value from the container definition.')
    cpu: int | None = Field(default=None, description='The number of cpu units reserved for the container, instead of the default value from the task definition.')
    memory: int | None = Field(default=None, description='The hard limit (in MiB) of memory to present to the container, instead of the default value from the task definition.')
    memoryReservation: int | None = Field(default=None, description='The soft limit (in MiB) of memory to reserve for the container, instead of the default value from the task definition.')
    resourceRequirements: list[ResourceRequirement] | None = Field(default=None, description='The type and amount of a resource to assign to a container, instead of the default value from the task definition.')


class InferenceAcceleratorOverride(EcsModel):
    """Details on an Elastic Inference accelerator task override."""
    deviceName: str | None = Field(default=None, description='The Elastic Inference accelerator device name to override for the task.')
    deviceType: str | None = Field(default=None, description='The Elastic Inference accelerator type to use.')


class TaskOverride(EcsModel):
    """The overrides that are associated with a task."""
    containerOverrides: list[ContainerOverride] | None = Field(default=None, description='One or more container overrides that are sent to a task.')
    cpu: str | None = Field(default=None, description='The CPU override for the task.')
    inferenceAcceleratorOverrides: list[InferenceAcceleratorOverride] | None = Field(default=None, description='Deprecated in ECS. The Elastic Inference accelerator override for the task.')
    executionRoleArn: str | None = Field(default=None, description='The Amazon Resource Name (ARN) of the task execution role override for the task.')
    memory: str | None = Field(default=None, description='The memory override for the task.')
    taskRoleArn: str | None = Field(default=None, description='The Amazon Resource Name (ARN) of the role that containers in this task can assume.')
    ephemeralStorage: EphemeralStorage | None = Field(default=None, description='The ephemeral storage setting override for the task.')


class TaskManagedEBSVolumeTerminationPolicy(EcsModel):
    """The termination policy for the Amazon EBS volume when the task exits."""
    deleteOnTermination: bool = Field(description='Indicates whether the volume should be deleted on when the task stops.')


class TaskManagedEBSVolumeConfiguration(EcsModel):
    """The configuration for the Amazon EBS volume that Amazon ECS creates and manages on your behalf."""
    encrypted: bool | None = Field(default=None, description='Indicates whether the volume should be encrypted.')
    kmsKeyId: str | None = Field(default=None, description='The Amazon Resource Name (ARN) identifier of the Amazon Web Services Key Management Service key to use for Amazon EBS encryption.')
    volumeType: str | None = Field(default=None, description='The volume type.')
    sizeInGiB: int | None = Field(default=None, description='The size of the volume in GiB.')
    snapshotId: str | None = Field(default=None, description='The snapshot that Amazon ECS uses to create the volume.')
    volumeInitializationRate: int | None = Field(default=None, description='The rate, in MiB/s, at which data is fetched from a snapshot of an existing Amazon EBS volume to create a new volume for attachment to the task.')
    iops: int | None = Field(default=None, description='The number of I/O operations per second (IOPS).')
    throughput: int | None = Field(default=None, description='The throughput to provision for a volume, in MiB/s, with a maximum of 1,000 MiB/s.')
    tagSpecifications: list[EBSTagSpecification] | None = Field(default=None, description='The tags to apply to the volume.')
    roleArn: str = Field(description='The ARN of the IAM role to associate with this volume.')
    terminationPolicy: TaskManagedEBSVolumeTerminationPolicy | None = Field(default=None, description='The termination policy for the volume when the task exits.')
    filesystemType: Literal['ext3', 'ext4', 'xfs', 'ntfs'] | None = Field(default=None, description='The Linux filesystem type for the volume.')


class TaskVolumeConfiguration(EcsModel):
    """Configuration settings for the task volume that was configuredAtLaunch that weren't set during RegisterTaskDef."""
    name: str = Field(description='The name of the volume.')
    managedEBSVolume: TaskManagedEBSVolumeConfiguration | None = Field(default=None, description='The configuration for the Amazon EBS volume that Amazon ECS creates and manages on your behalf.')


class RunTaskRequest(EcsModel):
    """RunTaskRequest"""
    capacityProviderStrategy: list[CapacityProviderStrategyItem] | None = Field(default=None, description='The capacity provider strategy to use for the task.')
    cluster: str | None = Field(default=None, description='The short name or full Amazon Resource Name (ARN) of the cluster to run your task on.')
    count: int | None = Field(default=None, description='The number of instantiations of the specified task to place on your cluster.')
    enableECSManagedTags: bool | None = Field(default=None, description='Specifies whether to use Amazon ECS managed tags for the task.')
    enableExecuteCommand: bool | None = Field(default=None, description='Determines whether to use the execute command functionality for the containers in this task.')
    group: str | None = Field(default=None, description='The name of the task group to associate with the task.')
    launchType: Literal['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] | None = Field(default=None, description='The infrastructure to run your standalone task on.')
    networkConfiguration: NetworkConfiguration | None = Field(default=None, description='The network configuration for the task.')
    overrides: TaskOverride | None = Field(default=None, description='A list of container overrides in JSON format that specify the name of a container in the specified task definition and the overrides it should receive.')
    placementConstraints: list[PlacementConstraint] | None = Field(default=None, description='An array of placement constraint objects to use for the task.')
    placementStrategy: list[PlacementStrategy] | None = Field(default=None, description='The placement strategy objects to use for the task.')
    platformVersion: str | None = Field(default=None, description='The platform version the task uses.')
    propagateTags: Literal['TASK_DEFINITION', 'SERVICE', 'NONE'] | None = Field(default=None, description='Specifies whether to propagate the tags from the task definition to the task.')
    referenceId: str | None = Field(default=None, description='This parameter is only used by Amazon ECS.')
    startedBy: str | None = Field(default=None, description='An optional tag specified when a task is started.')
    tags: Annotated[list[Tag], Field(max_length=50)] | None = Field(default=None, description='The metadata that you apply to the task to help you categorize and organize them.')
    taskDefinition: str = Field(description='The family and revision (family:revision) or full ARN of the task definition to run.')
    clientToken: str | None = Field(default=None, description='An identifier that you provide to ensure the idempotency of the request.')
    volumeConfigurations: list[TaskVolumeConfiguration] | None = Field(default=None, description='The details of the volume that was configuredAtLaunch.')


class ClusterSetting(EcsModel):
    """The settings to use when creating a cluster."""
    name: Literal['containerInsights'] | None = Field(default=None, description='The name of the cluster setting.')
    value: str | None = Field(default=None, description='The value to set for the cluster setting.')


class ExecuteCommandLogConfiguration(EcsModel):
    """The log configuration for the results of the execute command actions."""
    cloudWatchLogGroupName: str | None = Field(default=None, description='The name of the CloudWatch log group to send logs to.')
    cloudWatchEncryptionEnabled: bool | None = Field(default=None, description='Determines whether to use encryption on the CloudWatch logs.')
    s3BucketName: str | None = Field(default=None, description='The name of the S3 bucket to send logs to.')
    s3EncryptionEnabled: bool | None = Field(default=None, description='Determines whether to use encryption on the S3 logs.')
    s3KeyPrefix: str | None = Field(default=None, description='An optional folder in the S3 bucket to place logs in.')


class ExecuteCommandConfiguration(EcsModel):
    """The details of the execute command configuration."""
    kmsKeyId: str | None = Field(default=None, description='Specify an Key Management Service key ID to encrypt the data between the local client and the container.')
    logging: Literal['NONE', 'DEFAULT', 'OVERRIDE'] | None = Field(default=None, description='The log setting to use for redirecting logs for your execute command results.')
    logConfiguration: ExecuteCommandLogConfiguration | None = Field(default=None, description='The log configuration for the results of the execute command actions.')


class ManagedStorageConfiguration(EcsModel):
    """The managed storage configuration for the cluster."""
    kmsKeyId: str | None = Field(default=None, description='Specify a Key Management Service key ID to encrypt Amazon ECS managed storage.')
    fargateEphemeralStorageKmsKeyId: str | None = Field(default=None, description='Specify the Key Management Service key ID for Fargate ephemeral storage.')


class ClusterConfiguration(EcsModel):
    """The execute command and managed storage configuration for the cluster."""
    executeCommandConfiguration: ExecuteCommandConfiguration | None = Field(default=None, description='The details of the execute command configuration.')
    managedStorageConfiguration: ManagedStorageConfiguration | None = Field(default=None, description='The details of the managed storage configuration.')


class ClusterServiceConnectDefaultsRequest(EcsModel):
    """Use this parameter to set a default Service Connect namespace."""
    namespace: str = Field(description="The namespace name or full Amazon Resource Name (ARN) of the Cloud Map namespace that's used when you create a service and don't specify a Service Connect configuration.")


class CreateClusterRequest(EcsModel):
    """CreateClusterRequest"""
    clusterName: str | None = Field(default=None, description='The name of your cluster.')
    tags: Annotated[list[Tag], Field(max_length=50)] | None = Field(default=None, description='The metadata that you apply to the cluster to help you categorize and organize them.')
    settings: list[ClusterSetting] | None = Field(default=None, description='The setting to use when creating a cluster.')
    configuration: ClusterConfiguration | None = Field(default=None, description='The execute command configuration for the cluster.')
    capacityProviders: list[str] | None = Field(default=None, description='The short name of one or more capacity providers to associate with the cluster.')
    defaultCapacityProviderStrategy: list[CapacityProviderStrategyItem] | None = Field(default=None, description='The capacity provider strategy to set as the default for the cluster.')
    serviceConnectDefaults: ClusterServiceConnectDefaultsRequest | None = Field(default=None, description='Use this parameter to set a default Service Connect namespace.')
