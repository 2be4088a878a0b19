import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Project } from '../../src/model/project';
import type { TenantConfig } from '../../src/model/tenant-schema';
import { configOf, loadStacks, runRules } from '../../src/policy/engine';
import { firstTenantOver, projectToTenants, quotaRules, quotaUses } from '../../src/policy/rules';
import { buildApp } from '../../src/synth/app';
import { triples } from './fixtures';
import { tfcProject } from './tfc-project';

const TENANTS = [
  { id: 'acme', tier: 'enterprise' },
  { id: 'globex', tier: 'starter', serviceAccount: 'payments' },
  { id: 'initech', tier: 'standard' },
] as Omit<TenantConfig, 'version'>[];
const project = tfcProject(TENANTS);
const { platform } = project;
const planning = (plannedTenants: number): Project => ({ ...project, platform: { ...platform, database: { ...platform.database, plannedTenants } } });

/** One enterprise (dedicated nodes), one starter in the payments account, one standard tenant, with Terraform Cloud. */
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-quotas-'));
buildApp(project, { outdir }).synth();
const stacks = loadStacks(outdir);
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
const findings = (planned: number) => runRules({ stacks, project: planning(planned), config: configOf(project) }, quotaRules);

describe('projection arithmetic', () => {
  test('fixed objects plus the current tenants average, rounded up', () => {
    expect(projectToTenants(2, 1, 3, 500)).toBe(169);
    expect(projectToTenants(17, 6, 3, 500)).toBe(1017);
    expect(projectToTenants(4, 0, 0, 500)).toBe(4);
  });

  test('the first tenant count over a limit', () => {
    expect(firstTenantOver(2, 1, 3, 30)).toBe(85);
    expect(projectToTenants(2, 1, 3, 84)).toBe(30);
    expect(firstTenantOver(17, 6, 3, 1000)).toBe(492);
    expect(firstTenantOver(17, 0, 3, 1000)).toBeUndefined();
  });
});

describe('quotaUses counts what each tenant adds per account and per cluster', () => {
  const uses = quotaUses({ stacks, project: planning(500) });
  const use = (name: string, scope: string) => uses.find((u) => u.quota.name === name && u.scope === scope)!;
  const owned = (u: ReturnType<typeof use>) =>
    Object.fromEntries([...u.perTenant].map(([id, list]) => [id, list.map((o) => `${o.stack} ${o.address.split('.')[0]}`)]));

  test("IAM roles in the platform account: every tenant's workload role and its run role there, and a dedicated tenant's node role", () => {
    const u = use('Roles per account', 'platform');
    // platform 9 (a node role per pool) + the EKS node group service-linked role + cluster 6 + bootstrap 4 (its own, platform, cluster, workspaces).
    expect(u.fixed).toBe(20);
    expect(owned(u)).toEqual({
      acme: ['bootstrap-platform aws_iam_role', 'bootstrap-platform aws_iam_role', 'tenant-acme aws_iam_role'],
      globex: ['bootstrap-platform aws_iam_role', 'tenant-globex aws_iam_role'],
      initech: ['bootstrap-platform aws_iam_role', 'tenant-initech aws_iam_role'],
    });
    expect(u.projected).toBe(1187);
  });

  test("IAM roles in a service account: its tenants' account role and run role, projected at the current account mix", () => {
    const u = use('Roles per account', 'payments');
    expect(u.fixed).toBe(1);
    expect(owned(u)).toEqual({ globex: ['bootstrap-payments aws_iam_role', 'tenant-globex aws_iam_role'] });
    expect(u.projected).toBe(335);
  });

  test("managed node groups: the platform's system and tenants groups, one per dedicated-tier tenant", () => {
    const u = use('Managed node groups per cluster', 'acme-prod');
    expect([u.fixed, u.projected]).toEqual([2, 169]);
    expect(owned(u)).toEqual({ acme: ['tenant-acme aws_eks_node_group'] });
  });

  test("Cognito user pools in the platform account: the platform's pooled pool once, one per dedicated-identity (enterprise) tenant", () => {
    const u = use('User pools per account', 'platform');
    expect(owned(u)).toEqual({ acme: ['tenant-acme aws_cognito_user_pool'] });
    // 1 + 500 x 1/3 at this mix (a third of the tenants enterprise): over the default of 1,000 from tenant 2,998.
    expect([u.fixed, u.projected, u.overDefaultAt]).toEqual([1, 168, 2998]);
  });

  test('access entries: the cluster run role once, each tenant run role', () => {
    const u = use('Access entries per cluster', 'acme-prod');
    expect([u.fixed, u.projected, u.overDefaultAt]).toEqual([1, 501, undefined]);
    expect(Object.keys(owned(u))).toEqual(['acme', 'globex', 'initech']);
  });
});

describe('TC-PIP-004: account and cluster quotas that tenants consume hold at the planned tenant count', () => {
  test('passes when the projection fits every default quota', () => {
    expect(findings(20)).toEqual([]);
  });

  test('warns at 500 planned tenants: node groups and platform-account roles pass their adjustable defaults', () => {
    const found = findings(500);
    expect(triples(found)).toEqual([
      ['TC-PIP-004', 'bootstrap-platform', 'aws_iam_role.node-role-tenant-acme'],
      ['TC-PIP-004', 'tenant-acme', 'aws_eks_node_group.nodes_node-group_75779E17'],
    ]);
    expect(found.map((f) => f.severity)).toEqual(['warning', 'warning']);
    expect(found[0].message).toBe(
      'IAM quota Roles per account (L-FE177D64) in account platform: 20 fixed + 7 from 3 tenant(s): 1187 at 500 planned tenants, over the default quota of 1000 (adjustable up to 5000): request an increase before tenant 420',
    );
    expect(found[1].message).toBe(
      'EKS quota Managed node groups per cluster (L-6D54EA21) in cluster acme-prod: 2 fixed + 1 from 3 tenant(s): 169 at 500 planned ' +
        'tenants, over the default quota of 30 (adjustable): request an increase before tenant 85',
    );
  });

  test('fails when the projection passes a hard maximum no increase can lift', () => {
    const found = findings(2500).filter((f) => f.severity === 'error');
    expect(found.map((f) => f.message)).toEqual([
      'IAM quota Roles per account (L-FE177D64) in account platform: 20 fixed + 7 from 3 tenant(s): 5854 at 2500 planned tenants, over its maximum of 5000 that no increase can pass: split tenants across accounts',
    ]);
  });
});
