import { Testing } from 'cdktf';
import type { PlatformConfig, PlatformSpec } from '../../src/model/platform-schema';
import type { Project, TenantSpec } from '../../src/model/project';
import { analysisOwnSeries, rolloutsAnalysed, unpinnedSelector, wavesInOrder } from '../../src/policy/rules/canary';
import type { Rule, StackDocument } from '../../src/policy/types';
import { TenantStack } from '../../stacks/tenant-stack';
import { catalogPlatform, catalogTenant, exampleCatalog } from './fixtures';

const WAVES: PlatformConfig['waves'] = [
  { name: 'canary' },
  { name: 'early', tiers: ['starter'] },
  { name: 'general', tiers: ['standard', 'enterprise'] },
];
const platform = catalogPlatform({
  waves: WAVES,
  services: exampleCatalog.services!.map((s) => (s.name === 'task' ? { ...s, release: { tag: '1.1.0', through: 'canary' } } : s)),
});
const tenants = [
  catalogTenant(platform, { id: 'pilot', tier: 'standard', wave: 'canary' }),
  catalogTenant(platform, { id: 'small', tier: 'starter' }),
  catalogTenant(platform, { id: 'big', tier: 'enterprise' }),
];
const synthesized = Object.fromEntries(
  tenants.map((t) => [t.id, JSON.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant: t })))] as const),
);

function stackOf(tenant: TenantSpec, edit: (json: any) => void = () => undefined): StackDocument {
  const json = JSON.parse(JSON.stringify(synthesized[tenant.id]));
  edit(json);
  return { name: `tenant-${tenant.id}`, json };
}
const ofKind = (json: any, kind: string) =>
  Object.values(json.resource.kubernetes_manifest as Record<string, any>)
    .filter((m) => m.manifest.kind === kind)
    .map((m) => m.manifest);
const template = (json: any, name = 'tenantctl-canary') => ofKind(json, 'AnalysisTemplate').find((t) => t.metadata.name === name);
const app = (json: any, service: string) => ofKind(json, 'Application').find((a) => a.metadata.labels['app.kubernetes.io/name'] === service);
const project = { platform, tenants } as unknown as Project;
const messages = (rule: Rule, tenant: TenantSpec, edit?: (json: any) => void, p: PlatformSpec = platform) =>
  rule.check({ stacks: [stackOf(tenant, edit)], project: { ...project, platform: p } as Project }).map((f) => f.message);
const [pilot, small, big] = tenants;

describe('GIVEN the tenant stacks as tenantctl synthesizes them, with a release in its first wave', () => {
  test.each([analysisOwnSeries, rolloutsAnalysed, wavesInOrder])('THEN $id finds nothing', (rule) => {
    for (const t of tenants) expect(messages(rule, t)).toEqual([]);
  });
});

describe('TC-CAN-001: the analysis reads the tenant’s own series only', () => {
  test('flags a query without the namespace pin, pinned to another namespace, by a regex, or without a selector', () => {
    const query = (edit: (q: string) => string) => (j: any) => {
      const m = template(j).spec.metrics[0].provider.prometheus;
      m.query = edit(m.query);
    };
    expect(
      messages(
        analysisOwnSeries,
        big,
        query((q) => q.replace(/, namespace="tenant-big"/g, '')),
      )[0],
    ).toMatch(/^AnalysisTemplate tenantctl-canary selects istio_requests_total without namespace="tenant-big": /);
    expect(
      messages(
        analysisOwnSeries,
        big,
        query((q) => q.replace(/destination_workload_namespace="tenant-big"/g, 'destination_workload_namespace="tenant-small"')),
      )[0],
    ).toMatch(/without destination_workload_namespace="tenant-big"/);
    expect(
      messages(
        analysisOwnSeries,
        big,
        query((q) => q.replace(/ namespace="tenant-big"/g, ' namespace=~"tenant-.*"')),
      )[0],
    ).toMatch(/without namespace="tenant-big"/);
    expect(
      messages(
        analysisOwnSeries,
        big,
        query((q) => q.replace(/reporter="destination"/g, 'reporter="source"')),
      )[0],
    ).toMatch(/without reporter="destination"/);
    expect(
      messages(
        analysisOwnSeries,
        big,
        query(() => 'sum(rate(istio_requests_total[2m]))'),
      )[0],
    ).toMatch(/reads an Istio metric without a selector/);
    expect(messages(analysisOwnSeries, big, (j) => (template(j).metadata.namespace = 'monitoring'))).toEqual([
      'AnalysisTemplate tenantctl-canary is in namespace "monitoring", not tenant-big',
    ]);
  });

  test('reads selectors whose values hold braces', () => {
    expect(
      unpinnedSelector(
        'sum(istio_requests_total{reporter="destination", namespace="n", destination_workload_namespace="n", destination_app="{{args.service}}"})',
        'n',
      ),
    ).toBeUndefined();
    expect(unpinnedSelector('sum(istio_requests_total{destination_app="{{args.service}}", reporter="destination", namespace="n"})', 'n')).toBe(
      'selects istio_requests_total without destination_workload_namespace="n"',
    );
  });
});

