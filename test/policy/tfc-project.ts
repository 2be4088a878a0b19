import type { PlatformConfig } from '../../src/model/platform-schema';
import { resolveTenant, type Project } from '../../src/model/project';
import { tenantSchema, type TenantConfig } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { platformSpec } from '../util';

export const PLATFORM_ACCOUNT = '111122223333';

/** A Terraform Cloud project with the service account `payments`, these tenants and platform settings, for rule tests on a real synth. */
export function tfcProject(tenants: readonly Omit<TenantConfig, 'version'>[], overrides: Partial<PlatformConfig> = {}): Project {
  const platform = platformSpec({
    ...overrides,
    aws: {
      region: 'eu-west-1',
      accountId: PLATFORM_ACCOUNT,
      serviceAccounts: [{ name: 'payments', accountId: '222233334444', purpose: 'Payments' }],
    },
    terraformCloud: { organization: 'acme-corp' },
  } as Partial<PlatformConfig>);
  const tiers = resolveTiers();
  return {
    dir: '/nonexistent',
    platform,
    tiers,
    tenants: tenants.map((t) => resolveTenant(tenantSchema.parse({ version: 1, ...t }), platform, tiers, `${t.id}.json`)),
  };
}
