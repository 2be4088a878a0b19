import { NetworkPolicyV1, type NetworkPolicyV1Spec } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { JAEGER_OTLP_GRPC_PORT, JAEGER_POD_LABELS, JAEGER_QUERY_PORT } from '../addons/jaeger';
import { GRAFANA_CONTAINER_PORT, OPERATOR_HTTPS_PORT, OPERATOR_POD_LABELS, PROMETHEUS_PORT } from '../addons/kube-prometheus-stack';

export interface MonitoringNetworkPoliciesProps {
  /** The monitoring namespace (Prometheus, Alertmanager, Grafana, kube-state-metrics, the operator, Jaeger). */
  readonly namespace: string;
  /** Kiali's namespace: it queries Prometheus, Grafana and Jaeger's query API. */
  readonly kialiNamespace: string;
  /** The VPC's CIDR, where the EKS control plane's ENIs call the operator's admission webhook from. */
  readonly vpcCidr: string;
  /** With a service catalog: the Argo Rollouts controller, which runs every canary's analysis against Prometheus. */
  readonly rolloutsController?: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
  readonly dependsOn?: ITerraformDependable[];
}

/** Labels the Prometheus Operator sets on the Prometheus server's pods. */
export const PROMETHEUS_POD_LABELS = { 'app.kubernetes.io/name': 'prometheus' } as const;

/** Labels of Kiali's server pods (kiali-server chart). */
export const KIALI_POD_LABELS = { 'app.kubernetes.io/name': 'kiali' } as const;
/** Set by Kubernetes on every namespace; nobody can forge it. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const tcp = (port: number) => ({ protocol: 'TCP', port: String(port) });

/**
 * Ingress isolation of the monitoring namespace, which holds every tenant's metrics and traces: a
 * tenant pod whose pipeline opened its egress must not query them. Deny all ingress, then allow
 * exactly what must work:
 *
 * - the namespace's own pods (Grafana and the rule evaluation query Prometheus, Prometheus scrapes
 *   kube-state-metrics, the operator and Alertmanager and sends it alerts); no tenant runs pods here;
 * - Kiali (its namespace and pod labels) to Prometheus, Grafana and Jaeger's query port;
 * - with a service catalog, the Argo Rollouts controller to Prometheus's pods on its API port: every
 *   canary gate and wave gate is a query it makes (a blocked query is an error, and errors abort);
 * - every namespace's pods to Jaeger's pods on its OTLP collector port only (every sidecar and
 *   gateway sends spans; they can add spans, never read them);
 * - the VPC to the operator's pods on its HTTPS port: the API server calls its admission webhook
 *   from the control plane's ENIs in the VPC (pods share the VPC's addresses, so they reach that
 *   port too: the webhook only validates rule syntax, and the operator's metrics hold no tenant data).
 *   Only those pods: another monitoring pod listening on the same port is not opened to the VPC.
 *
 * The namespace is not meshed (no sidecars), so these policies are its only ingress control; the
 * kubelet's probes come from the node, which the VPC CNI's policy agent always admits, and
 * `kubectl port-forward` enters through the kubelet, not the pod network. Egress stays open:
 * Prometheus scrapes every namespace and Alertmanager reaches its receivers.
 */
export class MonitoringNetworkPolicies extends Construct {
  readonly policies: NetworkPolicyV1[];

  constructor(scope: Construct, id: string, props: MonitoringNetworkPoliciesProps) {
    super(scope, id);
    const policy = (name: string, spec: Omit<NetworkPolicyV1Spec, 'podSelector' | 'policyTypes'>, podLabels?: Record<string, string>) =>
      new NetworkPolicyV1(this, name, {
        dependsOn: props.dependsOn,
        metadata: { name, namespace: props.namespace, labels: { 'app.kubernetes.io/managed-by': 'tenantctl' } },
        spec: { podSelector: podLabels ? { matchLabels: podLabels } : {}, policyTypes: ['Ingress'], ...spec },
      });
    this.policies = [
      policy('default-deny-ingress', {}),
      policy('allow-same-namespace', { ingress: [{ from: [{ podSelector: {} }] }] }),
      policy('allow-kiali', {
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: props.kialiNamespace } },
                podSelector: { matchLabels: { ...KIALI_POD_LABELS } },
              },
            ],
            ports: [PROMETHEUS_PORT, GRAFANA_CONTAINER_PORT, JAEGER_QUERY_PORT].map(tcp),
          },
        ],
      }),
      policy(
        'allow-span-ingest',
        { ingress: [{ from: [{ namespaceSelector: {} }], ports: [tcp(JAEGER_OTLP_GRPC_PORT)] }] },
        { ...JAEGER_POD_LABELS },
      ),
      policy(
        'allow-operator-webhook',
        { ingress: [{ from: [{ ipBlock: { cidr: props.vpcCidr } }], ports: [tcp(OPERATOR_HTTPS_PORT)] }] },
        { ...OPERATOR_POD_LABELS },
      ),
      ...(props.rolloutsController
        ? [
            policy(
              'allow-rollouts-analysis',
              {
                ingress: [
                  {
                    from: [
                      {
                        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: props.rolloutsController.namespace } },
                        podSelector: { matchLabels: { ...props.rolloutsController.podLabels } },
                      },
                    ],
                    ports: [tcp(PROMETHEUS_PORT)],
                  },
                ],
              },
              { ...PROMETHEUS_POD_LABELS },
            ),
          ]
        : []),
    ];
  }
}
