import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { platformNames } from '../../src/model/names';
import { tierCatalog } from '../../src/model/tiers';
import { ClusterProviders } from '../../stacks/constructs/kubernetes/cluster-providers';
import { PlatformServices, type PlatformServicesProps } from '../../stacks/constructs/platform-services';
import { SynthJson, platformSpec } from '../util';
import { platformServicesProps } from './platform-services-fixture';

const platform = platformSpec();
const names = platformNames(platform);

function synthServices(overrides: Partial<PlatformServicesProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const cluster = new EksCluster(stack, 'eks', {
    name: names.cluster,
    roleArn: 'arn:aws:iam::111122223333:role/acme-prod-eks-cluster',
    vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'] },
  });
  new ClusterProviders(stack, 'cluster', { clusterName: names.cluster, region: 'eu-west-1', helm: true });
  const services = new PlatformServices(stack, 'services', platformServicesProps(platform, cluster, overrides));
  return { json: SynthJson.parse(Testing.synth(stack)), services };
}

describe('ClusterProviders', () => {
  function synthProviders(props: Partial<ConstructorParameters<typeof ClusterProviders>[2]>) {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new ClusterProviders(stack, 'cluster', { clusterName: 'acme-prod', region: 'eu-west-1', ...props });
    return SynthJson.parse(Testing.synth(stack));
  }
  const getToken = ['eks', 'get-token', '--cluster-name', 'acme-prod', '--region', 'eu-west-1', '--output', 'json'];

  test(
    'endpoint and CA come from data "aws_eks_cluster"; the token from `aws eks get-token` on every connection, never a ' + '15-minute data token',
    () => {
      const json = synthProviders({});
      const [clusterId] = Object.keys(json.data('aws_eks_cluster'));
      expect(json.data('aws_eks_cluster')[clusterId]).toEqual({ name: 'acme-prod' });
      expect(json.data('aws_eks_cluster_auth')).toEqual({});
      expect(json.json.provider.kubernetes).toEqual([
        {
          host: `\${data.aws_eks_cluster.${clusterId}.endpoint}`,
          cluster_ca_certificate: `\${base64decode(data.aws_eks_cluster.${clusterId}.certificate_authority[0].data)}`,
          exec: [{ api_version: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: getToken }],
        },
      ]);
      expect(json.json.provider.helm).toBeUndefined();
    },
  );

  test('signs with another credentials file when asked, and configures helm the same way', () => {
    const json = synthProviders({ env: { AWS_CONFIG_FILE: '/tmp/platform' }, helm: true });
    const exec = { api_version: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: getToken, env: { AWS_CONFIG_FILE: '/tmp/platform' } };
    expect(json.json.provider.kubernetes[0].exec).toEqual([exec]);
    expect(json.json.provider.helm[0].kubernetes.exec).toEqual(exec);
    expect(json.json.provider.helm[0].kubernetes.host).toBe(json.json.provider.kubernetes[0].host);
  });
});