describe('TC-CAN-002: a Rollout without analysis or abort', () => {
  const canary = (j: any) => app(j, 'task').spec.source.helm.valuesObject.canary;
  test('flags no canary, an analysis not of the stack, a gate without a failure condition, no weights, weights past 50% or out of order', () => {
    expect(messages(rolloutsAnalysed, big, (j) => delete app(j, 'task').spec.source.helm.valuesObject.canary)).toEqual([
      'Application tenant-big--task gives its Rollout no canary',
    ]);
    expect(messages(rolloutsAnalysed, big, (j) => (canary(j).analysis.templateName = 'always-passes'))).toEqual([
      'Application tenant-big--task\'s canary is analysed by "always-passes", not an AnalysisTemplate of the tenant\'s stack',
    ]);
    expect(messages(rolloutsAnalysed, big, (j) => delete template(j).spec.metrics[1].failureCondition)).toEqual(
      ['project', 'task', 'user'].map(
        () => 'AnalysisTemplate tenantctl-canary has a metric without a failure condition: nothing would abort the canary',
      ),
    );
    expect(messages(rolloutsAnalysed, big, (j) => (canary(j).steps = [{ pause: { duration: '2m' } }]))).toEqual([
      "Application tenant-big--task's canary has no weight steps: it would promote at once",
    ]);
    expect(messages(rolloutsAnalysed, big, (j) => canary(j).steps.push({ setWeight: 80 }))).toEqual([
      "Application tenant-big--task's canary steps 10, 20, 30, 40, 50, 80% do not rise one by one up to 50%",
    ]);
    expect(messages(rolloutsAnalysed, big, (j) => canary(j).steps.unshift({ setWeight: 30 }))).toEqual([
      "Application tenant-big--task's canary steps 30, 10, 20, 30, 40, 50% do not rise one by one up to 50%",
    ]);
  });
});

describe('TC-CAN-003: waves out of order', () => {
  const labels = (j: any) => app(j, 'task').metadata.labels;
  test('flags a later wave that has the release before its turn, and an earlier one left behind', () => {
    expect(messages(wavesInOrder, big, (j) => (labels(j)['app.kubernetes.io/version'] = '1.1.0'))).toEqual([
      'Application tenant-big--task runs 1.1.0 in wave general, where the release (1.1.0 through canary) gives 1.0.0',
    ]);
    expect(messages(wavesInOrder, pilot, (j) => (labels(j)['app.kubernetes.io/version'] = '1.0.0'))).toEqual([
      'Application tenant-pilot--task runs 1.0.0 in wave canary, where the release (1.1.0 through canary) gives 1.1.0',
    ]);
    expect(messages(wavesInOrder, big, (j) => (labels(j)['tenantctl.io/wave'] = 'canary'))).toEqual([
      'Application tenant-big--task is labelled wave "canary", but the tenant is in wave general',
    ]);
  });

  test('flags a later wave whose canary does not wait for the earlier waves', () => {
    expect(messages(wavesInOrder, small, (j) => app(j, 'task').spec.source.helm.valuesObject.canary.steps.shift())).toEqual([
      "Application tenant-small--task's canary does not start with the wave gate, though wave early comes after canary",
    ]);
    const gateQuery = (j: any) => template(j, 'tenantctl-wave-gate').spec.metrics[0].provider.prometheus;
    expect(messages(wavesInOrder, big, (j) => (gateQuery(j).query = gateQuery(j).query.replace('canary|early', 'canary')))).toEqual([
      'wave gate tenantctl-wave-gate waits for waves canary, not the earlier waves canary, early',
    ]);
    expect(
      messages(wavesInOrder, big, (j) => {
        for (const [k, r] of Object.entries(j.resource.kubernetes_manifest as Record<string, any>))
          if (r.manifest.metadata.name === 'tenantctl-wave-gate') delete j.resource.kubernetes_manifest[k];
      }),
    ).toEqual(['the tenant is in wave general but its stack writes no wave gate']);
  });

  test('says nothing without waves', () => {
    expect(wavesInOrder.check({ stacks: [stackOf(big)], project: { ...project, platform: { ...platform, waves: [] } } as Project })).toEqual([]);
  });
});
