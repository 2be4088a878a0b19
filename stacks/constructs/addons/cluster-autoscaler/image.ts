/**
 * Cluster Autoscaler image tag per EKS version. The autoscaler simulates the scheduler of its
 * own Kubernetes minor, so its minor must match the cluster's; each entry is the newest patch
 * release of that minor published to registry.k8s.io/autoscaling/cluster-autoscaler (the
 * kubernetes/autoscaler release notes list the images). One entry per version in
 * src/model/eks-versions.ts; a new EKS version needs its entry here first.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  '1.31': 'v1.31.5',
  '1.32': 'v1.32.7',
  '1.33': 'v1.33.6',
  '1.34': 'v1.34.5',
  '1.35': 'v1.35.2',
};

/** The image tag for a cluster's Kubernetes version (`1.34`). */
export function clusterAutoscalerImageTag(kubernetesVersion: string): string {
  const tag = CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetesVersion];
  if (!tag) {
    throw new Error(
      `Cluster Autoscaler has no image pinned for Kubernetes ${kubernetesVersion}: pin the newest v${kubernetesVersion}.x release in stacks/constructs/addons/cluster-autoscaler/image.ts (known: ${Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).join(', ')})`,
    );
  }
  return tag;
}
