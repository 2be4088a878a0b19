import * as fs from 'fs';
import * as path from 'path';
import type { ZodType, ZodTypeDef } from 'zod';
import { TenantctlError } from '../model/errors';
import { platformSchema, resolvePlatform, type PlatformSpec } from '../model/platform-schema';
import { PLATFORM_FILE, TENANTS_DIR, loadTiers, parseWith, resolveTenant, type Project, type TenantSpec } from '../model/project';
import { tenantSchema, type TenantFile } from '../model/tenant-schema';
import type { TierSpec } from '../model/tiers';
import { parseJson, writeJsonAtomic } from './files';

export function platformFile(dir: string): string {
  return path.join(dir, PLATFORM_FILE);
}

export function tenantFile(dir: string, id: string): string {
  return path.join(dir, TENANTS_DIR, `${id}.json`);
}

/** Reads and validates a JSON file against a schema; every problem is reported with its field. */
export function readJsonFile<T>(file: string, schema: ZodType<T, ZodTypeDef, unknown>, display = file): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TenantctlError(
        `${display} does not exist`,
        display.endsWith(PLATFORM_FILE) ? 'Run `tenantctl init platform` first, or pass --dir to point at a tenantctl project.' : undefined,
      );
    }
    throw err;
  }
  return parseWith(schema, parseJson(text, display), display);
}

export function loadPlatform(dir: string): PlatformSpec {
  return resolvePlatform(readJsonFile(platformFile(dir), platformSchema, PLATFORM_FILE));
}

/** Ids of the tenants in the project, from the file names (cheap: reads no file). */
export function listTenantIds(dir: string): string[] {
  const tenantsDir = path.join(dir, TENANTS_DIR);
  if (!fs.existsSync(tenantsDir)) return [];
  return fs
    .readdirSync(tenantsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Loads and resolves one tenant file; checks it against the platform (tier, account, names). */
export function loadTenant(dir: string, platform: PlatformSpec, tiers: Record<string, TierSpec>, id: string): TenantSpec {
  const display = path.join(TENANTS_DIR, `${id}.json`);
  const file = readJsonFile(tenantFile(dir, id), tenantSchema, display);
  return resolveTenant(file, platform, tiers, display, id);
}

export function loadTenants(dir: string, platform: PlatformSpec, tiers: Record<string, TierSpec>, ids = listTenantIds(dir)): TenantSpec[] {
  return ids.map((id) => loadTenant(dir, platform, tiers, id));
}

/** Loads the whole project: platform.json, the tier catalog and every tenant. */
export function loadProject(dir: string): Project {
  const platform = loadPlatform(dir);
  const tiers = loadTiers(platform);
  return { dir, platform, tiers, tenants: loadTenants(dir, platform, tiers) };
}

export function saveTenantFile(dir: string, tenant: TenantFile): void {
  writeJsonAtomic(tenantFile(dir, tenant.id), stripEmpty(tenant));
}

/** Drops empty override objects so files stay minimal and diffs stay small. */
function stripEmpty(tenant: TenantFile): Record<string, unknown> {
  const out: Record<string, unknown> = { ...tenant };
  if (tenant.overrides && Object.keys(tenant.overrides).length === 0) delete out.overrides;
  if (tenant.services && Object.keys(tenant.services).length === 0) delete out.services;
  return out;
}
