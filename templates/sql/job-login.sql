-- Created if missing, then set to exactly these attributes and session limits on every run (IAM login, no password).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{{role}}') THEN
    CREATE ROLE {{role}} LOGIN;
  END IF;
  -- rds_iam exists only on Amazon RDS (IAM authentication through RDS Proxy); elsewhere it is skipped.
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rds_iam')
     AND NOT pg_catalog.pg_has_role('{{role}}', 'rds_iam', 'MEMBER') THEN
    GRANT rds_iam TO {{role}};
  END IF;
END
$$;
ALTER ROLE {{role}} WITH LOGIN NOINHERIT NOCREATEDB NOCREATEROLE PASSWORD NULL CONNECTION LIMIT {{connection_limit}};
ALTER ROLE {{role}} SET statement_timeout = '{{statement_timeout}}';
ALTER ROLE {{role}} SET lock_timeout = '{{lock_timeout}}';
ALTER ROLE {{role}} SET idle_in_transaction_session_timeout = '{{idle_in_transaction_timeout}}';
