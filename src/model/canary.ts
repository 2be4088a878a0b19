/**
 * The canary of each tenant's service (Argo Rollouts) and the gates it must pass: the weights it
 * steps through, and the Prometheus queries of its analysis. Queries read the platform
 * Prometheus; every selector of a tenant's canary is pinned to the tenant's namespace twice: by
 * `namespace` (the scrape target's, which Prometheus sets and no workload can choose) and by
 * Istio's `destination_workload_namespace`, both at `reporter="destination"` (the tenant's own
 * sidecars). Pure: the tenant stack writes them into AnalysisTemplates, `validate` reads them back.
 */

/** Canary traffic weights, in percent: 10% steps up to 50%, then full promotion. */
export const CANARY_WEIGHTS = [10, 20, 30, 40, 50] as const;

/** How long each weight holds before the next: long enough for two analysis measurements. */
export const CANARY_STEP_PAUSE = '2m';

/** The gates: at least 99% of the canary's requests succeed, and its p99 latency stays at or below 500 ms. */
export const CANARY_GATES = { successRate: 0.99, latencyQuantile: 0.99, latencyMs: 500 } as const;

/** One measurement a minute over the last two; one bad measurement is tolerated, the second aborts. */
export const ANALYSIS_SCHEDULE = { interval: '1m', window: '2m', failureLimit: 1 } as const;

/** Arguments the Rollout passes to its analysis: the service (its pods' `app` label) and the canary's version. */
export const ANALYSIS_ARGS = { service: 'service', version: 'version' } as const;

/**
 * What an analysis argument's value may be (a service name or an image tag): it is pasted into the
 * templates' PromQL as it is, so a quote, brace or `#` would let a service team's Rollout rewrite
 * the query (always pass, or read other namespaces' series). Admission holds every Rollout to it.
 */
export const ANALYSIS_ARG_VALUE = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';

/** Labels of a tenant's Applications that the wave gate reads (Argo CD exports them as `label_<name>` of argocd_app_labels). */
export const APPLICATION_LABELS = {
  service: 'app.kubernetes.io/name',
  version: 'app.kubernetes.io/version',
  wave: 'tenantctl.io/wave',
  /** `true` on the Application of a tenant that pins the service's tag: it never takes a release, so no gate waits for it. */
  pinned: 'tenantctl.io/pinned',
} as const;

/** Prometheus' spelling of a label name: every character outside [a-zA-Z0-9_] becomes `_`. */
export function promLabel(label: string): string {
  return `label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

const arg = (name: string) => `{{args.${name}}}`;

/** The selector of the canary's requests: the tenant's own sidecars' reports of the service at the canary's version. */
export function canarySelector(namespace: string): string {
  return [
    `reporter="destination"`,
    `namespace="${namespace}"`,
    `destination_workload_namespace="${namespace}"`,
    `destination_app="${arg(ANALYSIS_ARGS.service)}"`,
    `destination_version="${arg(ANALYSIS_ARGS.version)}"`,
  ].join(', ');
}

export interface CanaryMetric {
  readonly name: string;
  readonly query: string;
  /** Argo Rollouts' expression over `result`; a window without requests passes (no evidence either way). */
  readonly failureCondition: string;
}

const requests = (selector: string, extra = '') => `sum(rate(istio_requests_total{${selector}${extra}}[${ANALYSIS_SCHEDULE.window}]))`;

/** The canary's two gates over the tenant's own series. */
export function canaryMetrics(namespace: string): CanaryMetric[] {
  const sel = canarySelector(namespace);
  const w = ANALYSIS_SCHEDULE.window;
  return [
    {
      name: 'success-rate',
      // A canary that answers nothing but 5xx has no non-5xx series: `or vector(0)` makes that 0%, not no result.
      query: `(${requests(sel, ', response_code!~"5.."')} or vector(0)) / ${requests(sel)}`,
      failureCondition: `len(result) > 0 && !isNaN(result[0]) && result[0] < ${CANARY_GATES.successRate}`,
    },
    {
      name: 'latency-p99',
      query: `histogram_quantile(${CANARY_GATES.latencyQuantile}, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[${w}])))`,
      failureCondition: `len(result) > 0 && !isNaN(result[0]) && result[0] > ${CANARY_GATES.latencyMs}`,
    },
  ];
}

/**
 * The wave gate of a tenant whose wave comes after `earlier`: every Application of the service in
 * an earlier wave (but those of tenants that pin its tag) must run the canary's version, Synced
 * and Healthy (Argo CD reports a Rollout Healthy once it is fully promoted, Degraded once
 * aborted). The query counts earlier-wave Applications of the service that are not yet there, and
 * returns nothing at all without Argo CD's metrics. Waves are named, not tenants, so adding a
 * tenant changes no other tenant's gate.
 */
export function waveGateQuery(earlier: readonly string[]): string {
  const matchers = [
    `${promLabel(APPLICATION_LABELS.service)}="${arg(ANALYSIS_ARGS.service)}"`,
    `${promLabel(APPLICATION_LABELS.wave)}=~"${earlier.join('|')}"`,
    `${promLabel(APPLICATION_LABELS.pinned)}!="true"`,
  ];
  const apps = `argocd_app_labels{${matchers.join(', ')}}`;
  const done = `argocd_app_labels{${[...matchers, `${promLabel(APPLICATION_LABELS.version)}="${arg(ANALYSIS_ARGS.version)}"`].join(', ')}} * on (namespace, name) group_left argocd_app_info{sync_status="Synced", health_status="Healthy"}`;
  return `((count(${apps}) or vector(0)) - (count(${done}) or vector(0))) and on () count(argocd_app_info)`;
}

/** The wave gate passes only when nothing in the earlier waves is missing; no result (no Argo CD metrics) fails. */
export const WAVE_GATE_CONDITION = 'len(result) > 0 && result[0] == 0';

/** The analysis arguments of one service at one version, as Argo Rollouts takes them. */
export function analysisArgs(service: string, version: string): { name: string; value: string }[] {
  return [
    { name: ANALYSIS_ARGS.service, value: service },
    { name: ANALYSIS_ARGS.version, value: version },
  ];
}

/**
 * The Argo Rollouts steps of a tenant's canary: the wave gate first (later waves only; a step's
 * analysis takes its own arguments), then the weights with pauses.
 */
export function canarySteps(
  waveGate: { readonly template: string; readonly service: string; readonly version: string } | undefined,
): Record<string, unknown>[] {
  return [
    ...(waveGate ? [{ analysis: { templates: [{ templateName: waveGate.template }], args: analysisArgs(waveGate.service, waveGate.version) } }] : []),
    ...CANARY_WEIGHTS.flatMap((w) => [{ setWeight: w }, { pause: { duration: CANARY_STEP_PAUSE } }]),
  ];
}
