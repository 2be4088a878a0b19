/**
 * Kubernetes versions Amazon EKS supports (standard or extended support) that tenantctl's pinned
 * add-ons and charts are tested with. The default is the newest in standard support.
 */
export const EKS_VERSIONS: readonly string[] = ['1.31', '1.32', '1.33', '1.34', '1.35'];
export const DEFAULT_EKS_VERSION = '1.34';