describe('PlatformServices', () => {
  const { json, services } = synthServices();
  const clusterRef = `aws_eks_cluster.${json.idOf('aws_eks_cluster')}`;

  describe('namespaces', () => {
    const namespaces = Object.values(json.resources('kubernetes_namespace_v1'));
    const byName = (name: string) => namespaces.find((n) => n.metadata.name === name);
    const psa = (enforce: string) => ({
      'pod-security.kubernetes.io/enforce': enforce,
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });

    test('are the six platform namespaces', () => {
      expect(namespaces.map((n) => n.metadata.name).sort()).toEqual([
        'istio-system',
        'kyverno',
        'monitoring',
        'ratelimit',
        'shared-services',
        'tenantctl-system',
      ]);
    });

    test('enforce restricted Pod Security except where a chart needs more', () => {
      expect(byName(names.namespaces.platform).metadata.labels).toEqual({ ...psa('restricted'), 'tenantctl.io/namespace-role': 'platform' });
      expect(byName(names.namespaces.rateLimit).metadata.labels).toEqual({ ...psa('restricted'), 'tenantctl.io/namespace-role': 'rate-limit' });
      expect(byName(names.namespaces.sharedServices).metadata.labels).toEqual({
        ...psa('restricted'),
        'tenantctl.io/namespace-role': 'shared-services',
        'istio-injection': 'enabled',
      });
      // No domain: no listener forwards to the gateway, so no readiness gate (see the domain test below).
      expect(byName(names.namespaces.istio).metadata.labels).toEqual({ ...psa('baseline'), 'tenantctl.io/namespace-role': 'mesh' });
      expect(byName(names.namespaces.monitoring).metadata.labels).toEqual({ ...psa('privileged'), 'tenantctl.io/namespace-role': 'monitoring' });
    });

    test('are created after the cluster and before every release in them', () => {
      for (const ns of namespaces) expect(ns.depends_on).toEqual([clusterRef]);
      const ids = json.resources('kubernetes_namespace_v1');
      const nsRef = (name: string) => `kubernetes_namespace_v1.${Object.keys(ids).find((id) => ids[id].metadata.name === name)}`;
      const releases = json.where('helm_release', (r) => r.namespace !== 'kube-system');
      expect(releases).toHaveLength(9);
      for (const release of releases) expect(release.depends_on).toContain(nsRef(release.namespace));
    });
  });

  describe('priority classes', () => {
    test("the platform's, at the highest user-definable value, above every tier", () => {
      const pc = json.where('kubernetes_priority_class_v1', (c) => c.metadata.name === 'tenantctl-platform');
      expect(pc).toEqual([
        expect.objectContaining({ value: 1000000000, preemption_policy: 'PreemptLowerPriority', global_default: false, depends_on: [clusterRef] }),
      ]);
      for (const spec of Object.values(tierCatalog)) expect(spec.priority).toBeLessThan(1000000000);
    });

    test('one per tier, named by tier, valued by tier priority, preempting lower priorities', () => {
      const classes = json.where('kubernetes_priority_class_v1', (c) => c.metadata.name !== 'tenantctl-platform');
      expect(classes).toHaveLength(Object.keys(tierCatalog).length);
      for (const [tier, spec] of Object.entries(tierCatalog)) {
        const pc = classes.find((c) => c.metadata.name === names.priorityClass(tier));
        expect(pc).toMatchObject({
          value: spec.priority,
          preemption_policy: 'PreemptLowerPriority',
          global_default: false,
          description: `tenantctl tier ${tier}: ${spec.description}`,
          depends_on: [clusterRef],
        });
      }
    });

    test('reject priorities outside the user range', () => {
      const tiers = { ...tierCatalog, starter: { ...tierCatalog.starter, priority: 1000000000 } };
      expect(() => synthServices({ tiers })).toThrow(
        "tier starter: priority 1000000000 must be an integer from 0 to 999999999, below the platform's 1000000000",
      );
    });
  });

  describe('ordering', () => {
    const ref = (name: string) => `helm_release.${json.idOf('helm_release', (r) => r.name === name)}`;
    const release = (name: string) => json.where('helm_release', (r) => r.name === name)[0];

    test.each([
      ['istio-cni', 'istio-base'],
      ['istiod', 'istio-cni'],
      ['istio-ingressgateway', 'istiod'],
      ['platform-mesh', 'istio-ingressgateway'],
      ['platform-mesh', 'aws-load-balancer-controller'],
      ['kiali', 'kube-prometheus-stack'],
      ['kiali', 'jaeger'],
      ['kiali', 'istiod'],
      ['tenant-guardrails', 'kyverno'],
    ])('%s waits for %s', (later, earlier) => {
      expect(release(later).depends_on).toContain(ref(earlier));
    });

    test('every release waits for the cluster', () => {
      const releases = Object.values(json.resources('helm_release'));
      expect(releases).toHaveLength(13);
      for (const r of releases) expect(r.depends_on).toContain(clusterRef);
    });

    test('dependables cover every namespace, priority class, release and network policy', () => {
      const count =
        Object.keys(json.resources('kubernetes_namespace_v1')).length +
        Object.keys(json.resources('kubernetes_network_policy_v1')).length +
        Object.keys(json.resources('kubernetes_priority_class_v1')).length +
        Object.keys(json.resources('helm_release')).length;
      expect(new Set(services.dependables.map((d) => d.fqn)).size).toBe(count);
    });
  });

  test.each([80, 15021, 70000, 8080.5])('rejects gatewayPort %s', (gatewayPort) => {
    expect(() => synthServices({ gatewayPort })).toThrow(/gatewayPort .* is not usable/);
  });
});
