/**
 * Projects that together exercise every configuration synthesis has (local state and Terraform
 * Cloud, a domain, service accounts, removed tenants, per-tenant overrides), written to disk as
 * `tenantctl init` and `tenant add` would. The byte-identity test and the bench share them.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { PLATFORM_FILE, TENANTS_DIR } from '../../src/model/project';
import type { TenantConfig } from '../../src/model/tenant-schema';
import { platformConfig } from '../util';

export interface FixtureProject {
  readonly platform: PlatformConfig;
  /** Tenants every copy of the fixture has, besides the generated ones. */
  readonly tenants: readonly Omit<TenantConfig, 'version'>[];
}

const TIERS = ['starter', 'standard', 'enterprise'] as const;

const SERVICE_ACCOUNTS = [
  { name: 'payments', accountId: '222233334444', purpose: 'Payment services' },
  { name: 'analytics', accountId: '333344445555', purpose: 'Analytics' },
];

/** Active tenants of every tier, and removed ones with and without their data purged. */
const LIFECYCLE: FixtureProject['tenants'] = [
  { id: 'acme', tier: 'enterprise' },
  { id: 'globex', tier: 'standard' },
  { id: 'initech', tier: 'starter' },
  { id: 'hooli', tier: 'starter', status: 'removed', purgeData: true },
  { id: 'umbrella', tier: 'standard', status: 'removed' },
];

export const FIXTURES: Readonly<Record<string, FixtureProject>> = {
  default: { platform: platformConfig(), tenants: LIFECYCLE },
  domain: { platform: platformConfig({ domain: 'saas.example.com' }), tenants: LIFECYCLE.slice(0, 3) },
  'terraform-cloud': {
    platform: platformConfig({
      aws: { region: 'eu-west-1', accountId: '111122223333', serviceAccounts: SERVICE_ACCOUNTS },
      terraformCloud: { organization: 'acme-corp' },
    } as Partial<PlatformConfig>),
    tenants: [
      ...LIFECYCLE,
      { id: 'wayne', tier: 'enterprise', serviceAccount: 'payments' },
      { id: 'stark', tier: 'standard', serviceAccount: 'analytics' },
      { id: 'tyrell', tier: 'starter', serviceAccount: 'payments', status: 'removed' },
    ],
  },
  overrides: {
    platform: platformConfig({ tiers: { standard: { quota: { cpu: '6', cpuLimit: '12' } } } } as Partial<PlatformConfig>),
    tenants: [
      { id: 'acme', tier: 'enterprise', overrides: { tier: { quota: { cpu: '6', pods: 20 } } } },
      { id: 'globex', tier: 'standard', overrides: { network: { allowEgress: [{ cidr: '203.0.113.0/24', ports: [443, 8443] }] } } },
      { id: 'initech', tier: 'starter', overrides: { network: { denyEgress: false } } },
    ],
  },
};

/** Generated tenant `i` of a large fixture: the tiers in turn. */
export function generatedTenant(i: number): Omit<TenantConfig, 'version'> {
  return { id: `t${String(i).padStart(4, '0')}`, tier: TIERS[i % TIERS.length] };
}

/** Writes a fixture into `dir` (platform.json, tenants/*.json) with `extra` generated tenants. */
export function writeFixture(dir: string, fixture: FixtureProject, extra = 0): string {
  fs.mkdirSync(path.join(dir, TENANTS_DIR), { recursive: true });
  fs.writeFileSync(path.join(dir, PLATFORM_FILE), `${JSON.stringify(fixture.platform, null, 2)}\n`);
  const tenants = [...fixture.tenants, ...Array.from({ length: extra }, (_, i) => generatedTenant(i))];
  for (const t of tenants) fs.writeFileSync(path.join(dir, TENANTS_DIR, `${t.id}.json`), `${JSON.stringify({ version: 1, ...t }, null, 2)}\n`);
  return dir;
}
