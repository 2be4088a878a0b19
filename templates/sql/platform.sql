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

-- Only tenant roles (and the master user, which owns the database) may connect.
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO tenantctl_tenants', current_database());
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

COMMIT;
