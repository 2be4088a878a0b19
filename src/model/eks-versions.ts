/** The EKS managed add-ons the platform installs (EksAddons). */
export const EKS_ADDONS = ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent', 'coredns', 'aws-ebs-csi-driver'] as const;
export type EksAddonName = (typeof EKS_ADDONS)[number];

/**
 * The add-on build pinned for each supported Kubernetes version. EKS otherwise installs its
 * current default at creation and never moves it, so two clusters of one configuration would
 * differ; kube-proxy and CoreDNS are built per Kubernetes minor and EKS rejects a build meant
 * for another one, so a version bump must move them together.
 *
 * Compiled in August 2026: kube-proxy, CoreDNS and VPC CNI are the latest builds the Amazon EKS
 * user guide lists per Kubernetes version; the EBS CSI driver and Pod Identity agent builds are
 * ones EKS lists as compatible with each version. To refresh a cell (newest build first):
 *   aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name coredns \
 *     --query 'addons[0].addonVersions[0].addonVersion' --output text
 * To support another Kubernetes version, add its row with every add-on.
 */
export const EKS_ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<EksAddonName, string>>>> = {
  '1.31': {
    'vpc-cni': 'v1.22.4-eksbuild.3',
    'kube-proxy': 'v1.31.14-eksbuild.20',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.2',
    coredns: 'v1.11.4-eksbuild.40',
    'aws-ebs-csi-driver': 'v1.59.0-eksbuild.1',
  },
  '1.32': {
    'vpc-cni': 'v1.22.4-eksbuild.3',
    'kube-proxy': 'v1.32.13-eksbuild.16',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.3',
    coredns: 'v1.11.4-eksbuild.40',
    'aws-ebs-csi-driver': 'v1.59.0-eksbuild.1',
  },
  '1.33': {
    'vpc-cni': 'v1.22.4-eksbuild.3',
    'kube-proxy': 'v1.33.10-eksbuild.13',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.3',
    coredns: 'v1.12.4-eksbuild.18',
    'aws-ebs-csi-driver': 'v1.59.0-eksbuild.1',
  },
  '1.34': {
    'vpc-cni': 'v1.22.4-eksbuild.3',
    'kube-proxy': 'v1.34.6-eksbuild.13',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.3',
    coredns: 'v1.13.2-eksbuild.11',
    'aws-ebs-csi-driver': 'v1.59.0-eksbuild.1',
  },
  '1.35': {
    'vpc-cni': 'v1.22.4-eksbuild.3',
    'kube-proxy': 'v1.35.3-eksbuild.13',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.3',
    coredns: 'v1.14.3-eksbuild.3',
    'aws-ebs-csi-driver': 'v1.59.0-eksbuild.1',
  },
};

/**
 * Kubernetes versions Amazon EKS supports (standard or extended support) that tenantctl's pinned
 * add-ons and charts are tested with: exactly those with a row of add-on builds above. The
 * default is the newest in standard support.
 */
export const EKS_VERSIONS: readonly string[] = Object.keys(EKS_ADDON_VERSIONS);
export const DEFAULT_EKS_VERSION = '1.34';

/** The add-on builds for a supported Kubernetes version. */
export function eksAddonVersions(kubernetesVersion: string): Readonly<Record<EksAddonName, string>> {
  const versions = EKS_ADDON_VERSIONS[kubernetesVersion];
  if (!versions) throw new Error(`EKS version ${kubernetesVersion} has no pinned add-on versions: use one of ${EKS_VERSIONS.join(', ')}`);
  return versions;
}
