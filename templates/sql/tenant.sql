-- tenantctl: database objects of tenant {{tenant_id}} (its login role and schema).
-- Run by the tenant's provisioning Job as the tenant provisioner {{provisioner}} through RDS Proxy,
-- after platform.sql. The provisioner may only call shared.provision_tenant(), which creates or
-- updates the tenant, with its tier's limits, and never drops anything (see platform.sql).
BEGIN;

SELECT shared.provision_tenant('{{tenant_id}}', '{{tier}}');

COMMIT;
