-- tenantctl: removes tenant {{tenant_id}} and ALL of its data (tenant remove --purge-data).
-- Run as the master user {{master_user}}. Irreversible: take a snapshot first.
BEGIN;

SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tenantctl-provisioning'));

-- The master user owns the schema, so it drops the tenant's objects in it as well.
DROP SCHEMA IF EXISTS {{schema}} CASCADE;

DELETE FROM shared.audit_events WHERE tenant_id = '{{tenant_id}}';
DELETE FROM shared.usage_records WHERE tenant_id = '{{tenant_id}}';
DELETE FROM shared.tenants WHERE tenant_id = '{{tenant_id}}';

DROP ROLE IF EXISTS {{role}};

COMMIT;
