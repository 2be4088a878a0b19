-- tenantctl: database objects of tenant {{tenant_id}} (login role and schema {{schema}}).
-- Run by the tenant's provisioning Job as the master user {{master_user}} through RDS Proxy, after
-- platform.sql. Idempotent, and it only creates or updates: removing a tenant never drops data here.
BEGIN;

SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tenantctl-provisioning'));

-- The login role has no password: clients authenticate with IAM tokens (rds_iam) at RDS Proxy.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{{role}}') THEN
    CREATE ROLE {{role}} LOGIN;
  END IF;
END
$$;
ALTER ROLE {{role}} WITH LOGIN INHERIT NOCREATEDB NOCREATEROLE PASSWORD NULL CONNECTION LIMIT {{connection_limit}};
ALTER ROLE {{role}} SET statement_timeout = '{{statement_timeout}}';
-- public comes second for extension functions; only the master user can create objects there.
ALTER ROLE {{role}} SET search_path = {{schema}}, public;

-- rds_iam exists only on Amazon RDS; elsewhere (local PostgreSQL, tests) the grant is skipped.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rds_iam')
     AND NOT pg_catalog.pg_has_role('{{role}}', 'rds_iam', 'MEMBER') THEN
    GRANT rds_iam TO {{role}};
  END IF;
  IF NOT pg_catalog.pg_has_role('{{role}}', 'tenantctl_tenants', 'MEMBER') THEN
    GRANT tenantctl_tenants TO {{role}};
  END IF;
END
$$;

-- The schema belongs to the master user, so the tenant cannot give it away or change its ACL;
-- the tenant may use it and create objects in it, nobody else may even look inside.
CREATE SCHEMA IF NOT EXISTS {{schema}} AUTHORIZATION {{master_user}};
ALTER SCHEMA {{schema}} OWNER TO {{master_user}};
REVOKE ALL ON SCHEMA {{schema}} FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA {{schema}} TO {{role}};

-- Objects the platform creates in the schema (for example seed data) are the tenant's to use.
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {{schema}} TO {{role}};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {{schema}} TO {{role}};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {{schema}} TO {{role}};
ALTER DEFAULT PRIVILEGES FOR ROLE {{master_user}} IN SCHEMA {{schema}}
  GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLES TO {{role}};
ALTER DEFAULT PRIVILEGES FOR ROLE {{master_user}} IN SCHEMA {{schema}}
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {{role}};
ALTER DEFAULT PRIVILEGES FOR ROLE {{master_user}} IN SCHEMA {{schema}}
  GRANT EXECUTE ON FUNCTIONS TO {{role}};

-- Register the role so shared.current_tenant() and row-level security know whose rows are whose.
INSERT INTO shared.tenants (tenant_id, role_name, schema_name, tier)
VALUES ('{{tenant_id}}', '{{role}}', '{{schema}}', '{{tier}}')
ON CONFLICT (tenant_id) DO UPDATE
  SET tier = EXCLUDED.tier, updated_at = now()
  WHERE shared.tenants.tier IS DISTINCT FROM EXCLUDED.tier;

COMMIT;
