import * as fs from 'fs';
import * as path from 'path';
import type { PlatformConfig, PlatformSpec } from '../../src/model/platform-schema';
import { resolveTenant, type TenantSpec } from '../../src/model/project';
import { tenantSchema, type TenantConfig } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { platformSpec } from '../util';

/** The README's example catalog: project (the entry service), task and user services. */
export const exampleCatalog: Pick<PlatformConfig, 'gitops' | 'services'> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'service-catalog.json'), 'utf8'),
);

/** A platform with the example catalog. */
export function catalogPlatform(overrides: Partial<PlatformConfig> = {}): PlatformSpec {
  return platformSpec({ ...exampleCatalog, ...overrides });
}

/** A tenant of the platform, resolved as the loader does. */
export function catalogTenant(platform: PlatformSpec, config: Partial<TenantConfig> & { id: string; tier: string }): TenantSpec {
  return resolveTenant(tenantSchema.parse({ version: 1, ...config }), platform, resolveTiers(platform.tiers), `tenants/${config.id}.json`);
}
