import { Testing } from 'cdktf';
import type { Project, TenantSpec } from '../../src/model/project';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { runRules } from '../../src/policy/engine';
import { alertDeliveryRules } from '../../src/policy/rules';
import type { StackDocument } from '../../src/policy/types';
import { ClusterStack } from '../../stacks/cluster-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec } from '../util';

/** TC-MON-002 over what tenantctl synthesizes: passing on it, failing on each way a tenant's alerts miss it or reach another. */

const platform = platformSpec();
const tiers = resolveTiers();
const tenants: TenantSpec[] = ['acme'].map((id) =>
  resolveTenant(tenantSchema.parse({ version: 1, id, tier: 'standard' }), platform, tiers, `tenants/${id}.json`),
);
const project: Project = { dir: '/project', platform, tiers, tenants };
const synth = (stack: ClusterStack | TenantStack, name: string): StackDocument => ({ name, json: JSON.parse(Testing.synth(stack)) });
const pristine: StackDocument[] = [
  synth(new ClusterStack(Testing.app(), { platform, tiers }), 'cluster'),
  ...tenants.map((tenant) => synth(new TenantStack(Testing.app(), { platform, tenant }), `tenant-${tenant.id}`)),
];
const fresh = (): StackDocument[] => pristine.map((s) => ({ name: s.name, json: JSON.parse(JSON.stringify(s.json)) }));
const stackOf = (stacks: StackDocument[], name: string) => stacks.find((s) => s.name === name)!;
const manifests = (stacks: StackDocument[]) => (stackOf(stacks, 'tenant-acme').json.resource as any).kubernetes_manifest as Record<string, any>;
const alertDelivery = (stacks: StackDocument[]) => Object.values(manifests(stacks)).find((m) => m.manifest.kind === 'AlertmanagerConfig');
const findings = (stacks: StackDocument[]) => runRules({ stacks, project }, alertDeliveryRules).map((f) => ({ stack: f.stack, message: f.message }));

describe('TC-MON-002 tenant alert delivery', () => {
  test('GIVEN the synthesized stacks THEN it reports nothing', () => {
    expect(findings(fresh())).toEqual([]);
  });

  test('GIVEN a tenant with alert rules and no AlertmanagerConfig THEN it reports that its alerts reach nobody', () => {
    const stacks = fresh();
    const all = manifests(stacks);
    for (const [id, m] of Object.entries(all)) if (m.manifest.kind === 'AlertmanagerConfig') delete all[id];
    expect(findings(stacks)).toEqual([
      { stack: 'tenant-acme', message: 'tenant acme has alert rules but no AlertmanagerConfig in namespace tenant-acme: its alerts reach nobody' },
    ]);
  });

  test('GIVEN the AlertmanagerConfig outside the tenant namespace THEN it reports both the misplaced config and the missing delivery', () => {
    const stacks = fresh();
    alertDelivery(stacks).manifest.metadata.namespace = 'monitoring';
    expect(findings(stacks)).toEqual([
      { stack: 'tenant-acme', message: 'tenant acme has alert rules but no AlertmanagerConfig in namespace tenant-acme: its alerts reach nobody' },
      {
        stack: 'tenant-acme',
        message:
          "AlertmanagerConfig tenant-acme-alerts of tenant acme is in namespace monitoring, not tenant-acme: it would route another namespace's alerts",
      },
    ]);
  });

  test("GIVEN a child route matching another tenant's namespace THEN it reports the matcher", () => {
    const stacks = fresh();
    alertDelivery(stacks).manifest.spec.route.routes = [
      { receiver: 'tenant-alerts', matchers: [{ name: 'namespace', matchType: '=~', value: 'tenant-.*' }] },
    ];
    expect(findings(stacks)).toEqual([
      {
        stack: 'tenant-acme',
        message: 'AlertmanagerConfig tenant-acme-alerts of tenant acme matches namespace =~"tenant-.*": it may route only tenant-acme\'s alerts',
      },
    ]);
  });

  test('GIVEN Alertmanager without the OnNamespace strategy THEN it reports the release', () => {
    const stacks = fresh();
    const release = Object.values<any>((stackOf(stacks, 'cluster').json.resource as any).helm_release).find(
      (r) => r.name === 'kube-prometheus-stack',
    );
    const values = JSON.parse(release.values[0]);
    values.alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy = { type: 'None' };
    release.values = [JSON.stringify(values)];
    expect(findings(stacks)).toEqual([
      {
        stack: 'cluster',
        message:
          'alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy.type is "None", not "OnNamespace": a tenant\'s AlertmanagerConfig would receive every namespace\'s alerts',
      },
    ]);
  });
});
