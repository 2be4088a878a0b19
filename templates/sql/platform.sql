-- tenantctl: platform objects of the application database.
-- Run by the db-provisioner Job as the master user {{master_user}} through RDS Proxy (IAM auth).
-- Idempotent: every run converges to the same state, so a changed file can simply be re-applied.
BEGIN;

-- Tenant provisioning Jobs may run concurrently with this one; serialize on one advisory lock.
SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tenantctl-provisioning'));

-- Only the platform creates objects outside tenant schemas (PostgreSQL before 15 let PUBLIC create in public).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Every tenant login role joins this group; shared grants go to the group, never to single tenants,
-- so adding a tenant never rewrites the ACL of a shared object.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'tenantctl_tenants') THEN
    CREATE ROLE tenantctl_tenants NOLOGIN;
  END IF;
END
$$;

-- The tenant provisioner: the login of tenant stacks' provisioning Jobs. It owns nothing and is
-- member of nothing; all it may do is run shared.provision_tenant() below, so it can create and
-- update tenants but never read a tenant's data, drop anything or grant one tenant another's rights.
-- Every tenant pipeline logs in as this role: none may hold the provisioning lock, or a
-- connection, long enough to stall the others' applies.
{{provisioner_login}}

-- The tenant purger: the login of purge Jobs (tenant remove --purge-data). Like the provisioner it
-- owns nothing and is member of nothing; all it may do is run shared.purge_tenant() below.
-- Dropping a large schema takes a while, but never longer than the Job's deadline.
{{purger_login}}

-- Only tenant roles, the tenant provisioner and purger (and the master user, which owns the database) may connect.
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO tenantctl_tenants', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO {{provisioner}}', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO {{purger}}', current_database());
END
$$;

CREATE SCHEMA IF NOT EXISTS shared AUTHORIZATION {{master_user}};
ALTER SCHEMA shared OWNER TO {{master_user}};
REVOKE ALL ON SCHEMA shared FROM PUBLIC;
GRANT USAGE ON SCHEMA shared TO tenantctl_tenants;

