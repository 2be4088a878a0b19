/** README "Limits at scale": its IAM roles rows are what TC-PIP-004 counts, with and without the example service catalog. */
import * as fs from 'fs';
import * as path from 'path';
import type { PlatformConfig } from '../../src/model/platform-schema';
import type { TenantConfig } from '../../src/model/tenant-schema';
import { loadStacks } from '../../src/policy/engine';
import { quotaUses } from '../../src/policy/rules';
import { buildApp } from '../../src/synth/app';
import { exampleCatalog } from '../gitops/fixtures';
import { tempDir } from '../util';
import { tfcProject } from './tfc-project';

/** The README's case: Terraform Cloud, the stock tiers in equal shares, all in the platform account. */
const TENANTS = [
  { id: 'acme', tier: 'enterprise' },
  { id: 'globex', tier: 'starter' },
  { id: 'initech', tier: 'standard' },
] as Omit<TenantConfig, 'version'>[];
const PLANNED = 500;
const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Limits at scale'), readme.indexOf('## Validation rules'));
const grouped = (n: number) => n.toLocaleString('en-US');

function rolesUse(overrides: Partial<PlatformConfig>) {
  const project = tfcProject(TENANTS, overrides);
  const outdir = tempDir('tenantctl-limits-');
  buildApp(project, { outdir }).synth();
  const uses = quotaUses({
    stacks: loadStacks(outdir),
    project: { ...project, platform: { ...project.platform, database: { ...project.platform.database, plannedTenants: PLANNED } } },
  });
  const use = uses.find((u) => u.quota.name === 'Roles per account' && u.scope === 'platform')!;
  const perTenant = [...use.perTenant.values()].reduce((sum, list) => sum + list.length, 0) / use.tenants;
  return { perTenant, projected: use.projected, overDefaultAt: use.overDefaultAt! };
}

const withoutCatalog = rolesUse({});
const withCatalog = rolesUse(exampleCatalog);

test.each([
  ['without a service catalog', withoutCatalog, 'IAM Roles per account (L-FE177D64), platform account |'],
  ['with the example service catalog (3 services)', withCatalog, 'IAM Roles per account, platform account, with the example service catalog |'],
] as const)(
  'GIVEN the stock tiers in equal shares %s THEN the README row has the per-tenant count, the projection and the tenant to raise before',
  (_, { perTenant, projected, overDefaultAt }, row) => {
    const line = section.split('\n').find((l) => l.startsWith(`| ${row}`));
    expect(line).toBeDefined();
    const cells = line!.split(' | ');
    expect(cells[2].startsWith(String(Math.round(perTenant * 10) / 10))).toBe(true);
    expect(cells.slice(3)).toEqual([grouped(projected), `${grouped(overDefaultAt)} |`]);
  },
);
