import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Namespace } from '@cdktf/provider-kubernetes/lib/namespace';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { EKS_VERSIONS } from '../../src/model/eks-versions';
import { platformNames } from '../../src/model/names';
import { ClusterAutoscaler, type ClusterAutoscalerProps } from '../../stacks/constructs/addons/cluster-autoscaler';
import { CLUSTER_AUTOSCALER_IMAGE_TAGS, clusterAutoscalerImageTag } from '../../stacks/constructs/addons/cluster-autoscaler/image';
import { chartRepositories, chartVersions } from '../../stacks/constructs/addons/versions';
import { POOL_LABEL } from '../../src/model/node-pools';
import { SynthJson, platformSpec } from '../util';

const names = platformNames(platformSpec());
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE';
const OIDC_PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${ISSUER}`;

function synth(overrides: Partial<ClusterAutoscalerProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'cluster');
  new AwsProvider(stack, 'aws', { region: overrides.region ?? 'eu-west-1' });
  new KubernetesProvider(stack, 'kubernetes', {});
  new HelmProvider(stack, 'helm', {});
  // Stands in for what the cluster stack orders the release after (cluster access, nodes, CoreDNS).
  const access = new Namespace(stack, 'access', { metadata: { name: 'stand-in' } });
  new ClusterAutoscaler(stack, 'cluster-autoscaler', {
    clusterName: names.cluster,
    kubernetesVersion: '1.34',
    region: 'eu-west-1',
    accountId: '111122223333',
    roleName: names.clusterAutoscalerRole,
    oidcProviderArn: OIDC_PROVIDER,
    oidcIssuer: ISSUER,
    namespace: 'kube-system',
    poolLabel: POOL_LABEL,
    systemPool: 'system',
    dependsOn: [access],
    ...overrides,
  });
  return SynthJson.parse(Testing.synth(stack));
}

describe('ClusterAutoscaler: IRSA role', () => {
  const json = synth();
  const role = json.one('aws_iam_role');
  const policy = JSON.parse(json.one('aws_iam_role_policy').policy);

  test('is named by platformNames and trusts only kube-system/cluster-autoscaler tokens for STS', () => {
    expect(role.name).toBe('acme-prod-cluster-autoscaler');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: OIDC_PROVIDER },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:kube-system:cluster-autoscaler', [`${ISSUER}:aud`]: 'sts.amazonaws.com' },
        },
      },
    ]);
  });

  test('describes on * only what has no resource-level permissions, and resizes only groups tagged as owned by the cluster', () => {
    expect(policy.Statement).toEqual([
      {
        Sid: 'Describe',
        Effect: 'Allow',
        Action: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeScalingActivities',
          'autoscaling:DescribeTags',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplateVersions',
        ],
        Resource: ['*'],
      },
      {
        Sid: 'DescribeClusterNodeGroups',
        Effect: 'Allow',
        Action: ['eks:DescribeNodegroup'],
        Resource: ['arn:aws:eks:eu-west-1:111122223333:nodegroup/acme-prod/*/*'],
      },
      {
        Sid: 'ResizeClusterNodeGroups',
        Effect: 'Allow',
        Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        Resource: ['arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:*:autoScalingGroupName/*'],
        Condition: { StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/acme-prod': ['owned'] } },
      },
    ]);
  });

  test('spells ARNs in the partition of the region', () => {
    const cn = JSON.parse(synth({ region: 'cn-north-1' }).one('aws_iam_role_policy').policy);
    expect(cn.Statement[1].Resource).toEqual(['arn:aws-cn:eks:cn-north-1:111122223333:nodegroup/acme-prod/*/*']);
  });
});

describe('ClusterAutoscaler: Helm release', () => {
  const json = synth();
  const release = json.one('helm_release');
  const values = JSON.parse(release.values[0]);
  const roleId = json.idOf('aws_iam_role');

  test('installs the pinned upstream chart into kube-system', () => {
    expect(release).toMatchObject({
      name: 'cluster-autoscaler',
      chart: 'cluster-autoscaler',
      repository: 'https://kubernetes.github.io/autoscaler',
      version: chartVersions.clusterAutoscaler,
      namespace: 'kube-system',
      atomic: true,
    });
    expect(Object.values(chartRepositories)).toContain(release.repository);
  });

  test('is configured exactly: discovery by cluster tags, balancing by pool, least-waste, scale-down, HA on the system nodes', () => {
    expect(values).toEqual({
      cloudProvider: 'aws',
      awsRegion: 'eu-west-1',
      autoDiscovery: { clusterName: 'acme-prod', tags: ['k8s.io/cluster-autoscaler/enabled', 'k8s.io/cluster-autoscaler/acme-prod'] },
      image: { tag: 'v1.34.5' },
      extraArgs: {
        expander: 'least-waste',
        'balance-similar-node-groups': true,
        'balancing-label': 'tenantctl.io/pool',
        'skip-nodes-with-system-pods': false,
        'skip-nodes-with-local-storage': false,
        'scale-down-utilization-threshold': 0.5,
        'scale-down-unneeded-time': '10m',
        'scale-down-delay-after-add': '10m',
      },
      replicaCount: 2,
      podDisruptionBudget: { maxUnavailable: 1 },
      priorityClassName: 'system-cluster-critical',
      nodeSelector: { 'tenantctl.io/pool': 'system' },
      tolerations: [{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
      rbac: {
        serviceAccount: { create: true, name: 'cluster-autoscaler', annotations: { 'eks.amazonaws.com/role-arn': `\${aws_iam_role.${roleId}.arn}` } },
      },
      resources: { requests: { cpu: '100m', memory: '600Mi' }, limits: { memory: '1Gi' } },
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    });
  });

  test('waits for what it is given and for its role policy (it calls AWS as soon as it starts)', () => {
    expect(release.depends_on).toEqual([
      `kubernetes_namespace.${json.idOf('kubernetes_namespace')}`,
      `aws_iam_role_policy.${json.idOf('aws_iam_role_policy')}`,
    ]);
  });
});

describe('Cluster Autoscaler image per EKS version', () => {
  test('every EKS version tenantctl accepts has a tag, and no other', () => {
    expect(Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).sort()).toEqual([...EKS_VERSIONS].sort());
  });

  test.each([...EKS_VERSIONS])('Kubernetes %s runs an autoscaler of the same minor', (version) => {
    expect(clusterAutoscalerImageTag(version)).toMatch(new RegExp(`^v${version.replace('.', '\\.')}\\.\\d+$`));
  });

  test('the release follows the cluster version', () => {
    expect(JSON.parse(synth({ kubernetesVersion: '1.31' }).one('helm_release').values[0]).image).toEqual({ tag: 'v1.31.5' });
  });

  test('refuses a version with no pinned image, naming the file to pin it in', () => {
    expect(() => synth({ kubernetesVersion: '1.36' })).toThrow(
      'Cluster Autoscaler has no image pinned for Kubernetes 1.36: pin the newest v1.36.x release in ' +
        'stacks/constructs/addons/cluster-autoscaler/image.ts (known: 1.31, 1.32, 1.33, 1.34, 1.35)',
    );
  });
});
