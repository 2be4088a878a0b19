import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { platformNames } from '../../src/model/names';
import { EksCluster } from '../../stacks/constructs/eks/eks-cluster';
import { PlatformServices } from '../../stacks/constructs/platform-services';
import { platformSpec, SynthJson } from '../util';
import { platformServicesProps } from './platform-services-fixture';

/**
 * Platform components run on the tainted system nodes at a priority above every tier:
 * system-cluster-critical where the cluster depends on them, the platform class otherwise.
 */

const platform = platformSpec();
const names = platformNames(platform);
const SYSTEM = {
  nodeSelector: { 'tenantctl.io/pool': 'system' },
  tolerations: [{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
};
const CLUSTER_CRITICAL = 'system-cluster-critical';
const PLATFORM = 'tenantctl-platform';

describe('GIVEN the platform services WHEN synthesized', () => {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new KubernetesProvider(stack, 'kubernetes', {});
  new HelmProvider(stack, 'helm', {});
  const cluster = new EksClusterResource(stack, 'eks', {
    name: names.cluster,
    roleArn: 'arn:aws:iam::111122223333:role/acme-prod-eks-cluster',
    vpcConfig: { subnetIds: ['subnet-a'] },
  });
  new PlatformServices(stack, 'services', platformServicesProps(platform, cluster));
  const json = SynthJson.parse(Testing.synth(stack));
  const release = (name: string) => json.where('helm_release', (r) => r.name === name)[0];
  const values = (name: string) => JSON.parse(release(name).values[0]);
  const platformClass = `kubernetes_priority_class_v1.${json.idOf('kubernetes_priority_class_v1', (c) => c.metadata.name === PLATFORM)}`;

  test('THEN istiod (injection webhook, proxy configuration) is cluster-critical on the system nodes, and re-injects after later webhooks', () => {
    const v = values('istiod');
    expect(v).toMatchObject({ ...SYSTEM, sidecarInjectorWebhook: { reinvocationPolicy: 'IfNeeded' } });
    expect(v.global.priorityClassName).toBe(CLUSTER_CRITICAL);
  });

  test('THEN the ingress gateway (every tenant request) is cluster-critical on the system nodes', () => {
    expect(values('istio-ingressgateway')).toMatchObject({ ...SYSTEM, priorityClassName: CLUSTER_CRITICAL });
  });

  test('THEN the Istio CNI agent keeps its chart defaults: a DaemonSet on every node at system-node-critical', () => {
    expect(values('istio-cni')).toEqual({ global: { logAsJson: true } });
  });

  test(
    'THEN Kyverno cannot be starved: three admission replicas over zones with a budget of two, cluster-critical, every pod of the chart ' +
      'on the system nodes',
    () => {
      const v = values('kyverno');
      expect(v.global).toEqual(SYSTEM);
      expect(v.admissionController).toEqual({
        replicas: 3,
        podDisruptionBudget: { enabled: true, minAvailable: 2 },
        priorityClassName: CLUSTER_CRITICAL,
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { 'app.kubernetes.io/component': 'admission-controller', 'app.kubernetes.io/instance': 'kyverno' } },
          },
        ],
      });
      for (const c of ['backgroundController', 'cleanupController', 'reportsController'])
        expect(v[c]).toEqual({ replicas: 2, priorityClassName: PLATFORM });
    },
  );

  test("THEN Kyverno's webhooks see tenant namespaces only: no platform pod waits for it", () => {
    expect(values('kyverno').config).toEqual({
      webhooks: { namespaceSelector: { matchExpressions: [{ key: 'tenantctl.io/tenant', operator: 'Exists' }] } },
    });
  });

  test('THEN every kube-prometheus-stack workload runs on the system nodes at the platform priority; node-exporter on every node at that priority', () => {
    const v = values('kube-prometheus-stack');
    const onSystem = { ...SYSTEM, priorityClassName: PLATFORM };
    expect(v.prometheusOperator).toEqual({ ...onSystem, tls: { internalPort: 10250 }, admissionWebhooks: { patch: onSystem } });
    expect(v.prometheus.prometheusSpec).toMatchObject(onSystem);
    expect(v.alertmanager.alertmanagerSpec).toMatchObject(onSystem);
    expect(v.grafana).toMatchObject(onSystem);
    expect(v['kube-state-metrics']).toEqual(onSystem);
    expect(v['prometheus-node-exporter']).toEqual({ priorityClassName: PLATFORM });
  });

  test('THEN Jaeger runs on the system nodes (its chart takes no priority class)', () => {
    expect(values('jaeger').jaeger).toMatchObject(SYSTEM);
  });

  test('THEN the load balancer controller and the cluster autoscaler are cluster-critical on the system nodes', () => {
    expect(values('aws-load-balancer-controller')).toMatchObject({ ...SYSTEM, priorityClassName: CLUSTER_CRITICAL });
    expect(values('cluster-autoscaler')).toMatchObject({ ...SYSTEM, priorityClassName: CLUSTER_CRITICAL });
  });

  test('THEN the releases whose pods use the platform class wait for it', () => {
    for (const name of ['kyverno', 'kube-prometheus-stack', 'kiali']) expect(release(name).depends_on).toContain(platformClass);
  });
});

describe('GIVEN the EKS cluster WHEN synthesized', () => {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new EksCluster(stack, 'eks', {
    platform,
    vpcId: 'vpc-0123',
    privateSubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    secretsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/eks',
    logsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/logs',
    ebsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/ebs',
  });
  const json = SynthJson.parse(Testing.synth(stack));
  const group = (name: string) => json.where('aws_eks_node_group', (g) => g.node_group_name === name)[0];
  const addonConfig = (name: string) => JSON.parse(json.where('aws_eks_addon', (a) => a.addon_name === name)[0].configuration_values);

  test('THEN the system nodes carry a NoSchedule taint only platform pods tolerate; the shared tenant nodes none', () => {
    expect(group('system').taint).toEqual([{ key: 'tenantctl.io/pool', value: 'system', effect: 'NO_SCHEDULE' }]);
    expect(group('tenants').taint).toBeUndefined();
  });

  test('THEN CoreDNS runs on the system nodes, keeping its CriticalAddonsOnly toleration', () => {
    expect(addonConfig('coredns')).toEqual({
      nodeSelector: SYSTEM.nodeSelector,
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, ...SYSTEM.tolerations],
    });
  });

  test('THEN the EBS CSI controller runs on the system nodes, keeping its default tolerations (its node plugin tolerates every taint)', () => {
    expect(addonConfig('aws-ebs-csi-driver')).toEqual({
      controller: {
        nodeSelector: SYSTEM.nodeSelector,
        tolerations: [
          { key: 'CriticalAddonsOnly', operator: 'Exists' },
          { effect: 'NoExecute', operator: 'Exists', tolerationSeconds: 300 },
          ...SYSTEM.tolerations,
        ],
      },
    });
  });
});