-- Registry of tenants: which login role belongs to which tenant. Tenants cannot read it.
CREATE TABLE IF NOT EXISTS shared.tenants (
  tenant_id   text PRIMARY KEY CHECK (tenant_id ~ '^[a-z]([a-z0-9-]*[a-z0-9])?$'),
  role_name   name NOT NULL UNIQUE,
  schema_name name NOT NULL UNIQUE,
  tier        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON shared.tenants FROM PUBLIC;

-- The database limits of each tier, from the tier catalog: provisioning looks them up here, so a
-- tenant pipeline chooses its tier's limits at most, never numbers of its own. Tenants cannot read it.
CREATE TABLE IF NOT EXISTS shared.tiers (
  tier                      text PRIMARY KEY CHECK (tier ~ '^[a-z][a-z0-9-]{1,19}$'),
  connection_limit          integer NOT NULL CHECK (connection_limit > 0),
  statement_timeout_seconds integer NOT NULL CHECK (statement_timeout_seconds > 0)
);
REVOKE ALL ON shared.tiers FROM PUBLIC;
-- The catalog as platform.json defines it now: a tier it dropped may no longer be provisioned.
DELETE FROM shared.tiers WHERE tier NOT IN ({{tier_names}});
INSERT INTO shared.tiers AS t (tier, connection_limit, statement_timeout_seconds) VALUES
{{tier_rows}}
ON CONFLICT (tier) DO UPDATE
  SET connection_limit = EXCLUDED.connection_limit, statement_timeout_seconds = EXCLUDED.statement_timeout_seconds
  WHERE (t.connection_limit, t.statement_timeout_seconds) IS DISTINCT FROM (EXCLUDED.connection_limit, EXCLUDED.statement_timeout_seconds);

-- The tenant of the calling role. SECURITY DEFINER so tenants need no access to the registry.
-- Inside the function current_user is the owner, so the caller is read from the SET ROLE setting
-- (a session that switched to a tenant role) or else the login role (session_user).
CREATE OR REPLACE FUNCTION shared.current_tenant() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, shared
AS $$
  SELECT t.tenant_id
  FROM shared.tenants AS t
  WHERE t.role_name = COALESCE(NULLIF(current_setting('role'), 'none'), session_user)::name
$$;
ALTER FUNCTION shared.current_tenant() OWNER TO {{master_user}};
REVOKE ALL ON FUNCTION shared.current_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shared.current_tenant() TO tenantctl_tenants;

-- Cross-tenant platform data. Rows are tagged with their tenant and filtered by row-level security.
CREATE TABLE IF NOT EXISTS shared.audit_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   text NOT NULL DEFAULT shared.current_tenant() REFERENCES shared.tenants (tenant_id) ON DELETE CASCADE,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS audit_events_tenant_time ON shared.audit_events (tenant_id, occurred_at);

CREATE TABLE IF NOT EXISTS shared.usage_records (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   text NOT NULL DEFAULT shared.current_tenant() REFERENCES shared.tenants (tenant_id) ON DELETE CASCADE,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  metric      text NOT NULL,
  quantity    numeric NOT NULL CHECK (quantity >= 0)
);
CREATE INDEX IF NOT EXISTS usage_records_tenant_time ON shared.usage_records (tenant_id, recorded_at);

-- FORCE applies the policies to the owner as well; the master user gets an explicit policy instead
-- so that platform jobs (metering, tenant removal) see every row on purpose, not by accident.
ALTER TABLE shared.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE shared.audit_events FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON shared.audit_events;
CREATE POLICY tenant_isolation ON shared.audit_events
  USING (tenant_id = (SELECT shared.current_tenant()))
  WITH CHECK (tenant_id = (SELECT shared.current_tenant()));
DROP POLICY IF EXISTS platform_admin ON shared.audit_events;
CREATE POLICY platform_admin ON shared.audit_events TO {{master_user}} USING (true) WITH CHECK (true);

ALTER TABLE shared.usage_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE shared.usage_records FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON shared.usage_records;
CREATE POLICY tenant_isolation ON shared.usage_records
  USING (tenant_id = (SELECT shared.current_tenant()))
  WITH CHECK (tenant_id = (SELECT shared.current_tenant()));
DROP POLICY IF EXISTS platform_admin ON shared.usage_records;
CREATE POLICY platform_admin ON shared.usage_records TO {{master_user}} USING (true) WITH CHECK (true);

-- Append-only for tenants: no UPDATE, DELETE or TRUNCATE (TRUNCATE would bypass row-level security).
REVOKE ALL ON shared.audit_events, shared.usage_records FROM PUBLIC;
GRANT SELECT, INSERT ON shared.audit_events, shared.usage_records TO tenantctl_tenants;

-- Creates or updates one tenant: its login role (no password: IAM tokens at RDS Proxy), its schema
-- and grants, its registry entry, with the limits of its tier from shared.tiers. Idempotent, and it
-- only creates or updates: removing a tenant never drops data here (templates/sql/tenant-drop.sql
-- does, as the master user). It runs as its owner, the master user, so the tenant provisioner needs
-- no rights of its own; every name is derived from the tenant id, so no call can reach a role or
-- schema that is not a tenant's.
-- The first signature took the limits from the caller: drop it so no pipeline can pass its own.
DROP FUNCTION IF EXISTS shared.provision_tenant(text, text, integer, integer);
CREATE OR REPLACE FUNCTION shared.provision_tenant(tenant_id text, tier text)
  RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  tenant_role name;
  connection_limit integer;
  statement_timeout_seconds integer;
BEGIN
  IF tenant_id IS NULL OR tenant_id !~ '^[a-z]([a-z0-9-]*[a-z0-9])?$' OR position('--' IN tenant_id) > 0 OR length(tenant_id) > {{tenant_id_max}} THEN
    RAISE EXCEPTION 'tenant id % is not valid: lowercase letters, digits and single hyphens, at most {{tenant_id_max}} characters', tenant_id;
  END IF;
  IF tier IS NULL OR tier !~ '^[a-z][a-z0-9-]{1,19}$' THEN
    RAISE EXCEPTION 'tier % is not valid', tier;
  END IF;
  SELECT t.connection_limit, t.statement_timeout_seconds INTO connection_limit, statement_timeout_seconds
  FROM shared.tiers AS t WHERE t.tier = provision_tenant.tier;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'tier % is not in the tier catalog (shared.tiers): apply the platform first', tier;
  END IF;
  tenant_role := '{{tenant_user_prefix}}' || replace(tenant_id, '-', '_');

  -- Tenant Jobs may run concurrently with each other and with the platform SQL.
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tenantctl-provisioning'));

  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = tenant_role) THEN
    EXECUTE format('CREATE ROLE %I LOGIN', tenant_role);
  END IF;
  EXECUTE format('ALTER ROLE %I WITH LOGIN INHERIT NOCREATEDB NOCREATEROLE PASSWORD NULL CONNECTION LIMIT %s', tenant_role, connection_limit);
  EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', tenant_role, statement_timeout_seconds || 's');
  -- public comes second for extension functions; only the master user can create objects there.
  EXECUTE format('ALTER ROLE %I SET search_path = %I, public', tenant_role, tenant_role);
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rds_iam')
     AND NOT pg_catalog.pg_has_role(tenant_role, 'rds_iam', 'MEMBER') THEN
    EXECUTE format('GRANT rds_iam TO %I', tenant_role);
  END IF;
  IF NOT pg_catalog.pg_has_role(tenant_role, 'tenantctl_tenants', 'MEMBER') THEN
    EXECUTE format('GRANT tenantctl_tenants TO %I', tenant_role);
  END IF;

  -- The schema belongs to the master user, so the tenant cannot give it away or change its ACL;
  -- the tenant may use it and create objects in it, nobody else may even look inside.
  EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION {{master_user}}', tenant_role);
  EXECUTE format('ALTER SCHEMA %I OWNER TO {{master_user}}', tenant_role);
  EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', tenant_role);
  EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', tenant_role, tenant_role);

  -- Objects the platform creates in the schema (for example seed data) are the tenant's to use. Only
  -- default privileges: the schema exists before the platform puts anything in it, and a GRANT ON
  -- ALL TABLES would fail on the tenant's own tables, which the master user has no rights on.
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE {{master_user}} IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLES TO %I', tenant_role, tenant_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE {{master_user}} IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', tenant_role, tenant_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE {{master_user}} IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO %I', tenant_role, tenant_role);

  -- Register the role so shared.current_tenant() and row-level security know whose rows are whose.
  INSERT INTO shared.tenants AS t (tenant_id, role_name, schema_name, tier)
  VALUES (provision_tenant.tenant_id, tenant_role, tenant_role, provision_tenant.tier)
  ON CONFLICT ON CONSTRAINT tenants_pkey DO UPDATE
    SET tier = EXCLUDED.tier, updated_at = now()
    WHERE t.tier IS DISTINCT FROM EXCLUDED.tier;
