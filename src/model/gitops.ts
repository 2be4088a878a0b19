/**
 * What a tenant's Argo CD AppProject lets Argo CD write for it. Argo CD applies a service team's
 * manifests with its own (cluster-wide) rights and outside the tenant deployers' admission
 * policy, so the project is the fence: the tenant's namespace on this cluster only, no
 * cluster-scoped object, and none of the namespaced kinds that make or reach past the tenant's
 * isolation. The tenant stack writes those; admission and `validate` check the project says so.
 */

/** The Argo CD API of AppProjects and Applications. */
export const ARGO_CD_API_VERSION = 'argoproj.io/v1alpha1';

/** The Argo Rollouts API of Rollouts and AnalysisTemplates (the same group as Argo CD's). */
export const ARGO_ROLLOUTS_API_VERSION = 'argoproj.io/v1alpha1';

/** Deleting an Application deletes what it deployed (Argo CD's cascading finalizer). */
export const ARGO_CD_CASCADE_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

export interface GroupKind {
  readonly group: string;
  /** A kind, or `*` for every kind of the group. */
  readonly kind: string;
}

/**
 * Namespaced kinds a tenant's AppProject denies, and why: the quota and limits are the tenant's
 * share of the shared nodes; NetworkPolicies, RBAC, Istio's security objects and Kyverno policies
 * are its isolation; Istio networking objects can bind the shared gateway or be exported to every
 * namespace; a TargetGroupBinding would put a Service behind the platform's load balancer;
 * Prometheus Operator objects configure the shared Prometheus; Argo CD objects are the platform's.
 * Two kinds stay open because the service's chart writes them: a Rollout (its canary, which
 * admission holds to the tenant's own analysis) and a VirtualService (the mesh-internal one whose
 * weights the Rollout moves, which admission holds to the tenant's own Services and namespace).
 * Analysis templates are the tenant stack's: the gates are not the service team's to change.
 */
export const APP_PROJECT_DENIED_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'ResourceQuota' },
  { group: '', kind: 'LimitRange' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
  { group: 'security.istio.io', kind: '*' },
  ...['Gateway', 'DestinationRule', 'ServiceEntry', 'Sidecar', 'EnvoyFilter', 'WorkloadEntry', 'WorkloadGroup', 'ProxyConfig'].map((kind) => ({
    group: 'networking.istio.io',
    kind,
  })),
  { group: 'kyverno.io', kind: '*' },
  { group: 'elbv2.k8s.aws', kind: '*' },
  { group: 'monitoring.coreos.com', kind: '*' },
  ...['Application', 'ApplicationSet', 'AppProject', 'AnalysisTemplate', 'AnalysisRun', 'Experiment'].map((kind) => ({ group: 'argoproj.io', kind })),
];
