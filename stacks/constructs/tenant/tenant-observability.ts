import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { RATE_LIMIT_DOMAIN, RATE_LIMIT_NAMESPACE_LABEL } from '../../../src/model/rate-limit';
import { renderTemplate } from '../../../src/templates/render';

export interface TenantObservabilityProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  /** The tenant's namespace: every query and alert is filtered to it, and the alert rules live in it. */
  readonly namespace: string;
  /**
   * What the alert rules wait for (the tenant's namespace, when `namespace` is its name rather than a reference).
   * @default - nothing beyond the references in the props
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Quota use above which the tenant is about to be refused new Pods or resources. */
const QUOTA_SATURATION = 0.9;
const ERROR_RATIO = 0.05;
const P99_LATENCY_MS = 1000;

/**
 * The tenant's Grafana dashboard (templates/dashboards/tenant.json, rendered for the namespace) and
 * its alerts. The dashboard lives in the monitoring namespace, out of the tenant's reach (the
 * Grafana sidecar loads ConfigMaps labelled `grafana_dashboard: "1"` there); the PrometheusRule in
 * the tenant's namespace, where Prometheus confines every expression to the namespace's series
 * (enforcedNamespaceLabel, KubePrometheusStack), whatever the pipeline writes in it.
 */
export class TenantObservability extends Construct {
  readonly dashboardUid: string;
  readonly alertNames: string[];

  constructor(scope: Construct, id: string, props: TenantObservabilityProps) {
    super(scope, id);
    const { tenant, namespace } = props;
    const monitoring = platformNames(props.platform).namespaces.monitoring;
    const labels = { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/tenant': tenant.id };
    this.dashboardUid = tenant.names.dashboardUid;

    new ConfigMapV1(this, 'dashboard', {
      metadata: { name: tenant.names.dashboard, namespace: monitoring, labels: { ...labels, grafana_dashboard: '1' } },
      data: { [`${tenant.names.dashboard}.json`]: renderTenantDashboard(tenant, namespace, this.dashboardUid) },
    });

    const rules = tenantAlertRules(tenant, namespace);
    this.alertNames = rules.map((r) => r.alert);
    new Manifest(this, 'alerts', {
      dependsOn: props.dependsOn,
      manifest: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: tenant.names.alertRules, namespace, labels },
        spec: { groups: [{ name: tenant.names.alertRules, rules }] },
      },
    });
  }
}

/** The dashboard JSON for one tenant; fails if the rendered template is not valid JSON. */
export function renderTenantDashboard(tenant: TenantSpec, namespace: string, uid: string): string {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(namespace))
    throw new Error(`namespace ${JSON.stringify(namespace)} is not a Kubernetes namespace name`);
  const text = renderTemplate('dashboards/tenant.json', {
    uid,
    tenant_id: tenant.id,
    tier: tenant.tier,
    namespace,
    ratelimit_domain: RATE_LIMIT_DOMAIN,
    ratelimit_namespace_label: RATE_LIMIT_NAMESPACE_LABEL,
  });
  try {
    JSON.parse(text);
  } catch (err) {
    throw new Error(`templates/dashboards/tenant.json does not render to valid JSON for tenant ${tenant.id}: ${(err as Error).message}`);
  }
  return text;
}

interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function tenantAlertRules(tenant: TenantSpec, namespace: string): AlertRule[] {
  const quotaRatio = (resources: string) =>
    `max by (namespace, resource) (kube_resourcequota{namespace="${namespace}", resource=~"${resources}", type="used"} / ignoring(type) ` +
    `kube_resourcequota{namespace="${namespace}", resource=~"${resources}", type="hard"})`;
  const mesh = `reporter="destination", destination_workload_namespace="${namespace}"`;
  const requests = (extra = '') => `sum(rate(istio_requests_total{${mesh}${extra}}[5m]))`;
  const labels = (severity: string) => ({ severity, tenant: tenant.id, tier: tenant.tier, namespace });
  return [
    {
      alert: 'TenantQuotaSaturation',
      expr: `${quotaRatio('requests.cpu|limits.cpu|requests.memory|limits.memory')} > ${QUOTA_SATURATION}`,
      for: '15m',
      labels: labels('warning'),
      annotations: {
        summary: `Tenant ${tenant.id} uses more than 90% of its quota`,
        description:
          `{{ $labels.resource }} of namespace ${namespace} is at {{ $value | humanizePercentage }} of its ResourceQuota: new ` +
          `workloads will be refused. Raise the tier or the tenant override.`,
      },
    },
    {
      alert: 'TenantPodsNearQuota',
      expr: `${quotaRatio('pods')} > ${QUOTA_SATURATION}`,
      for: '15m',
      labels: labels('warning'),
      annotations: {
        summary: `Tenant ${tenant.id} runs close to its pod quota`,
        description: `Namespace ${namespace} uses {{ $value | humanizePercentage }} of its pod quota: scaling out will soon fail.`,
      },
    },
    {
      alert: 'TenantHighErrorRatio',
      expr: `${requests(', response_code=~"5.."')} / ${requests()} > ${ERROR_RATIO}`,
      for: '10m',
      labels: labels('critical'),
      annotations: {
        summary: `Tenant ${tenant.id} answers more than 5% of requests with 5xx`,
        description: `{{ $value | humanizePercentage }} of the requests to namespace ${namespace} failed with a 5xx status over the last 10 minutes.`,
      },
    },
    {
      alert: 'TenantHighLatencyP99',
      expr: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${mesh}}[5m]))) > ${P99_LATENCY_MS}`,
      for: '10m',
      labels: labels('warning'),
      annotations: {
        summary: `Tenant ${tenant.id} p99 latency is above 1 s`,
        description: `The 99th percentile of request duration in namespace ${namespace} is {{ $value | humanize }} ms.`,
      },
    },
  ];
}