END
$fn$;
ALTER FUNCTION shared.provision_tenant(text, text) OWNER TO {{master_user}};
REVOKE ALL ON FUNCTION shared.provision_tenant(text, text) FROM PUBLIC;
-- USAGE lets the provisioner call the function; the schema's tables stay closed to it.
GRANT USAGE ON SCHEMA shared TO {{provisioner}};
GRANT EXECUTE ON FUNCTION shared.provision_tenant(text, text) TO {{provisioner}};

-- Removes one tenant and ALL of its data: its schema with everything in it, its shared rows, its
-- registry entry and its login role. Irreversible (take a snapshot first); a no-op for a tenant that
-- is gone already, so a re-run converges. It runs as its owner, the master user, so the purger needs
-- no rights of its own and can read nothing; every name is derived from the id, so no call reaches
-- a role or schema that is not a tenant's.
CREATE OR REPLACE FUNCTION shared.purge_tenant(tenant_id text)
  RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  tenant_role name;
BEGIN
  IF tenant_id IS NULL OR tenant_id !~ '^[a-z]([a-z0-9-]*[a-z0-9])?$' OR position('--' IN tenant_id) > 0 OR length(tenant_id) > {{tenant_id_max}} THEN
    RAISE EXCEPTION 'tenant id % is not valid: lowercase letters, digits and single hyphens, at most {{tenant_id_max}} characters', tenant_id;
  END IF;
  tenant_role := '{{tenant_user_prefix}}' || replace(tenant_id, '-', '_');

  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tenantctl-provisioning'));

  -- The master user owns the schema, so it drops the tenant's objects in it as well.
  EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', tenant_role);
  DELETE FROM shared.audit_events AS e WHERE e.tenant_id = purge_tenant.tenant_id;
  DELETE FROM shared.usage_records AS u WHERE u.tenant_id = purge_tenant.tenant_id;
  DELETE FROM shared.tenants AS t WHERE t.tenant_id = purge_tenant.tenant_id;
  EXECUTE format('DROP ROLE IF EXISTS %I', tenant_role);
END
$fn$;
ALTER FUNCTION shared.purge_tenant(text) OWNER TO {{master_user}};
REVOKE ALL ON FUNCTION shared.purge_tenant(text) FROM PUBLIC;
GRANT USAGE ON SCHEMA shared TO {{purger}};
GRANT EXECUTE ON FUNCTION shared.purge_tenant(text) TO {{purger}};

COMMIT;
