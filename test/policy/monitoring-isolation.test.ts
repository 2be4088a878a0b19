import { Testing } from 'cdktf';
import type { Project, TenantSpec } from '../../src/model/project';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { runRules } from '../../src/policy/engine';
import { monitoringIsolationRules } from '../../src/policy/rules';
import type { StackDocument } from '../../src/policy/types';
import { ClusterStack } from '../../stacks/cluster-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec } from '../util';

/**
 * Prometheus' namespace enforcement over what tenantctl synthesizes: the values the cluster stack
 * gives kube-prometheus-stack, and TC-MON-001 passing on them and failing on each break.
 */

const platform = platformSpec();
const tiers = resolveTiers();
const tenants: TenantSpec[] = [['acme', 'enterprise']].map(([id, tier]) =>
  resolveTenant(tenantSchema.parse({ version: 1, id, tier }), platform, tiers, `tenants/${id}.json`),
);
const project: Project = { dir: '/project', platform, tiers, tenants };
const synth = (stack: ClusterStack | TenantStack, name: string): StackDocument => ({ name, json: JSON.parse(Testing.synth(stack)) });
const pristine: StackDocument[] = [
  synth(new ClusterStack(Testing.app(), { platform, tiers }), 'cluster'),
  ...tenants.map((tenant) => synth(new TenantStack(Testing.app(), { platform, tenant }), `tenant-${tenant.id}`)),
];
const fresh = (): StackDocument[] => pristine.map((s) => ({ name: s.name, json: JSON.parse(JSON.stringify(s.json)) }));
const stackOf = (stacks: StackDocument[], name: string) => stacks.find((s) => s.name === name)!;
const release = (stacks: StackDocument[]) =>
  Object.values<any>((stackOf(stacks, 'cluster').json.resource as any).helm_release).find((r) => r.name === 'kube-prometheus-stack');
const prometheusSpec = (stacks: StackDocument[]) => JSON.parse(release(stacks).values[0]).prometheus.prometheusSpec;
function editSpec(stacks: StackDocument[], edit: (spec: any) => void): void {
  const values = JSON.parse(release(stacks).values[0]);
  edit(values.prometheus.prometheusSpec);
  release(stacks).values = [JSON.stringify(values)];
}
const findings = (stacks: StackDocument[]) =>
  runRules({ stacks, project }, monitoringIsolationRules).map((f) => ({ stack: f.stack, message: f.message }));

describe('Prometheus namespace enforcement', () => {
  test("GIVEN the cluster stack THEN every series and rule selector carries its object namespace, but for the monitoring namespace's own rules and monitors", () => {
    const spec = prometheusSpec(fresh());
    expect(spec.enforcedNamespaceLabel).toBe('namespace');
    expect(spec.excludedFromEnforcement).toEqual(
      ['prometheusrules', 'servicemonitors', 'podmonitors'].map((resource) => ({
        group: 'monitoring.coreos.com',
        resource,
        namespace: 'monitoring',
      })),
    );
    // The chart's own monitors live in monitoring and select kube-system and default: namespace selectors stay honoured.
    expect(spec.ignoreNamespaceSelectors).toBeUndefined();
  });

  test('GIVEN a tenant stack THEN its alert rules are in its own namespace', () => {
    const rule = Object.values<any>((stackOf(fresh(), 'tenant-acme').json.resource as any).kubernetes_manifest).find(
      (m) => m.manifest.kind === 'PrometheusRule',
    );
    expect(rule.manifest.metadata.namespace).toBe('tenant-acme');
  });

  test('GIVEN the synthesized stacks THEN TC-MON-001 reports nothing', () => {
    expect(findings(fresh())).toEqual([]);
  });

  test('GIVEN enforcement off THEN TC-MON-001 reports the release', () => {
    const stacks = fresh();
    editSpec(stacks, (spec) => delete spec.enforcedNamespaceLabel);
    expect(findings(stacks)).toEqual([
      {
        stack: 'cluster',
        message: 'prometheus.prometheusSpec.enforcedNamespaceLabel is undefined, not "namespace": tenant rules read every namespace\'s series',
      },
    ]);
  });

  test('GIVEN a tenant namespace excluded from enforcement THEN TC-MON-001 reports it', () => {
    const stacks = fresh();
    editSpec(stacks, (spec) => spec.excludedFromEnforcement.push({ resource: 'prometheusrules', namespace: 'tenant-acme' }));
    expect(findings(stacks)).toEqual([
      {
        stack: 'cluster',
        message:
          'excludedFromEnforcement exempts [{"resource":"prometheusrules","namespace":"tenant-acme"}]: only the monitoring namespace\'s own objects may be exempt',
      },
    ]);
  });

  test('GIVEN a tenant rule moved to the monitoring namespace THEN TC-MON-001 reports it', () => {
    const stacks = fresh();
    const rule = Object.values<any>((stackOf(stacks, 'tenant-acme').json.resource as any).kubernetes_manifest).find(
      (m) => m.manifest.kind === 'PrometheusRule',
    );
    rule.manifest.metadata.namespace = 'monitoring';
    expect(findings(stacks)).toEqual([
      {
        stack: 'tenant-acme',
        message:
          "PrometheusRule tenant-acme of tenant acme is in namespace monitoring, not tenant-acme: Prometheus would not confine its expressions to the tenant's series",
      },
    ]);
  });
});
