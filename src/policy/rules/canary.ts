import { APPLICATION_LABELS, CANARY_WEIGHTS, promLabel } from '../../model/canary';
import { CANARY_ANALYSIS_TEMPLATE, WAVE_GATE_TEMPLATE } from '../../model/names';
import { earlierWaves, releasedTag, waveIndex } from '../../model/release-waves';
import { at, block, blocks, manifests, tenantStacks, type ManifestRef, type TenantStackInfo } from '../json';
import type { Rule, RuleContext, Violation } from '../types';

/**
 * The tenants' canaries: each service's Rollout (from its Application's values) is a canary with
 * the tenant's gates as its analysis; the gates read the tenant's own series only; and a release
 * reaches the waves in order, each later wave gated on the ones before it.
 */

const v = (t: TenantStackInfo, r: ManifestRef, message: string): Violation => ({ stack: t.stack.name, address: r.address, message });
const nameOf = (m: ManifestRef) => String(at(m.manifest.metadata, 'name') ?? '');
const valuesOf = (a: ManifestRef) => block(at(a.manifest.spec, 'source.helm.valuesObject')) ?? {};
const queries = (template: ManifestRef) => blocks(at(template.manifest.spec, 'metrics')).map((m) => String(at(m, 'provider.prometheus.query') ?? ''));

