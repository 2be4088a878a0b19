import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { platformNames } from '../../src/config/names';
import { tierCatalog } from '../../src/config/tiers';
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
  const cluster = new EksCluster(stack, 'eks', { name: names.cluster, roleArn: 'arn:aws:iam::111122223333:role/acme-prod-eks-cluster', vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'] } });
  new ClusterProviders(stack, 'cluster', { clusterName: cluster.name, endpoint: cluster.endpoint, certificateAuthorityData: cluster.certificateAuthority.get(0).data, helm: true });
  const services = new PlatformServices(stack, 'services', platformServicesProps(platform, cluster, overrides));
  return { json: SynthJson.parse(Testing.synth(stack)), services };
}

describe('ClusterProviders', () => {
  function synthProviders(props: Partial<ConstructorParameters<typeof ClusterProviders>[2]>) {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new ClusterProviders(stack, 'cluster', { clusterName: 'acme-prod', ...props });
    return SynthJson.parse(Testing.synth(stack));
  }

  test('tenant stacks: endpoint and CA come from data "aws_eks_cluster", the token from data "aws_eks_cluster_auth"', () => {
    const json = synthProviders({});
    const [clusterId] = Object.keys(json.data('aws_eks_cluster'));
    const [authId] = Object.keys(json.data('aws_eks_cluster_auth'));
    expect(json.data('aws_eks_cluster')[clusterId]).toEqual({ name: 'acme-prod' });
    expect(json.data('aws_eks_cluster_auth')[authId]).toEqual({ name: 'acme-prod' });
    expect(json.json.provider.kubernetes).toEqual([
      {
        host: `\${data.aws_eks_cluster.${clusterId}.endpoint}`,
        cluster_ca_certificate: `\${base64decode(data.aws_eks_cluster.${clusterId}.certificate_authority[0].data)}`,
        token: `\${data.aws_eks_cluster_auth.${authId}.token}`,
      },
    ]);
    expect(json.json.provider.kubernetes[0].exec).toBeUndefined();
    expect(json.json.provider.helm).toBeUndefined();
  });

  test('the platform stack passes endpoint and CA of the cluster it creates and also gets the helm provider', () => {
    const json = synthProviders({ endpoint: 'https://api.example', certificateAuthorityData: 'Q0E=', helm: true });
    expect(json.data('aws_eks_cluster')).toEqual({});
    const [authId] = Object.keys(json.data('aws_eks_cluster_auth'));
    const connection = { host: 'https://api.example', cluster_ca_certificate: '${base64decode("Q0E=")}', token: `\${data.aws_eks_cluster_auth.${authId}.token}` };
    expect(json.json.provider.kubernetes).toEqual([connection]);
    expect(json.json.provider.helm).toEqual([{ kubernetes: connection }]);
  });

  test('endpoint without CA (or the reverse) is rejected', () => {
    expect(() => synthProviders({ endpoint: 'https://api.example' })).toThrow(/both endpoint and certificateAuthorityData/);
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

    test('are the five platform namespaces', () => {
      expect(namespaces.map((n) => n.metadata.name).sort()).toEqual(['istio-system', 'kyverno', 'monitoring', 'shared-services', 'tenantctl-system']);
    });

    test('enforce restricted Pod Security except where a chart needs more', () => {
      expect(byName(names.namespaces.platform).metadata.labels).toEqual({ ...psa('restricted'), 'tenantctl.io/namespace-role': 'platform' });
      expect(byName(names.namespaces.sharedServices).metadata.labels).toEqual({ ...psa('restricted'), 'tenantctl.io/namespace-role': 'shared-services', 'istio-injection': 'enabled' });
      expect(byName(names.namespaces.istio).metadata.labels).toEqual({ ...psa('baseline'), 'tenantctl.io/namespace-role': 'mesh', 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' });
      expect(byName(names.namespaces.monitoring).metadata.labels).toEqual({ ...psa('privileged'), 'tenantctl.io/namespace-role': 'monitoring' });
    });

    test('are created after the cluster and before every release in them', () => {
      for (const ns of namespaces) expect(ns.depends_on).toEqual([clusterRef]);
      const ids = json.resources('kubernetes_namespace_v1');
      const nsRef = (name: string) => `kubernetes_namespace_v1.${Object.keys(ids).find((id) => ids[id].metadata.name === name)}`;
      const releases = json.where('helm_release', (r) => r.namespace !== 'kube-system');
      expect(releases).toHaveLength(8);
      for (const release of releases) expect(release.depends_on).toContain(nsRef(release.namespace));
    });
  });

  describe('priority classes', () => {
    test('one per tier, named by tier, valued by tier priority, preempting lower priorities', () => {
      const classes = Object.values(json.resources('kubernetes_priority_class_v1'));
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
      const tiers = { ...tierCatalog, starter: { ...tierCatalog.starter, priority: 2000000000 } };
      expect(() => synthServices({ tiers })).toThrow(/tier starter: priority 2000000000/);
    });
  });

  describe('ALB access to the gateway pods', () => {
    test('the cluster security group admits the ALB security group on the gateway and readiness ports only', () => {
      const [dataId] = Object.keys(json.data('aws_eks_cluster'));
      expect(json.data('aws_eks_cluster')[dataId].name).toBe(`\${${clusterRef}.name}`);
      const rules = Object.values(json.resources('aws_vpc_security_group_ingress_rule'));
      expect(rules.map((r) => [r.from_port, r.to_port]).sort()).toEqual([[15021, 15021], [8080, 8080]]);
      for (const rule of rules) {
        expect(rule).toMatchObject({
          security_group_id: `\${data.aws_eks_cluster.${dataId}.vpc_config[0].cluster_security_group_id}`,
          referenced_security_group_id: 'sg-alb',
          ip_protocol: 'tcp',
        });
        expect(rule.cidr_ipv4).toBeUndefined();
      }
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
    ])('%s waits for %s', (later, earlier) => {
      expect(release(later).depends_on).toContain(ref(earlier));
    });

    test('every release waits for the cluster', () => {
      const releases = Object.values(json.resources('helm_release'));
      expect(releases).toHaveLength(11);
      for (const r of releases) expect(r.depends_on).toContain(clusterRef);
    });

    test('dependables cover every namespace, priority class and release', () => {
      const count = Object.keys(json.resources('kubernetes_namespace_v1')).length + Object.keys(json.resources('kubernetes_priority_class_v1')).length + Object.keys(json.resources('helm_release')).length;
      expect(new Set(services.dependables.map((d) => d.fqn)).size).toBe(count);
    });
  });

  test.each([80, 15021, 70000, 8080.5])('rejects gatewayPort %s', (gatewayPort) => {
    expect(() => synthServices({ gatewayPort })).toThrow(/gatewayPort .* is not usable/);
  });
});
