/**
 * Pod priorities, highest first. Kubernetes' own classes rank above anything a cluster may define;
 * tenantctl's platform class takes the highest user-definable value, and every tier ranks below
 * it, so no tenant pod can preempt a platform pod (or outrank it when a node runs short).
 */

/** Kubernetes' built-in classes (scheduling.k8s.io), usable in any namespace. */
export const SYSTEM_PRIORITY_CLASSES = {
  /** DaemonSets a node cannot work without (CNI, CSI node plugins, kube-proxy). */
  nodeCritical: { name: 'system-node-critical', value: 2000001000 },
  /** Components the whole cluster depends on (DNS, admission webhooks with a Fail policy, the mesh control plane). */
  clusterCritical: { name: 'system-cluster-critical', value: 2000000000 },
} as const;

/** Kubernetes' HighestUserDefinablePriority: a PriorityClass may not exceed it. */
export const HIGHEST_USER_PRIORITY = 1000000000;

/** Value of the platform PriorityClass: platform components that are not cluster-critical. */
export const PLATFORM_PRIORITY = HIGHEST_USER_PRIORITY;

/** The highest priority a tier may have: below every platform component. */
export const MAX_TIER_PRIORITY = PLATFORM_PRIORITY - 1;

/** The value of a built-in class by name, if it is one. */
export function systemPriority(className: string): number | undefined {
  return Object.values(SYSTEM_PRIORITY_CLASSES).find((c) => c.name === className)?.value;
}
