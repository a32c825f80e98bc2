package deploy

import autoscalingv2 "k8s.io/api/autoscaling/v2"

// The subset of KEDA's ScaledObject schema (CRD scaledobjects.keda.sh,
// version v1alpha1) that deploy/k8s uses, written out field by field so
// that a strict decode (json DisallowUnknownFields) refuses anything KEDA
// would not know. Source: github.com/kedacore/keda, files
// apis/keda/v1alpha1/scaledobject_types.go (ScaledObject, ScaledObjectSpec,
// ScaleTarget, AdvancedConfig, HorizontalPodAutoscalerConfig,
// ScalingModifiers, Fallback) and apis/keda/v1alpha1/scaletriggers_types.go
// (ScaleTriggers, AuthenticationRef), from which the CRD YAML is generated
// (config/crd/bases/keda.sh_scaledobjects.yaml). Apache-2.0; the field
// names and JSON tags are reproduced, not the code. Status is left out: a
// manifest must not set it.

type kedaScaledObject struct {
	APIVersion string       `json:"apiVersion"`
	Kind       string       `json:"kind"`
	Metadata   kedaMetadata `json:"metadata"`
	Spec       kedaSpec     `json:"spec"`
}

// kedaMetadata is the part of metav1.ObjectMeta a manifest sets.
type kedaMetadata struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type kedaSpec struct {
	ScaleTargetRef        *kedaScaleTarget `json:"scaleTargetRef"`
	PollingInterval       *int32           `json:"pollingInterval,omitempty"`
	InitialCooldownPeriod *int32           `json:"initialCooldownPeriod,omitempty"`
	CooldownPeriod        *int32           `json:"cooldownPeriod,omitempty"`
	IdleReplicaCount      *int32           `json:"idleReplicaCount,omitempty"`
	MinReplicaCount       *int32           `json:"minReplicaCount,omitempty"`
	MaxReplicaCount       *int32           `json:"maxReplicaCount,omitempty"`
	Advanced              *kedaAdvanced    `json:"advanced,omitempty"`
	Triggers              []kedaTrigger    `json:"triggers"`
	Fallback              *kedaFallback    `json:"fallback,omitempty"`
}

type kedaScaleTarget struct {
	Name                   string `json:"name"`
	APIVersion             string `json:"apiVersion,omitempty"`
	Kind                   string `json:"kind,omitempty"`
	EnvSourceContainerName string `json:"envSourceContainerName,omitempty"`
}

type kedaAdvanced struct {
	HorizontalPodAutoscalerConfig *struct {
		Behavior *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
		Name     string                                         `json:"name,omitempty"`
	} `json:"horizontalPodAutoscalerConfig,omitempty"`
	RestoreToOriginalReplicaCount bool `json:"restoreToOriginalReplicaCount,omitempty"`
	ScalingModifiers              *struct {
		Formula          string                         `json:"formula,omitempty"`
		Target           string                         `json:"target,omitempty"`
		ActivationTarget string                         `json:"activationTarget,omitempty"`
		MetricType       autoscalingv2.MetricTargetType `json:"metricType,omitempty"`
	} `json:"scalingModifiers,omitempty"`
}

type kedaFallback struct {
	FailureThreshold int32  `json:"failureThreshold"`
	Replicas         int32  `json:"replicas"`
	Behavior         string `json:"behavior,omitempty"`
}

type kedaTrigger struct {
	Type              string            `json:"type"`
	Name              string            `json:"name,omitempty"`
	UseCachedMetrics  bool              `json:"useCachedMetrics,omitempty"`
	Metadata          map[string]string `json:"metadata"`
	AuthenticationRef *struct {
		Name string `json:"name"`
		Kind string `json:"kind,omitempty"`
	} `json:"authenticationRef,omitempty"`
	MetricType autoscalingv2.MetricTargetType `json:"metricType,omitempty"`
}

// temporalScalerKeys are the trigger metadata keys of KEDA's temporal
// scaler (https://keda.sh/docs/2.22/scalers/temporal/, "Parameter list";
// available since KEDA 2.17). KEDA ignores unknown keys silently, so a
// misspelt one (queueName, the key of an early pull request, for
// taskQueue) would scale on defaults: the test refuses them.
var temporalScalerKeys = map[string]bool{
	"endpoint": true, "endpointFromEnv": true, "namespace": true, "taskQueue": true,
	"targetQueueSize": true, "activationTargetQueueSize": true, "queueTypes": true,
	"workerDeploymentName": true, "workerDeploymentBuildId": true,
	"buildId": true, "selectAllActive": true, "selectUnversioned": true, // deprecated
	"includeRunningWorkflowCount": true, "workflowTaskQueueForCount": true,
	"minConnectTimeout": true, "unsafeSsl": true, "tlsServerName": true, "enableTLS": true,
}
