import { ANALYSIS_ARGS, ANALYSIS_SCHEDULE, WAVE_GATE_CONDITION, canaryMetrics, waveGateQuery } from '../../../src/model/canary';
import { ARGO_ROLLOUTS_API_VERSION } from '../../../src/model/gitops';
import { TENANT_LABEL } from '../../../src/model/labels';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { PROMETHEUS_PORT, PROMETHEUS_SERVICE } from '../addons/kube-prometheus-stack';

/** How often the wave gate looks, and for how long it waits for the earlier waves before the rollout aborts. */
export const WAVE_GATE_SCHEDULE = { interval: '5m', count: 24 } as const;

/** The platform Prometheus, which every analysis queries. */
export function prometheusAddress(platform: PlatformSpec): string {
  return `http://${PROMETHEUS_SERVICE}.${platformNames(platform).namespaces.monitoring}.svc.cluster.local:${PROMETHEUS_PORT}`;
}

function template(tenant: TenantSpec, name: string, metrics: Record<string, unknown>[]): Record<string, unknown> {
  return {
    apiVersion: ARGO_ROLLOUTS_API_VERSION,
    kind: 'AnalysisTemplate',
    metadata: { name, namespace: tenant.names.namespace, labels: { 'app.kubernetes.io/managed-by': 'tenantctl', [TENANT_LABEL]: tenant.id } },
    spec: { args: Object.values(ANALYSIS_ARGS).map((a) => ({ name: a })), metrics },
  };
}

/**
 * The canary gates of every service of the tenant (success rate and p99 latency of the canary's
 * version, over the tenant's own series only): the tenant stack writes it, and the AppProject
 * denies Argo CD's writing any Argo Rollouts analysis, so a service team can choose which service
 * and version it judges, never what it measures or where.
 */
export function canaryAnalysisManifest(platform: PlatformSpec, tenant: TenantSpec): Record<string, unknown> {
  const address = prometheusAddress(platform);
  return template(
    tenant,
    tenant.names.canaryAnalysis,
    canaryMetrics(tenant.names.namespace).map((m) => ({
      name: m.name,
      interval: ANALYSIS_SCHEDULE.interval,
      failureLimit: ANALYSIS_SCHEDULE.failureLimit,
      failureCondition: m.failureCondition,
      provider: { prometheus: { address, query: m.query } },
    })),
  );
}

/**
 * The wave gate of a tenant after the first wave: measured every five minutes for up to two hours,
 * it passes as soon as every earlier-wave Application of the service runs the version, Synced and
 * Healthy; if they never do, the rollout aborts and the tenant stays on its stable version.
 */
export function waveGateManifest(platform: PlatformSpec, tenant: TenantSpec, earlier: readonly string[]): Record<string, unknown> {
  return template(tenant, tenant.names.waveGate, [
    {
      name: 'earlier-waves-healthy',
      interval: WAVE_GATE_SCHEDULE.interval,
      count: WAVE_GATE_SCHEDULE.count,
      failureLimit: WAVE_GATE_SCHEDULE.count - 1,
      consecutiveSuccessLimit: 1,
      successCondition: WAVE_GATE_CONDITION,
      provider: { prometheus: { address: prometheusAddress(platform), query: waveGateQuery(earlier) } },
    },
  ]);
}
