import { resolveTenant, type TenantSpec } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { renderPlatformSql, renderTenantDropSql, renderTenantSql } from '../../src/database/sql';
import { platformSpec } from '../util';
import { testDatabases, type TestDatabase } from './helpers';

const platform = platformSpec();
const tiers = resolveTiers();
const tenant = (id: string, tier: string): TenantSpec => resolveTenant(tenantSchema.parse({ version: 1, id, tier }), platform, tiers, `${id}.json`);
const acme = tenant('acme', 'enterprise');
const beta = tenant('beta', 'starter');
const databases = testDatabases();

/**
 * PGlite is PostgreSQL 17 in one superuser session. It plays RDS: the master user is a plain
 * CREATEROLE role that owns the database (as on RDS, where it is no superuser), and a tenant's
 * login is `SET SESSION AUTHORIZATION` (session_user becomes the tenant role, as after an IAM login).
 */
async function freshDatabase(options: { rdsIam?: boolean } = {}): Promise<TestDatabase> {
  const db = databases.open();
  await db.exec(`
    CREATE ROLE tenantctl_admin LOGIN CREATEROLE CREATEDB;
    ALTER DATABASE template1 OWNER TO tenantctl_admin;
  `);
  // On RDS the master user may grant rds_iam (through rds_superuser).
  if (options.rdsIam) await db.exec('CREATE ROLE rds_iam; GRANT rds_iam TO tenantctl_admin WITH ADMIN OPTION;');
  return db;
}

async function asRole<T>(db: TestDatabase, role: string, fn: () => Promise<T>): Promise<T> {
  await db.exec(`SET SESSION AUTHORIZATION ${role}`);
  try {
    return await fn();
  } finally {
    // A failed script leaves its transaction aborted; end it before switching back.
    await db.exec('ROLLBACK; SET SESSION AUTHORIZATION postgres');
  }
}

const asMaster = (db: TestDatabase, sql: string) => asRole(db, 'tenantctl_admin', () => db.exec(sql));
/** Tenant stacks' provisioning Jobs log in as the tenant provisioner, never as the master user. */
const asProvisioner = (db: TestDatabase, sql: string) => asRole(db, 'tenantctl_provisioner', () => db.exec(sql));
/** Purge Jobs log in as the tenant purger. */
const asPurger = (db: TestDatabase, sql: string) => asRole(db, 'tenantctl_purger', () => db.exec(sql));

async function provision(db: TestDatabase): Promise<void> {
  await asMaster(db, renderPlatformSql(platform));
  await asProvisioner(db, renderTenantSql(platform, acme));
  await asProvisioner(db, renderTenantSql(platform, beta));
}

/** Two provisioned tenants, acme with a table of its own and a row in the shared audit table: what other identities must not reach. */
async function databaseWithTenantData(): Promise<TestDatabase> {
  const db = await freshDatabase();
  await provision(db);
  await asRole(db, 'tenant_acme', () =>
    db.exec(`
    CREATE TABLE tenant_acme.secrets (id int PRIMARY KEY, value text NOT NULL);
    INSERT INTO tenant_acme.secrets VALUES (1, 'acme only');
    INSERT INTO shared.audit_events (actor, action) VALUES ('alice', 'login');
  `),
  );
  return db;
}

/** Everything the SQL controls, as comparable rows (catalog state, not data). */
async function catalogState(db: TestDatabase): Promise<unknown> {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return {
    roles: await q(`SELECT r.rolname, r.rolcanlogin, r.rolinherit, r.rolconnlimit, a.rolpassword IS NULL AS no_password, r.rolconfig
                    FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname LIKE 'tenant%' ORDER BY 1`),
    functions: await q(`SELECT p.proname, p.prosecdef, p.proowner::regrole::text AS owner, p.proacl::text FROM pg_proc p
                        JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'shared' ORDER BY 1`),
    members: await q(`SELECT r.rolname AS role, m.rolname AS member FROM pg_auth_members a
                      JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
                      WHERE m.rolname LIKE 'tenant%' ORDER BY 1, 2`),
    schemas: await q(`SELECT nspname, nspowner::regrole::text AS owner, nspacl::text FROM pg_namespace
                      WHERE nspname IN ('shared', 'tenant_acme', 'tenant_beta') ORDER BY 1`),
    tables: await q(`SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relacl::text FROM pg_class c
                     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'shared' AND c.relkind = 'r' ORDER BY 1`),
    policies: await q(`SELECT tablename, policyname, roles::text, qual, with_check FROM pg_policies WHERE schemaname = 'shared' ORDER BY 1, 2`),
    defaultAcls: await q(`SELECT defaclnamespace::regnamespace::text AS schema, defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1, 2`),
    registry: await q(`SELECT tenant_id, role_name, schema_name, tier, created_at FROM shared.tenants ORDER BY 1`),
  };
}

