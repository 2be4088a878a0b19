import type { Release } from '@cdktf/provider-helm/lib/release';
import { AssetType, TerraformAsset, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { TENANT_LABEL } from '../../../src/model/labels';
import { templatePath } from '../../../src/paths';
import { SIDECAR_STATUS_PORT } from '../addons/istio';
import { HelmAddon } from '../addons/helm-addon';
import { readChart } from '../addons/local-chart';

export interface TenantGuardrailsProps {
  /** Namespace the release is recorded in (Kyverno's); ClusterPolicies are cluster-scoped. */
  readonly namespace: string;
  /** The ResourceQuota every tenant namespace holds (TenantNamespace). */
  readonly quotaName: string;
  /** Kyverno (its CRDs and admission webhook) and the policy namespace. */
  readonly dependsOn?: ITerraformDependable[];
}

export const TENANT_GUARDRAILS_CHART_DIR = templatePath('charts', 'tenant-guardrails');
export const MESH_CAPTURE_POLICY = 'tenant-mesh-capture';
export const QUOTA_REQUIRED_POLICY = 'tenant-quota-required';

/**
 * A Kyverno ClusterPolicy over Pods as they are admitted (autogen off: Pod templates of
 * Deployments carry no sidecar yet, so only Pods are checked), never in the background.
 */
function podClusterPolicy(name: string, title: string, description: string, rules: Record<string, unknown>[]): Record<string, unknown> {
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'tenantctl' },
      annotations: {
        'pod-policies.kyverno.io/autogen-controllers': 'none',
        'policies.kyverno.io/title': title,
        'policies.kyverno.io/description': description,
      },
    },
    spec: { background: false, rules },
  };
}

/** Pods in every namespace that carries the tenant label (one selector whatever the number of tenants). */
const TENANT_PODS = (operations: string[]) => ({
  any: [{ resources: { kinds: ['Pod'], operations, namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: 'Exists' }] } } }],
});

/**
 * Pod annotations that would change what the injector builds: another template (the proxyless
 * gRPC ones capture nothing), a proxy configuration or image of the pod's choosing, a custom
 * Envoy bootstrap or volumes in the proxy, and `proxy.istio.io/overrides`, which the injector
 * writes when a pod defines its own istio-proxy container (image, command, resources).
 */
export const PROXY_CUSTOMIZATION_ANNOTATIONS = [
  'inject.istio.io/templates',
  'proxy.istio.io/config',
  'proxy.istio.io/overrides',
  'sidecar.istio.io/proxyImage',
  'sidecar.istio.io/bootstrapOverride',
  'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount',
] as const;

/**
 * What the injector writes on every pod for the CNI agent, with Istio CNI and the chart's
 * capture defaults: REDIRECT, every outbound address and inbound port captured, only the agent's
 * status port left out. Any other value, or any other traffic.sidecar.istio.io annotation,
 * excludes traffic from the proxy.
 */
export const FULL_CAPTURE_ANNOTATIONS: Readonly<Record<string, string>> = {
  'sidecar.istio.io/interceptionMode': 'REDIRECT',
  'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
  'traffic.sidecar.istio.io/includeInboundPorts': '*',
  'traffic.sidecar.istio.io/excludeInboundPorts': String(SIDECAR_STATUS_PORT),
};
const TRAFFIC_ANNOTATION_PREFIX = 'traffic.sidecar.istio.io/';
/** The user and group the proxy runs as: traffic of processes running as either is never captured. */
export const PROXY_IDENTITY = 1337;
/** Containers the injector adds, which run as the proxy's identity by design. */
const INJECTED_CONTAINERS = ['istio-proxy', 'istio-validation', 'istio-init'];
/** Routes traffic of extra interfaces around the proxy. */
const REROUTE_INTERFACES_ANNOTATION = 'istio.io/reroute-virtual-interfaces';

const annotation = (key: string, absent: string) => `{{ request.object.metadata.annotations."${key}" || '${absent}' }}`;
const label = (key: string, absent: string) => `{{ request.object.metadata.labels."${key}" || '${absent}' }}`;

/**
 * The ClusterPolicy that keeps every pod of every tenant namespace (selected by the tenant
 * label, so it is one object whatever the number of tenants) inside the mesh: it carries the
 * injected istio-proxy, unmodified, and the proxy captures all of its traffic. Validated after
 * every mutating webhook, so it sees what Istio injected. Without this, a pod could opt out of
 * injection or exclude ports and addresses from capture, and leave the mesh's registry-only
 * egress, mTLS and authorization behind.
 */
