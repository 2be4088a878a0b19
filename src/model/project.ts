import { z, type ZodError, type ZodType, type ZodTypeAny, type ZodTypeDef } from 'zod';
import { ConfigError, type ConfigIssue } from './errors';
import { needsPooledUserPool } from './identity';
import { NAME_LIMITS, platformNames, tenantNames, type TenantNames } from './names';
import type { PlatformSpec } from './platform-schema';
import { fieldsOf, schemaAt, unknownFieldMessage } from './schema-path';
import type { TenantFile } from './tenant-schema';
import { tenantServiceProblems } from './tenant-services';
import { poolPlanProblems } from './tier-capacity';
import { deepMerge, resolveTiers, tierSchema, type TierSpec } from './tiers';

/**
 * The project as tenantctl reasons about it: the layout of its files, the resolved specs the
 * stacks are built from, and the checks that need more than one file (a tenant against the
 * platform). Reading and writing the files is src/project's job.
 */

/** The project's layout, relative to its directory. */
export const PLATFORM_FILE = 'platform.json';
export const TENANTS_DIR = 'tenants';
/** Where the local backend keeps each stack's state (see TenantctlStack). */
export const STATE_DIR = 'state';

/** A tenant with its tier resolved (tier catalog, then per-tenant overrides) and its names. */
export interface TenantSpec extends TenantFile {
  readonly tierSpec: TierSpec;
  readonly names: TenantNames;
  /** The AWS account the tenant's stack deploys into. */
  readonly accountId: string;
  /** `platform` or the name of a service account from platform.json. */
  readonly accountName: string;
}

export interface Project {
  readonly dir: string;
  readonly platform: PlatformSpec;
  readonly tiers: Record<string, TierSpec>;
  readonly tenants: TenantSpec[];
}

export function parseWith<T>(schema: ZodType<T, ZodTypeDef, unknown>, raw: unknown, display: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw new ConfigError(display, zodIssues(result.error, raw, schema));
  return result.data;
}

/** Zod's issues as tenantctl reports them; with `schema`, an unknown field names the nearest known one. */
export function zodIssues(error: ZodError, raw: unknown, schema?: ZodTypeAny): ConfigIssue[] {
  return error.issues.flatMap((i) => {
    const value = valueAt(raw, i.path);
    const field = i.path.join('.');
    if (i.code === 'unrecognized_keys') {
      const owner = schema && schemaAt(schema, i.path.map(String));
      const known = owner && 'schema' in owner ? fieldsOf(owner.schema) : undefined;
      return i.keys.map((key) => ({
        field: field ? `${field}.${key}` : key,
        message: known ? unknownFieldMessage(key, known) : 'unknown field: remove it or check the spelling',
      }));
    }
    const message = i.code === 'invalid_type' && i.received === 'undefined' ? 'is required' : i.message;
    return [{ field, message, value: typeof value === 'object' ? undefined : value }];
  });
}

function valueAt(raw: unknown, p: (string | number)[]): unknown {
  let cur: unknown = raw;
  for (const key of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export function loadTiers(platform: PlatformSpec): Record<string, TierSpec> {
  let tiers: Record<string, TierSpec>;
  try {
    tiers = resolveTiers(platform.tiers);
  } catch (err) {
    if (err instanceof z.ZodError) {
      throw new ConfigError(
        PLATFORM_FILE,
        zodIssues(err, platform.tiers, z.record(tierSchema)).map((i) => ({ ...i, field: `tiers.${i.field}` })),
      );
    }
    throw err;
  }
  const plan = poolPlanProblems(platform.database, tiers);
  if (plan.length)
    throw new ConfigError(
      PLATFORM_FILE,
      plan.map((p) => ({ field: p.path.join('.'), message: p.message })),
    );
  return tiers;
}

export function resolveTenant(
  file: TenantFile,
  platform: PlatformSpec,
  tiers: Record<string, TierSpec>,
  display: string,
  expectedId?: string,
): TenantSpec {
  const issues: ConfigIssue[] = [];
  if (expectedId !== undefined && file.id !== expectedId) {
    issues.push({ field: 'id', message: `must match the file name (${expectedId}.json): rename the file or fix the id`, value: file.id });
  }
  const tier = tiers[file.tier];
  if (!tier) issues.push({ field: 'tier', message: `unknown tier: use one of ${Object.keys(tiers).join(', ')}`, value: file.tier });
  let accountId = platform.aws.accountId;
  const accountName = file.serviceAccount ?? 'platform';
  if (file.serviceAccount && file.serviceAccount !== 'platform') {
    const account = platform.aws.serviceAccounts.find((a) => a.name === file.serviceAccount);
    if (!account) {
      const known = ['platform', ...platform.aws.serviceAccounts.map((a) => a.name)].join(', ');
      issues.push({
        field: 'serviceAccount',
        message: `unknown service account: use one of ${known} (declared in platform.json aws.serviceAccounts)`,
        value: file.serviceAccount,
      });
    } else {
      accountId = account.accountId;
    }
  }
  const names = tenantNames(platform, file.id);
  const prefix = platformNames(platform).prefix;
  const limits: [string, string, number][] = [
    ['IAM role', names.iamRole, NAME_LIMITS.iamRole],
    ['IAM node role', names.nodeRole, NAME_LIMITS.iamRole],
    ['workspace', `${prefix}-${names.stack}`, NAME_LIMITS.workspace],
  ];
  for (const [what, name, max] of limits) {
    if (name.length > max)
      issues.push({
        field: 'id',
        message: `derived ${what} name ${name} is longer than ${max} characters: use a shorter tenant id or platform name`,
        value: file.id,
      });
  }
  let tierSpec = tier;
  if (file.overrides.tier && 'database' in file.overrides.tier) {
    // shared.provision_tenant applies the tier's limits from shared.tiers, never a caller's numbers.
    issues.push({
      field: 'overrides.tier.database',
      message: 'database limits are set per tier: define a tier with them under tiers in platform.json',
    });
  }
  if (tier && file.overrides.tier) {
    const result = tierSchema.safeParse(deepMerge(tier, file.overrides.tier));
    if (result.success) tierSpec = result.data;
    else
      issues.push(
        ...zodIssues(result.error, deepMerge(tier, file.overrides.tier), tierSchema).map((i) => ({ ...i, field: `overrides.tier.${i.field}` })),
      );
  }
  for (const service of platform.services) {
    const role = names.serviceRole(service.name);
    if (role.length > NAME_LIMITS.iamRole)
      issues.push({
        field: 'id',
        message:
          `derived IAM role name ${role} of service ${service.name} is longer than ${NAME_LIMITS.iamRole} characters: use a shorter ` +
          `tenant id, service name or platform name`,
        value: file.id,
      });
  }
  if (tierSpec) issues.push(...tenantServiceProblems(platform, file, tierSpec));
  // Only an override can ask for the pooled pool when no tier has it, and then the platform stack holds none.
  if (tierSpec?.identity === 'pooled' && !needsPooledUserPool(tiers))
    issues.push({
      field: 'overrides.tier.identity',
      message:
        'no tier of the catalog signs users in to the pooled user pool, so the platform has none: give a tier identity "pooled" in platform.json, or use "dedicated"',
      value: 'pooled',
    });
  if (issues.length) throw new ConfigError(display, issues);
  return { ...file, tierSpec, names, accountId, accountName };
}
