import { canaryMetrics, waveGateQuery } from '../../../src/model/canary';
import { CANARY_ANALYSIS_TEMPLATE, WAVE_GATE_TEMPLATE, tenantNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { earlierWaves } from '../../../src/model/release-waves';
import { prometheusAddress } from '../gitops/tenant-analysis-manifests';
import { celTemplate } from './sql-job-admission';

/**
 * Argo Rollouts' metric providers other than Prometheus. The controller runs every provider with
 * its own network position and rights (a web provider's request, a job provider's Job) and
 * records what it measured in the AnalysisRun, which the tenant can read: any of them would
 * reach past the tenant's namespace.
 */
const OTHER_PROVIDERS = [
  'web',
  'job',
  'datadog',
  'newRelic',
  'wavefront',
  'kayenta',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
] as const;

/**
 * What an AnalysisTemplate of a tenant namespace may say, whoever writes it: only the two tenantctl
 * names, only the platform Prometheus, and only the queries tenantctl writes for that namespace's
 * tenant (its canary gates) or for a wave (a wave gate), so no analysis reads another tenant's
 * series or reaches anything but Prometheus. `variables.tenant` is the tenant (as in meshValidations).
 */
export function analysisValidations(platform: PlatformSpec): { expression: string; message: string }[] {
  const marker = 'tenantidmarker';
  const own = canaryMetrics(tenantNames(platform, marker).namespace).map((m) => celTemplate(m.query, { [marker]: 'variables.tenant' }));
  const gates = platform.waves.slice(1).map((_, i) => celTemplate(waveGateQuery(earlierWaves(platform.waves, i + 1)), {}));
  const kind = (expression: string) => `request.resource.resource != 'analysistemplates' || request.operation == 'DELETE' || (${expression})`;
  const prometheus = (m: string) =>
    `has(${m}.provider) && has(${m}.provider.prometheus) && ${OTHER_PROVIDERS.map((p) => `!has(${m}.provider.${p})`).join(' && ')} && ${m}.provider.prometheus.address == '${prometheusAddress(platform)}'`;
  return [
    {
      expression: kind(`request.name in ['${CANARY_ANALYSIS_TEMPLATE}', '${WAVE_GATE_TEMPLATE}']`),
      message: `a tenant namespace holds only the AnalysisTemplates ${CANARY_ANALYSIS_TEMPLATE} and ${WAVE_GATE_TEMPLATE}, which its stack writes`,
    },
    {
      expression: kind(
        `has(object.spec.metrics) && object.spec.metrics.all(m, ${prometheus('m')} && has(m.provider.prometheus.query) && m.provider.prometheus.query in [${[...own, ...gates].join(', ')}])`,
      ),
      message:
        "a tenant's AnalysisTemplates query only the platform Prometheus, only with the queries tenantctl writes: the tenant's own canary gates, or a wave gate",
    },
  ];
}
