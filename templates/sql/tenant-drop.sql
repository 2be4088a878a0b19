-- tenantctl: removes tenant {{tenant_id}} and ALL of its data (tenant remove --purge-data).
-- Run by the tenant's purge Job as the tenant purger {{purger}} through RDS Proxy, which may only
-- call shared.purge_tenant() (see platform.sql). Irreversible: take a snapshot first.
BEGIN;

SELECT shared.purge_tenant('{{tenant_id}}');

COMMIT;
