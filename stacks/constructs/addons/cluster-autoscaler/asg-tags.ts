/**
 * The Auto Scaling group tags Cluster Autoscaler reads (cloudprovider/aws/README.md): the node
 * groups write them (NodeGroup), the autoscaler discovers groups and is allowed to resize them by
 * them (ClusterAutoscaler). One module so both sides spell them the same way.
 */
export const CA_TAG_PREFIX = 'k8s.io/cluster-autoscaler';

/** Value EKS gives the `k8s.io/cluster-autoscaler/<cluster>` tag of every managed node group's ASG. */
export const CLUSTER_TAG_VALUE = 'owned';

/** Tag key naming the cluster a group belongs to; EKS sets it (and `.../enabled`) on managed node groups. */
export function clusterTagKey(clusterName: string): string {
  return `${CA_TAG_PREFIX}/${clusterName}`;
}

/** The tag keys an ASG must carry to be discovered: EKS sets both on every managed node group. */
export function autoDiscoveryTagKeys(clusterName: string): string[] {
  return [`${CA_TAG_PREFIX}/enabled`, clusterTagKey(clusterName)];
}

/** Taint effects in the EKS API spelling (node groups) and the Kubernetes one (node templates). */
const TAINT_EFFECTS = { NO_SCHEDULE: 'NoSchedule', NO_EXECUTE: 'NoExecute', PREFER_NO_SCHEDULE: 'PreferNoSchedule' } as const;
export type EksTaintEffect = keyof typeof TAINT_EFFECTS;

/** Prefix of the node-template tags below. */
export const NODE_TEMPLATE_TAG_PREFIX = `${CA_TAG_PREFIX}/node-template/`;

export interface NodeTemplateTag {
  readonly key: string;
  readonly value: string;
}

/**
 * The node-template tags that describe a group's nodes while it has none: without them Cluster
 * Autoscaler cannot tell that a pending Pod's node selector or toleration would fit a group at
 * zero nodes, and never scales it up. Labels tag as `<value>`, taints as `<value>:<Effect>`.
 */
export function nodeTemplateTags(
  labels: Readonly<Record<string, string>>,
  taints: readonly { key: string; value: string; effect: EksTaintEffect }[],
): NodeTemplateTag[] {
  return [
    ...Object.entries(labels).map(([key, value]) => ({ key: `${NODE_TEMPLATE_TAG_PREFIX}label/${key}`, value })),
    ...taints.map((t) => ({ key: `${NODE_TEMPLATE_TAG_PREFIX}taint/${t.key}`, value: `${t.value}:${TAINT_EFFECTS[t.effect]}` })),
  ];
}