/** Every series selector of an Istio metric in a PromQL query: `istio_requests_total{...}` and the like. */
export function istioSelectors(query: string): { metric: string; matchers: Record<string, string> }[] {
  // Quoted values may hold braces (Argo Rollouts' `{{args.x}}`).
  return [...query.matchAll(/(istio_[a-z_]+)\s*\{((?:[^}"]|"[^"]*")*)\}/g)].map((m) => ({
    metric: m[1],
    matchers: Object.fromEntries([...m[2].matchAll(/([a-zA-Z_]+)\s*(=~|!=|!~|=)\s*"([^"]*)"/g)].map((x) => [`${x[1]}${x[2]}`, x[3]])),
  }));
}

/** Why a query can read series of another namespace, or undefined when every Istio selector is pinned to `namespace`. */
export function unpinnedSelector(query: string, namespace: string): string | undefined {
  const selectors = istioSelectors(query);
  if (/istio_[a-z_]+\s*(\[|\)|$)/.test(query)) return 'reads an Istio metric without a selector';
  for (const s of selectors) {
    for (const label of ['namespace', 'destination_workload_namespace']) {
      if (s.matchers[`${label}=`] !== namespace) return `selects ${s.metric} without ${label}="${namespace}"`;
    }
    if (s.matchers['reporter='] !== 'destination') return `selects ${s.metric} without reporter="destination" (the tenant's own sidecars' reports)`;
  }
  return undefined;
}

function perTenant(
  ctx: RuleContext,
  check: (t: TenantStackInfo, templates: readonly ManifestRef[], applications: readonly ManifestRef[]) => Violation[],
): Violation[] {
  return tenantStacks(ctx.stacks, ctx.project).flatMap((t) => check(t, manifests(t.stack, 'AnalysisTemplate'), manifests(t.stack, 'Application')));
}

export const analysisOwnSeries: Rule = {
  id: 'TC-CAN-001',
  title: "A tenant's canary analysis reads the tenant's own series only",
  severity: 'error',
  rationale:
    "A canary judged on other tenants' requests (or on every namespace's) passes or fails on traffic it never served: a broken release reaches a tenant because its neighbours are healthy, or a healthy one is rolled back for their errors. Only the scrape target's namespace label, which Prometheus sets, and Istio's destination namespace at the destination's own sidecar say whose requests a series counts.",
  remediation:
    'Pin every Istio selector of the AnalysisTemplate to reporter="destination", namespace="tenant-<id>" and destination_workload_namespace="tenant-<id>" (TenantServices writes it so), and keep it in the tenant\'s namespace.',
  check: (ctx) =>
    perTenant(ctx, (t, templates) =>
      templates.flatMap((tpl) => {
        const out: Violation[] = [];
        if (at(tpl.manifest.metadata, 'namespace') !== t.namespace)
          out.push(
            v(
              t,
              tpl,
              `AnalysisTemplate ${nameOf(tpl)} is in namespace ${JSON.stringify(at(tpl.manifest.metadata, 'namespace'))}, not ${t.namespace}`,
            ),
          );
        for (const q of queries(tpl)) {
          const problem = unpinnedSelector(q, t.namespace);
          if (problem) out.push(v(t, tpl, `AnalysisTemplate ${nameOf(tpl)} ${problem}: ${q}`));
        }
        return out;
      }),
    ),
};

export const rolloutsAnalysed: Rule = {
  id: 'TC-CAN-002',
  title: "A tenant's services roll out as canaries, analysed by the tenant's gates, which abort a failing canary",
  severity: 'error',
  rationale:
    'A Rollout without analysis promotes whatever it is given once its pauses end, and one that skips the gates, steps past 50% or promotes out of order puts a broken version in front of most of the tenant before anything checks it; the gates fail a measurement above their limit, and a failed analysis aborts the canary back to the stable version.',
  remediation: `Keep the Application's canary values as TenantServices writes them: steps ${CANARY_WEIGHTS.join(', ')}% with pauses, and analysis by the tenant's ${CANARY_ANALYSIS_TEMPLATE} AnalysisTemplate with both gates' failure conditions.`,
  check: (ctx) =>
    perTenant(ctx, (t, templates, applications) =>
      applications.flatMap((a) => {
        const canary = block(valuesOf(a).canary);
        if (!canary) return [v(t, a, `Application ${nameOf(a)} gives its Rollout no canary`)];
        const out: Violation[] = [];
        const name = at(canary, 'analysis.templateName');
        const template = templates.find((tpl) => nameOf(tpl) === name);
        if (!template)
          out.push(
            v(t, a, `Application ${nameOf(a)}'s canary is analysed by ${JSON.stringify(name)}, not an AnalysisTemplate of the tenant's stack`),
          );
        else {
          const metrics = blocks(at(template.manifest.spec, 'metrics'));
          if (metrics.length === 0 || metrics.some((m) => !m.failureCondition))
            out.push(v(t, a, `AnalysisTemplate ${nameOf(template)} has a metric without a failure condition: nothing would abort the canary`));
        }
        const weights = blocks(canary.steps)
          .map((s) => s.setWeight)
          .filter((w): w is number => typeof w === 'number');
        if (weights.length === 0) out.push(v(t, a, `Application ${nameOf(a)}'s canary has no weight steps: it would promote at once`));
        if (weights.some((w, i) => w > Math.max(...CANARY_WEIGHTS) || (i > 0 && w <= weights[i - 1])))
          out.push(
            v(t, a, `Application ${nameOf(a)}'s canary steps ${weights.join(', ')}% do not rise one by one up to ${Math.max(...CANARY_WEIGHTS)}%`),
          );
        return out;
      }),
    ),
};

export const wavesInOrder: Rule = {
  id: 'TC-CAN-003',
  title: 'A release reaches the rollout waves in order, each later wave gated on the earlier ones',
  severity: 'error',
  rationale:
    "Waves limit a bad release to the first tenants: a tenant that takes the release before its wave (or stays behind once its wave has it), or a later-wave canary that does not wait for the earlier waves' Applications of that version to be healthy, lets the release reach tenants the earlier waves were meant to protect.",
  remediation: `Move a release on with \`tenantctl release promote <service>\` rather than by editing tenant files, and keep each later-wave tenant's wave gate (AnalysisTemplate ${WAVE_GATE_TEMPLATE}, the canary's first step) naming every earlier wave.`,
  check: (ctx) => {
    const platform = ctx.project?.platform;
    if (!platform || platform.waves.length === 0) return [];
    return perTenant(ctx, (t, templates, applications) => {
      const tenant = ctx.project!.tenants.find((x) => x.id === t.id);
      if (!tenant) return [];
      const index = waveIndex(platform.waves, tenant);
      const earlier = earlierWaves(platform.waves, index);
      const gate = templates.find((tpl) => nameOf(tpl) === tenant.names.waveGate);
      const out: Violation[] = [];
      for (const a of applications) {
        const labels = block(at(a.manifest.metadata, 'labels')) ?? {};
        const service = platform.services.find((s) => s.name === labels[APPLICATION_LABELS.service]);
        if (!service) continue;
        if (labels[APPLICATION_LABELS.wave] !== platform.waves[index].name)
          out.push(
            v(
              t,
              a,
              `Application ${nameOf(a)} is labelled wave ${JSON.stringify(labels[APPLICATION_LABELS.wave])}, but the tenant is in wave ${platform.waves[index].name}`,
            ),
          );
        const expected = releasedTag(service, platform.waves, index);
        if (tenant.services[service.name]?.tag === undefined && labels[APPLICATION_LABELS.version] !== expected)
          out.push(
            v(
              t,
              a,
              `Application ${nameOf(a)} runs ${String(labels[APPLICATION_LABELS.version])} in wave ${platform.waves[index].name}, where the release${service.release ? ` (${service.release.tag} through ${service.release.through})` : ''} gives ${expected}`,
            ),
          );
        if (earlier.length && !blocks(at(valuesOf(a), 'canary.steps'))[0]?.analysis)
          out.push(
            v(
              t,
              a,
              `Application ${nameOf(a)}'s canary does not start with the wave gate, though wave ${platform.waves[index].name} comes after ${earlier.join(', ')}`,
            ),
          );
      }
      if (earlier.length && applications.length) {
        const query = gate ? queries(gate).join(' ') : '';
        const named = /=~"([^"]*)"/.exec(query.slice(query.indexOf(promLabel(APPLICATION_LABELS.wave))))?.[1].split('|') ?? [];
        if (!gate) out.push(v(t, applications[0], `the tenant is in wave ${platform.waves[index].name} but its stack writes no wave gate`));
        else if (earlier.some((w) => !named.includes(w)) || named.some((w) => !earlier.includes(w)))
          out.push(
            v(t, gate, `wave gate ${nameOf(gate)} waits for waves ${named.join(', ') || '(none)'}, not the earlier waves ${earlier.join(', ')}`),
          );
      }
      return out;
    });
  },
};

export const canaryRules: readonly Rule[] = [analysisOwnSeries, rolloutsAnalysed, wavesInOrder];