async function deniedMessage(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the statement to fail');
}

describe('rendered SQL', () => {
  it('fills every placeholder with the tenant and tier values', () => {
    const sql = renderTenantSql(platform, acme);
    expect(sql).not.toMatch(/\{\{/);
    expect(sql).toContain(`SELECT shared.provision_tenant('acme', 'enterprise');`);
    const platformSql = renderPlatformSql(platform);
    expect(platformSql).not.toMatch(/\{\{/);
    expect(platformSql).toContain('CREATE SCHEMA IF NOT EXISTS shared AUTHORIZATION tenantctl_admin;');
    expect(platformSql).toContain(`tenant_role := 'tenant_' || replace(tenant_id, '-', '_');`);
    expect(platformSql).toContain('GRANT EXECUTE ON FUNCTION shared.provision_tenant(text, text) TO tenantctl_provisioner;');
    expect(platformSql).toContain(`  ('enterprise', 200, 60),\n  ('standard', 40, 30),\n  ('starter', 10, 15)\nON CONFLICT (tier)`);
    expect(platformSql).not.toMatch(/PASSWORD '/);
  });

  it('refuses tenant ids and tier names that would not stay inside their SQL literals', () => {
    expect(() => renderTenantSql(platform, { id: acme.id, tier: "x'); DROP ROLE y; --" })).toThrow(/tier name/);
    expect(() => renderTenantSql(platform, { id: "acme'--", tier: 'starter' })).toThrow(/tenant id/);
    expect(() => renderTenantDropSql(platform, { id: "acme'--" })).toThrow(/tenant id/);
  });
});

describe('tenant isolation in PostgreSQL', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase();
    await provision(db);
    await asRole(db, 'tenant_acme', () =>
      db.exec(`
      CREATE TABLE tenant_acme.projects (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO tenant_acme.projects VALUES (1, 'acme project');
      INSERT INTO shared.audit_events (actor, action) VALUES ('alice', 'login');
      INSERT INTO shared.usage_records (metric, quantity) VALUES ('api_calls', 10);
    `),
    );
    await asRole(db, 'tenant_beta', () =>
      db.exec(`
      CREATE TABLE tenant_beta.projects (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO tenant_beta.projects VALUES (1, 'beta project');
      INSERT INTO shared.audit_events (actor, action) VALUES ('bob', 'login');
      INSERT INTO shared.usage_records (metric, quantity) VALUES ('api_calls', 3);
    `),
    );
  });
  afterAll(async () => db.close());

  it('creates login roles without passwords, with tier limits and the tenant schema on the search path', async () => {
    const roles = await db.query(`SELECT r.rolname, r.rolcanlogin, r.rolconnlimit, a.rolpassword, r.rolsuper, r.rolbypassrls, r.rolconfig
                                  FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname IN ('tenant_acme', 'tenant_beta') ORDER BY 1`);
    expect(roles.rows).toEqual([
      {
        rolname: 'tenant_acme',
        rolcanlogin: true,
        rolconnlimit: 200,
        rolpassword: null,
        rolsuper: false,
        rolbypassrls: false,
        rolconfig: ['statement_timeout=60s', 'search_path=tenant_acme, public'],
      },
      {
        rolname: 'tenant_beta',
        rolcanlogin: true,
        rolconnlimit: 10,
        rolpassword: null,
        rolsuper: false,
        rolbypassrls: false,
        rolconfig: ['statement_timeout=15s', 'search_path=tenant_beta, public'],
      },
    ]);
    const member = await db.query(
      `SELECT pg_has_role('tenant_acme', 'tenantctl_tenants', 'MEMBER') AS acme, pg_has_role('tenant_beta', 'tenantctl_tenants', 'MEMBER') AS beta`,
    );
    expect(member.rows[0]).toEqual({ acme: true, beta: true });
  });

  it('registers each tenant with its role and schema', async () => {
    const rows = await db.query('SELECT tenant_id, role_name, schema_name, tier FROM shared.tenants ORDER BY tenant_id');
    expect(rows.rows).toEqual([
      { tenant_id: 'acme', role_name: 'tenant_acme', schema_name: 'tenant_acme', tier: 'enterprise' },
      { tenant_id: 'beta', role_name: 'tenant_beta', schema_name: 'tenant_beta', tier: 'starter' },
    ]);
  });

  it('lets each tenant read and write its own schema', async () => {
    await asRole(db, 'tenant_acme', async () => {
      await db.exec(`UPDATE tenant_acme.projects SET name = 'renamed' WHERE id = 1; INSERT INTO tenant_acme.projects VALUES (2, 'two')`);
      expect((await db.query('SELECT id, name FROM tenant_acme.projects ORDER BY id')).rows).toEqual([
        { id: 1, name: 'renamed' },
        { id: 2, name: 'two' },
      ]);
    });
    await asRole(db, 'tenant_beta', async () => {
      expect((await db.query('SELECT id, name FROM tenant_beta.projects')).rows).toEqual([{ id: 1, name: 'beta project' }]);
    });
  });

  it("denies each tenant the other tenant's schema", async () => {
    await asRole(db, 'tenant_acme', async () => {
      expect(await deniedMessage(() => db.query('SELECT * FROM tenant_beta.projects'))).toMatch(/permission denied for schema tenant_beta/);
      expect(await deniedMessage(() => db.query(`INSERT INTO tenant_beta.projects VALUES (9, 'x')`))).toMatch(
        /permission denied for schema tenant_beta/,
      );
      expect(await deniedMessage(() => db.query('CREATE TABLE tenant_beta.intruder (id int)'))).toMatch(/permission denied for schema tenant_beta/);
    });
    await asRole(db, 'tenant_beta', async () => {
      expect(await deniedMessage(() => db.query('SELECT * FROM tenant_acme.projects'))).toMatch(/permission denied for schema tenant_acme/);
      expect(await deniedMessage(() => db.query('DELETE FROM tenant_acme.projects'))).toMatch(/permission denied for schema tenant_acme/);
    });
  });

  it("keeps tenants out of the public schema, the registry and each other's roles", async () => {
    await asRole(db, 'tenant_acme', async () => {
      expect(await deniedMessage(() => db.exec('SET ROLE tenant_beta'))).toMatch(/permission denied to set role "tenant_beta"/);
      expect(await deniedMessage(() => db.query('CREATE TABLE public.leak (id int)'))).toMatch(/permission denied for schema public/);
      expect(await deniedMessage(() => db.query('SELECT * FROM shared.tenants'))).toMatch(/permission denied for table tenants/);
      expect(await deniedMessage(() => db.query('CREATE TABLE shared.leak (id int)'))).toMatch(/permission denied for schema shared/);
    });
  });

  it.each(['audit_events', 'usage_records'])('shows each tenant only its own rows of shared.%s', async (table) => {
    const own = async (role: string) =>
      asRole(db, role, async () => (await db.query(`SELECT tenant_id FROM shared.${table}`)).rows.map((r) => r.tenant_id));
    expect(await own('tenant_acme')).toEqual(['acme']);
    expect(await own('tenant_beta')).toEqual(['beta']);
    const all = await asRole(db, 'tenantctl_admin', async () =>
      (await db.query(`SELECT tenant_id FROM shared.${table} ORDER BY tenant_id`)).rows.map((r) => r.tenant_id),
    );
    expect(all).toEqual(['acme', 'beta']);
  });

  it('refuses rows written for another tenant and changes to existing rows', async () => {
    await asRole(db, 'tenant_acme', async () => {
      expect(
        await deniedMessage(() => db.query(`INSERT INTO shared.audit_events (tenant_id, actor, action) VALUES ('beta', 'mallory', 'forge')`)),
      ).toMatch(/violates row-level security policy/);
      expect(
        await deniedMessage(() => db.query(`INSERT INTO shared.usage_records (tenant_id, metric, quantity) VALUES ('beta', 'api_calls', 1)`)),
      ).toMatch(/violates row-level security policy/);
      expect(await deniedMessage(() => db.query(`UPDATE shared.usage_records SET quantity = 0`))).toMatch(
        /permission denied for table usage_records/,
      );
      expect(await deniedMessage(() => db.query('TRUNCATE shared.audit_events'))).toMatch(/permission denied for table audit_events/);
    });
  });

  it('applies row-level security to a session that switched role with SET ROLE', async () => {
    await db.exec('SET ROLE tenant_beta');
    try {
      expect((await db.query('SELECT tenant_id FROM shared.usage_records')).rows).toEqual([{ tenant_id: 'beta' }]);
      expect((await db.query('SELECT shared.current_tenant() AS t')).rows).toEqual([{ t: 'beta' }]);
    } finally {
      await db.exec('RESET ROLE');
    }
  });

  it('gives roles that are no registered tenant no rows at all', async () => {
    await db.exec('CREATE ROLE stranger LOGIN IN ROLE tenantctl_tenants');
    const rows = await asRole(db, 'stranger', async () => (await db.query('SELECT * FROM shared.audit_events')).rows);
    expect(rows).toEqual([]);
  });
});

describe('idempotence', () => {
  it('leaves the same state, without error, when platform and tenant SQL run twice', async () => {
    const db = await freshDatabase({ rdsIam: true });
    try {
      await provision(db);
      const first = await catalogState(db);
      await provision(db);
      expect(await catalogState(db)).toEqual(first);
      const iam =
        await db.query(`SELECT pg_has_role('tenant_acme', 'rds_iam', 'MEMBER') AS acme, pg_has_role('tenant_beta', 'rds_iam', 'MEMBER') AS beta,
                                         pg_has_role('tenantctl_provisioner', 'rds_iam', 'MEMBER') AS provisioner`);
      expect(iam.rows).toEqual([{ acme: true, beta: true, provisioner: true }]);
    } finally {
      await db.close();
    }
  });
});

describe('tenant removal (--purge-data)', () => {
  it('drops one tenant, its schema, shared rows and role, and leaves the other untouched', async () => {
    const db = await freshDatabase();
    try {
      await provision(db);
      for (const [role, schema] of [
        ['tenant_acme', 'tenant_acme'],
        ['tenant_beta', 'tenant_beta'],
      ]) {
        await asRole(db, role, () =>
          db.exec(`
          CREATE TABLE ${schema}.items (id int);
          INSERT INTO ${schema}.items VALUES (1);
          INSERT INTO shared.audit_events (actor, action) VALUES ('x', 'y');
          INSERT INTO shared.usage_records (metric, quantity) VALUES ('m', 1);
        `),
        );
      }

      await asPurger(db, renderTenantDropSql(platform, acme));

      const q = async (sql: string) => (await db.query(sql)).rows;
      expect(await q(`SELECT rolname FROM pg_roles WHERE rolname LIKE 'tenant\\_%' ORDER BY 1`)).toEqual([{ rolname: 'tenant_beta' }]);
      expect(await q(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1`)).toEqual([{ nspname: 'tenant_beta' }]);
      expect(await q('SELECT tenant_id FROM shared.tenants')).toEqual([{ tenant_id: 'beta' }]);
      expect(await q('SELECT tenant_id FROM shared.audit_events')).toEqual([{ tenant_id: 'beta' }]);
      expect(await q('SELECT tenant_id FROM shared.usage_records')).toEqual([{ tenant_id: 'beta' }]);
      const betaRows = await asRole(db, 'tenant_beta', async () => (await db.query('SELECT id FROM tenant_beta.items')).rows);
      expect(betaRows).toEqual([{ id: 1 }]);

      // Running it again is harmless, and the tenant can be provisioned afresh.
      await asPurger(db, renderTenantDropSql(platform, acme));
      await asProvisioner(db, renderTenantSql(platform, acme));
      expect(await q(`SELECT tenant_id FROM shared.tenants ORDER BY 1`)).toEqual([{ tenant_id: 'acme' }, { tenant_id: 'beta' }]);
    } finally {
      await db.close();
    }
  });
});

describe("the tenant provisioner (the identity of tenant stacks' provisioning Jobs)", () => {
  let db: TestDatabase;
  const gamma = tenant('gamma-corp', 'standard');

  beforeAll(async () => {
    db = await databaseWithTenantData();
  });
  afterAll(async () => db.close());

  const asProvisionerQuery = (sql: string) => asRole(db, 'tenantctl_provisioner', () => db.query(sql));

  it('is a plain login without rights of its own: no membership, no ownership, no attribute', async () => {
    const role = await db.query(
      `SELECT rolcanlogin, rolinherit, rolcreaterole, rolcreatedb, rolsuper, rolbypassrls, rolconnlimit FROM pg_roles WHERE rolname = ` +
        `'tenantctl_provisioner'`,
    );
    expect(role.rows).toEqual([
      { rolcanlogin: true, rolinherit: false, rolcreaterole: false, rolcreatedb: false, rolsuper: false, rolbypassrls: false, rolconnlimit: 10 },
    ]);
    // Applied at login (PGlite's SET SESSION AUTHORIZATION skips them, so the catalog is what is checked).
    const settings = await db.query(`SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'tenantctl_provisioner'::regrole`);
    expect(settings.rows).toEqual([{ setconfig: ['statement_timeout=60s', 'lock_timeout=30s', 'idle_in_transaction_session_timeout=10s'] }]);
    const memberOf = await db.query(
      `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = ` +
        `'tenantctl_provisioner'`,
    );
    expect(memberOf.rows).toEqual([]);
    const owned = await db.query(`SELECT count(*)::int AS n FROM pg_class WHERE relowner = 'tenantctl_provisioner'::regrole`);
    expect(owned.rows).toEqual([{ n: 0 }]);
  });

  it('creates a new tenant, with a hyphenated id, exactly as the registry and the tenant expect', async () => {
    await asProvisioner(db, renderTenantSql(platform, gamma));
    const roles = await db.query(`SELECT rolname, rolconnlimit, rolconfig FROM pg_roles WHERE rolname = 'tenant_gamma_corp'`);
    expect(roles.rows).toEqual([
      { rolname: gamma.names.dbRole, rolconnlimit: 40, rolconfig: ['statement_timeout=30s', 'search_path=tenant_gamma_corp, public'] },
    ]);
    const registry = await db.query(`SELECT tenant_id, role_name, schema_name, tier FROM shared.tenants WHERE tenant_id = 'gamma-corp'`);
    expect(registry.rows).toEqual([{ tenant_id: 'gamma-corp', role_name: gamma.names.dbRole, schema_name: gamma.names.dbSchema, tier: 'standard' }]);
    await asRole(db, 'tenant_gamma_corp', () => db.exec('CREATE TABLE tenant_gamma_corp.t (id int); INSERT INTO tenant_gamma_corp.t VALUES (1)'));
  });

  it('updates an existing tenant (a tier change) and leaves its data alone', async () => {
    const upgraded = tenant('acme', 'starter');
    await asProvisioner(db, renderTenantSql(platform, upgraded));
    const role = await db.query(`SELECT rolconnlimit, rolconfig FROM pg_roles WHERE rolname = 'tenant_acme'`);
    expect(role.rows).toEqual([{ rolconnlimit: 10, rolconfig: ['statement_timeout=15s', 'search_path=tenant_acme, public'] }]);
    expect((await db.query(`SELECT tier FROM shared.tenants WHERE tenant_id = 'acme'`)).rows).toEqual([{ tier: 'starter' }]);
    const rows = await asRole(db, 'tenant_acme', async () => (await db.query('SELECT value FROM tenant_acme.secrets')).rows);
    expect(rows).toEqual([{ value: 'acme only' }]);
  });

  it("cannot read any tenant's data, the registry or the shared tables", async () => {
    expect(await deniedMessage(() => asProvisionerQuery('SELECT * FROM tenant_acme.secrets'))).toMatch(/permission denied for schema tenant_acme/);
    expect(await deniedMessage(() => asProvisionerQuery('SELECT * FROM shared.tenants'))).toMatch(
      /permission denied for schema shared|permission denied for table tenants/,
    );
    expect(await deniedMessage(() => asProvisionerQuery('SELECT * FROM shared.audit_events'))).toMatch(
      /permission denied for schema shared|permission denied for table audit_events/,
    );
    expect(await deniedMessage(() => asProvisionerQuery('SET ROLE tenant_acme'))).toMatch(/permission denied to set role "tenant_acme"/);
  });

  it("cannot drop or change another tenant outside provisioning, nor grant one tenant another's rights", async () => {
    expect(await deniedMessage(() => asProvisionerQuery('DROP SCHEMA tenant_beta CASCADE'))).toMatch(/must be owner of schema tenant_beta/);
    expect(await deniedMessage(() => asProvisionerQuery('DROP ROLE tenant_beta'))).toMatch(/permission denied to drop role/);
    expect(await deniedMessage(() => asProvisionerQuery('GRANT tenant_beta TO tenant_acme'))).toMatch(
      /permission denied to grant role "tenant_beta"/,
    );
    expect(await deniedMessage(() => asProvisionerQuery('ALTER ROLE tenant_beta CONNECTION LIMIT 1000'))).toMatch(/permission denied to alter role/);
    expect(await deniedMessage(() => asProvisionerQuery(`DELETE FROM shared.tenants WHERE tenant_id = 'beta'`))).toMatch(/permission denied/);
    expect(await deniedMessage(() => asProvisionerQuery('CREATE TABLE public.x (id int)'))).toMatch(/permission denied for schema public/);
    // The purge is the purger's alone.
    expect(await deniedMessage(() => asProvisioner(db, renderTenantDropSql(platform, beta)))).toMatch(/permission denied for function purge_tenant/);
    expect((await db.query(`SELECT tenant_id FROM shared.tenants WHERE tenant_id = 'beta'`)).rows).toEqual([{ tenant_id: 'beta' }]);
  });

  it("cannot bend the provisioning function to a role or schema that is not a tenant's", async () => {
    for (const id of ["acme'; DROP ROLE tenant_beta; --", 'Acme', 'a--b', '-a', 'tenantctl_admin', 'a'.repeat(25)]) {
      const quoted = id.replace(/'/g, "''");
      expect(await deniedMessage(() => asProvisionerQuery(`SELECT shared.provision_tenant('${quoted}', 'starter')`))).toMatch(/is not valid/);
    }
    expect(await deniedMessage(() => asProvisionerQuery(`SELECT shared.provision_tenant('acme', 'bad tier')`))).toMatch(/tier .* is not valid/);
    expect(await deniedMessage(() => asProvisionerQuery(`SELECT shared.provision_tenant('acme', 'platinum')`))).toMatch(
      /tier platinum is not in the tier catalog/,
    );
    expect((await db.query(`SELECT rolname FROM pg_roles WHERE rolname = 'tenant_beta'`)).rows).toEqual([{ rolname: 'tenant_beta' }]);
  });

  it("cannot give another tenant limits beyond its tier's: the limits come from shared.tiers, not the caller", async () => {
    // The first signature, which took the limits from the caller, is gone.
    expect(await deniedMessage(() => asProvisionerQuery(`SELECT shared.provision_tenant('beta', 'starter', 1, 1)`))).toMatch(
      /function shared.provision_tenant\(unknown, unknown, integer, integer\) does not exist/,
    );
    expect(await deniedMessage(() => asProvisionerQuery(`UPDATE shared.tiers SET connection_limit = 1`))).toMatch(/permission denied/);
    expect(await deniedMessage(() => asProvisionerQuery(`INSERT INTO shared.tiers VALUES ('tiny', 1, 1)`))).toMatch(/permission denied/);
    await asProvisioner(db, renderTenantSql(platform, beta));
    const role = await db.query(`SELECT rolconnlimit, rolconfig FROM pg_roles WHERE rolname = 'tenant_beta'`);
    expect(role.rows).toEqual([{ rolconnlimit: 10, rolconfig: ['statement_timeout=15s', 'search_path=tenant_beta, public'] }]);
  });

  it('is the only role besides the master user that may run the provisioning function', async () => {
    await asRole(db, 'tenant_acme', async () => {
      expect(await deniedMessage(() => db.query(`SELECT shared.provision_tenant('acme', 'enterprise')`))).toMatch(
        /permission denied for function provision_tenant/,
      );
    });
  });
});

describe('the tenant purger (the identity of purge Jobs)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await databaseWithTenantData();
  });
  afterAll(async () => db.close());

  const asPurgerQuery = (sql: string) => asRole(db, 'tenantctl_purger', () => db.query(sql));

  it('is a plain login without rights of its own, with session limits', async () => {
    const role = await db.query(
      `SELECT rolcanlogin, rolinherit, rolcreaterole, rolcreatedb, rolsuper, rolbypassrls, rolconnlimit FROM pg_roles WHERE rolname = ` +
        `'tenantctl_purger'`,
    );
    expect(role.rows).toEqual([
      { rolcanlogin: true, rolinherit: false, rolcreaterole: false, rolcreatedb: false, rolsuper: false, rolbypassrls: false, rolconnlimit: 2 },
    ]);
    expect((await db.query(`SELECT count(*)::int AS n FROM pg_auth_members WHERE member = 'tenantctl_purger'::regrole`)).rows).toEqual([{ n: 0 }]);
    const settings = await db.query(`SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'tenantctl_purger'::regrole`);
    expect(settings.rows).toEqual([{ setconfig: ['statement_timeout=540s', 'lock_timeout=30s', 'idle_in_transaction_session_timeout=10s'] }]);
  });

  it("cannot read any tenant's data, the registry or the shared tables, nor become a tenant", async () => {
    expect(await deniedMessage(() => asPurgerQuery('SELECT * FROM tenant_acme.secrets'))).toMatch(/permission denied for schema tenant_acme/);
    expect(await deniedMessage(() => asPurgerQuery('SELECT * FROM shared.tenants'))).toMatch(/permission denied for table tenants/);
    expect(await deniedMessage(() => asPurgerQuery('SELECT * FROM shared.audit_events'))).toMatch(/permission denied for table audit_events/);
    expect(await deniedMessage(() => asPurgerQuery('SELECT * FROM shared.tiers'))).toMatch(/permission denied for table tiers/);
    expect(await deniedMessage(() => asPurgerQuery('SET ROLE tenant_acme'))).toMatch(/permission denied to set role "tenant_acme"/);
    expect(await deniedMessage(() => asPurgerQuery('SELECT shared.current_tenant()'))).toMatch(/permission denied for function current_tenant/);
  });

  it('cannot provision, drop or change anything outside the purge function', async () => {
    expect(await deniedMessage(() => asPurgerQuery(`SELECT shared.provision_tenant('acme', 'starter')`))).toMatch(
      /permission denied for function provision_tenant/,
    );
    expect(await deniedMessage(() => asPurgerQuery('DROP SCHEMA tenant_beta CASCADE'))).toMatch(/must be owner of schema tenant_beta/);
    expect(await deniedMessage(() => asPurgerQuery('DROP ROLE tenant_beta'))).toMatch(/permission denied to drop role/);
    expect(await deniedMessage(() => asPurgerQuery(`DELETE FROM shared.tenants WHERE tenant_id = 'beta'`))).toMatch(/permission denied/);
    expect(await deniedMessage(() => asPurgerQuery('CREATE TABLE public.x (id int)'))).toMatch(/permission denied for schema public/);
  });

  it("purges only a tenant's role and schema, by id: the function reaches nothing else", async () => {
    for (const id of ["acme'; DROP ROLE tenant_beta; --", 'Acme', 'a--b', '-a', 'a'.repeat(25), '']) {
      const quoted = id.replace(/'/g, "''");
      expect(await deniedMessage(() => asPurgerQuery(`SELECT shared.purge_tenant('${quoted}')`))).toMatch(/is not valid/);
    }
    // Every name is the tenant prefix plus the id: an id of no tenant drops nothing.
    await asPurgerQuery(`SELECT shared.purge_tenant('ctl-admin')`);
    expect(
      (
        await db.query(
          `SELECT rolname FROM pg_roles WHERE rolname IN ('tenantctl_admin', 'tenantctl_provisioner', 'tenantctl_purger', 'tenant_acme', ` +
            `'tenant_beta') ORDER BY 1`,
        )
      ).rows.map((r: any) => r.rolname),
    ).toEqual(['tenant_acme', 'tenant_beta', 'tenantctl_admin', 'tenantctl_provisioner', 'tenantctl_purger']);
    expect((await db.query(`SELECT nspname FROM pg_namespace WHERE nspname IN ('shared', 'public') ORDER BY 1`)).rows).toEqual([
      { nspname: 'public' },
      { nspname: 'shared' },
    ]);
  });

  it('is the only role besides the master user that may run the purge function', async () => {
    for (const role of ['tenant_acme', 'tenantctl_provisioner']) {
      await asRole(db, role, async () => {
        expect(await deniedMessage(() => db.query(`SELECT shared.purge_tenant('beta')`))).toMatch(/permission denied for function purge_tenant/);
      });
    }
    expect((await db.query(`SELECT tenant_id FROM shared.tenants ORDER BY 1`)).rows).toEqual([{ tenant_id: 'acme' }, { tenant_id: 'beta' }]);
  });
});