export function meshCapturePolicy(): Record<string, unknown> {
  const match = TENANT_PODS(['CREATE', 'UPDATE']);
  const rule = (name: string, message: string, conditions: Record<string, unknown>[]) => ({
    name,
    match,
    skipBackgroundRequests: true,
    validate: { failureAction: 'Enforce', allowExistingViolations: true, message, deny: { conditions: { any: conditions } } },
  });
  const present = (key: string) => ({ key: annotation(key, ''), operator: 'NotEquals', value: '' });
  const injected = (c: 'initContainers' | 'containers') => `length(request.object.spec.${c}[?name=='istio-proxy'] || \`[]\`)`;

  return podClusterPolicy(
    MESH_CAPTURE_POLICY,
    'Tenant pods stay in the mesh',
    'Pods in tenant namespaces run the injected Istio proxy, unmodified, and it captures all of their traffic.',
    [
      rule(
        'sidecar-injected',
        'Pods in tenant namespaces run with the Istio sidecar: remove sidecar.istio.io/inject (label or annotation) and istio.io/rev.',
        [
          { key: label('sidecar.istio.io/inject', 'true'), operator: 'NotEquals', value: 'true' },
          { key: annotation('sidecar.istio.io/inject', 'true'), operator: 'NotEquals', value: 'true' },
          { key: `{{ add(${injected('initContainers')}, ${injected('containers')}) }}`, operator: 'Equals', value: 0 },
        ],
      ),
      rule(
        'proxy-not-customized',
        `Pods in tenant namespaces run the platform's proxy as injected: remove ${PROXY_CUSTOMIZATION_ANNOTATIONS.join(', ')} and any container named istio-proxy.`,
        PROXY_CUSTOMIZATION_ANNOTATIONS.map(present),
      ),
      rule(
        'not-as-proxy-identity',
        `Containers of tenant pods do not run as the proxy's user or group (${PROXY_IDENTITY}), whose traffic the proxy does not capture: ` +
          `set another runAsUser and runAsGroup.`,
        [
          ...(['runAsUser', 'runAsGroup'] as const).map((field) => ({
            key: `{{ request.object.spec.securityContext.${field} || \`0\` }}`,
            operator: 'Equals',
            value: PROXY_IDENTITY,
          })),
          ...(['containers', 'initContainers'] as const).map((list) => ({
            key: `{{ length(request.object.spec.${list}[?${INJECTED_CONTAINERS.map((n) => `name != '${n}'`).join(' && ')} && (securityContext.runAsUser == \`${PROXY_IDENTITY}\` || securityContext.runAsGroup == \`${PROXY_IDENTITY}\`)] || \`[]\`) }}`,
            operator: 'GreaterThan',
            value: 0,
          })),
        ],
      ),
      rule(
        'full-traffic-capture',
        `The proxy of a tenant pod captures all of its traffic: remove ${TRAFFIC_ANNOTATION_PREFIX}* and sidecar.istio.io/interceptionMode ` +
          `annotations.`,
        [
          ...Object.entries(FULL_CAPTURE_ANNOTATIONS).map(([key, value]) => ({ key: annotation(key, value), operator: 'NotEquals', value })),
          {
            key: `{{ keys(request.object.metadata.annotations || \`{}\`)[?starts_with(@, '${TRAFFIC_ANNOTATION_PREFIX}')] }}`,
            operator: 'AnyNotIn',
            value: Object.keys(FULL_CAPTURE_ANNOTATIONS).filter((k) => k.startsWith(TRAFFIC_ANNOTATION_PREFIX)),
          },
          present(REROUTE_INTERFACES_ANNOTATION),
        ],
      ),
    ],
  );
}

/**
 * The ClusterPolicy that admits a Pod into a tenant namespace only while the namespace holds the
 * tenant's ResourceQuota: a namespace without it would let a tenant take the shared nodes without
 * bound (its pipeline may write the quota only at its entitled size and may not delete it, but
 * could leave it out). Kyverno reads the quota through its view permissions (the chart's default).
 */
export function quotaRequiredPolicy(quotaName: string): Record<string, unknown> {
  return podClusterPolicy(
    QUOTA_REQUIRED_POLICY,
    'Tenant pods run under their quota',
    `Pods in a tenant namespace are admitted only while the namespace holds the ResourceQuota ${quotaName}.`,
    [
      {
        name: 'quota-present',
        match: TENANT_PODS(['CREATE']),
        skipBackgroundRequests: true,
        context: [
          {
            name: 'quotas',
            apiCall: {
              method: 'GET',
              urlPath: '/api/v1/namespaces/{{ request.namespace }}/resourcequotas',
              jmesPath: `items[?metadata.name=='${quotaName}'] | length(@)`,
            },
          },
        ],
        validate: {
          failureAction: 'Enforce',
          allowExistingViolations: true,
          message: `Pods of a tenant run only while its namespace holds the ResourceQuota ${quotaName}: apply the tenant's stack.`,
          deny: { conditions: { any: [{ key: '{{ quotas }}', operator: 'Equals', value: 0 }] } },
        },
      },
    ],
  );
}

/**
 * Kyverno ClusterPolicies that hold for every tenant, installed as the local chart
 * templates/charts/tenant-guardrails: their CRDs come with Kyverno in the same apply, which
 * kubernetes_manifest cannot wait for. The chart renders the policies built here as they are.
 */
export class TenantGuardrails extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: TenantGuardrailsProps) {
    super(scope, id);
    const chart = readChart(TENANT_GUARDRAILS_CHART_DIR);
    const asset = new TerraformAsset(this, 'chart', { path: TENANT_GUARDRAILS_CHART_DIR, type: AssetType.DIRECTORY });
    this.release = new HelmAddon(this, 'helm', {
      releaseName: chart.name,
      chart: asset.path,
      version: chart.version,
      namespace: props.namespace,
      values: { clusterPolicies: [meshCapturePolicy(), quotaRequiredPolicy(props.quotaName)] },
      dependsOn: props.dependsOn,
    }).release;
  }
}
