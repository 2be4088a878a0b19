import { platformNames } from '../model/names';
import type { PlatformSpec } from '../model/platform-schema';
import type { TenantSpec } from '../model/project';
import { TENANT_ID_MAX, tenantIdPattern } from '../model/tenant-schema';
import { resolveTiers, TIER_NAME } from '../model/tiers';
import { renderTemplate } from '../templates/render';

/** PostgreSQL identifiers tenantctl generates: lowercase, unquoted, within NAMEDATALEN. */
export const POSTGRES_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Provisioning Jobs of concurrent tenant applies serialize on one lock: this many at once is ample.
 * It bounds the provisioner's connections and the provisioning namespace's running Pods alike.
 */
export const PROVISIONER_CONCURRENCY = 10;
/**
 * Session limits of the tenant provisioner, the one login every tenant pipeline shares: provisioning
 * takes well under a second, so a session that holds the provisioning lock or a transaction longer
 * is stuck or hostile, and must not stall every other tenant's apply.
 */
export const PROVISIONER_TIMEOUTS = { statement: '60s', lock: '30s', idleInTransaction: '10s' } as const;
/**
 * Purge Jobs are rare (one per `tenant remove --purge-data`) and serialize on the provisioning lock:
 * two leave room for a retry while the failed attempt's session closes.
 */
export const PURGER_CONCURRENCY = 2;
/** The purger's statements may drop a large schema: bounded by the purge Job's deadline (SQL_JOB_SPEC) instead. */
export const PURGER_STATEMENT_TIMEOUT = '540s';

/**
 * SQL of the platform's shared objects (schema `shared`, tenant registry, tier limits, row-level
 * security, the tenant provisioner). The tier catalog is platform.json's, resolved as the loader does.
 */
export function renderPlatformSql(platform: PlatformSpec): string {
  const names = platformNames(platform);
  const provisioner = identifier(names.dbTenantProvisionerUser, 'tenant provisioner user');
  const purger = identifier(names.dbTenantPurgerUser, 'tenant purger user');
  const tiers = Object.entries(resolveTiers(platform.tiers)).sort(([a], [b]) => a.localeCompare(b));
  const rows = tiers.map(([tier, spec]) => {
    const db = spec.database;
    positiveInteger(db.connectionLimit, `tier ${tier} database.connectionLimit`);
    positiveInteger(db.statementTimeoutSeconds, `tier ${tier} database.statementTimeoutSeconds`);
    return `  ('${tierName(tier)}', ${db.connectionLimit}, ${db.statementTimeoutSeconds})`;
  });
  return renderTemplate('sql/platform.sql', {
    master_user: masterUser(platform),
    provisioner,
    provisioner_login: jobLoginSql(provisioner, PROVISIONER_CONCURRENCY, PROVISIONER_TIMEOUTS),
    purger,
    purger_login: jobLoginSql(purger, PURGER_CONCURRENCY, { ...PROVISIONER_TIMEOUTS, statement: PURGER_STATEMENT_TIMEOUT }),
    tenant_user_prefix: identifier(names.dbTenantUserPrefix, 'tenant user prefix'),
    tenant_id_max: String(TENANT_ID_MAX),
    tier_names: tiers.map(([tier]) => `'${tier}'`).join(', '),
    tier_rows: rows.join(',\n'),
  });
}

/** The login of one of tenantctl's SQL Jobs (templates/sql/job-login.sql): one definition for the provisioner and the purger. */
function jobLoginSql(role: string, connectionLimit: number, timeouts: { statement: string; lock: string; idleInTransaction: string }): string {
  return renderTemplate('sql/job-login.sql', {
    role,
    connection_limit: String(connectionLimit),
    statement_timeout: timeouts.statement,
    lock_timeout: timeouts.lock,
    idle_in_transaction_timeout: timeouts.idleInTransaction,
  }).trimEnd();
}

/**
 * SQL that creates or updates one tenant's login role and schema and registers the tenant, as the
 * tenant provisioner. It depends on the tenant id and tier only (the limits are the tier's, in
 * shared.tiers), so admission can compare a provisioning ConfigMap with what tenantctl renders.
 */
export function renderTenantSql(platform: PlatformSpec, tenant: Pick<TenantSpec, 'id' | 'tier'>): string {
  if (!tenantIdPattern.test(tenant.id))
    throw new Error(`tenant id ${JSON.stringify(tenant.id)} is not valid: use lowercase letters, digits and single hyphens`);
  return renderTemplate('sql/tenant.sql', {
    tenant_id: tenant.id,
    provisioner: identifier(platformNames(platform).dbTenantProvisionerUser, 'tenant provisioner user'),
    tier: tierName(tenant.tier),
  });
}

/**
 * SQL that drops one tenant's schema, shared rows, registry entry and role (`tenant remove
 * --purge-data`), as the tenant purger. Like the tenant SQL it depends on the tenant id alone.
 */
export function renderTenantDropSql(platform: PlatformSpec, tenant: Pick<TenantSpec, 'id'>): string {
  if (!tenantIdPattern.test(tenant.id))
    throw new Error(`tenant id ${JSON.stringify(tenant.id)} is not valid: use lowercase letters, digits and single hyphens`);
  return renderTemplate('sql/tenant-drop.sql', {
    tenant_id: tenant.id,
    purger: identifier(platformNames(platform).dbTenantPurgerUser, 'tenant purger user'),
  });
}

function tierName(tier: string): string {
  if (!TIER_NAME.test(tier)) throw new Error(`tier name ${JSON.stringify(tier)} is not valid: use 2-20 lowercase letters, digits or hyphens`);
  return tier;
}

function masterUser(platform: PlatformSpec): string {
  return identifier(platformNames(platform).dbMasterUser, 'database master user');
}

/** Values are inserted into SQL verbatim, so anything that is not a plain identifier is refused. */
function identifier(value: string, what: string): string {
  if (!POSTGRES_IDENTIFIER.test(value)) {
    throw new Error(
      `${what} ${JSON.stringify(value)} is not a valid PostgreSQL identifier: use 1-63 lowercase letters, digits or underscores, not ` +
        `starting with a digit`,
    );
  }
  return value;
}

function positiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${what} must be a positive integer, got ${value}`);
}
