import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { SYSTEM_PRIORITY_CLASSES } from '../../../../src/model/priorities';
import { HelmAddon } from '../helm-addon';
import { systemNodes } from '../system-nodes';
import { chartRepositories, chartVersions } from '../versions';

export interface IstioProps {
  /** Namespace of istiod and the ingress gateway (istio-system). */
  readonly namespace: string;
  /** Namespace of the Istio CNI node agent: a privileged DaemonSet, so kube-system. */
  readonly cniNamespace: string;
  /** Release name of the ingress gateway; also the name of its Deployment and Service. */
  readonly gatewayName: string;
  /** Labels of the ingress gateway pods: Gateway selectors and tenant NetworkPolicies match them. */
  readonly gatewayLabels: Record<string, string>;
  /** Port the gateway pods serve HTTP on and the ALB targets. */
  readonly gatewayPort: number;
  /** OTLP/gRPC trace collector (Jaeger). */
  readonly tracing: { readonly service: string; readonly port: number };
  readonly dependsOn?: ITerraformDependable[];
}

/** Istio's fixed readiness port on gateway pods (/healthz/ready), the ALB health check target. */
export const ISTIO_STATUS_PORT = 15021;
/** Port the ingress gateway pods serve HTTP on, which the ALB targets (unprivileged, outside Istio's 15000-15099). */
export const INGRESS_GATEWAY_PORT = 8080;
/** Port of the sidecar's agent (status, merged metrics), which the injector excludes from inbound capture. */
export const SIDECAR_STATUS_PORT = 15020;
/** Name of the tracing extension provider in the mesh config. */
export const TRACING_PROVIDER = 'jaeger';
const GATEWAY_REPLICAS = { min: 3, max: 15, cpuPercent: 60 };

/**
 * Istio in sidecar mode: base (CRDs), the CNI node agent, istiod and the ingress gateway, in that
 * order. The CNI agent sets up traffic redirection instead of the istio-init container, which
 * needs NET_ADMIN and NET_RAW: without it, injected pods would be rejected by the restricted Pod
 * Security level that tenant and shared-services namespaces enforce. istiod (the injection
 * webhook, the proxies' configuration and certificates) and the ingress gateway (every tenant's
 * traffic) run on the system nodes at system-cluster-critical; the CNI agent is a DaemonSet on
 * every node at system-node-critical (the chart's default).
 */
export class Istio extends Construct {
  readonly base: Release;
  readonly cni: Release;
  readonly istiod: Release;
  readonly gateway: Release;

  constructor(scope: Construct, id: string, props: IstioProps) {
    super(scope, id);
    const chart = (
      name: string,
      releaseName: string,
      namespace: string,
      values: Record<string, unknown> | undefined,
      dependsOn: ITerraformDependable[],
    ) =>
      new HelmAddon(this, name, {
        releaseName,
        chart: name,
        repository: chartRepositories.istio,
        version: chartVersions.istio,
        namespace,
        values,
        dependsOn,
      }).release;
    const after = props.dependsOn ?? [];

    this.base = chart('base', 'istio-base', props.namespace, undefined, after);
    this.cni = chart('cni', 'istio-cni', props.cniNamespace, { global: { logAsJson: true } }, [...after, this.base]);
    this.istiod = chart('istiod', 'istiod', props.namespace, istiodValues(props), [...after, this.cni]);
    this.gateway = chart('gateway', props.gatewayName, props.namespace, gatewayValues(props), [...after, this.istiod]);
  }
}

function istiodValues(props: IstioProps): Record<string, unknown> {
  return {
    autoscaleEnabled: true,
    autoscaleMin: 2,
    autoscaleMax: 5,
    ...systemNodes(),
    seccompProfile: { type: 'RuntimeDefault' },
    cni: { enabled: true },
    // Re-injects a pod after a later webhook (the tenant's scheduling policy) sets its sidecar's
    // resources by annotation; injection is idempotent.
    sidecarInjectorWebhook: { reinvocationPolicy: 'IfNeeded' },
    global: {
      logAsJson: true,
      priorityClassName: SYSTEM_PRIORITY_CLASSES.clusterCritical.name,
      // Sidecars outside tenant namespaces (tenant pods get their tier's size by annotation): the
      // chart default (2 CPU limit) is far above what they need.
      proxy: { resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } } },
    },
    meshConfig: {
      accessLogFile: '/dev/stdout',
      accessLogEncoding: 'JSON',
      // Only services in the registry (Kubernetes Services, ServiceEntries) are reachable: egress
      // to the internet or other tenants' external hosts must be declared.
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
      enableTracing: true,
      extensionProviders: [{ name: TRACING_PROVIDER, opentelemetry: { service: props.tracing.service, port: props.tracing.port } }],
      defaultProviders: { tracing: [TRACING_PROVIDER] },
      defaultConfig: {
        // An empty block turns off the legacy Zipkin tracer so only the provider above is used.
        tracing: {},
        holdApplicationUntilProxyStarts: true,
      },
    },
  };
}

function gatewayValues(props: IstioProps): Record<string, unknown> {
  return {
    labels: props.gatewayLabels,
    priorityClassName: SYSTEM_PRIORITY_CLASSES.clusterCritical.name,
    ...systemNodes(),
    service: {
      // The ALB registers pod IPs (TargetGroupBinding, target type ip): no cloud load balancer.
      type: 'ClusterIP',
      ports: [
        { name: 'status-port', port: ISTIO_STATUS_PORT, targetPort: ISTIO_STATUS_PORT, protocol: 'TCP' },
        { name: 'http', port: props.gatewayPort, targetPort: props.gatewayPort, protocol: 'TCP' },
      ],
    },
    autoscaling: {
      enabled: true,
      minReplicas: GATEWAY_REPLICAS.min,
      maxReplicas: GATEWAY_REPLICAS.max,
      targetCPUUtilizationPercentage: GATEWAY_REPLICAS.cpuPercent,
    },
    podDisruptionBudget: { maxUnavailable: 1 },
    // The ALB is the one proxy in front: trust its X-Forwarded-For entry for the client address.
    podAnnotations: { 'proxy.istio.io/config': JSON.stringify({ gatewayTopology: { numTrustedProxies: 1 } }) },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: props.gatewayLabels },
      },
    ],
  };
}
