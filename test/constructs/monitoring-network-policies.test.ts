import { Testing } from 'cdktf';
import { resolveTiers } from '../../src/model/tiers';
import { ClusterStack } from '../../stacks/cluster-stack';
import { platformSpec, SynthJson } from '../util';

/**
 * The monitoring namespace's ingress isolation in the synthesized cluster stack: denied by default,
 * then exactly the namespace itself, Kiali, span ingest from everywhere (to Jaeger only) and the API server's webhook calls (to the operator only).
 */

const platform = platformSpec();
const json = SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform, tiers: resolveTiers() })));
const policies = json.where('kubernetes_network_policy_v1', (p) => p.metadata.namespace === 'monitoring');
const named = (name: string) => policies.find((p) => p.metadata.name === name);

describe('GIVEN the cluster stack', () => {
  test('THEN the monitoring namespace has exactly the five ingress policies, each isolating ingress only', () => {
    expect(policies.map((p) => p.metadata.name).sort()).toEqual([
      'allow-kiali',
      'allow-operator-webhook',
      'allow-same-namespace',
      'allow-span-ingest',
      'default-deny-ingress',
    ]);
    for (const p of policies) expect(p.spec.policy_types).toEqual(['Ingress']);
    expect(named('default-deny-ingress').spec.ingress).toBeUndefined();
  });

  test('THEN the deny, the namespace and Kiali policies select every pod', () => {
    for (const name of ['default-deny-ingress', 'allow-same-namespace', 'allow-kiali']) expect(named(name).spec.pod_selector).toEqual({});
  });

  test("THEN span ingest selects only Jaeger's all-in-one pods (the jaeger chart's selector labels of its release)", () => {
    expect(named('allow-span-ingest').spec.pod_selector).toEqual({
      match_labels: { 'app.kubernetes.io/name': 'jaeger', 'app.kubernetes.io/instance': 'jaeger', 'app.kubernetes.io/component': 'all-in-one' },
    });
  });

  test("THEN the webhook policy selects only the prometheus-operator's pods (kube-prometheus-stack's operator Deployment selector)", () => {
    expect(named('allow-operator-webhook').spec.pod_selector).toEqual({
      match_labels: { app: 'kube-prometheus-stack-operator', release: 'kube-prometheus-stack' },
    });
  });

  test('THEN its own pods reach each other (Grafana and rules query Prometheus, Prometheus scrapes and alerts)', () => {
    expect(named('allow-same-namespace').spec.ingress).toEqual([{ from: [{ pod_selector: {} }] }]);
  });

  test("THEN Kiali's pods, and nothing else of istio-system, reach Prometheus, Grafana and Jaeger's query port", () => {
    expect(named('allow-kiali').spec.ingress).toEqual([
      {
        from: [
          {
            namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'istio-system' } },
            pod_selector: { match_labels: { 'app.kubernetes.io/name': 'kiali' } },
          },
        ],
        ports: [
          { protocol: 'TCP', port: '9090' },
          { protocol: 'TCP', port: '3000' },
          { protocol: 'TCP', port: '16686' },
        ],
      },
    ]);
  });

  test("THEN every namespace's pods reach Jaeger's OTLP collector port, and only it", () => {
    expect(named('allow-span-ingest').spec.ingress).toEqual([{ from: [{ namespace_selector: {} }], ports: [{ protocol: 'TCP', port: '4317' }] }]);
  });

  test("THEN the VPC (the control plane's ENIs) reaches the operator's webhook port, the one the chart is told to serve on", () => {
    expect(named('allow-operator-webhook').spec.ingress).toEqual([
      { from: [{ ip_block: { cidr: platform.network.vpcCidr } }], ports: [{ protocol: 'TCP', port: '10250' }] },
    ]);
    const values = JSON.parse(json.where('helm_release', (r) => r.name === 'kube-prometheus-stack')[0].values[0]);
    expect(values.prometheusOperator.tls).toEqual({ internalPort: 10250 });
  });

  test("THEN no policy opens the Prometheus, Alertmanager or Grafana ports to other namespaces than Kiali's", () => {
    const wide = policies
      .flatMap((p) => p.spec.ingress ?? [])
      .filter((rule: any) => rule.from.some((peer: any) => peer.namespace_selector && !peer.pod_selector))
      .flatMap((rule: any) => rule.ports.map((port: any) => port.port));
    expect(wide).toEqual(['4317']);
  });

  test('THEN the policies are created after the monitoring namespace', () => {
    const ns = `kubernetes_namespace_v1.${json.idOf('kubernetes_namespace_v1', (n) => n.metadata.name === 'monitoring')}`;
    for (const p of policies) expect(p.depends_on).toContain(ns);
  });
});
