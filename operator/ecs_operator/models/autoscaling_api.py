"""application-autoscaling API shapes, generated from botocore 1.44.5's application-autoscaling service model.

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


class SuspendedStateShape(EcsModel):
    """Specifies whether the scaling activities for a scalable target are in a suspended state."""
    DynamicScalingInSuspended: bool | None = Field(default=None, description='Whether scale in by a target tracking scaling policy or a step scaling policy is suspended.')
    DynamicScalingOutSuspended: bool | None = Field(default=None, description='Whether scale out by a target tracking scaling policy or a step scaling policy is suspended.')
    ScheduledScalingSuspended: bool | None = Field(default=None, description='Whether scheduled scaling is suspended.')


class RegisterScalableTargetRequest(EcsModel):
    """RegisterScalableTargetRequest"""
    ServiceNamespace: Literal['ecs', 'elasticmapreduce', 'ec2', 'appstream', 'dynamodb', 'rds', 'sagemaker', 'custom-resource', 'comprehend', 'lambda', 'cassandra', 'kafka', 'elasticache', 'neptune', 'workspaces'] = Field(description='The namespace of the Amazon Web Services service that provides the resource.')
    ResourceId: Annotated[str, Field(min_length=1, max_length=1600)] = Field(description='The identifier of the resource that is associated with the scalable target.')
    ScalableDimension: Literal['ecs:service:DesiredCount', 'ec2:spot-fleet-request:TargetCapacity', 'elasticmapreduce:instancegroup:InstanceCount', 'appstream:fleet:DesiredCapacity', 'dynamodb:table:ReadCapacityUnits', 'dynamodb:table:WriteCapacityUnits', 'dynamodb:index:ReadCapacityUnits', 'dynamodb:index:WriteCapacityUnits', 'rds:cluster:ReadReplicaCount', 'sagemaker:variant:DesiredInstanceCount', 'custom-resource:ResourceType:Property', 'comprehend:document-classifier-endpoint:DesiredInferenceUnits', 'comprehend:entity-recognizer-endpoint:DesiredInferenceUnits', 'lambda:function:ProvisionedConcurrency', 'cassandra:table:ReadCapacityUnits', 'cassandra:table:WriteCapacityUnits', 'kafka:broker-storage:VolumeSize', 'elasticache:cache-cluster:Nodes', 'elasticache:replication-group:NodeGroups', 'elasticache:replication-group:Replicas', 'neptune:cluster:ReadReplicaCount', 'sagemaker:variant:DesiredProvisionedConcurrency', 'sagemaker:inference-component:DesiredCopyCount', 'workspaces:workspacespool:DesiredUserSessions'] = Field(description='The scalable dimension associated with the scalable target.')
    MinCapacity: int | None = Field(default=None, description='The minimum value that you plan to scale in to.')
    MaxCapacity: int | None = Field(default=None, description='The maximum value that you plan to scale out to.')
    RoleARN: Annotated[str, Field(min_length=1, max_length=1600)] | None = Field(default=None, description='This parameter is required for services that do not support service-linked roles (such as Amazon EMR), and it must specify the ARN of an IAM role that allows Application Auto Scaling to modify the scalable target on your behalf.')
    SuspendedState: SuspendedStateShape | None = Field(default=None, description='An embedded object that contains attributes and attribute values that are used to suspend and resume automatic scaling.')
    Tags: dict[Annotated[str, Field(min_length=1, max_length=128)], Annotated[str, Field(max_length=256)]] | None = Field(default=None, description='Assigns one or more tags to the scalable target.')


class StepAdjustment(EcsModel):
    """Represents a step adjustment for a StepScalingPolicyConfiguration."""
    MetricIntervalLowerBound: float | None = Field(default=None, description='The lower bound for the difference between the alarm threshold and the CloudWatch metric.')
    MetricIntervalUpperBound: float | None = Field(default=None, description='The upper bound for the difference between the alarm threshold and the CloudWatch metric.')
    ScalingAdjustment: int = Field(description='The amount by which to scale, based on the specified adjustment type.')


class StepScalingPolicyConfigurationShape(EcsModel):
    """Represents a step scaling policy configuration to use with Application Auto Scaling."""
    AdjustmentType: Literal['ChangeInCapacity', 'PercentChangeInCapacity', 'ExactCapacity'] | None = Field(default=None, description='Specifies how the ScalingAdjustment value in a StepAdjustment is interpreted (for example, an absolute number or a percentage).')
    StepAdjustments: list[StepAdjustment] | None = Field(default=None, description='A set of adjustments that enable you to scale based on the size of the alarm breach.')
    MinAdjustmentMagnitude: int | None = Field(default=None, description='The minimum value to scale by when the adjustment type is PercentChangeInCapacity.')
    Cooldown: int | None = Field(default=None, description='The amount of time, in seconds, to wait for a previous scaling activity to take effect.')
    MetricAggregationType: Literal['Average', 'Minimum', 'Maximum'] | None = Field(default=None, description='The aggregation type for the CloudWatch metrics.')


class PredefinedMetricSpecificationShape(EcsModel):
    """Represents a predefined metric for a target tracking scaling policy to use with Application Auto Scaling."""
    PredefinedMetricType: Literal['DynamoDBReadCapacityUtilization', 'DynamoDBWriteCapacityUtilization', 'ALBRequestCountPerTarget', 'RDSReaderAverageCPUUtilization', 'RDSReaderAverageDatabaseConnections', 'EC2SpotFleetRequestAverageCPUUtilization', 'EC2SpotFleetRequestAverageNetworkIn', 'EC2SpotFleetRequestAverageNetworkOut', 'SageMakerVariantInvocationsPerInstance', 'ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization', 'AppStreamAverageCapacityUtilization', 'ComprehendInferenceUtilization', 'LambdaProvisionedConcurrencyUtilization', 'CassandraReadCapacityUtilization', 'CassandraWriteCapacityUtilization', 'KafkaBrokerStorageUtilization', 'ElastiCacheEngineCPUUtilization', 'ElastiCacheDatabaseMemoryUsagePercentage', 'ElastiCachePrimaryEngineCPUUtilization', 'ElastiCacheReplicaEngineCPUUtilization', 'ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage', 'NeptuneReaderAverageCPUUtilization', 'SageMakerVariantProvisionedConcurrencyUtilization', 'ElastiCacheDatabaseCapacityUsageCountedForEvictPercentage', 'SageMakerInferenceComponentInvocationsPerCopy', 'WorkSpacesAverageUserSessionsCapacityUtilization', 'SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution', 'SageMakerVariantConcurrentRequestsPerModelHighResolution', 'ECSServiceAverageCPUUtilizationHighResolution', 'ECSServiceAverageMemoryUtilizationHighResolution'] = Field(description='The metric type.')
    ResourceLabel: Annotated[str, Field(min_length=1, max_length=1023)] | None = Field(default=None, description='Identifies the resource associated with the metric type.')


class MetricDimension(EcsModel):
    """Describes the dimension names and values associated with a metric."""
    Name: str = Field(description='The name of the dimension.')
    Value: str = Field(description='The value of the dimension.')


class TargetTrackingMetricDimension(EcsModel):
    """Describes the dimension of a metric."""
    Name: Annotated[str, Field(min_length=1, max_length=255)] = Field(description='The name of the dimension.')
    Value: Annotated[str, Field(min_length=1, max_length=1024)] = Field(description='The value of the dimension.')


class TargetTrackingMetric(EcsModel):
    """Represents a specific metric."""
    Dimensions: list[TargetTrackingMetricDimension] | None = Field(default=None, description='The dimensions for the metric.')
    MetricName: Annotated[str, Field(min_length=1, max_length=255)] | None = Field(default=None, description='The name of the metric.')
    Namespace: Annotated[str, Field(min_length=1, max_length=255)] | None = Field(default=None, description='The namespace of the metric.')


class TargetTrackingMetricStat(EcsModel):
    """This structure defines the CloudWatch metric to return, along with the statistic and unit."""
    Metric: TargetTrackingMetric = Field(description='The CloudWatch metric to return, including the metric name, namespace, and dimensions.')
    Stat: str = Field(description='The statistic to return.')
    Unit: Annotated[str, Field(min_length=1, max_length=1023)] | None = Field(default=None, description='The unit to use for the returned data points.')


class TargetTrackingMetricDataQuery(EcsModel):
    """The metric data to return."""
    Expression: Annotated[str, Field(min_length=1, max_length=2048)] | None = Field(default=None, description='The math expression to perform on the returned data, if this object is performing a math expression.')
    Id: Annotated[str, Field(min_length=1, max_length=255)] = Field(description="A short name that identifies the object's results in the response.")
    Label: str | None = Field(default=None, description='A human-readable label for this metric or expression.')
    MetricStat: TargetTrackingMetricStat | None = Field(default=None, description='Information about the metric data to return.')
    ReturnData: bool | None = Field(default=None, description='Indicates whether to return the timestamps and raw data values of this metric.')


class CustomizedMetricSpecificationShape(EcsModel):
    """Represents a CloudWatch metric of your choosing for a target tracking scaling policy to use with Application Auto Scaling."""
    MetricName: str | None = Field(default=None, description='The name of the metric.')
    Namespace: str | None = Field(default=None, description='The namespace of the metric.')
    Dimensions: list[MetricDimension] | None = Field(default=None, description='The dimensions of the metric.')
    Statistic: Literal['Average', 'Minimum', 'Maximum', 'SampleCount', 'Sum'] | None = Field(default=None, description='The statistic of the metric.')
    Unit: str | None = Field(default=None, description='The unit of the metric.')
    Metrics: list[TargetTrackingMetricDataQuery] | None = Field(default=None, description='The metrics to include in the target tracking scaling policy, as a metric data query.')


class TargetTrackingScalingPolicyConfigurationShape(EcsModel):
    """Represents a target tracking scaling policy configuration to use with Application Auto Scaling."""
    TargetValue: float = Field(description='The target value for the metric.')
    PredefinedMetricSpecification: PredefinedMetricSpecificationShape | None = Field(default=None, description='A predefined metric.')
    CustomizedMetricSpecification: CustomizedMetricSpecificationShape | None = Field(default=None, description='A customized metric.')
    ScaleOutCooldown: int | None = Field(default=None, description='The amount of time, in seconds, to wait for a previous scale-out activity to take effect.')
    ScaleInCooldown: int | None = Field(default=None, description='The amount of time, in seconds, after a scale-in activity completes before another scale-in activity can start.')
    DisableScaleIn: bool | None = Field(default=None, description='Indicates whether scale in by the target tracking scaling policy is disabled.')


class PredictiveScalingPredefinedMetricPairSpecification(EcsModel):
    """Represents a metric pair for a predictive scaling policy."""
    PredefinedMetricType: Annotated[str, Field(min_length=1, max_length=128)] = Field(description='Indicates which metrics to use.')
    ResourceLabel: Annotated[str, Field(min_length=1, max_length=1023)] | None = Field(default=None, description='A label that uniquely identifies a specific target group from which to determine the total and average request count.')


class PredictiveScalingPredefinedScalingMetricSpecification(EcsModel):
    """Describes a scaling metric for a predictive scaling policy."""
    PredefinedMetricType: Annotated[str, Field(min_length=1, max_length=128)] = Field(description='The metric type.')
    ResourceLabel: Annotated[str, Field(min_length=1, max_length=1023)] | None = Field(default=None, description='A label that uniquely identifies a specific target group from which to determine the average request count.')


class PredictiveScalingPredefinedLoadMetricSpecification(EcsModel):
    """Describes a load metric for a predictive scaling policy."""
    PredefinedMetricType: Annotated[str, Field(min_length=1, max_length=128)] = Field(description='The metric type.')
    ResourceLabel: Annotated[str, Field(min_length=1, max_length=1023)] | None = Field(default=None, description='A label that uniquely identifies a target group.')


class PredictiveScalingMetricDimension(EcsModel):
    """Describes the dimension of a metric."""
    Name: Annotated[str, Field(min_length=1, max_length=255)] = Field(description='The name of the dimension.')
    Value: Annotated[str, Field(min_length=1, max_length=1024)] = Field(description='The value of the dimension.')


class PredictiveScalingMetric(EcsModel):
    """Describes the scaling metric."""
    Dimensions: list[PredictiveScalingMetricDimension] | None = Field(default=None, description='Describes the dimensions of the metric.')
    MetricName: Annotated[str, Field(min_length=1, max_length=255)] | None = Field(default=None, description='The name of the metric.')
    Namespace: Annotated[str, Field(min_length=1, max_length=255)] | None = Field(default=None, description='The namespace of the metric.')


class PredictiveScalingMetricStat(EcsModel):
    """This structure defines the CloudWatch metric to return, along with the statistic and unit."""
    Metric: PredictiveScalingMetric = Field(description='The CloudWatch metric to return, including the metric name, namespace, and dimensions.')
    Stat: str = Field(description='The statistic to return.')
    Unit: Annotated[str, Field(min_length=1, max_length=1023)] | None = Field(default=None, description='The unit to use for the returned data points.')


class PredictiveScalingMetricDataQuery(EcsModel):
    """The metric data to return."""
    Id: Annotated[str, Field(min_length=1, max_length=255)] = Field(description="A short name that identifies the object's results in the response.")
    Expression: Annotated[str, Field(min_length=1, max_length=2048)] | None = Field(default=None, description='The math expression to perform on the returned data, if this object is performing a math expression.')
    MetricStat: PredictiveScalingMetricStat | None = Field(default=None, description='Information about the metric data to return.')
    Label: str | None = Field(default=None, description='A human-readable label for this metric or expression.')
    ReturnData: bool | None = Field(default=None, description='Indicates whether to return the timestamps and raw data values of this metric.')


class PredictiveScalingCustomizedMetricSpecification(EcsModel):
    """Represents a CloudWatch metric of your choosing for a predictive scaling policy."""
    MetricDataQueries: list[PredictiveScalingMetricDataQuery] = Field(description='One or more metric data queries to provide data points for a metric specification.')


class PredictiveScalingMetricSpecification(EcsModel):
    """This structure specifies the metrics and target utilization settings for a predictive scaling policy."""
    TargetValue: float = Field(description='Specifies the target utilization.')
    PredefinedMetricPairSpecification: PredictiveScalingPredefinedMetricPairSpecification | None = Field(default=None, description='The predefined metric pair specification that determines the appropriate scaling metric and load metric to use.')
    PredefinedScalingMetricSpecification: PredictiveScalingPredefinedScalingMetricSpecification | None = Field(default=None, description='The predefined scaling metric specification.')
    PredefinedLoadMetricSpecification: PredictiveScalingPredefinedLoadMetricSpecification | None = Field(default=None, description='The predefined load metric specification.')
    CustomizedScalingMetricSpecification: PredictiveScalingCustomizedMetricSpecification | None = Field(default=None, description='The customized scaling metric specification.')
    CustomizedLoadMetricSpecification: PredictiveScalingCustomizedMetricSpecification | None = Field(default=None, description='The customized load metric specification.')
    CustomizedCapacityMetricSpecification: PredictiveScalingCustomizedMetricSpecification | None = Field(default=None, description='The customized capacity metric specification.')


class PredictiveScalingPolicyConfigurationShape(EcsModel):
    """Represents a predictive scaling policy configuration."""
    MetricSpecifications: list[PredictiveScalingMetricSpecification] = Field(description='This structure includes the metrics and target utilization to use for predictive scaling.')
    Mode: Literal['ForecastOnly', 'ForecastAndScale'] | None = Field(default=None, description='The predictive scaling mode.')
    SchedulingBufferTime: Annotated[int, Field(le=3600)] | None = Field(default=None, description='The amount of time, in seconds, that the start time can be advanced.')
    MaxCapacityBreachBehavior: Literal['HonorMaxCapacity', 'IncreaseMaxCapacity'] | None = Field(default=None, description='Defines the behavior that should be applied if the forecast capacity approaches or exceeds the maximum capacity.')
    MaxCapacityBuffer: Annotated[int, Field(le=100)] | None = Field(default=None, description='The size of the capacity buffer to use when the forecast capacity is close to or exceeds the maximum capacity.')


class PutScalingPolicyRequest(EcsModel):
    """PutScalingPolicyRequest"""
    PolicyName: Annotated[str, Field(min_length=1, max_length=256)] = Field(description='The name of the scaling policy.')
    ServiceNamespace: Literal['ecs', 'elasticmapreduce', 'ec2', 'appstream', 'dynamodb', 'rds', 'sagemaker', 'custom-resource', 'comprehend', 'lambda', 'cassandra', 'kafka', 'elasticache', 'neptune', 'workspaces'] = Field(description='The namespace of the Amazon Web Services service that provides the resource.')
    ResourceId: Annotated[str, Field(min_length=1, max_length=1600)] = Field(description='The identifier of the resource associated with the scaling policy.')
    ScalableDimension: Literal['ecs:service:DesiredCount', 'ec2:spot-fleet-request:TargetCapacity', 'elasticmapreduce:instancegroup:InstanceCount', 'appstream:fleet:DesiredCapacity', 'dynamodb:table:ReadCapacityUnits', 'dynamodb:table:WriteCapacityUnits', 'dynamodb:index:ReadCapacityUnits', 'dynamodb:index:WriteCapacityUnits', 'rds:cluster:ReadReplicaCount', 'sagemaker:variant:DesiredInstanceCount', 'custom-resource:ResourceType:Property', 'comprehend:document-classifier-endpoint:DesiredInferenceUnits', 'comprehend:entity-recognizer-endpoint:DesiredInferenceUnits', 'lambda:function:ProvisionedConcurrency', 'cassandra:table:ReadCapacityUnits', 'cassandra:table:WriteCapacityUnits', 'kafka:broker-storage:VolumeSize', 'elasticache:cache-cluster:Nodes', 'elasticache:replication-group:NodeGroups', 'elasticache:replication-group:Replicas', 'neptune:cluster:ReadReplicaCount', 'sagemaker:variant:DesiredProvisionedConcurrency', 'sagemaker:inference-component:DesiredCopyCount', 'workspaces:workspacespool:DesiredUserSessions'] = Field(description='The scalable dimension.')
    PolicyType: Literal['StepScaling', 'TargetTrackingScaling', 'PredictiveScaling'] | None = Field(default=None, description='The scaling policy type.')
    StepScalingPolicyConfiguration: StepScalingPolicyConfigurationShape | None = Field(default=None, description='A step scaling policy.')
    TargetTrackingScalingPolicyConfiguration: TargetTrackingScalingPolicyConfigurationShape | None = Field(default=None, description='A target tracking scaling policy.')
    PredictiveScalingPolicyConfiguration: PredictiveScalingPolicyConfigurationShape | None = Field(default=None, description='The configuration of the predictive scaling policy.')
