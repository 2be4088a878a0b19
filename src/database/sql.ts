import { platformNames } from '../config/names';
import type { PlatformSpec } from '../config/platform-schema';
import type { TenantSpec } from '../config/project';
import { TENANT_ID_MAX, tenantIdPattern } from '../config/tenant-schema';
import { renderTemplate } from '../templates/render';

/** PostgreSQL identifiers tenantctl generates: lowercase, unquoted, within NAMEDATALEN. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** Tier names as platform.json allows them; they end up in a string literal. */
const TIER = /^[a-z][a-z0-9-]{1,19}$/;

/** SQL of the platform's shared objects (schema `shared`, tenant registry, row-level security, the tenant provisioner). */
export function renderPlatformSql(platform: PlatformSpec): string {
  const names = platformNames(platform);
  return renderTemplate('sql/platform.sql', {
    master_user: masterUser(platform),
    provisioner: identifier(names.dbTenantProvisionerUser, 'tenant provisioner user'),
    tenant_user_prefix: identifier(names.dbTenantUserPrefix, 'tenant user prefix'),
    tenant_id_max: String(TENANT_ID_MAX),
  });
}

/** SQL that creates or updates one tenant's login role and schema and registers the tenant, as the tenant provisioner. */
export function renderTenantSql(platform: PlatformSpec, tenant: TenantSpec): string {
  const db = tenant.tierSpec.database;
  positiveInteger(db.connectionLimit, `tier ${tenant.tier} database.connectionLimit`);
  positiveInteger(db.statementTimeoutSeconds, `tier ${tenant.tier} database.statementTimeoutSeconds`);
  if (!TIER.test(tenant.tier)) throw new Error(`tier name ${JSON.stringify(tenant.tier)} is not valid: use 2-20 lowercase letters, digits or hyphens`);
  const { tenant_id, schema } = tenantValues(platform, tenant);
  return renderTemplate('sql/tenant.sql', {
    tenant_id,
    schema,
    provisioner: identifier(platformNames(platform).dbTenantProvisionerUser, 'tenant provisioner user'),
    tier: tenant.tier,
    connection_limit: String(db.connectionLimit),
    statement_timeout_seconds: String(db.statementTimeoutSeconds),
  });
}

/** SQL that drops one tenant's schema, shared rows, registry entry and role (`tenant remove --purge-data`). */
export function renderTenantDropSql(platform: PlatformSpec, tenant: TenantSpec): string {
  return renderTemplate('sql/tenant-drop.sql', tenantValues(platform, tenant));
}

function tenantValues(platform: PlatformSpec, tenant: TenantSpec): Record<string, string> {
  if (!tenantIdPattern.test(tenant.id)) throw new Error(`tenant id ${JSON.stringify(tenant.id)} is not valid: use lowercase letters, digits and single hyphens`);
  return {
    master_user: masterUser(platform),
    tenant_id: tenant.id,
    role: identifier(tenant.names.dbRole, 'tenant database role'),
    schema: identifier(tenant.names.dbSchema, 'tenant schema'),
  };
}

function masterUser(platform: PlatformSpec): string {
  return identifier(platformNames(platform).dbMasterUser, 'database master user');
}

/** Values are inserted into SQL verbatim, so anything that is not a plain identifier is refused. */
function identifier(value: string, what: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new Error(`${what} ${JSON.stringify(value)} is not a valid PostgreSQL identifier: use 1-63 lowercase letters, digits or underscores, not starting with a digit`);
  }
  return value;
}

function positiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${what} must be a positive integer, got ${value}`);
}
