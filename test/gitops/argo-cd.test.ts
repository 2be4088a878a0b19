import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { platformNames } from '../../src/model/names';
import type { PlatformSpec } from '../../src/model/platform-schema';
import { PlatformServices } from '../../stacks/constructs/platform-services';
import { platformServicesProps } from '../constructs/platform-services-fixture';
import { platformSpec, SynthJson } from '../util';
import { catalogPlatform, exampleCatalog } from './fixtures';

const SYSTEM = {
  nodeSelector: { 'tenantctl.io/pool': 'system' },
  tolerations: [{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
};
const PLATFORM_PLACEMENT = { ...SYSTEM, priorityClassName: 'tenantctl-platform' };

function synth(platform: PlatformSpec): SynthJson {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new KubernetesProvider(stack, 'kubernetes', {});
  new HelmProvider(stack, 'helm', {});
  const cluster = new EksClusterResource(stack, 'eks', {
    name: platformNames(platform).cluster,
    roleArn: 'arn:aws:iam::111122223333:role/acme-prod-eks-cluster',
    vpcConfig: { subnetIds: ['subnet-a'] },
  });
  new PlatformServices(stack, 'services', platformServicesProps(platform, cluster));
  return SynthJson.parse(Testing.synth(stack));
}

describe('GIVEN a platform without GitOps WHEN its services are synthesized', () => {
  const json = synth(platformSpec());
  test('THEN there is no Argo CD and no argocd namespace', () => {
    expect(json.where('helm_release', (r) => r.chart === 'argo-cd')).toEqual([]);
    expect(json.where('kubernetes_namespace_v1', (n) => n.metadata.name === 'argocd')).toEqual([]);
  });
});

describe('GIVEN a platform with GitOps WHEN its services are synthesized', () => {
  const json = synth(catalogPlatform());
  const release = json.where('helm_release', (r) => r.chart === 'argo-cd')[0];
  const values = JSON.parse(release.values[0]);
  const namespaceId = json.idOf('kubernetes_namespace_v1', (n) => n.metadata.name === 'argocd');

  test('THEN Argo CD is the pinned argo-helm chart, atomic, in its own Pod Security labelled namespace', () => {
    expect(release).toMatchObject({
      name: 'argo-cd',
      repository: 'https://argoproj.github.io/argo-helm',
      version: '10.1.1',
      namespace: 'argocd',
      atomic: true,
      create_namespace: false,
    });
    expect(release.depends_on).toContain(`kubernetes_namespace_v1.${namespaceId}`);
    expect(json.resources('kubernetes_namespace_v1')[namespaceId].metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      'tenantctl.io/namespace-role': 'gitops',
    });
  });

  test('THEN every Argo CD pod, the redis-ha ones included, runs on the system nodes at the platform priority', () => {
    expect(values.global).toEqual(PLATFORM_PLACEMENT);
    expect(values['redis-ha']).toMatchObject(PLATFORM_PLACEMENT);
    expect(values['redis-ha'].haproxy).toMatchObject(PLATFORM_PLACEMENT);
  });

  test('THEN it is highly available where the chart supports it: redis-ha, two replicas with a budget of the stateless components', () => {
    expect(values['redis-ha']).toMatchObject({ enabled: true, hardAntiAffinity: false, haproxy: { hardAntiAffinity: false } });
    for (const component of ['server', 'repoServer', 'applicationSet'])
      expect(values[component]).toMatchObject({ replicas: 2, pdb: { enabled: true, minAvailable: 1 } });
    expect(values.controller).toMatchObject({ replicas: 1 });
  });

  test('THEN it is not exposed: a ClusterIP API server without ingress, no Dex, the local admin until SSO is configured', () => {
    expect(values.server).toMatchObject({ service: { type: 'ClusterIP' }, ingress: { enabled: false } });
    expect(values.dex).toEqual({ enabled: false });
    expect(values.configs).toEqual({ cm: { 'admin.enabled': true } });
  });
});

describe('GIVEN GitOps with SSO WHEN synthesized', () => {
  const json = synth(
    catalogPlatform({
      gitops: {
        ...exampleCatalog.gitops!,
        sso: { url: 'https://argocd.internal.example.com', oidc: { name: 'Okta', issuer: 'https://example.okta.com', clientId: 'argocd' } },
      },
    }),
  );
  const values = JSON.parse(json.where('helm_release', (r) => r.chart === 'argo-cd')[0].values[0]);
  test('THEN Argo CD signs people in through OIDC, with the client secret from argocd-secret, and the local admin is off', () => {
    expect(values.configs.cm).toEqual({
      url: 'https://argocd.internal.example.com',
      'admin.enabled': false,
      'oidc.config': JSON.stringify({
        name: 'Okta',
        issuer: 'https://example.okta.com',
        clientID: 'argocd',
        clientSecret: '$oidc.clientSecret',
        requestedScopes: ['openid', 'profile', 'email', 'groups'],
      }),
    });
  });
});
