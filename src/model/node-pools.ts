/**
 * The cluster's node pools: `system` for platform components, `tenants` for shared-tier tenant
 * workloads (dedicated tiers get node groups of their own). Every pod lands in its pool through
 * a node selector on this label; the system nodes also carry a taint, so nothing that does not
 * tolerate it (no tenant pod) is placed there.
 */

/** AWS managed policies of every node role; no AmazonEKS_CNI_Policy: the VPC CNI has its own IRSA role. */
export const NODE_ROLE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly', 'AmazonSSMManagedInstanceCore'] as const;

/** Node label naming the pool of a managed node group's nodes. */
export const POOL_LABEL = 'tenantctl.io/pool';

export const NODE_POOLS = ['system', 'tenants'] as const;
export type NodePool = (typeof NODE_POOLS)[number];

/** The taint of the system nodes (Kubernetes spelling of the effect). */
export const SYSTEM_TAINT = { key: POOL_LABEL, value: 'system', effect: 'NoSchedule' } as const;

/** Node selector of a pool's nodes. */
export function poolSelector(pool: NodePool): Record<string, string> {
  return { [POOL_LABEL]: pool };
}

/** The toleration platform pods carry to run on the tainted system nodes. */
export const SYSTEM_TOLERATION = { key: SYSTEM_TAINT.key, operator: 'Equal', value: SYSTEM_TAINT.value, effect: SYSTEM_TAINT.effect } as const;

/** EKS API spelling of a Kubernetes taint effect (`NoSchedule` -> `NO_SCHEDULE`). */
export function eksTaintEffect(effect: 'NoSchedule' | 'NoExecute' | 'PreferNoSchedule'): 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE' {
  return ({ NoSchedule: 'NO_SCHEDULE', NoExecute: 'NO_EXECUTE', PreferNoSchedule: 'PREFER_NO_SCHEDULE' } as const)[effect];
}

/** Taints of each pool's node groups, EKS spelling; a pool without an entry is untainted. */
export const POOL_TAINTS: Readonly<
  Partial<Record<NodePool, readonly { key: string; value: string; effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE' }[]>>
> = {
  system: [{ key: SYSTEM_TAINT.key, value: SYSTEM_TAINT.value, effect: eksTaintEffect(SYSTEM_TAINT.effect) }],
};
